/** Sign-in's one job kind (app/platform/queue/README.md): expired challenges and sessions are forgotten every hour. */
import type { Clock } from "../platform/clock";
import { Type } from "@sinclair/typebox";
import type { Db } from "../platform/db/client";
import { defineJobs, lazy, type PayloadsOf } from "../platform/queue/kinds";

export const authJobKinds = {
  "auth.cleanup": { lane: "housekeeping", payload: Type.Object({}), every: 3600_000 },
} as const;

export type AuthJobPayloads = PayloadsOf<typeof authJobKinds>;

export const authJobs = defineJobs(authJobKinds, (deps: { db: Db; now: Clock }) => ({
  "auth.cleanup": lazy(async () => {
    const [{ createAuthRepo }, { deleteExpired }] = await Promise.all([import("./repo"), import("./sessions")]);
    const repo = createAuthRepo(deps.db);
    return async () => deleteExpired(repo, deps.now());
  }),
}));
