import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { runCommand, type Runner } from "../../hw/run";
import { copyDataToDisk, StorageError } from "../../hw/datadisk";
import { fsyncPath, mirrorTree, type CopyProgress } from "../../hw/files";
import type { Db } from "../platform/db/client";
import type { StorageRepo } from "./repo";
import type { JobHandler } from "../platform/queue/queue";
import { AppError } from "../platform/errors";
import type { StorageJobPayloads } from "./jobs";
import { dataPaths, isLiveDatabaseFile, isScratch } from "../platform/paths";
import type { Clock } from "../platform/clock";

/** The folder on the second disk that mirrors the data directory. */
export const DISK_COPY_DIR = "nasd-copy";

const percentOf = (p: CopyProgress) => (p.totalBytes > 0 ? (100 * p.bytes) / p.totalBytes : p.totalFiles > 0 ? (100 * p.files) / p.totalFiles : 0);

/**
 * `storage.move` (payload `{ device, confirm }`): phase 1 of moving the data directory onto a new disk (see
 * hw/datadisk.ts). Needs root (sfdisk, mkfs, mount): the image runs it in a worker started as root for this kind only.
 */
export function storageMoveHandler(deps: {
  dataDir: string;
  run?: Runner;
  includeLoop?: boolean;
  statePath?: string;
  mountpoint?: string;
}): JobHandler<"storage.move", StorageJobPayloads> {
  return async (job, ctx) => {
    const { device, confirm } = job.payload;
    try {
      const state = await copyDataToDisk(
        {
          run: deps.run ?? runCommand,
          dataDir: deps.dataDir,
          includeLoop: deps.includeLoop,
          statePath: deps.statePath,
          mountpoint: deps.mountpoint,
          onProgress: (p) => ctx.progress(Math.min(99, percentOf(p))),
          signal: ctx.signal,
          log: ctx.log,
        },
        { device, confirm },
      );
      ctx.log(state.message);
    } catch (e) {
      // A refused disk or confirmation will be refused again: do not retry.
      if (e instanceof StorageError && /cannot be used|does not match|not attached|already on a data disk|in use/.test(e.message))
        throw new AppError(409, e.message);
      throw e;
    }
  };
}

/** The second-disk target must be a directory on another filesystem than the data directory (another disk). */
export function checkCopyTarget(dataDir: string, target: string): string {
  const abs = resolve(target);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new StorageError(`${abs} is not a mounted folder.`);
  const rel = relative(dataDir, abs);
  if (rel === "" || !rel.startsWith("..")) throw new StorageError("The copy cannot go inside the data directory.");
  if (statSync(abs).dev === statSync(dataDir).dev) throw new StorageError(`${abs} is on the same disk as the data: choose another disk.`);
  return abs;
}

/**
 * `storage.disk-copy`: an incremental copy of the data directory to `<target>/nasd-copy` (size + mtime decide what
 * changed; temp file + fsync + rename per file; deletions go to `.trash/<time>/`), then a consistent snapshot of the
 * database. An interrupted run leaves only temp files, which the next run deletes before it resumes.
 */
export function diskCopyHandler(deps: {
  db: Db;
  dataDir: string;
  repo: StorageRepo;
  now: Clock;
  afterFile?: (rel: string, i: number) => void;
}): JobHandler<"storage.disk-copy", StorageJobPayloads> {
  const { now } = deps;
  return async (_job, ctx) => {
    const row = deps.repo.diskCopy();
    if (!row) throw new AppError(409, "No second disk is chosen.");
    const startedAt = now();
    try {
      const target = checkCopyTarget(deps.dataDir, row.targetPath);
      const dst = join(target, DISK_COPY_DIR);
      const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
      const result = mirrorTree(deps.dataDir, dst, {
        stamp,
        // The live database is copied as a consistent snapshot (VACUUM INTO) below, never as raw files; scratch
        // space (uploads being received, Drive's preview cache) is not worth a second disk.
        exclude: (rel) => isLiveDatabaseFile(rel) || isScratch(rel),
        onProgress: (p) => ctx.progress(Math.min(95, percentOf(p) * 0.95)),
        afterFile: deps.afterFile,
        signal: ctx.signal,
      });
      const dbCopy = dataPaths(dst).db;
      const tmp = `${dbCopy}.partial`;
      rmSync(tmp, { force: true });
      mkdirSync(dst, { recursive: true });
      deps.db.$client.run("VACUUM INTO ?", [tmp]);
      fsyncPath(tmp);
      renameSync(tmp, dbCopy);
      fsyncPath(dst);
      const summary = `${result.copied} files copied (${result.bytesCopied} bytes), ${result.skipped} unchanged, ${result.trashed.length} moved to .trash; database snapshot written`;
      deps.repo.recordDiskCopy(now(), true, summary);
      ctx.log(summary);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      deps.repo.recordDiskCopy(now(), false, (e as Error).message);
      if (e instanceof StorageError) throw new AppError(409, e.message);
      throw e;
    }
  };
}
