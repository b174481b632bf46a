import type { Runner } from "../../hw/run";
import type { Db } from "../db/client";
import type { PipelineDeps } from "../media/pipeline";
import type { DataDiskRepo } from "../datadisk/repo";
import { dbBackupHandler } from "./backup";
import type { JobKind } from "./kinds";
import type { JobHandler, JobHandlers } from "../platform/queue/queue";

/**
 * The worker's lanes: each runs its jobs one at a time (the media lane may run a few side by side), and lanes
 * run beside each other, so an hours-long disk copy never holds up a backup, and a batch of photos never holds
 * up a SMART check. Every kind is in exactly one lane: `Lanes` fails to compile otherwise.
 */
export const LANE_KINDS = {
  long: ["storage.move", "storage.disk-copy"],
  system: ["db.backup", "smart.refresh", "smart.self-test", "update.status", "update.reboot", "system.factory-reset", "support.bundle"],
  // An install (minutes) never waits behind a SMART self-test, and a support bundle never waits behind an install.
  update: ["update.inspect", "update.install"],
  media: ["media.process"],
} as const satisfies Record<string, readonly JobKind[]>;

export type Lane = keyof typeof LANE_KINDS;
export type Lanes = { [L in Lane]: JobHandlers<(typeof LANE_KINDS)[L][number]> };
type Unlaned = Exclude<JobKind, (typeof LANE_KINDS)[Lane][number]>;
/** A compile error here names a kind that no lane runs. */
export const everyKindHasALane: [Unlaned] extends [never] ? true : Unlaned = true;

export type LaneDeps = {
  db: Db;
  dataDir: string;
  storageRepo: DataDiskRepo;
  includeLoop: boolean;
  run?: Runner;
  /** Where the TLS keys are (their values are kept out of support bundles). */
  tlsDir: string;
  media: Omit<PipelineDeps, "db" | "dataDir">;
};

/**
 * A handler whose module loads on its first job: an idle worker keeps no disk, SMART or media code (sharp,
 * exifr, the city index) in memory, and a worker that never runs a kind never loads it at all.
 */
function lazy<K extends JobKind>(load: () => Promise<JobHandler<K>>): JobHandler<K> {
  let handler: Promise<JobHandler<K>> | undefined;
  return async (job, ctx) => (await (handler ??= load()))(job, ctx);
}

/** One handler map per lane, typed by the kinds of that lane. */
export function createLanes(deps: LaneDeps): Lanes {
  const { db, dataDir } = deps;
  return {
    long: {
      "storage.disk-copy": lazy(async () => (await import("./datadisk")).diskCopyHandler({ db, dataDir, repo: deps.storageRepo })),
      // Formatting, mounting and opening disks need root: on the image a second worker runs as root for these kinds.
      "storage.move": lazy(async () => (await import("./datadisk")).storageMoveHandler({ dataDir, includeLoop: deps.includeLoop, run: deps.run })),
    },
    system: {
      "db.backup": dbBackupHandler({ db, dataDir }),
      "smart.refresh": lazy(async () => (await import("./smart")).smartRefreshHandler({ db })),
      "smart.self-test": lazy(async () => (await import("./smart")).smartSelfTestHandler({ db })),
      "update.status": lazy(async () => (await import("./update")).updateStatusHandler({ dataDir })),
      "update.reboot": lazy(async () => (await import("./update")).updateRebootHandler({ dataDir })),
      "system.factory-reset": lazy(async () => (await import("./update")).factoryResetHandler({ dataDir })),
      "support.bundle": lazy(async () => (await import("./update")).supportBundleHandler({ db, dataDir, tlsDir: deps.tlsDir })),
    },
    update: {
      "update.inspect": lazy(async () => (await import("./update")).updateInspectHandler({ dataDir })),
      "update.install": lazy(async () => (await import("./update")).updateInstallHandler({ dataDir })),
    },
    media: { "media.process": lazy(async () => (await import("../media/pipeline")).createMediaPipeline({ db, dataDir, ...deps.media }).handler) },
  };
}
