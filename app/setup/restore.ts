/**
 * Restoring the database from a backup in the first-run wizard (a re-flashed box, or a new SD card with the old
 * data disk). The web and worker processes hold the database open, and swapping the file under an open SQLite
 * connection corrupts what that connection writes next. So the wizard only *stages* a checked copy as
 * `db.sqlite.restore` and restarts the server; each process swaps it in before it opens the database
 * (`applyPendingRestore` in main.ts and worker.ts), and a worker that sees the file replaced restarts too.
 */
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { dataDiskMountpoint } from "../../hw/datadisk";
import { listBackups, type BackupFile } from "../dashboard/backups";
import { fsyncPath } from "../../hw/files";
import { APP_ROOT, dataPaths } from "../platform/paths";
import { log as logger } from "../platform/log";
import { systemClock } from "../platform/clock";

/** A process exits with this code to be restarted (systemd's Restart=on-failure) onto a restored database. */
export const RESTART_EXIT_CODE = 75;
const MIGRATIONS_JOURNAL = join(APP_ROOT, "app/platform/db/migrations/meta/_journal.json");

export type RestoreCandidate = BackupFile & { source: "data directory" | "data disk" };
export type BackupCheck = { ok: true; admins: string[] } | { ok: false; reason: string };

/**
 * Backups in `<data>/backups/`, and on an attached data disk mounted at its usual place but not (yet) in use. Only
 * backups holding an administrator are offered: one of an unfinished setup brings nothing back. A damaged one stays
 * offered, so the wizard can say why it cannot be restored.
 */
export function restoreCandidates(dataDir: string): RestoreCandidate[] {
  const own = listBackups(dataPaths(dataDir).backups).map((b) => ({ ...b, source: "data directory" as const }));
  const onDisk = dataPaths(join(dataDiskMountpoint(dataDir), basename(dataDir))).backups;
  const disk = onDisk === dataPaths(dataDir).backups ? [] : listBackups(onDisk).map((b) => ({ ...b, source: "data disk" as const }));
  return [...own, ...disk]
    .filter((b) => {
      const c = checkBackup(b.path);
      return c.ok || c.reason !== NO_ADMIN;
    })
    .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
}

const NO_ADMIN = "the backup has no administrator account";

/** The backup opens, passes `PRAGMA integrity_check`, has an administrator and no migration this version lacks. */
export function checkBackup(path: string): BackupCheck {
  let db: Database | null = null;
  try {
    db = new Database(path, { readonly: true });
    const check = db
      .query<{ integrity_check: string }, []>("PRAGMA integrity_check")
      .all()
      .map((r) => r.integrity_check);
    if (check.join() !== "ok") return { ok: false, reason: `the backup is damaged (integrity_check: ${check.slice(0, 3).join("; ")})` };
    const known = (JSON.parse(readFileSync(MIGRATIONS_JOURNAL, "utf8")) as { entries: unknown[] }).entries.length;
    const applied = db.query<{ n: number }, []>("select count(*) as n from __drizzle_migrations").get()?.n ?? 0;
    if (applied > known) return { ok: false, reason: "the backup comes from a newer version of this software; update first" };
    const admins = db
      .query<{ username: string }, []>("select username from users where role = 'admin' order by username")
      .all()
      .map((r) => r.username);
    if (admins.length === 0) return { ok: false, reason: NO_ADMIN };
    return { ok: true, admins };
  } catch (e) {
    return { ok: false, reason: `the backup cannot be read: ${(e as Error).message}` };
  } finally {
    db?.close();
  }
}

/** Checks `path` and copies it to `<data>/db.sqlite.restore` (temp, fsync, rename, fsync dir). */
export function stageRestore(dataDir: string, path: string): BackupCheck {
  const check = checkBackup(path);
  if (!check.ok) return check;
  const target = dataPaths(dataDir).dbRestore;
  const tmp = `${target}.partial`;
  copyFileSync(path, tmp);
  fsyncPath(tmp);
  renameSync(tmp, target);
  fsyncPath(dataDir);
  return check;
}

/**
 * Before `openDb`: swaps a staged restore in. The current database (with its -wal/-shm) is kept beside it as
 * `db.sqlite.before-restore-<time>` so nothing is lost. Safe when two processes start at once (a rename that lost
 * the race finds its file gone) and after a crash at any step (the staged file stays until it is in place).
 */
export function applyPendingRestore(dataDir: string, log: (m: string) => void = logger.info, now = systemClock()): boolean {
  const staged = dataPaths(dataDir).dbRestore;
  if (!existsSync(staged)) return false;
  const check = checkBackup(staged);
  if (!check.ok) {
    renameSync(staged, `${staged}.rejected`);
    log(`restore refused: ${check.reason}; the current database stays`);
    return false;
  }
  const db = dataPaths(dataDir).db;
  const keep = `${db}.before-restore-${now.toISOString().replace(/[:.]/g, "-")}`;
  const move = (from: string, to: string) => {
    try {
      renameSync(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  };
  move(db, keep);
  move(`${db}-wal`, `${keep}-wal`);
  rmSync(`${db}-shm`, { force: true });
  move(staged, db);
  fsyncPath(dataDir);
  log(`database restored from the staged backup (admins: ${check.admins.join(", ")}); the previous one is ${basename(keep)}`);
  return true;
}

/** The database file's identity, to notice that another process swapped in a restore. */
export function databaseIdentity(dataDir: string): number | null {
  try {
    return statSync(dataPaths(dataDir).db).ino;
  } catch {
    return null;
  }
}
