/**
 * The update feature's job kinds (app/platform/queue/README.md): everything that needs root runs in the root storage
 * worker (root-jobs.ts); the opt-in channel check runs in the web process's lane, the only process with the network.
 */
import type { Clock } from "../platform/clock";
import { Type } from "@sinclair/typebox";
import type { Runner } from "../../hw/run";
import type { Db } from "../platform/db/client";
import { defineJobs, lazy, type PayloadsOf } from "../platform/queue/kinds";
import { STAGED_ID } from "./files";
import type { UpdateService } from "./service";
import { SUPPORT_NAME } from "./support";

const HOUR = 3600_000;
const bundle = Type.Object({ bundleId: Type.String({ pattern: STAGED_ID.source }) });

export const updateJobKinds = {
  /** Checks a staged bundle's signature, version and board with `rauc info`. */
  "update.inspect": { lane: "update", root: true, payload: bundle },
  /** `rauc install` of a checked bundle into the other slot, with progress. */
  "update.install": { lane: "update", root: true, payload: bundle },
  /** `rauc status` → both slots for the dashboard (after each boot, and so after a rollback). */
  "update.status": { lane: "system", root: true, payload: Type.Object({}), every: HOUR, atStart: true },
  /** Reboots into the new slot (skipped when the box has rebooted since `requestedAt`). */
  "update.reboot": { lane: "system", root: true, payload: Type.Object({ requestedAt: Type.String() }) },
  /** Leaves the reset marker for the next boot, then reboots (os/rootfs-overlay/usr/lib/nas/factory-reset). */
  "system.factory-reset": {
    lane: "system",
    root: true,
    payload: Type.Object({ mode: Type.Union([Type.Literal("keep-files"), Type.Literal("erase-all")]), requestedAt: Type.String() }),
  },
  /** Logs, versions, SMART and failed jobs without secrets, into <data>/support/<name>. */
  "support.bundle": { lane: "system", root: true, payload: Type.Object({ name: Type.String({ pattern: SUPPORT_NAME.source }) }) },
  /** The opt-in automatic channel check: downloads and stages a newer bundle, never installs. */
  "update.channel-check": { lane: "web", payload: Type.Object({}), every: 6 * HOUR },
} as const;

export type UpdateJobPayloads = PayloadsOf<typeof updateJobKinds>;

const { "update.channel-check": channelCheck, ...rootKinds } = updateJobKinds;

export const updateJobs = defineJobs(rootKinds, (deps: { db: Db; dataDir: string; tlsDir: string; run: Runner; now: Clock }) => {
  const load = () => import("./root-jobs");
  return {
    "update.inspect": lazy(async () => (await load()).updateInspectHandler(deps)),
    "update.install": lazy(async () => (await load()).updateInstallHandler(deps)),
    "update.status": lazy(async () => (await load()).updateStatusHandler(deps)),
    "update.reboot": lazy(async () => (await load()).updateRebootHandler(deps)),
    "system.factory-reset": lazy(async () => (await load()).factoryResetHandler(deps)),
    "support.bundle": lazy(async () => (await load()).supportBundleHandler(deps)),
  };
});

export const updateWebJobs = defineJobs({ "update.channel-check": channelCheck }, (deps: { update: UpdateService }) => ({
  // The outcome (or the channel's error) is recorded for the System page; nothing here is worth a retry before the next check.
  "update.channel-check": async (_job, ctx) => {
    await deps.update.autoCheck().catch((e: Error) => ctx.log(`update channel: ${e.message}`));
  },
}));
