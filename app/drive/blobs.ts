// The only code that touches Drive content on disk. Layout (content-addressed, per user; named in app/platform/paths.ts):
//   <data>/users/<userId>/blobs/<aa>/<bb>/<sha256>   one file per distinct content of that user
//   <data>/users/<userId>/tmp/<random>               uploads being received (swept at start)
//   <data>/uploads/<id>(.json)                        tus resumable uploads in progress
// User-typed names never become path components: they live only in SQLite.
import { lstatSync, closeSync, mkdirSync, openSync, renameSync, rmSync, statfsSync, unlinkSync, existsSync, readdirSync } from "node:fs";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { fsyncPath, resolveInside } from "../../hw/files";
import { AppError, DISK_FULL_MESSAGE, isDiskFull } from "../platform/errors";
import { dataPaths, safePath, USER_ID } from "../platform/paths";
import type { Clock } from "../platform/clock";
import { fsyncFd, STREAM_BUFFER, writeAll, writeStream, type WriteFn } from "../platform/streams";

/** Write hook: tests inject one that throws ENOSPC to prove a full disk leaves nothing behind. */
export type { WriteFn } from "../platform/streams";

export type Received = { sha256: string; size: number; tempPath: string; head: Uint8Array };

export const diskFullError = () => new AppError(507, DISK_FULL_MESSAGE);

type ReceiveLimits = { maxBytes: number; expectedBytes?: number; tooLarge: () => Error };

/**
 * Writes `source` to a new file at `tempPath` while hashing it, then fsyncs it; on any failure the file is gone.
 * In constant memory (app/platform/streams.ts): two buffers however large the upload.
 */
async function streamToFile(tempPath: string, source: AsyncIterable<Uint8Array>, limits: ReceiveLimits, write: WriteFn): Promise<Received> {
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
    return { sha256: hasher.digest("hex"), size, tempPath, head: head.subarray(0, headLen) };
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tempPath, { force: true });
    throw isDiskFull(e) ? diskFullError() : e;
  }
}

/** Regular files under each user's import folder (`parts`: the names below it), the recent ones left for later. */
function findImports(root: string, minAgeMs: number, cutoff: number): { userId: string; path: string; parts: string[] }[] {
  const paths = dataPaths(root);
  const usersDir = paths.users;
  if (!existsSync(usersDir)) return [];
  const found: { userId: string; path: string; parts: string[] }[] = [];
  for (const userId of readdirSync(usersDir)) {
    if (!USER_ID.test(userId)) continue;
    const importRoot = paths.userImport(userId);
    if (!existsSync(importRoot)) continue;
    const walk = (parts: string[]) => {
      const dir = parts.length ? resolveInside(importRoot, join(...parts)) : importRoot;
      if (!dir) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const next = [...parts, entry.name];
        if (entry.isDirectory()) walk(next);
        else if (entry.isFile()) {
          const path = resolveInside(importRoot, join(...next));
          // minAgeMs 0 takes every file: a file's mtime may read a hair ahead of the process clock.
          if (path && (minAgeMs <= 0 || lstatSync(path).mtimeMs <= cutoff)) found.push({ userId, path, parts: next });
        }
      }
    };
    walk([]);
  }
  return found;
}

export function createBlobStore(opts: { dataDir: string; write?: WriteFn; now: Clock }) {
  const root = opts.dataDir;
  const { now } = opts;
  const write = opts.write ?? writeAll;

  const paths = dataPaths(root);
  const blobPath = paths.blob;
  const previewPath = paths.drivePreview;
  const tmpDir = (userId: string) => {
    const dir = paths.userTmp(userId);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  /**
   * Streams `source` to a temp file in the user's tmp dir while hashing it, then fsyncs it. Refuses more
   * than `maxBytes` (quota) and fewer/more than `expectedBytes` when given. On any failure the temp file is gone.
   */
  const receive = (userId: string, source: AsyncIterable<Uint8Array>, limits: ReceiveLimits): Promise<Received> =>
    streamToFile(safePath(tmpDir(userId), randomBytes(12).toString("hex")), source, limits, write);

  /** Hashes an already complete file (a finished tus upload) the same way `receive` does, moving it to tmp. */
  async function adopt(userId: string, path: string): Promise<Received> {
    const tempPath = safePath(tmpDir(userId), randomBytes(12).toString("hex"));
    renameSync(path, tempPath);
    try {
      const hasher = new Bun.CryptoHasher("sha256");
      let head = new Uint8Array(0);
      let size = 0;
      for await (const chunk of createReadStream(tempPath, { highWaterMark: STREAM_BUFFER }) as AsyncIterable<Buffer>) {
        if (size === 0) head = new Uint8Array(chunk.subarray(0, 4100));
        hasher.update(chunk);
        size += chunk.byteLength;
      }
      const fd = openSync(tempPath, "r+");
      try {
        await fsyncFd(fd);
      } finally {
        closeSync(fd);
      }
      return { sha256: hasher.digest("hex"), size, tempPath, head };
    } catch (e) {
      rmSync(tempPath, { force: true });
      throw e;
    }
  }

  return {
    root,
    blobPath,
    previewPath,
    /**
     * Moves a received temp file to its content address, or drops it if that content is already stored.
     * Synchronous on purpose: nothing else on the event loop (a purge) runs between this and the row commit.
     */
    place(userId: string, received: Received): { existed: boolean } {
      const dest = blobPath(userId, received.sha256);
      if (existsSync(dest)) {
        unlinkSync(received.tempPath);
        return { existed: true };
      }
      const dir = join(dest, "..");
      mkdirSync(dir, { recursive: true });
      renameSync(received.tempPath, dest);
      fsyncPath(dir);
      return { existed: false };
    },
    /**
     * Puts good content back at its address when the stored file was found damaged or missing (the scrub,
     * app/backup/scrub.ts): `source` is copied to a temp file while hashed, and only content that matches `sha256`
     * replaces what is there (rename, then the folder is synced). False when the source does not match.
     */
    async repair(userId: string, sha256: string, source: string): Promise<boolean> {
      const received = await receive(userId, createReadStream(source, { highWaterMark: STREAM_BUFFER }) as AsyncIterable<Uint8Array>, {
        maxBytes: Number.POSITIVE_INFINITY,
        tooLarge: diskFullError,
      });
      if (received.sha256 !== sha256) {
        rmSync(received.tempPath, { force: true });
        return false;
      }
      const dest = blobPath(userId, sha256);
      mkdirSync(join(dest, ".."), { recursive: true });
      renameSync(received.tempPath, dest);
      fsyncPath(join(dest, ".."));
      return true;
    },
    discard(received: Received) {
      rmSync(received.tempPath, { force: true });
    },
    receive,
    adopt,
    removeBlob(userId: string, sha256: string) {
      rmSync(blobPath(userId, sha256), { force: true });
      rmSync(previewPath(userId, sha256), { force: true });
    },
    /** Bytes still free for unprivileged writers on the data filesystem. */
    freeBytes() {
      const s = statfsSync(root);
      return Number(s.bavail) * Number(s.bsize);
    },
    /**
     * Files placed in `<data>/users/<id>/import/` by other means (scp, a USB copy), older than `minAgeMs` so a
     * copy still in progress is left alone. Symlinks and special files are skipped; every path is boundary-checked.
     */
    pendingImports: (minAgeMs: number) => findImports(root, minAgeMs, now().getTime() - minAgeMs),
    /** Removes temp files left by a crash. Called once at start, before serving. */
    sweepTemp() {
      const users = paths.users;
      if (!existsSync(users)) return 0;
      let removed = 0;
      for (const u of readdirSync(users)) {
        if (!USER_ID.test(u)) continue;
        const dir = paths.userTmp(u);
        if (!existsSync(dir)) continue;
        for (const f of readdirSync(dir)) {
          rmSync(safePath(dir, f), { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}

export type BlobStore = ReturnType<typeof createBlobStore>;
