// Worker entry: claims jobs from the shared database and runs them, lane by lane, until SIGTERM.
import { chownSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { runCommand } from "../hw/run";
import { loadConfig, makeDataDirPrivate } from "./config";
import { openDb } from "./db/client";
import { DEFAULT_BACKUP_KEEP_DAYS, scheduleDbBackup } from "./jobs/backup";
import { createLanes, type Lanes } from "./jobs/lanes";
import { ROOT_KINDS } from "./jobs/kinds";
import { createJobRepo } from "./platform/queue/repo";
import { createJobQueue, isPending, type JobHandlers } from "./platform/queue/queue";
import { createJobRunner } from "./platform/queue/runner";
import { scheduleDiskCopy } from "./jobs/datadisk";
import { detectEncoder } from "./media/hwaccel";
import { ENCODER_SETTING } from "./media/model";
import { createMediaRepo } from "./media/repo";
import { createMediaService } from "./media/service";
import { SOFTWARE_ENCODER } from "./media/video";
import { createSettingsRepo } from "./settings/repo";
import { applyPendingRestore, databaseIdentity, RESTART_EXIT_CODE } from "./setup/restore";
import { createDataDiskRepo } from "./datadisk/repo";

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

// Software until the trial encodes at start say otherwise; the choice and its reason go to the dashboard.
let encoder = SOFTWARE_ENCODER;
const lanes = createLanes({
  db,
  dataDir: config.dataDir,
  storageRepo,
  includeLoop: process.env.NAS_STORAGE_LOOP_DEVICES === "1",
  tlsDir: config.tlsDir,
  media: { run: runCommand, encoder: () => encoder, softwareEncoder: SOFTWARE_ENCODER },
});

// NAS_WORKER_KINDS limits a worker to some kinds; without it, a worker that is not root leaves the root kinds to the root one.
const only = process.env.NAS_WORKER_KINDS?.split(",")
  .map((k) => k.trim())
  .filter(Boolean);
const mine = (kind: string) => (only ? only.includes(kind) : !(ROOT_KINDS as readonly string[]).includes(kind) || process.getuid?.() === 0);
const laneHandlers = (lane: keyof Lanes) => Object.fromEntries(Object.entries(lanes[lane]).filter(([kind]) => mine(kind))) as Partial<JobHandlers>;
// Photos and videos may run a few at a time (NAS_MEDIA_WORKERS, default 1: a 2-core box also serves requests).
const mediaWorkers = Math.max(1, Math.min(4, Number(process.env.NAS_MEDIA_WORKERS) || 1));
const runnerLanes = [
  laneHandlers("long"),
  laneHandlers("system"),
  laneHandlers("update"),
  ...Array.from({ length: mediaWorkers }, () => laneHandlers("media")),
].filter((lane) => Object.keys(lane).length > 0);
queue.reclaimLeftRunning([...new Set(runnerLanes.flatMap((lane) => Object.keys(lane)))]);
const runners = runnerLanes.map((handlers) => createJobRunner({ queue, handlers }));
const stopRunners = () => Promise.all(runners.map((r) => r.stop()));

if (mine("media.process")) {
  void detectEncoder({ run: runCommand })
    .then(({ encoder: found, choice }) => {
      encoder = found;
      settingsRepo.set(ENCODER_SETTING, choice);
      console.log(`video encoder: ${choice.label} (${choice.reason})`);
    })
    .catch((e: Error) => console.error(`video encoder check failed, staying with software: ${e.message}`));
}

// Only the queueing side of the media service: it finds content stored before the pipeline (or whose job was lost).
const media = createMediaService({ repo: createMediaRepo(db), jobs: queue, dataDir: config.dataDir, setting: settingsRepo.get });

const schedule = () => {
  queue.pruneFinished();
  if (mine("media.process")) media.backfill();
  // The admin's retention (Dashboard → Backups), read from the shared settings table at each run.
  if (mine("db.backup")) scheduleDbBackup(queue, new Date(), settingsRepo.get<number>("backupKeepDays") ?? DEFAULT_BACKUP_KEEP_DAYS);
  if (mine("storage.disk-copy")) scheduleDiskCopy(queue, storageRepo, new Date());
  // The dashboard shows the slots as RAUC sees them after each boot (and says so after a rollback).
  if (mine("update.status") && !isPending(queue.lastOfKind("update.status"))) queue.enqueue("update.status", {});
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
