/**
 * People's job kind (app/platform/queue/README.md): `people.index`, in a lane of its own so that hours of backfill
 * never hold up a photo's thumbnails or a backup. Queued at every worker start and every minute (a run with nothing
 * pending is one query); a run indexes everything pending, new photos included, and ends.
 */
import { Type } from "@sinclair/typebox";
import type { Db } from "../platform/db/client";
import { defineJobs, lazy, type PayloadsOf } from "../platform/queue/kinds";

export const peopleJobKinds = {
  /** Faces and objects of every processed photo not yet indexed by the current models (People, Things). */
  "people.index": { lane: "people", payload: Type.Object({}), every: 60_000, atStart: true },
} as const;

export type PeopleJobPayloads = PayloadsOf<typeof peopleJobKinds>;

export const peopleJobs = defineJobs(
  peopleJobKinds,
  (deps: {
    db: Db;
    dataDir: string;
    now: () => Date;
    settings: { get: <T>(key: string) => T | undefined; set: (key: string, value: unknown) => unknown };
    /** NAS_PEOPLE_PAUSE_ABOVE (app/platform/config.ts): indexing waits while other work uses more of the processor. */
    peoplePauseAbove: number;
  }) => ({
    "people.index": lazy(async () => (await import("./indexing")).createPeopleIndexing({ ...deps, pauseAbove: deps.peoplePauseAbove }).handler),
  }),
);
