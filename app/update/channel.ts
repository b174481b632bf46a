/**
 * The update channel: a static server of the owner's choosing holding `index.json` (which bundles exist: version,
 * URL, sha256, compatible) and `index.json.sig`, a detached CMS signature by the release signing key, checked here
 * against the same keyring RAUC uses (`openssl cms -verify`). A downloaded bundle is still checked by RAUC
 * (`update.inspect`) before it can be installed; the index only says what to fetch.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runner } from "../../hw/run";
import { AppError } from "../platform/errors";
import type { Clock } from "../platform/clock";

export type ChannelEntry = { version: string; url: string; sha256: string; compatible: string; size?: number };
export type ChannelCheck =
  | { state: "newer"; entry: ChannelEntry; current: string; checkedAt: string }
  | { state: "current"; latest: string | null; current: string; checkedAt: string };

const MAX_INDEX_BYTES = 256 * 1024;

/** Only http(s) URLs: no file://, no other scheme the box would follow. Returns the normalised URL. */
export function parseChannelUrl(input: string): string {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError(400, "Give the full address of the channel's index, e.g. https://updates.example.com/nas/index.json.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new AppError(400, `Only http:// and https:// channels are allowed (not ${url.protocol.replace(/:$/, "")}).`);
  if (url.username || url.password) throw new AppError(400, "Leave credentials out of the channel address.");
  return url.toString();
}

/** Compares the release part (1.2.10 > 1.2.9); a build suffix (+commit) only makes versions different, not newer. */
export function isNewer(candidate: string, current: string): boolean {
  const core = (v: string) => (v.match(/^v?(\d+(?:\.\d+)*)/)?.[1] ?? "").split(".").filter(Boolean).map(Number);
  const a = core(candidate);
  const b = core(current);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

async function fetchLimited(fetchFn: Fetch, url: string, what: string, timeoutMs: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetchFn(url, { redirect: "error", signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new AppError(502, `The update channel cannot be reached (${what}: ${e instanceof Error ? e.message : String(e)}).`);
  }
  if (!response.ok) throw new AppError(502, `The update channel answered ${response.status} for ${what}.`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > MAX_INDEX_BYTES) throw new AppError(502, `The channel's ${what} is too large.`);
  return bytes;
}

/** openssl cms -verify of a detached signature against the keyring (the release CA); throws AppError otherwise. */
export async function verifyIndexSignature(run: Runner, keyring: string, index: Uint8Array, signature: Uint8Array) {
  const dir = mkdtempSync(join(tmpdir(), "nas-channel-"));
  try {
    writeFileSync(join(dir, "index.json"), index);
    writeFileSync(join(dir, "index.json.sig"), signature);
    const inform = Buffer.from(signature.subarray(0, 11)).toString() === "-----BEGIN " ? "PEM" : "DER";
    const result = await run(
      [
        "openssl",
        "cms",
        "-verify",
        "-binary",
        "-inform",
        inform,
        "-in",
        join(dir, "index.json.sig"),
        "-content",
        join(dir, "index.json"),
        "-CAfile",
        keyring,
        "-purpose",
        "any",
        "-out",
        "/dev/null",
      ],
      { timeoutMs: 20_000 },
    );
    if (result.code !== 0) {
      const reason = result.stderr.split("\n").find((l) => /verif|error|certificate|signature/i.test(l)) ?? "no valid signature";
      throw new AppError(502, `The channel's index is not signed with this box's update key (${reason.trim().slice(0, 200)}). Nothing was downloaded.`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseIndex(bytes: Uint8Array, indexUrl: string): ChannelEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new AppError(502, "The channel's index is not valid JSON.");
  }
  const list = (raw as { bundles?: unknown })?.bundles;
  if (!Array.isArray(list)) throw new AppError(502, 'The channel\'s index has no "bundles" list.');
  return list.map((e: Record<string, unknown>) => {
    const entry = { version: e.version, url: e.url, sha256: e.sha256, compatible: e.compatible, size: e.size };
    if (typeof entry.version !== "string" || typeof entry.url !== "string" || typeof entry.compatible !== "string" || typeof entry.sha256 !== "string")
      throw new AppError(502, "An entry of the channel's index lacks its version, url, sha256 or compatible.");
    if (!/^[0-9a-f]{64}$/.test(entry.sha256)) throw new AppError(502, `The channel's entry for ${entry.version} has no valid sha256.`);
    const url = new URL(entry.url, indexUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new AppError(502, `The channel's bundle for ${entry.version} is on a ${url.protocol.replace(/:$/, "")}: address; only http(s) is followed.`);
    return {
      version: entry.version,
      url: url.toString(),
      sha256: entry.sha256,
      compatible: entry.compatible,
      size: typeof entry.size === "number" ? entry.size : undefined,
    };
  });
}

export type ChannelDeps = { run: Runner; keyring: string; fetch?: Fetch; timeoutMs?: number; now: Clock };

/** Fetches and verifies the index; says whether it holds a newer bundle for this board. */
export async function checkChannel(deps: ChannelDeps, indexUrl: string, box: { compatible: string; version: string }): Promise<ChannelCheck> {
  const url = parseChannelUrl(indexUrl);
  const fetchFn = deps.fetch ?? fetch;
  const timeout = deps.timeoutMs ?? 15_000;
  const index = await fetchLimited(fetchFn, url, "index.json", timeout);
  const signature = await fetchLimited(fetchFn, `${url}.sig`, "index.json.sig", timeout);
  await verifyIndexSignature(deps.run, deps.keyring, index, signature);
  const mine = parseIndex(index, url).filter((e) => e.compatible === box.compatible);
  const checkedAt = deps.now().toISOString();
  const best = mine.reduce<ChannelEntry | null>((acc, e) => (!acc || isNewer(e.version, acc.version) ? e : acc), null);
  if (best && isNewer(best.version, box.version)) return { state: "newer", entry: best, current: box.version, checkedAt };
  return { state: "current", latest: best?.version ?? null, current: box.version, checkedAt };
}

/** Streams a bundle to `dest`, checking the size limit as it goes and the sha256 at the end; removes it on failure. */
export async function downloadBundle(deps: { fetch?: Fetch }, entry: ChannelEntry, dest: string, maxBytes: number): Promise<number> {
  const url = new URL(entry.url);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new AppError(502, "Only http(s) bundle addresses are followed.");
  if (entry.size !== undefined && entry.size > maxBytes) throw new AppError(507, "There is not enough free space on the data disk for this bundle.");
  let response: Response;
  try {
    response = await (deps.fetch ?? fetch)(url.toString(), { redirect: "error" });
  } catch (e) {
    throw new AppError(502, `The bundle cannot be downloaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!response.ok || !response.body) throw new AppError(502, `The channel answered ${response.status} for the bundle.`);
  const hash = createHash("sha256");
  const file = await open(dest, "w", 0o640);
  let size = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new AppError(507, "There is not enough free space on the data disk for this bundle.");
      hash.update(chunk);
      await file.write(chunk);
    }
    await file.sync();
  } catch (e) {
    await file.close();
    rmSync(dest, { force: true });
    throw e;
  }
  await file.close();
  if (hash.digest("hex") !== entry.sha256) {
    rmSync(dest, { force: true });
    throw new AppError(502, "The downloaded bundle does not match the sha256 in the signed index (damaged or replaced). It was deleted.");
  }
  return size;
}
