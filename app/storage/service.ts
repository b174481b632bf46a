import { lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { runCommand, type Runner } from "../../hw/run";
import {
  assertFormattable,
  confirmationFor,
  dataDiskMountpoint,
  listDisks,
  readStorageState,
  StorageError,
  storageStatePath,
  type Disk,
  type StorageState,
} from "../../hw/datadisk";
import type { MountedFilesystem } from "../../hw/system";
import type { Job, User } from "../platform/db/schema";
import { listBackups } from "../dashboard/backups";
import { isPending, type JobQueue } from "../platform/queue/queue";
import { checkCopyTarget } from "./copy";
import { DISK_COPY_JOB, STORAGE_MOVE_JOB, type StorageJobPayloads } from "./jobs";
import type { StorageRepo } from "./repo";
import { AppError } from "../platform/errors";
import { dataPaths } from "../platform/paths";
import type { Clock } from "../platform/clock";

/**
 * Derived media, per user: image previews in `<data>/users/<userId>/previews/` (app/drive/blobs.ts), and the
 * worker's `<data>/thumbs/<userId>/` and `<data>/transcodes/<userId>/`.
 */
/** Walking thumbnails and transcodes costs a directory walk: done at most this often, never per request. */
const WALK_MAX_AGE_MS = 10 * 60_000;

export type SpaceRow = { userId: string; username: string; originals: number; trash: number; thumbs: number; transcodes: number };
export type SpaceBreakdown = {
  originals: number;
  trash: number;
  thumbs: number;
  transcodes: number;
  database: number;
  backups: number;
  perUser: SpaceRow[];
  /** When thumbnails and transcodes were last measured. */
  walkedAt: Date;
};

/** `refusal`: why this disk may not be formatted (system disk, in use), or null for a candidate. */
export type DiskChoice = Disk & { confirmation: string; refusal: string | null };
export type DisksView = { available: true; disks: DiskChoice[] } | { available: false; reason: string };

function fileBytes(path: string) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Bytes on disk under `dir` (0 when it does not exist). */
function dirBytes(dir: string): number {
  const walk = (dir: string): number => {
    let sum = 0;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return 0;
    }
    for (const n of names) {
      const st = lstatSync(join(dir, n), { throwIfNoEntry: false });
      if (!st) continue;
      sum += st.isDirectory() ? walk(join(dir, n)) : st.isFile() ? st.blocks * 512 : 0;
    }
    return sum;
  };
  return walk(dir);
}

/** Bytes under each first-level folder of `root` (one per user id). */
function bytesPerChild(root: string): Map<string, number> {
  const out = new Map<string, number>();
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return out;
  }
  for (const n of names) out.set(n, dirBytes(join(root, n)));
  return out;
}

export function createStorageService(deps: {
  dataDir: string;
  repo: StorageRepo;
  jobs: JobQueue<StorageJobPayloads>;
  listUsers: () => User[];
  filesystems: () => Promise<MountedFilesystem[]>;
  run?: Runner;
  /** Offer loop devices as disks (tests, and trying it out in a VM). */
  includeLoop?: boolean;
  now: Clock;
}) {
  const run = deps.run ?? runCommand;
  const { now } = deps;
  const statePath = storageStatePath(deps.dataDir);
  const paths = dataPaths(deps.dataDir);
  let walked: { at: Date; thumbs: Map<string, number>; transcodes: Map<string, number> } | null = null;

  /** The same check the move makes, with the disk's own confirmation: what is left is the system disk or a disk in use. */
  const refusalOf = (disk: Disk): string | null => {
    try {
      assertFormattable(disk, confirmationFor(disk));
      return null;
    } catch (e) {
      if (e instanceof StorageError) return e.message;
      throw e;
    }
  };

  async function disks(): Promise<DisksView> {
    try {
      const list = await listDisks(run, { includeLoop: deps.includeLoop, extraSystemMounts: [deps.dataDir] });
      return { available: true, disks: list.map((d) => ({ ...d, confirmation: confirmationFor(d), refusal: refusalOf(d) })) };
    } catch (e) {
      return { available: false, reason: (e as Error).message };
    }
  }

  /** Why no move may start now, or null: the pages hide the disk choice for the same reason `requestMove` refuses. */
  function moveBlocked(): string | null {
    if (isPending(deps.jobs.lastOfKind(STORAGE_MOVE_JOB))) return "A move to a data disk is already under way.";
    if (readStorageState(statePath)?.state === "active") return "The data is already on a data disk.";
    return null;
  }

  return {
    disks,
    /** Where the data lives, how far a move got, and whether another may start. */
    location(): { state: StorageState | null; job: Job | null; dataDir: string; mountpoint: string; blocked: string | null } {
      return {
        state: readStorageState(statePath),
        job: deps.jobs.lastOfKind(STORAGE_MOVE_JOB) ?? null,
        dataDir: deps.dataDir,
        mountpoint: dataDiskMountpoint(deps.dataDir),
        blocked: moveBlocked(),
      };
    },

    /** Checks the disk and the typed confirmation now (so the admin sees a refusal at once), then queues the move. */
    async requestMove(device: string, confirm: string): Promise<Job> {
      const blocked = moveBlocked();
      if (blocked) throw new AppError(409, blocked);
      const view = await disks();
      if (!view.available) throw new AppError(503, `The disks cannot be listed: ${view.reason}`);
      const disk = view.disks.find((d) => d.path === device);
      if (!disk) throw new AppError(404, "That disk is no longer attached.");
      try {
        assertFormattable(disk, confirm);
      } catch (e) {
        if (e instanceof StorageError) throw new AppError(400, e.message);
        throw e;
      }
      return deps.jobs.enqueue(STORAGE_MOVE_JOB, { device: disk.path, confirm });
    },

    /** What takes space: from the database (blobs, trash), file sizes (database, backups) and a cached walk (thumbs, transcodes). */
    space(opts: { refresh?: boolean } = {}): SpaceBreakdown {
      const t = now();
      if (!walked || opts.refresh || t.getTime() - walked.at.getTime() > WALK_MAX_AGE_MS) {
        const thumbs = bytesPerChild(paths.thumbs);
        for (const u of deps.listUsers()) thumbs.set(u.id, (thumbs.get(u.id) ?? 0) + dirBytes(paths.userPreviews(u.id)));
        walked = { at: t, thumbs, transcodes: bytesPerChild(paths.transcodes) };
      }
      const w = walked;
      const byUser = new Map(deps.repo.spaceByUser().map((r) => [r.userId, r]));
      const perUser: SpaceRow[] = deps.listUsers().map((u) => {
        const r = byUser.get(u.id);
        return {
          userId: u.id,
          username: u.username,
          originals: (r?.blobBytes ?? 0) - (r?.trashBytes ?? 0),
          trash: r?.trashBytes ?? 0,
          thumbs: w.thumbs.get(u.id) ?? 0,
          transcodes: w.transcodes.get(u.id) ?? 0,
        };
      });
      const sum = (k: keyof Pick<SpaceRow, "originals" | "trash" | "thumbs" | "transcodes">) => perUser.reduce((s, r) => s + r[k], 0);
      return {
        originals: sum("originals"),
        trash: sum("trash"),
        thumbs: sum("thumbs"),
        transcodes: sum("transcodes"),
        database: paths.dbFiles.reduce((s, f) => s + fileBytes(f), 0),
        backups: listBackups(paths.backups).reduce((s, b) => s + b.bytes, 0),
        perUser,
        walkedAt: w.at,
      };
    },

    /** Mounted filesystems on another disk than the data, where a second-disk copy may go. */
    async copyTargets(): Promise<MountedFilesystem[]> {
      return (await deps.filesystems()).filter((f) => {
        try {
          checkCopyTarget(deps.dataDir, f.mount);
          return f.mount !== "/" && !f.mount.startsWith("/boot");
        } catch {
          return false;
        }
      });
    },
    diskCopy() {
      return { settings: deps.repo.diskCopy() ?? null, job: deps.jobs.lastOfKind(DISK_COPY_JOB) ?? null };
    },
    setCopyTarget(targetPath: string, nightly: boolean) {
      try {
        deps.repo.setDiskCopyTarget(checkCopyTarget(deps.dataDir, targetPath), nightly);
      } catch (e) {
        if (e instanceof StorageError) throw new AppError(400, e.message);
        throw e;
      }
    },
    runCopyNow(): Job {
      if (!deps.repo.diskCopy()) throw new AppError(400, "Choose the second disk first.");
      const last = deps.jobs.lastOfKind(DISK_COPY_JOB);
      if (isPending(last)) return last!;
      return deps.jobs.enqueue(DISK_COPY_JOB);
    },
  };
}

export type StorageService = ReturnType<typeof createStorageService>;
