/**
 * The media pipeline's job kinds (app/platform/queue/README.md): one stored content → thumbnails, metadata, a place
 * and a playable video, in the worker's media lane; and the hourly backfill that finds content without a job.
 */
import type { Clock } from "../platform/clock";
import { Type } from "@sinclair/typebox";
import type { Db } from "../platform/db/client";
import { defineJobs, lazy, type PayloadsOf } from "../platform/queue/kinds";
import type { JobQueue } from "../platform/queue/queue";
import type { PipelineDeps } from "./pipeline";

export const mediaJobKinds = {
  /** Thumbnails, metadata, place and playable video for one stored content (a blob) of a user. */
  "media.process": { lane: "media", payload: Type.Object({ userId: Type.String({ minLength: 1 }), sha256: Type.String({ minLength: 1 }) }) },
  /** Content stored before the pipeline existed (or whose job was lost) gets its row and its job. */
  "media.backfill": { lane: "housekeeping", payload: Type.Object({}), every: 3600_000 },
  /** Perceptual hashes (Photos' duplicates and stacks) of photos processed before the pipeline made them: from their previews. */
  "media.hash-backfill": { lane: "housekeeping", payload: Type.Object({}), every: 600_000, atStart: true },
} as const;

export type MediaJobPayloads = PayloadsOf<typeof mediaJobKinds>;

type WorkerDeps = {
  db: Db;
  dataDir: string;
  now: Clock;
  queue: JobQueue<MediaJobPayloads>;
  settings: { get: <T>(key: string) => T | undefined };
  /** The encoder the worker found at start (hwaccel.ts) and the runner for ffmpeg and the HEIC child. */
  media: Omit<PipelineDeps, "db" | "dataDir" | "now">;
};

export const mediaJobs = defineJobs(mediaJobKinds, (deps: WorkerDeps) => ({
  "media.process": lazy(
    async () => (await import("./pipeline")).createMediaPipeline({ db: deps.db, dataDir: deps.dataDir, now: deps.now, ...deps.media }).handler,
  ),
  "media.backfill": lazy(async () => {
    const [{ createMediaService }, { createMediaRepo }] = await Promise.all([import("./service"), import("./repo")]);
    // Only the queueing side of the media service.
    const media = createMediaService({ repo: createMediaRepo(deps.db), jobs: deps.queue, dataDir: deps.dataDir, setting: deps.settings.get, now: deps.now });
    return async (_job, ctx) => {
      const queued = media.backfill();
      if (queued) ctx.log(`queued ${queued} stored files that had no media job`);
    };
  }),
  "media.hash-backfill": lazy(async () => (await import("./hash-backfill")).createHashBackfill(deps).handler),
}));
