/**
 * The files of updates, support bundles and their results in the data dir (folders named in app/platform/paths.ts), shared by the web process (which stages
 * uploads and reads results) and the root storage worker (which checks and installs bundles and writes results).
 * Every name inside comes from `stagedId` (32 hex digits made here), never from a request: no path is built
 * from user input.
 */
import { chownSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileDurably } from "../../hw/files";
import { dataPaths } from "../platform/paths";

/** What `stagedId` makes: 32 hex digits. */
export const STAGED_ID = /^[0-9a-f]{32}$/;
export const isStagedId = (id: string) => STAGED_ID.test(id);
export const stagedBundle = (dataDir: string, id: string) => join(dataPaths(dataDir).updateStaged, `${checked(id)}.raucb`);
export const stagedMeta = (dataDir: string, id: string) => join(dataPaths(dataDir).updateStaged, `${checked(id)}.json`);
export const stagedInfo = (dataDir: string, id: string) => join(dataPaths(dataDir).updateStaged, `${checked(id)}.info.json`);

function checked(id: string) {
  if (!isStagedId(id)) throw new Error(`not a staged bundle id: ${JSON.stringify(id).slice(0, 80)}`);
  return id;
}

/** Where a staged bundle came from, as the web process recorded it. */
export type StagedMeta = { id: string; name: string; size: number; source: "upload" | "channel"; stagedAt: string };

/** The root worker's check of a staged bundle (`rauc info` against the keyring, and the board). */
export type BundleInfo =
  | { ok: true; version: string; compatible: string; signer: string; checkedAt: string }
  | { ok: false; reason: string; version?: string; compatible?: string; checkedAt: string };

export function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}

/**
 * Writes a result durably; when the writer is root (the storage worker), the file goes to the data dir's owner so
 * the web process (user nasd) can read it.
 */
export function writeResult(dataDir: string, path: string, value: unknown) {
  ensureDir(dataDir, join(path, ".."));
  writeFileDurably(path, `${JSON.stringify(value, null, 2)}\n`, 0o640);
  giveToOwner(dataDir, path);
}

/** mkdir -p inside the data dir; each folder root makes goes to the data dir's owner (the web process writes there too). */
export function ensureDir(dataDir: string, dir: string) {
  const missing: string[] = [];
  for (let d = dir; d.startsWith(dataDir) && d !== dataDir && !existsSync(d); d = dirname(d)) missing.unshift(d);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  for (const d of missing) giveToOwner(dataDir, d);
}

export function giveToOwner(dataDir: string, path: string) {
  if (process.getuid?.() !== 0 || !existsSync(dataDir)) return;
  const owner = statSync(dataDir);
  chownSync(path, owner.uid, owner.gid);
}
