// Worker entry: runs the worker lanes of the features' job kinds and schedules the periodic ones, until SIGTERM.
import { chownSync, existsSync, statSync } from "node:fs";
import { runCommand } from "../hw/run";
import { loadConfig, makeDataDirPrivate } from "./platform/config";
import { openDb } from "./platform/db/client";
import { createStorageRepo } from "./storage/repo";
import { JOB_KINDS, scheduledPayloads, workerHandlers, type JobKind, type JobPayloads, type WorkerContext } from "./jobs";
import { detectEncoder } from "./media/hwaccel";
import { ENCODER_SETTING } from "./media/model";
import { SOFTWARE_ENCODER } from "./media/video";
import type { Lane } from "./platform/queue/kinds";
import { createJobQueue, type JobHandlers, type PayloadMap } from "./platform/queue/queue";
import { createJobRepo } from "./platform/queue/repo";
import { createJobRunner } from "./platform/queue/runner";
import { createScheduler, type Periodic } from "./platform/queue/scheduler";
import { createSettingsRepo } from "./settings/repo";
import { applyPendingRestore, databaseIdentity, RESTART_EXIT_CODE } from "./setup/restore";

import { dataPaths } from "./platform/paths";
import { log, setLogLevel } from "./platform/log";
import { systemClock } from "./platform/clock";

const config = loadConfig(process.argv.slice(2));
setLogLevel(config.logLevel);
makeDataDirPrivate(config.dataDir);
applyPendingRestore(config.dataDir);
const db = openDb(dataPaths(config.dataDir).db);
const dbIdentity = databaseIdentity(config.dataDir);
if (process.getuid?.() === 0) {
  // A root worker (storage.move) may have created -wal/-shm: give them to the data dir's owner so the services can write.
  const owner = statSync(config.dataDir);
  for (const f of dataPaths(config.dataDir).dbFiles) if (existsSync(f)) chownSync(f, owner.uid, owner.gid);
}
const queue = createJobQueue<JobPayloads>({ repo: createJobRepo(db), now: systemClock });
const settings = createSettingsRepo(db);

// Software until the trial encodes at start say otherwise; the choice and its reason go to the dashboard.
let encoder = SOFTWARE_ENCODER;
// The web features the housekeeping kinds call (Drive), built on the first of those jobs.
let drive: ReturnType<WorkerContext["drive"]> | undefined;
const ctx: WorkerContext = {
  db,
  dataDir: config.dataDir,
  tlsDir: config.tlsDir,
  now: systemClock,
  run: runCommand,
  queue,
  settings,
  storageRepo: createStorageRepo(db),
  includeLoop: config.storageLoopDevices,
  peoplePauseAbove: config.peoplePauseAbove,
  media: { run: runCommand, encoder: () => encoder, softwareEncoder: SOFTWARE_ENCODER },
  drive: () =>
    (drive ??= (async () => {
      const [{ createServices, createDrive }, { createTusUploads }] = await Promise.all([import("./services"), import("./drive/tus")]);
      const service = createDrive(createServices({ db, config }), { db, config });
      return { drive: service, uploads: createTusUploads({ drive: service, dataDir: config.dataDir }) };
    })()),
};
const handlers = workerHandlers(ctx);

// NAS_WORKER_KINDS limits a worker to some kinds; without it, a worker that is not root leaves the root kinds to the root one.
const only = config.workerKinds;
// A worker without a network (the image's, NAS_WORKER_OFFLINE=1) also leaves the kinds that reach other machines.
const mine = (kind: JobKind) =>
  only ? only.includes(kind) : (!JOB_KINDS[kind].root || process.getuid?.() === 0) && !(JOB_KINDS[kind].network && config.workerOffline);
const kindsIn = (lane: Lane) => (Object.keys(handlers) as JobKind[]).filter((kind) => JOB_KINDS[kind].lane === lane && mine(kind));
const laneHandlers = (lane: Lane) => Object.fromEntries(kindsIn(lane).map((kind) => [kind, handlers[kind]])) as Partial<JobHandlers<string, PayloadMap>>;
const runnerLanes = [
  laneHandlers("long"),
  laneHandlers("system"),
  laneHandlers("update"),
  laneHandlers("housekeeping"),
  laneHandlers("people"),
  laneHandlers("backup"),
  ...Array.from({ length: config.mediaWorkers }, () => laneHandlers("media")),
].filter((lane) => Object.keys(lane).length > 0);
queue.reclaimLeftRunning([...new Set(runnerLanes.flatMap((lane) => Object.keys(lane)))]);
const runners = runnerLanes.map((lane) => createJobRunner({ queue, handlers: lane }));

// Each worker schedules the periodic kinds it runs; the general one (no NAS_WORKER_KINDS) also those of the web lane.
const payloads = scheduledPayloads(ctx);
const periodic: Periodic[] = (Object.keys(JOB_KINDS) as JobKind[])
  .filter((kind) => JOB_KINDS[kind].every && (JOB_KINDS[kind].lane === "web" ? !only : mine(kind)))
  .map((kind) => ({ kind, every: JOB_KINDS[kind].every!, atStart: "atStart" in JOB_KINDS[kind], payload: payloads[kind] ?? (() => ({})) }));
const scheduler = createScheduler({ queue, periodic, now: systemClock });
const stopAll = () => Promise.all([scheduler.stop(), ...runners.map((r) => r.stop())]);

if (mine("media.process")) {
  void detectEncoder({ run: runCommand, now: systemClock })
    .then(({ encoder: found, choice }) => {
      encoder = found;
      settings.set(ENCODER_SETTING, choice);
      log.info(`video encoder: ${choice.label} (${choice.reason})`);
    })
    .catch((e: Error) => log.warn(`video encoder check failed, staying with software: ${e.message}`));
}

// The web process swapped in a restored database: this connection still points at the old file, so restart.
const restoreWatch = setInterval(() => {
  if (databaseIdentity(config.dataDir) === dbIdentity) return;
  log.info("the database was replaced (restored from a backup): restarting");
  void stopAll().then(() => process.exit(RESTART_EXIT_CODE));
}, 5_000);

let signals = 0;
async function shutdown(signal: string) {
  signals += 1;
  if (signals > 1) {
    // Asked twice: stop the running job now; it goes back to the queue for the next start.
    log.info(`${signal} again: interrupting the current jobs`);
    for (const r of runners) r.abortCurrent();
    return;
  }
  log.info(`${signal}: finishing the current jobs, then exiting`);
  clearInterval(restoreWatch);
  await stopAll();
  db.$client.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

log.info(
  `nasd worker started (data: ${config.dataDir}; handles ${runners.map((r) => r.kinds.join(", ")).join(" | ")}; schedules ${periodic.map((p) => p.kind).join(", ") || "nothing"})`,
);
await Promise.all([scheduler.run(), ...runners.map((r) => r.run())]);
