/**
 * WebDAV's job kind (app/platform/queue/README.md): chunked uploads a client gave up on a day ago, and the rows of
 * expired locks (every query ignores them already), are removed every hour.
 */
import { Type } from "@sinclair/typebox";
import type { Clock } from "../platform/clock";
import type { Db } from "../platform/db/client";
import { defineJobs, lazy, type PayloadsOf } from "../platform/queue/kinds";

export const davJobKinds = {
  "dav.sweep": { lane: "housekeeping", payload: Type.Object({}), every: 3600_000 },
} as const;

export type DavJobPayloads = PayloadsOf<typeof davJobKinds>;

export const davJobs = defineJobs(davJobKinds, (deps: { db: Db; dataDir: string; now: Clock }) => ({
  "dav.sweep": lazy(async () => {
    const [{ sweepChunkedUploads }, { createDavRepo }] = await Promise.all([import("./chunks"), import("./repo")]);
    const repo = createDavRepo(deps.db);
    return async (_job, ctx) => {
      const uploads = sweepChunkedUploads(deps.dataDir, deps.now);
      repo.deleteExpiredLocks(deps.now());
      if (uploads) ctx.log(`removed ${uploads} chunked uploads nobody finished`);
    };
  }),
}));
