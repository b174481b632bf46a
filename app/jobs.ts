/**
 * Every job kind of the app, put together from the features' declarations (`<feature>/jobs.ts`; how to declare one:
 * app/platform/queue/README.md). The worker (worker.ts) builds its lanes and its schedule from `workerJobGroups`;
 * the web process (main.ts) runs the `web` lane from `webJobGroups`.
 */
import { authJobs, type AuthJobPayloads } from "./auth/jobs";
import { backupJobs, type BackupJobPayloads } from "./backup/jobs";
import { dashboardJobs, dashboardWebJobs, type DashboardJobPayloads } from "./dashboard/jobs";
import { storageJobs, type StorageJobPayloads } from "./storage/jobs";
import { davJobs, type DavJobPayloads } from "./dav/jobs";
import { driveJobs, type DriveJobPayloads } from "./drive/jobs";
import { mediaJobs, type MediaJobPayloads } from "./media/jobs";
import { peopleJobs, type PeopleJobPayloads } from "./people/jobs";
import type { JobKindSpec } from "./platform/queue/kinds";
import type { JobHandlers, PayloadMap } from "./platform/queue/queue";
import { updateJobs, updateWebJobs, type UpdateJobPayloads } from "./update/jobs";

/** Kind → payload of every kind: what `enqueue` accepts. */
export type JobPayloads = AuthJobPayloads &
  DriveJobPayloads &
  DavJobPayloads &
  MediaJobPayloads &
  PeopleJobPayloads &
  StorageJobPayloads &
  DashboardJobPayloads &
  UpdateJobPayloads &
  BackupJobPayloads;
export type JobKind = keyof JobPayloads & string;

export const workerJobGroups = [authJobs, driveJobs, davJobs, mediaJobs, peopleJobs, storageJobs, dashboardJobs, updateJobs, backupJobs] as const;
export const webJobGroups = [dashboardWebJobs, updateWebJobs] as const;

/** What the worker's handlers are built from: the union of what each feature asks for. */
export type WorkerContext = Parameters<typeof authJobs.handlers>[0] &
  Parameters<typeof driveJobs.handlers>[0] &
  Parameters<typeof davJobs.handlers>[0] &
  Parameters<typeof mediaJobs.handlers>[0] &
  Parameters<typeof peopleJobs.handlers>[0] &
  Parameters<typeof storageJobs.handlers>[0] &
  Parameters<typeof dashboardJobs.handlers>[0] &
  Parameters<typeof updateJobs.handlers>[0] &
  Parameters<typeof backupJobs.handlers>[0];
/** What the web lane's handlers are built from (the web process's services). */
export type WebContext = Parameters<typeof dashboardWebJobs.handlers>[0] & Parameters<typeof updateWebJobs.handlers>[0];

type AnyGroup = { kinds: Record<string, JobKindSpec> };
function kindsOf(groups: readonly AnyGroup[]) {
  const all: Record<string, JobKindSpec> = {};
  for (const group of groups)
    for (const [kind, spec] of Object.entries(group.kinds)) {
      if (all[kind]) throw new Error(`job kind ${kind} is declared twice`);
      all[kind] = spec;
    }
  return all;
}

/** Every kind and its declaration (lane, schema, root, period), worker and web alike. */
export const JOB_KINDS = kindsOf([...workerJobGroups, ...webJobGroups]) as Record<JobKind, JobKindSpec>;

/** Every worker kind's handler, each checking its payload first. */
export function workerHandlers(ctx: WorkerContext): JobHandlers<string, PayloadMap> {
  return Object.assign({}, ...workerJobGroups.map((group) => group.handlers(ctx)));
}

/** The web lane's handlers, over the web process's services. */
export function webHandlers(ctx: WebContext): JobHandlers<string, PayloadMap> {
  return Object.assign({}, ...webJobGroups.map((group) => group.handlers(ctx)));
}

/** The payload of each periodic kind's next run (null: skip this time); kinds without an entry run with `{}`. */
export function scheduledPayloads(ctx: WorkerContext): Record<string, () => object | null> {
  return Object.assign({}, ...workerJobGroups.map((group) => group.scheduled?.(ctx) ?? {}));
}
