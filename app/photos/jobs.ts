/**
 * Photos' job kind (app/platform/queue/README.md): `photos.hash-backfill` gives every photo processed before the
 * pipeline made perceptual hashes its hash (duplicates and stacks need it), from the stored preview, never the
 * original. Each hash is written as it is made, so a run that is stopped (kill -9, shutdown) loses nothing: the next
 * one starts from the rows still without a hash. A run with nothing to do is one query.
 */
import { Type } from "@sinclair/typebox";
import type { Db } from "../platform/db/client";
import { defineJobs, lazy, type PayloadsOf } from "../platform/queue/kinds";

export const photosJobKinds = {
  "photos.hash-backfill": { lane: "housekeeping", payload: Type.Object({}), every: 600_000, atStart: true },
} as const;

export type PhotosJobPayloads = PayloadsOf<typeof photosJobKinds>;

export const photosJobs = defineJobs(photosJobKinds, (deps: { db: Db; dataDir: string }) => ({
  "photos.hash-backfill": lazy(async () => (await import("./hash-backfill")).createHashBackfill(deps).handler),
}));
