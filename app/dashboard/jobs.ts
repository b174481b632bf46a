/**
 * The dashboard's job kinds (app/platform/queue/README.md): nightly database backups and SMART readings in the
 * worker, the minute sample and the hourly disk check in the web process's lane.
 */
import type { Clock } from "../platform/clock";
import { Type } from "@sinclair/typebox";
import type { SmartReader } from "../../hw/smart";
import type { BlockDevice } from "../../hw/system";
import type { Db } from "../platform/db/client";
import { defineJobs, lazy, type PayloadsOf } from "../platform/queue/kinds";
import { DEFAULT_BACKUP_KEEP_DAYS } from "../settings/service";
import type { DashboardService } from "./service";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const dashboardJobKinds = {
  /** A consistent copy of the database into backups/, then backups older than `keepDays` go. */
  "db.backup": { lane: "system", payload: Type.Object({ keepDays: Type.Optional(Type.Integer({ minimum: 1 })) }), every: 24 * HOUR },
  /** `{}`: every disk, sleeping ones left asleep; `{ device }`: that disk, woken. Root: it opens the disks. */
  "smart.refresh": { lane: "system", root: true, payload: Type.Object({ device: Type.Optional(Type.String({ minLength: 1 })) }) },
  "smart.self-test": {
    lane: "system",
    root: true,
    payload: Type.Object({ device: Type.String({ minLength: 1 }), kind: Type.Union([Type.Literal("short"), Type.Literal("long")]) }),
  },
  /** The history charts' minute sample, then the alert rules and the webhook (the web process: it sees the network). */
  "dashboard.sample": { lane: "web", payload: Type.Object({}), every: MINUTE },
  /** SMART for every disk: read by the web process itself, or queued as `smart.refresh` for the root worker (the image). */
  "dashboard.disk-check": { lane: "web", payload: Type.Object({}), every: HOUR },
} as const;

export type DashboardJobPayloads = PayloadsOf<typeof dashboardJobKinds>;

const { "dashboard.sample": sample, "dashboard.disk-check": diskCheck, ...workerKinds } = dashboardJobKinds;

/** What the worker's side needs; tests pass a fake SMART reader and block devices. */
type WorkerDeps = {
  db: Db;
  dataDir: string;
  now: Clock;
  settings: { get: <T>(key: string) => T | undefined };
  smart?: SmartReader;
  blockDevices?: () => Promise<BlockDevice[]>;
};

export const dashboardJobs = defineJobs(
  workerKinds,
  (deps: WorkerDeps) => {
    const smart = async () => (await import("./disk-health")).smartJobHandlers(deps);
    return {
      "db.backup": lazy(async () => (await import("./backups")).dbBackupHandler(deps)),
      "smart.refresh": lazy(async () => (await smart()).refresh),
      "smart.self-test": lazy(async () => (await smart()).selfTest),
    };
  },
  // The admin's retention (Dashboard → Backups), read from the shared settings when the night's backup is queued.
  (deps) => ({ "db.backup": () => ({ keepDays: deps.settings.get<number>("backupKeepDays") ?? DEFAULT_BACKUP_KEEP_DAYS }) }),
);

/**
 * The web process's side. A failing sample or check is logged and the next one tries again, as a person watching
 * the dashboard would expect; neither is worth a retry of its own.
 */
export const dashboardWebJobs = defineJobs({ "dashboard.sample": sample, "dashboard.disk-check": diskCheck }, (deps: { dashboard: DashboardService }) => {
  // The first run in a process only takes the baseline: the stored CPU % and throughput are one-minute averages.
  let primed = false;
  return {
    "dashboard.sample": async (job, ctx) => {
      try {
        if (primed) return await deps.dashboard.recordMinute(job.runAfter);
        primed = true;
        await deps.dashboard.samples.primeMinute();
      } catch (e) {
        ctx.log(`the minute sample failed: ${(e as Error).message}`);
      }
    },
    "dashboard.disk-check": async (_job, ctx) => {
      await deps.dashboard.checkDisks().catch((e: Error) => ctx.log(`the SMART check failed: ${e.message}`));
    },
  };
});
