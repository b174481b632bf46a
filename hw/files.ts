/**
 * File-level copying for storage moves and second-disk copies: every file is written to a temporary name, synced,
 * verified and renamed, so a file with its final name is always complete; a crash leaves at most a temp file.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  closeSync,
  lchownSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  renameSync,
  writeFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeSync,
  type Stats,
} from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

const CHUNK = 1024 * 1024;
/** Root copies keep each file's owner (the move runs as root; the services read and write as nasd). */
const keepOwners = process.getuid?.() === 0;

/** Same owner (when root) and permission bits as `like`. On a foreign filesystem (FAT, exFAT) what it cannot hold is skipped. */
function matchOwnerAndMode(path: string, like: Stats, kind: "file" | "dir" | "symlink", foreign = false) {
  try {
    if (kind === "symlink") {
      if (keepOwners) lchownSync(path, like.uid, like.gid);
      return;
    }
    if (keepOwners) chownSync(path, like.uid, like.gid);
    chmodSync(path, like.mode & 0o7777);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!foreign || (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP")) throw e;
  }
}
/** Temporary files of an interrupted copy carry this suffix; the next run deletes them. */
export const TEMP_SUFFIX = ".nas-copy-tmp";

export type TreeEntry = { rel: string; kind: "file" | "dir" | "symlink"; size: number; mtimeMs: number };
export type CopyProgress = { files: number; totalFiles: number; bytes: number; totalBytes: number };
export type CopyOptions = {
  /** Relative paths (or top-level names) not to copy. */
  exclude?: (rel: string) => boolean;
  onProgress?: (p: CopyProgress) => void;
  /**
   * The target may be FAT/exFAT/NTFS (a second disk): modification times within 2 s count as equal (FAT keeps 2 s),
   * and owners, modes and symlinks it cannot hold are skipped. Never for the data-disk move (ext4, exact).
   */
  foreignFs?: boolean;
  /** Called after each file is in place; tests throw from it to simulate a crash mid-copy. */
  afterFile?: (rel: string, index: number) => void;
  signal?: AbortSignal;
};
export type CopyResult = { files: number; copied: number; skipped: number; bytesCopied: number; totalBytes: number; copiedPaths: string[] };

export class VerifyError extends Error {
  override readonly name = "VerifyError";
}

/** Every entry under `root` (depth first, parents before children), skipping our own temp files. */
export function walkTree(root: string, exclude: (rel: string) => boolean = () => false): TreeEntry[] {
  const out: TreeEntry[] = [];
  const visit = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const name of names) {
      if (name.endsWith(TEMP_SUFFIX)) continue;
      const abs = join(dir, name);
      const rel = relative(root, abs);
      if (exclude(rel)) continue;
      let st: Stats;
      try {
        st = lstatSync(abs);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") continue; // deleted while we walk: the next run sees it
        throw e;
      }
      if (st.isDirectory()) {
        out.push({ rel, kind: "dir", size: 0, mtimeMs: st.mtimeMs });
        visit(abs);
      } else if (st.isSymbolicLink()) out.push({ rel, kind: "symlink", size: 0, mtimeMs: st.mtimeMs });
      else if (st.isFile()) out.push({ rel, kind: "file", size: st.size, mtimeMs: st.mtimeMs });
    }
  };
  visit(root);
  return out;
}

export function sha256File(path: string): string {
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** fsync a file or a directory by path: after a rename, syncing the directory makes the new name durable. */
export function fsyncPath(path: string) {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** temp → fsync → rename → fsync dir: after a power cut the file is the old content or the new, never half. */
/**
 * Made under a temp name beside `output`, then renamed into place: a failure (a full disk, a killed encoder, a damaged
 * input) leaves neither a partial file under the real name nor the temp file.
 */
export async function writeAtomically(output: string, make: (tmp: string) => Promise<unknown>, tmp = `${output}.tmp`) {
  mkdirSync(dirname(output), { recursive: true });
  try {
    await make(tmp);
    renameSync(tmp, output);
  } finally {
    rmSync(tmp, { force: true });
  }
}

export function writeFileDurably(path: string, text: string, mode = 0o644) {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncPath(dirname(path));
}

/** Same size and same modification time (to the millisecond): treated as already copied. */
export function sameFile(src: TreeEntry, dst: string, toleranceMs = 0): boolean {
  try {
    const st = statSync(dst);
    const mtimeMatches = toleranceMs > 0 ? Math.abs(st.mtimeMs - src.mtimeMs) <= toleranceMs : Math.floor(st.mtimeMs) === Math.floor(src.mtimeMs);
    return st.isFile() && st.size === src.size && mtimeMatches;
  } catch {
    return false;
  }
}

/**
 * Copies one file: temp name → sha256 of what was read → fsync → mtime → rename → fsync dir → re-read and compare.
 * Returns the sha256. Throws VerifyError when the copy does not read back the same.
 */
export function copyFileVerified(src: string, dst: string, mtimeMs: number, foreign = false): string {
  mkdirSync(dirname(dst), { recursive: true });
  const tmp = `${dst}${TEMP_SUFFIX}`;
  const hash = createHash("sha256");
  const from = openSync(src, "r");
  const to = openSync(tmp, "w", 0o600);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(from, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      let off = 0;
      while (off < n) off += writeSync(to, buf, off, n - off);
    }
    fsyncSync(to);
  } catch (e) {
    closeSync(to);
    closeSync(from);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(to);
  closeSync(from);
  const digest = hash.digest("hex");
  const t = new Date(mtimeMs);
  utimesSync(tmp, t, t);
  matchOwnerAndMode(tmp, statSync(src), "file", foreign);
  renameSync(tmp, dst);
  fsyncPath(dirname(dst));
  const back = sha256File(dst);
  if (back !== digest) throw new VerifyError(`${dst}: read back ${back.slice(0, 12)}…, expected ${digest.slice(0, 12)}…`);
  return digest;
}

/**
 * Makes `dst` hold every file of `src` (incremental: files with the same size and mtime are skipped).
 * Files in `dst` that `src` lacks are left alone; `mirrorTree` handles deletions.
 */
export function copyTree(src: string, dst: string, opts: CopyOptions = {}): CopyResult {
  mkdirSync(dst, { recursive: true });
  const foreign = opts.foreignFs ?? false;
  matchOwnerAndMode(dst, statSync(src), "dir", foreign);
  removeTempFiles(dst);
  const entries = walkTree(src, opts.exclude);
  const fileEntries = entries.filter((e) => e.kind === "file");
  const totalBytes = fileEntries.reduce((s, e) => s + e.size, 0);
  const progress: CopyProgress = { files: 0, totalFiles: fileEntries.length, bytes: 0, totalBytes };
  const result: CopyResult = { files: fileEntries.length, copied: 0, skipped: 0, bytesCopied: 0, totalBytes, copiedPaths: [] };
  for (const e of entries) {
    if (opts.signal?.aborted) throw new Error("copy interrupted");
    const target = join(dst, e.rel);
    if (e.kind === "dir") {
      mkdirSync(target, { recursive: true });
      matchOwnerAndMode(target, lstatSync(join(src, e.rel)), "dir", foreign);
      continue;
    }
    if (e.kind === "symlink") {
      const link = readlinkSync(join(src, e.rel));
      rmSync(target, { force: true });
      try {
        symlinkSync(link, target);
      } catch (err) {
        if (foreign && (err as NodeJS.ErrnoException).code === "EPERM") continue; // FAT has no symlinks
        throw err;
      }
      matchOwnerAndMode(target, lstatSync(join(src, e.rel)), "symlink", foreign);
      continue;
    }
    if (sameFile(e, target, foreign ? 2000 : 0)) result.skipped++;
    else {
      copyFileVerified(join(src, e.rel), target, e.mtimeMs, foreign);
      result.copied++;
      result.bytesCopied += e.size;
      result.copiedPaths.push(e.rel);
    }
    progress.files++;
    progress.bytes += e.size;
    opts.onProgress?.(progress);
    opts.afterFile?.(e.rel, progress.files);
  }
  fsyncPath(dst);
  return result;
}

/** Deletes temp files an interrupted run left behind. */
export function removeTempFiles(root: string) {
  const visit = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const abs = join(dir, name);
      if (name.endsWith(TEMP_SUFFIX)) rmSync(abs, { force: true });
      else if (lstatSync(abs).isDirectory()) visit(abs);
    }
  };
  visit(root);
}

/**
 * Checks that every file of `src` is in `dst` with the same size, and with `deep` the same sha256.
 * Returns the number of files checked; throws VerifyError listing the first differences.
 */
export function verifyTree(src: string, dst: string, opts: { deep: boolean; exclude?: (rel: string) => boolean; skipChanged?: boolean }): number {
  const problems: string[] = [];
  let n = 0;
  for (const e of walkTree(src, opts.exclude)) {
    if (e.kind !== "file") continue;
    const target = join(dst, e.rel);
    // While the services run, a file written after its copy (the live database) is copied again at the switch.
    if (opts.skipChanged && existsSync(target) && !sameFile(e, target)) continue;
    n++;
    if (!existsSync(target)) problems.push(`${e.rel}: missing`);
    else if (statSync(target).size !== e.size) problems.push(`${e.rel}: size differs`);
    else if (opts.deep && sha256File(join(src, e.rel)) !== sha256File(target)) problems.push(`${e.rel}: content differs`);
    if (problems.length >= 5) break;
  }
  if (problems.length) throw new VerifyError(`verification failed: ${problems.join("; ")}`);
  return n;
}

function lexists(path: string) {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Deletes what `dst` has and `src` no longer has (a file deleted after an earlier pass). Only for a copy, never the original. */
export function removeExtras(src: string, dst: string): string[] {
  const present = new Set(walkTree(src).map((e) => e.rel));
  const removed: string[] = [];
  for (const e of walkTree(dst)) {
    if (present.has(e.rel) || !lexists(join(dst, e.rel))) continue;
    rmSync(join(dst, e.rel), { recursive: true, force: true });
    removed.push(e.rel);
  }
  if (removed.length) fsyncPath(dst);
  return removed;
}

export type MirrorResult = CopyResult & { trashed: string[] };

/**
 * A second-disk copy: `copyTree`, then files and folders in `dst` that `src` no longer has are moved into
 * `dst/.trash/<stamp>/…` (kept, never deleted here), so a mistake on the data disk is not mirrored into a loss.
 */
export function mirrorTree(src: string, dst: string, opts: CopyOptions & { stamp: string }): MirrorResult {
  const exclude = (rel: string) => rel === ".trash" || rel.startsWith(".trash/") || (opts.exclude?.(rel) ?? false);
  const copied = copyTree(src, dst, { foreignFs: true, ...opts, exclude });
  const present = new Set(walkTree(src, exclude).map((e) => e.rel));
  const trashed: string[] = [];
  const trashRoot = join(dst, ".trash", opts.stamp);
  for (const e of walkTree(dst, exclude)) {
    if (present.has(e.rel)) continue;
    // A folder already moved with its parent is gone from dst by now.
    if (!lexists(join(dst, e.rel))) continue;
    const to = join(trashRoot, e.rel);
    mkdirSync(dirname(to), { recursive: true });
    renameSync(join(dst, e.rel), to);
    trashed.push(e.rel);
  }
  if (trashed.length) fsyncPath(dst);
  return { ...copied, trashed };
}

/**
 * Resolves `rel` under `root`, or null if it would escape it: where a URL path or a name from outside becomes a file
 * path (static assets, blobs, the import folder). Here, not beside the static routes, so the worker can use it
 * without loading the web framework.
 */
export function resolveInside(root: string, rel: string): string | null {
  if (rel.includes("\0")) return null;
  const full = resolve(root, rel);
  const r = relative(root, full);
  return r && !r.startsWith("..") && !isAbsolute(r) ? full : null;
}
