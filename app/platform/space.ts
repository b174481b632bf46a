// Nobody is locked out by a full disk: what only keeps books is skipped, and what frees space (or signs someone in)
// may use a reserve the box keeps for that moment.
import { closeSync, existsSync, fsyncSync, openSync, statfsSync, unlinkSync, writeSync } from "node:fs";
import { isDiskFull } from "./errors";
import { log } from "./log";

/**
 * A write that only keeps books (a session's last use, a link's view count, an expired session's row): a read must
 * never fail because of it. On a full disk it is skipped quietly; any other refusal (a read-only or locked database)
 * is skipped with a warning, and the request goes on.
 */
export function bookkeeping(write: () => unknown): void {
  try {
    write();
  } catch (e) {
    if (!isDiskFull(e)) log.warn(`bookkeeping write skipped: ${(e as Error).message}`);
  }
}

const MiB = 1024 * 1024;
const SLICES = 4;

/**
 * Disk space the box can give back, as ext4 keeps blocks for root and a database keeps free pages: files of zeros in
 * the data dir (1 % of the filesystem, 256 KiB to 64 MiB, in four slices). On a full disk, deleting, emptying the trash
 * and signing in still have rows to write: they release a slice and try again (`freeing`), one slice at a time, so
 * what the first one frees and others then use up does not leave the next one without. The worker makes them again
 * once there is room (`ensure`, the `drive.space-reserve` job), and so does the web process at start.
 */
export function createSpaceReserve(path: string, dataDir: string) {
  const slices = Array.from({ length: SLICES }, (_, i) => `${path}.${i + 1}`);
  const sliceBytes = () => {
    const s = statfsSync(dataDir);
    const total = Math.min(64 * MiB, Math.max(256 * 1024, Math.floor((Number(s.blocks) * Number(s.bsize)) / 100)));
    return Math.ceil(total / SLICES);
  };
  const free = () => {
    const s = statfsSync(dataDir);
    return Number(s.bavail) * Number(s.bsize);
  };
  const write = (slice: string, bytes: number) => {
    const fd = openSync(slice, "wx", 0o600);
    try {
      const zeros = new Uint8Array(Math.min(MiB, bytes));
      for (let written = 0; written < bytes; ) written += writeSync(fd, zeros, 0, Math.min(zeros.byteLength, bytes - written));
      fsyncSync(fd);
      closeSync(fd);
      return true;
    } catch (e) {
      closeSync(fd);
      unlinkSync(slice);
      if (isDiskFull(e)) return false;
      throw e;
    }
  };
  const reserve = {
    /** Slices still held. */
    held: () => slices.filter((slice) => existsSync(slice)).length,
    /** Makes the missing slices while four times the reserve stays free; true when all are there. */
    ensure(): boolean {
      const bytes = sliceBytes();
      for (const slice of slices) {
        if (existsSync(slice)) continue;
        if (free() < 4 * SLICES * bytes || !write(slice, bytes)) return false;
      }
      return true;
    },
    /** Gives one slice back to the filesystem; false when none is left. */
    release(): boolean {
      const slice = slices.findLast((s) => existsSync(s));
      if (!slice) return false;
      unlinkSync(slice);
      log.warn("the disk is full: released part of the space reserve so deleting and signing in still work");
      return true;
    },
    /** Runs `action`; on a full disk, releases a slice of the reserve and runs it again, while slices are left. */
    freeing<T>(action: () => T): T {
      for (;;) {
        try {
          return action();
        } catch (e) {
          if (!isDiskFull(e) || !reserve.release()) throw e;
        }
      }
    },
  };
  return reserve;
}

export type SpaceReserve = ReturnType<typeof createSpaceReserve>;
