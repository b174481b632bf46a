// The object store behind every original: content-addressed, per namespace (a user id), keyed by SHA-256. Drive writes
// through it; downloads, zips, links, the media pipeline and backups read through it; no feature builds a path to
// an original. The filesystem implementation below is the only one today; the interface is an object store's
// (put-if-absent, ranged get, head, list by prefix, delete), so originals can later live on an S3-compatible cluster
// (e.g. Garage) without touching features. Layout on disk (named in app/platform/paths.ts):
//   <data>/users/<namespace>/blobs/<aa>/<bb>/<sha256>   one file per distinct content of that user
//   <data>/users/<namespace>/tmp/<random>               content being staged (swept at start)
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, unlink } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { fsyncPath } from "../../hw/files";
import { AppError, DISK_FULL_MESSAGE, isDiskFull } from "./errors";
import { dataPaths, safePath, USER_ID } from "./paths";
import { fsyncFd, STREAM_BUFFER, writeAll, writeStream, type WriteFn } from "./streams";

/** Write hook: tests inject one that throws ENOSPC to prove a full disk leaves nothing behind. */
export type { WriteFn } from "./streams";

export const diskFullError = () => new AppError(507, DISK_FULL_MESSAGE);

/** How much `stage` accepts: more than `maxBytes` (a quota) or other than `expectedBytes` (when given) is refused. */
export type StageLimits = { maxBytes: number; expectedBytes?: number; tooLarge: () => Error };

/**
 * Content received and hashed but not yet stored under its key. `head`: its first bytes (for sniffing the type).
 * `ref` is the implementation's own (here the temp file; an object store's would be its staging object).
 */
export type Staged = { sha256: string; size: number; head: Uint8Array; ref: string };

/** A byte range as `Blob.slice` takes it: `end` exclusive, to the end when left out. */
export type ByteRange = { start: number; end?: number };

export interface ObjectStore {
  /**
   * Streams `source` into staging while hashing it, durably (fsynced). Refuses more than `limits.maxBytes` and
   * fewer/more than `limits.expectedBytes`; a full disk is a 507. On any failure nothing is left behind.
   */
  stage(namespace: string, source: AsyncIterable<Uint8Array>, limits: StageLimits): Promise<Staged>;
  /** Stages a complete local file (a finished resumable upload, an import, a restore): moved in, not copied; hashed the same way. */
  stageFile(namespace: string, path: string): Promise<Staged>;
  /**
   * Put-if-absent: stores staged content under `namespace` and its SHA-256, or drops it when that key already exists.
   * The namespace may differ from the one it was staged in (an upload into a folder shared with the uploader is the
   * folder owner's content). Synchronous on purpose: nothing else on the event loop (a purge) runs between this and
   * the caller's row commit. An object-store implementation's commit is a conditional copy of the staging object
   * (If-None-Match: *), which is asynchronous: Drive's commit would then await it and check the row again inside its
   * transaction.
   */
  commit(namespace: string, staged: Staged): { existed: boolean };
  /** Drops staged content that will not be committed. */
  discard(staged: Staged): void;
  /**
   * The content under a key, lazily (nothing is read until the Blob is): the filesystem's is `Bun.file(path)`, an S3
   * implementation's is Bun's S3File, which is also a Blob (slice, stream, exists, size). A missing key gives a Blob
   * whose reads fail: ask `head` first when that matters.
   */
  get(namespace: string, sha256: string, range?: ByteRange): Blob;
  /** The stored size, or null when the key does not exist. */
  head(namespace: string, sha256: string): { size: number } | null;
  /** Every key of a namespace starting with `prefix` (hex; "" for all), in no particular order. */
  list(namespace: string, prefix?: string): AsyncIterable<string>;
  /** Removes a key; removing a missing key is not an error. */
  delete(namespace: string, sha256: string): void;
  /**
   * Puts good content back under a key whose stored content was found damaged or missing (the scrub): `source` is
   * staged while hashed and replaces what is there only when it matches `sha256`. False when it does not.
   */
  repair(namespace: string, sha256: string, source: string): Promise<boolean>;
  /**
   * A local file holding the content, for the tools that need one (sharp, ffmpeg, exiftool, the metadata cleaners,
   * restic's staging links). Here it is the stored file itself, never to be written. An object-store
   * implementation would fetch the object into a bounded local cache on first use and return that path (so it would
   * become asynchronous there).
   */
  localPath(namespace: string, sha256: string): string;
  /** Removes staged content left by a crash; called once at start, before serving. How many were removed. */
  sweepStaged(): number;
}

/**
 * Writes `source` to a new file at `tempPath` while hashing it, then fsyncs it; on any failure the file is gone.
 * In constant memory (app/platform/streams.ts): two buffers however large the content.
 */
async function streamToFile(
  tempPath: string,
  source: AsyncIterable<Uint8Array>,
  limits: StageLimits,
  write: WriteFn,
  drop: (path: string) => void,
): Promise<Staged> {
  const fd = openSync(tempPath, "wx", 0o600);
  const hasher = new Bun.CryptoHasher("sha256");
  const head = new Uint8Array(4100);
  let headLen = 0;
  let size = 0;
  try {
    await writeStream(
      fd,
      source,
      (chunk) => {
        size += chunk.byteLength;
        if (size > limits.maxBytes) throw limits.tooLarge();
        if (limits.expectedBytes !== undefined && size > limits.expectedBytes) throw new AppError(400, "The upload is longer than its declared length.");
        hasher.update(chunk);
        if (headLen < head.length) {
          const take = Math.min(head.length - headLen, chunk.byteLength);
          head.set(chunk.subarray(0, take), headLen);
          headLen += take;
        }
      },
      write,
    );
    if (limits.expectedBytes !== undefined && size !== limits.expectedBytes)
      throw new AppError(400, "The upload ended before its declared length: nothing was stored.");
    await fsyncFd(fd);
    closeSync(fd);
    return { sha256: hasher.digest("hex"), size, head: head.subarray(0, headLen), ref: tempPath };
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    drop(tempPath);
    throw isDiskFull(e) ? diskFullError() : e;
  }
}

/** The object store on the data directory's filesystem: fsync, then rename into place, then fsync the folder. */
export function createFileObjects(opts: { dataDir: string; write?: WriteFn }): ObjectStore {
  const write = opts.write ?? writeAll;
  const paths = dataPaths(opts.dataDir);
  const pathOf = paths.blob;
  const tempPath = (namespace: string) => {
    const dir = paths.userTmp(namespace);
    mkdirSync(dir, { recursive: true });
    // Made with the staging folder, so dropping needs no new folder on a full disk.
    mkdirSync(paths.userDropping(namespace), { recursive: true });
    return safePath(dir, randomBytes(12).toString("hex"));
  };
  /**
   * Removes staged content that will not be stored (a duplicate of stored content, a refused or cut upload) without
   * holding up the request's thread: freeing a 1 GiB file's blocks takes ext4 ~0.4 s, which an unlink on the event
   * loop spent blocking every other request. The rename out of staging is instant; the unlink runs on the thread
   * pool; what a crash leaves there goes with the start's sweep. Where the rename cannot be done, it is removed here.
   */
  const drop = (ref: string) => {
    const dropping = join(dirname(dirname(ref)), "dropping", basename(ref));
    try {
      renameSync(ref, dropping);
    } catch {
      rmSync(ref, { force: true });
      return;
    }
    unlink(dropping, () => {});
  };
  const stage = (namespace: string, source: AsyncIterable<Uint8Array>, limits: StageLimits) => streamToFile(tempPath(namespace), source, limits, write, drop);
  /** Renames staged content over `dest` and syncs the folder, so the new name survives a power cut. */
  const install = (ref: string, dest: string) => {
    const dir = join(dest, "..");
    mkdirSync(dir, { recursive: true });
    renameSync(ref, dest);
    fsyncPath(dir);
  };

  return {
    stage,
    async stageFile(namespace, path) {
      const ref = tempPath(namespace);
      renameSync(path, ref);
      try {
        const hasher = new Bun.CryptoHasher("sha256");
        let head = new Uint8Array(0);
        let size = 0;
        for await (const chunk of createReadStream(ref, { highWaterMark: STREAM_BUFFER }) as AsyncIterable<Buffer>) {
          if (size === 0) head = new Uint8Array(chunk.subarray(0, 4100));
          hasher.update(chunk);
          size += chunk.byteLength;
        }
        const fd = openSync(ref, "r+");
        try {
          await fsyncFd(fd);
        } finally {
          closeSync(fd);
        }
        return { sha256: hasher.digest("hex"), size, head, ref };
      } catch (e) {
        drop(ref);
        throw e;
      }
    },
    commit(namespace, staged) {
      const dest = pathOf(namespace, staged.sha256);
      if (existsSync(dest)) {
        drop(staged.ref);
        return { existed: true };
      }
      install(staged.ref, dest);
      return { existed: false };
    },
    discard(staged) {
      drop(staged.ref);
    },
    get(namespace, sha256, range) {
      const file = Bun.file(pathOf(namespace, sha256));
      return range ? file.slice(range.start, range.end) : file;
    },
    head(namespace, sha256) {
      const s = statSync(pathOf(namespace, sha256), { throwIfNoEntry: false });
      return s?.isFile() ? { size: s.size } : null;
    },
    async *list(namespace, prefix = "") {
      if (!/^[0-9a-f]{0,64}$/.test(prefix)) throw new AppError(400, "Refused an unsafe prefix.");
      if (!USER_ID.test(namespace)) throw new AppError(400, "Refused an unsafe path.");
      const root = join(paths.users, namespace, "blobs");
      // Two levels of hashed folders (aa/bb): a prefix of two or four digits names the folders to read.
      const under = (dir: string, level: string) => (existsSync(dir) ? readdirSync(dir).filter((d) => /^[0-9a-f]{2}$/.test(d) && d.startsWith(level)) : []);
      for (const aa of under(root, prefix.slice(0, 2)))
        for (const bb of under(join(root, aa), prefix.slice(2, 4)))
          for (const sha of readdirSync(join(root, aa, bb))) if (sha.startsWith(prefix) && /^[0-9a-f]{64}$/.test(sha)) yield sha;
    },
    delete(namespace, sha256) {
      rmSync(pathOf(namespace, sha256), { force: true });
    },
    async repair(namespace, sha256, source) {
      const staged = await stage(namespace, createReadStream(source, { highWaterMark: STREAM_BUFFER }) as AsyncIterable<Uint8Array>, {
        maxBytes: Number.POSITIVE_INFINITY,
        tooLarge: diskFullError,
      });
      if (staged.sha256 !== sha256) {
        rmSync(staged.ref, { force: true });
        return false;
      }
      install(staged.ref, pathOf(namespace, sha256));
      return true;
    },
    localPath: pathOf,
    sweepStaged() {
      if (!existsSync(paths.users)) return 0;
      let removed = 0;
      for (const u of readdirSync(paths.users)) {
        if (!USER_ID.test(u)) continue;
        for (const dir of [paths.userTmp(u), paths.userDropping(u)]) {
          if (!existsSync(dir)) continue;
          for (const f of readdirSync(dir)) {
            rmSync(safePath(dir, f), { force: true });
            removed++;
          }
        }
      }
      return removed;
    },
  };
}
