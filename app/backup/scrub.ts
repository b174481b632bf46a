/**
 * The scrub: Drive's content is addressed by its SHA-256, so reading every blob back and hashing it tells whether
 * the disk still holds what was stored (what btrfs scrubbing gives a Synology). A pass covers every stored blob in
 * (owner, SHA-256) order; the hourly `scrub.run` job does the share that keeps the pass on schedule (a whole pass a
 * week by default), at a capped read rate, and records where it got to after every batch, so a restart resumes.
 *
 * A blob that no longer matches (or is gone) is a finding: reported with its names and its owner, and repaired from
 * the second-disk copy when that copy is good (checked by its hash too), else from the newest backup holding it (the
 * `backup.repair` job: a backup target may need the network). Repairs go through Drive's blob store (`repair`),
 * which only ever puts content that hashes right in place.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { join, relative } from "node:path";
import type { Clock } from "../platform/clock";
import type { ObjectStore } from "../platform/objects";
import type { ScrubFinding } from "../platform/db/schema";
import type { BackupRepo } from "./repo";

const HOUR = 3600_000;
export const WEEK = 7 * 24 * HOUR;
/** The default read cap: a pass of 1 TB at this rate takes about 4½ hours of a week. */
export const DEFAULT_RATE = 64 * 1024 ** 2;
const BATCH = 200;
const CHUNK = 4 * 1024 ** 2;

export type ScrubDeps = {
  repo: BackupRepo;
  dataDir: string;
  now: Clock;
  /** The object store (app/platform/objects.ts): a local file to hash, and putting good content back (hash-checked). */
  blobs: Pick<ObjectStore, "localPath" | "repair">;
  /** The second-disk copy of the data directory (app/storage), if the admin set one up. */
  secondCopy: () => string | null;
  /** Asks for a repair from the newest backup (a job of the backup lane); false when there is no backup to ask. */
  repairFromBackup: (userId: string, sha256: string) => boolean;
  /** Bytes per second read at most (null: as fast as the disk goes); default DEFAULT_RATE. */
  rate?: number | null;
  /** How long a whole pass should take; default a week. */
  passMs?: number;
  /** The most one job works before it lets the lane go; default 20 minutes. */
  maxRunMs?: number;
};

export type ScrubReport = { checked: number; bytes: number; damaged: number; passDone: boolean };

/** Hashes a file in 4 MiB reads, waiting when it is ahead of the rate cap; null when the file is not there. */
async function hashFile(path: string, pace: (bytes: number) => Promise<void>): Promise<string | null> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  const hash = new Bun.CryptoHasher("sha256");
  const buf = Buffer.allocUnsafe(CHUNK);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(n === CHUNK ? buf : buf.subarray(0, n));
      await pace(n);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** A finding's report: whose, which names, what it is. */
export function describeFinding(repo: BackupRepo, f: ScrubFinding) {
  const { owner, names } = repo.namesOf(f.userId, f.sha256);
  return { ...f, owner, names: names.map((n) => n.name) };
}

/**
 * Repairs one damaged or missing blob: from the second-disk copy if it holds the right content, else by asking for
 * a restore from the newest backup. Records the outcome on the finding.
 */
export async function repairBlob(deps: ScrubDeps, userId: string, sha256: string): Promise<"repaired" | "queued" | "unrepairable"> {
  const copy = deps.secondCopy();
  if (copy) {
    const source = join(copy, relative(deps.dataDir, deps.blobs.localPath(userId, sha256)));
    if (existsSync(source) && (await deps.blobs.repair(userId, sha256, source))) {
      deps.repo.updateFinding(userId, sha256, { state: "repaired", repairedFrom: "the second-disk copy", repairedAt: deps.now() });
      return "repaired";
    }
  }
  if (deps.repairFromBackup(userId, sha256)) return "queued";
  deps.repo.updateFinding(userId, sha256, {
    state: "unrepairable",
    detail: copy
      ? "The second-disk copy does not hold it either, and there is no backup to restore it from."
      : "There is no second-disk copy and no backup to restore it from.",
  });
  return "unrepairable";
}

/**
 * One job's share of the current pass (or all of it with `full`): starts a pass when none runs and the last began a
 * `passMs` ago, checks blobs until the pass is where the schedule wants it (or the run's time is up), and saves the
 * cursor after every batch.
 */
export async function scrub(deps: ScrubDeps, opts: { full?: boolean; progress?: (p: number) => void; signal?: AbortSignal } = {}): Promise<ScrubReport> {
  const { repo } = deps;
  const passMs = deps.passMs ?? WEEK;
  const rate = deps.rate === undefined ? DEFAULT_RATE : deps.rate;
  const maxRunMs = opts.full ? Number.POSITIVE_INFINITY : (deps.maxRunMs ?? 20 * 60_000);
  const started = Date.now();
  let state = repo.scrubState();
  const now = deps.now().getTime();
  const lastStart = state.lastPassAt ? state.lastPassAt.getTime() - (state.lastPassSeconds ?? 0) * 1000 : null;
  if (!state.passStartedAt) {
    if (!opts.full && lastStart !== null && now - lastStart < passMs) return { checked: 0, bytes: 0, damaged: 0, passDone: false };
    state = { ...state, passStartedAt: new Date(now), cursorUser: null, cursorSha256: null, bytesDone: 0, blobsDone: 0, totalBytes: repo.storedBytes() };
    repo.saveScrubState(state);
  }
  // Where the pass should be by now: its share of the week that has gone by.
  const wanted = opts.full ? Number.POSITIVE_INFINITY : state.totalBytes * Math.min(1, (now - state.passStartedAt!.getTime()) / passMs);

  let paced = 0;
  const pace = async (bytes: number) => {
    paced += bytes;
    if (opts.signal?.aborted) throw new Error("interrupted");
    if (!rate) return;
    const ahead = (paced / rate) * 1000 - (Date.now() - started);
    if (ahead > 5) await Bun.sleep(ahead);
  };

  const report: ScrubReport = { checked: 0, bytes: 0, damaged: 0, passDone: false };
  walk: while (Date.now() - started < maxRunMs) {
    const cursor = state.cursorUser && state.cursorSha256 ? { userId: state.cursorUser, sha256: state.cursorSha256 } : null;
    const batch = repo.blobsAfter(cursor, BATCH);
    if (batch.length === 0) {
      const seconds = Math.round((deps.now().getTime() - state.passStartedAt!.getTime()) / 1000);
      state = {
        ...state,
        passStartedAt: null,
        lastPassAt: deps.now(),
        lastPassBlobs: state.blobsDone,
        lastPassBytes: state.bytesDone,
        lastPassSeconds: seconds,
      };
      repo.saveScrubState(state);
      report.passDone = true;
      break;
    }
    for (const blob of batch) {
      if (state.bytesDone >= wanted) {
        repo.saveScrubState(state);
        break walk; // on schedule
      }
      const actual = await hashFile(deps.blobs.localPath(blob.userId, blob.sha256), pace);
      // Purged while the pass ran: not a finding.
      if (actual !== blob.sha256 && repo.blobExists(blob.userId, blob.sha256)) {
        report.damaged++;
        repo.recordFinding({
          userId: blob.userId,
          sha256: blob.sha256,
          problem: actual === null ? "missing" : "damaged",
          state: "open",
          foundAt: deps.now(),
          repairedFrom: null,
          repairedAt: null,
          detail: actual === null ? "The file is gone from the disk." : `The file on the disk hashes to ${actual.slice(0, 12)}… instead.`,
        });
        await repairBlob(deps, blob.userId, blob.sha256);
      }
      report.checked++;
      report.bytes += blob.size;
      state = { ...state, cursorUser: blob.userId, cursorSha256: blob.sha256, bytesDone: state.bytesDone + blob.size, blobsDone: state.blobsDone + 1 };
    }
    repo.saveScrubState(state);
    opts.progress?.(state.totalBytes ? (100 * state.bytesDone) / state.totalBytes : 100);
  }
  return report;
}
