import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "../platform/db/client";
import { isPending, type JobHandler, type JobQueue } from "../platform/queue/queue";
import { DEFAULT_BACKUP_KEEP_DAYS } from "../settings/service";
import type { DashboardJobPayloads } from "./jobs";
import { dataPaths } from "../platform/paths";
import { fsyncPath } from "../../hw/files";
import type { Clock } from "../platform/clock";

export const DB_BACKUP_JOB = "db.backup";
/** Even when every backup looks old (a clock that jumped), the newest few are kept. */
const KEEP_AT_LEAST = 3;
const BACKUP_NAME = /^db-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\.sqlite$/;

export type BackupFile = { name: string; path: string; takenAt: Date; bytes: number };

const pad = (n: number) => String(n).padStart(2, "0");

/** `db-YYYYmmdd-HHMMSS.sqlite` in UTC, so names sort by time. */
export function backupFileName(at: Date): string {
  return `db-${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}.sqlite`;
}

/** Backups in the folder, newest first; other files are ignored. */
export function listBackups(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupFile[] = [];
  for (const name of names) {
    const m = BACKUP_NAME.exec(name);
    if (!m) continue;
    const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
    const path = join(dir, name);
    out.push({ name, path, takenAt: new Date(Date.UTC(y, mo - 1, d, h, mi, s)), bytes: statSync(path).size });
  }
  return out.sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
}

/**
 * A consistent copy of the live database (VACUUM INTO reads one snapshot while the web process keeps writing).
 * Written under a temporary name, synced, then renamed: a file with the final name is always complete.
 */
export function backupDatabase(db: Db, dir: string, at: Date): BackupFile {
  mkdirSync(dir, { recursive: true });
  const name = backupFileName(at);
  const path = join(dir, name);
  const tmp = `${path}.partial`;
  rmSync(tmp, { force: true });
  try {
    db.$client.run("VACUUM INTO ?", [tmp]);
    fsyncPath(tmp);
    renameSync(tmp, path);
    fsyncPath(dir);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return { name, path, takenAt: at, bytes: statSync(path).size };
}

/** Deletes backups older than `keepDays`, always keeping the newest few. Returns the names removed. */
export function pruneBackups(dir: string, now: Date, keepDays: number): string[] {
  const cutoff = now.getTime() - keepDays * 24 * 3600_000;
  const removed: string[] = [];
  for (const b of listBackups(dir).slice(KEEP_AT_LEAST)) {
    if (b.takenAt.getTime() >= cutoff) continue;
    rmSync(b.path, { force: true });
    removed.push(b.name);
  }
  return removed;
}

/** Job handler for `db.backup` (payload `{ keepDays?: number }`, a whole number ≥ 1 checked by its schema in jobs.ts). */
export function dbBackupHandler(deps: { db: Db; dataDir: string; now: Clock }): JobHandler<"db.backup", DashboardJobPayloads> {
  const { now } = deps;
  return async (job, ctx) => {
    const keepDays = job.payload.keepDays ?? DEFAULT_BACKUP_KEEP_DAYS;
    // A box still in its setup wizard has nothing to keep, and such a backup would be offered as a "restore" on a new box.
    const admins = deps.db.$client.query<{ n: number }, []>("select count(*) as n from users where role = 'admin'").get()?.n ?? 0;
    if (admins === 0) return ctx.log("skipped: no administrator yet (setup not finished)");
    const dir = dataPaths(deps.dataDir).backups;
    const file = backupDatabase(deps.db, dir, now());
    ctx.progress(90);
    const removed = pruneBackups(dir, now(), keepDays);
    ctx.log(`wrote ${file.name} (${file.bytes} bytes)${removed.length ? `; removed ${removed.join(", ")}` : ""}`);
  };
}

/** Dashboard → Backups: the files are the record (there is no backups table), the job is the mechanism. */
export function createBackups(ctx: { jobs: JobQueue<DashboardJobPayloads>; dataDir: string; keepDays: () => number }) {
  return {
    list() {
      return { files: listBackups(dataPaths(ctx.dataDir).backups), lastJob: ctx.jobs.lastOfKind(DB_BACKUP_JOB) ?? null, keepDays: ctx.keepDays() };
    },
    /** Queues a backup for the worker unless one is already waiting or running. */
    runNow() {
      const last = ctx.jobs.lastOfKind(DB_BACKUP_JOB);
      if (last && isPending(last)) return last;
      return ctx.jobs.enqueue(DB_BACKUP_JOB, { keepDays: ctx.keepDays() });
    },
  };
}
