/**
 * Drive's job kinds (app/platform/queue/README.md): the housekeeping that used to run on timers in the web process.
 * The worker builds Drive on the first of these jobs (`drive`), so an idle worker loads none of it.
 */
import { Type } from "@sinclair/typebox";
import { defineJobs, type PayloadsOf } from "../platform/queue/kinds";
import type { DriveService } from "./service";
import type { TusUploads } from "./tus";

const HOUR = 3600_000;

export const driveJobKinds = {
  /** Trash past the retention the admin set (Settings → Drive) is deleted for good. */
  "drive.trash-purge": { lane: "housekeeping", payload: Type.Object({}), every: HOUR },
  /** Resumable uploads nobody resumed for a week: their rows and partial files. */
  "drive.uploads-sweep": { lane: "housekeeping", payload: Type.Object({}), every: HOUR },
  /** The space reserve a full disk released, made again once there is room (app/platform/space.ts). */
  "drive.space-reserve": { lane: "housekeeping", payload: Type.Object({}), every: 60_000 },
  /** Files copied into a user's import folder from outside the app are imported into their Drive. */
  "drive.import-scan": { lane: "housekeeping", payload: Type.Object({}), every: 60_000 },
} as const;

export type DriveJobPayloads = PayloadsOf<typeof driveJobKinds>;

export const driveJobs = defineJobs(driveJobKinds, (deps: { drive: () => Promise<{ drive: DriveService; uploads: TusUploads }> }) => ({
  "drive.trash-purge": async (_job, ctx) => {
    const purged = (await deps.drive()).drive.purgeExpiredTrash();
    if (purged) ctx.log(`deleted ${purged} trashed items past their retention`);
  },
  "drive.uploads-sweep": async () => (await deps.drive()).uploads.sweep(),
  "drive.space-reserve": async (_job, ctx) => {
    if ((await deps.drive()).drive.ensureSpaceReserve()) return;
    ctx.log("the disk is still too full to keep a space reserve");
  },
  "drive.import-scan": async (_job, ctx) => {
    const { imported, duplicates } = await (await deps.drive()).drive.scanImports();
    if (imported || duplicates) ctx.log(`imported ${imported} files (${duplicates} already stored)`);
  },
}));
