// Worker entry: claims jobs from the shared database and runs them, one at a time, until SIGTERM.
import { chownSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, makeDataDirPrivate } from "./config";
import { openDb } from "./db/client";
import { dbBackupHandler, DB_BACKUP_JOB, DEFAULT_BACKUP_KEEP_DAYS, scheduleDbBackup } from "./jobs/backup";
import { createSettingsRepo } from "./settings/repo";
import { createJobRepo } from "./jobs/repo";
import { createJobQueue, createJobRunner, jobLanes, type JobHandlers } from "./jobs/service";
import { SMART_REFRESH_JOB, SMART_SELF_TEST_JOB, smartRefreshHandler, smartSelfTestHandler } from "./jobs/smart";
import { DISK_COPY_JOB, diskCopyHandler, scheduleDiskCopy, STORAGE_MOVE_JOB, storageMoveHandler } from "./jobs/datadisk";
import { createDataDiskRepo } from "./datadisk/repo";
import { applyPendingRestore, databaseIdentity, RESTART_EXIT_CODE } from "./setup/restore";

const config = loadConfig(process.argv.slice(2));
makeDataDirPrivate(config.dataDir);
applyPendingRestore(config.dataDir);
const db = openDb(join(config.dataDir, "db.sqlite"));
const dbIdentity = databaseIdentity(config.dataDir);
if (process.getuid?.() === 0) {
  // A root worker (storage.move) may have created -wal/-shm: give them to the data dir's owner so the services can write.
  const owner = statSync(config.dataDir);
  for (const f of ["db.sqlite", "db.sqlite-wal", "db.sqlite-shm"]) {
    if (existsSync(join(config.dataDir, f))) chownSync(join(config.dataDir, f), owner.uid, owner.gid);
  }
}
// Only the queue: the worker does not load the web features (passkeys, templates), which keeps it small.
const queue = createJobQueue({ repo: createJobRepo(db) });
const storageRepo = createDataDiskRepo(db);
const settingsRepo = createSettingsRepo(db);
const allHandlers: JobHandlers = {
  [DB_BACKUP_JOB]: dbBackupHandler({ db, dataDir: config.dataDir }),
  [DISK_COPY_JOB]: diskCopyHandler({ db, dataDir: config.dataDir, repo: storageRepo }),
  // Formatting, mounting and opening disks for SMART need root: on the image a second worker runs as root for these kinds.
  [STORAGE_MOVE_JOB]: storageMoveHandler({ dataDir: config.dataDir, includeLoop: process.env.NAS_STORAGE_LOOP_DEVICES === "1" }),
  [SMART_REFRESH_JOB]: smartRefreshHandler({ db }),
  [SMART_SELF_TEST_JOB]: smartSelfTestHandler({ db }),
};
const ROOT_KINDS = new Set([STORAGE_MOVE_JOB, SMART_REFRESH_JOB, SMART_SELF_TEST_JOB]);
// NAS_WORKER_KINDS limits a worker to some kinds; without it, a worker that is not root leaves the root kinds to the root one.
const only = process.env.NAS_WORKER_KINDS?.split(",").map((k) => k.trim()).filter(Boolean);
const handlers: JobHandlers = Object.fromEntries(
  Object.entries(allHandlers).filter(([kind]) => (only ? only.includes(kind) : !ROOT_KINDS.has(kind) || process.getuid?.() === 0)),
);
// Copies that take hours (a new data disk, the second-disk copy) run in their own lane, so they never hold up
// SMART checks, the nightly backup or (later) media jobs. Each lane runs one job at a time.
const LONG_KINDS = new Set([STORAGE_MOVE_JOB, DISK_COPY_JOB]);
const runners = jobLanes(handlers, LONG_KINDS).map((lane) => createJobRunner({ queue, handlers: lane }));
const stopRunners = () => Promise.all(runners.map((r) => r.stop()));

const schedule = () => {
  queue.pruneFinished();
  // The admin's retention (Dashboard → Backups), read from the shared settings table at each run.
  if (handlers[DB_BACKUP_JOB]) scheduleDbBackup(queue, new Date(), settingsRepo.get<number>("backupKeepDays") ?? DEFAULT_BACKUP_KEEP_DAYS);
  if (handlers[DISK_COPY_JOB]) scheduleDiskCopy(queue, storageRepo, new Date());
};
schedule();
const backups = setInterval(schedule, 3600_000);
// The web process swapped in a restored database: this connection still points at the old file, so restart.
const restoreWatch = setInterval(() => {
  if (databaseIdentity(config.dataDir) === dbIdentity) return;
  console.log("the database was replaced (restored from a backup): restarting");
  void stopRunners().then(() => process.exit(RESTART_EXIT_CODE));
}, 5_000);

let signals = 0;
async function shutdown(signal: string) {
  signals += 1;
  if (signals > 1) {
    // Asked twice: stop the running job now; it goes back to the queue for the next start.
    console.log(`${signal} again: interrupting the current jobs`);
    for (const r of runners) r.abortCurrent();
    return;
  }
  console.log(`${signal}: finishing the current jobs, then exiting`);
  clearInterval(backups);
  clearInterval(restoreWatch);
  await stopRunners();
  db.$client.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

console.log(`nasd worker started (data: ${config.dataDir}; handles ${runners.map((r) => r.kinds.join(", ")).join(" | ")})`);
await Promise.all(runners.map((r) => r.run()));
