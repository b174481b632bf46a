import type { DriveFile, User } from "../platform/db/schema";
import type { JobQueue } from "../platform/queue/queue";
import type { MediaJobPayloads } from "./jobs";
import { ENCODER_SETTING, MEDIA_PIPELINE_VERSION, mediaKindOf, type EncoderChoice } from "./model";
import { dataPaths } from "../platform/paths";
import { removeDerivatives } from "./paths";
import type { MediaRepo, MediaStatus } from "./repo";
import type { Clock } from "../platform/clock";

export type MediaDeps = {
  repo: MediaRepo;
  jobs: JobQueue<MediaJobPayloads>;
  dataDir: string;
  /** Reads the shared settings table (the worker stores its encoder choice there). */
  setting: <T>(key: string) => T | undefined;
  now: Clock;
};

export type MediaProgress = { pending: number; total: number; failed: number };
export type MediaOverview = MediaProgress & { encoder: EncoderChoice | null };
export type Derivative = "thumb" | "preview" | "video";

const pendingOf = (c: Partial<Record<MediaStatus, number>>) => (c.queued ?? 0) + (c.processing ?? 0);
const totalOf = (c: Partial<Record<MediaStatus, number>>) => Object.values(c).reduce((s, n) => s + (n ?? 0), 0);

/**
 * The web side of the media pipeline: queues work for new content, forgets it when content is purged, and finds
 * derivatives for the routes. Never decodes anything itself (no sharp, no ffmpeg, no geodata in the web process).
 */
export function createMediaService(deps: MediaDeps) {
  const { repo, jobs } = deps;
  const { now } = deps;
  const paths = dataPaths(deps.dataDir);
  const enqueue = (userId: string, sha256: string) => jobs.enqueue("media.process", { userId, sha256 });

  return {
    /** Called in the transaction that records a new Drive file: one job per new content, none for a second copy. */
    fileAdded(file: Pick<DriveFile, "userId" | "sha256" | "mime" | "name">) {
      const kind = mediaKindOf(file.mime, file.name);
      if (!kind || !file.sha256) return;
      if (repo.insertQueued(file.userId, file.sha256, kind, now())) enqueue(file.userId, file.sha256);
    },
    /** Content purged from Drive: its queued work is dropped and its derivatives deleted (the row went with the blob). */
    contentRemoved(userId: string, sha256: string) {
      // Files first: they free space, and the jobs' rows may not be writable on a full disk.
      removeDerivatives(deps.dataDir, userId, sha256);
      repo.cancelQueuedJobs(userId, sha256);
    },
    /** The "processing N of M" indicator of one person. */
    progressFor(user: User): MediaProgress {
      const c = repo.countsFor(user.id);
      return { pending: pendingOf(c), total: totalOf(c), failed: c.failed ?? 0 };
    },
    overview(): MediaOverview {
      const c = repo.countsAll();
      return { pending: pendingOf(c), total: totalOf(c), failed: c.failed ?? 0, encoder: deps.setting<EncoderChoice>(ENCODER_SETTING) ?? null };
    },
    /**
     * Gives content stored before the pipeline existed (or whose job was lost) a row and a job. The worker runs
     * it at start and hourly (the `media.backfill` job); RAW files sniffed as octet-stream are recognised by name. Returns how many were queued.
     */
    backfill(batch = 1000): number {
      let queued = 0;
      let after = { userId: "", sha256: "" };
      for (;;) {
        const rows = repo.contentWithoutRow(after, batch);
        repo.transaction(() => {
          for (const r of rows) {
            const kind = mediaKindOf(r.mime, r.name ?? "");
            if (kind && repo.insertQueued(r.userId, r.sha256, kind, now())) {
              enqueue(r.userId, r.sha256);
              queued++;
            }
          }
        });
        if (rows.length < batch) return queued;
        after = rows.at(-1)!;
      }
    },
    /** Queues again every row made by an older pipeline (`all`: every row), and backfills. Returns how many. */
    reprocess(opts: { all?: boolean } = {}) {
      const rows = repo.transaction(() => {
        const r = repo.requeueOlderThan(opts.all ? Number.MAX_SAFE_INTEGER : MEDIA_PIPELINE_VERSION, now());
        for (const { userId, sha256 } of r) enqueue(userId, sha256);
        return r;
      });
      return rows.length + this.backfill();
    },
    /**
     * The derivative of a file `file` the caller may read (Drive's `itemFor` decided that), when the pipeline made
     * it; undefined otherwise. The path comes from the file's owner and content hash, never from the request.
     */
    derivativeOf(file: DriveFile, which: Derivative): string | undefined {
      if (!file.sha256) return undefined;
      const row = repo.get(file.userId, file.sha256);
      if (row?.status !== "done") return undefined;
      if (which === "video" && (row.playback === null || row.playback === "original")) return undefined;
      const path = paths.derivatives(file.userId, file.sha256)[which];
      return Bun.file(path).size > 0 ? path : undefined;
    },
  };
}

export type MediaService = ReturnType<typeof createMediaService>;
