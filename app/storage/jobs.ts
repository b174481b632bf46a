/**
 * The data disk's job kinds (app/platform/queue/README.md): moving the data onto a new disk (root) and the copy to a
 * second disk, nightly when the admin asked for it. Both can take hours: they have the long lane to themselves.
 */
import type { Clock } from "../platform/clock";
import { Type } from "@sinclair/typebox";
import type { Runner } from "../../hw/run";
import type { Db } from "../platform/db/client";
import { defineJobs, lazy, type PayloadsOf } from "../platform/queue/kinds";
import type { StorageRepo } from "./repo";

export const STORAGE_MOVE_JOB = "storage.move";
export const DISK_COPY_JOB = "storage.disk-copy";

export const storageJobKinds = {
  /** Formats the chosen disk and copies the data onto it (hw/datadisk.ts); the switch happens at the next boot. */
  [STORAGE_MOVE_JOB]: { lane: "long", root: true, payload: Type.Object({ device: Type.String({ minLength: 1 }), confirm: Type.String() }) },
  /** An incremental copy of the data directory to the second disk (copy.ts). Nightly: a day after the last one, less an hour. */
  [DISK_COPY_JOB]: { lane: "long", payload: Type.Object({}), every: 23 * 3600_000 },
} as const;

export type StorageJobPayloads = PayloadsOf<typeof storageJobKinds>;

export const storageJobs = defineJobs(
  storageJobKinds,
  (deps: { db: Db; dataDir: string; storageRepo: StorageRepo; includeLoop: boolean; run: Runner; now: Clock }) => ({
    [DISK_COPY_JOB]: lazy(async () => (await import("./copy")).diskCopyHandler({ ...deps, repo: deps.storageRepo })),
    // Formatting, mounting and opening disks need root: on the image a second worker runs as root for these kinds.
    [STORAGE_MOVE_JOB]: lazy(async () => (await import("./copy")).storageMoveHandler(deps)),
  }),
  // Only when the admin turned the nightly copy on (Dashboard → Storage).
  (deps) => ({ [DISK_COPY_JOB]: () => (deps.storageRepo.diskCopy()?.nightly ? {} : null) }),
);
