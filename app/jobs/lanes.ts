import type { Runner } from "../../hw/run";
import type { Db } from "../db/client";
import type { createMediaPipeline } from "../media/pipeline";
import type { StorageRepo } from "../system/storage-repo";
import { dbBackupHandler } from "./backup";
import type { JobKind } from "./kinds";
import type { JobHandlers } from "./service";
import { smartRefreshHandler, smartSelfTestHandler } from "./smart";
import { diskCopyHandler, storageMoveHandler } from "./storage";

/**
 * The worker's lanes: each runs its jobs one at a time (the media lane may run a few side by side), and lanes
 * run beside each other, so an hours-long disk copy never holds up a backup, and a batch of photos never holds
 * up a SMART check. Every kind is in exactly one lane: `Lanes` fails to compile otherwise.
 */
export const LANE_KINDS = {
  long: ["storage.move", "storage.disk-copy"],
  system: ["db.backup", "smart.refresh", "smart.self-test"],
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
  storageRepo: StorageRepo;
  includeLoop: boolean;
  run?: Runner;
  media: Pick<ReturnType<typeof createMediaPipeline>, "handler">;
};

/** One handler map per lane, typed by the kinds of that lane. */
export function createLanes(deps: LaneDeps): Lanes {
  return {
    long: {
      "storage.disk-copy": diskCopyHandler({ db: deps.db, dataDir: deps.dataDir, repo: deps.storageRepo }),
      // Formatting, mounting and opening disks need root: on the image a second worker runs as root for these kinds.
      "storage.move": storageMoveHandler({ dataDir: deps.dataDir, includeLoop: deps.includeLoop, run: deps.run }),
    },
    system: {
      "db.backup": dbBackupHandler({ db: deps.db, dataDir: deps.dataDir }),
      "smart.refresh": smartRefreshHandler({ db: deps.db }),
      "smart.self-test": smartSelfTestHandler({ db: deps.db }),
    },
    media: { "media.process": deps.media.handler },
  };
}
