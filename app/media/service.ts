import { existsSync, readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { runCommand, type Runner } from "../../hw/run";
import type { DriveFile, User } from "../platform/db/schema";
import type { JobQueue } from "../platform/queue/queue";
import type { MediaJobPayloads } from "./jobs";
import { BROWSER_IMAGES, ENCODER_SETTING, MEDIA_PIPELINE_VERSION, mediaKindOf, oneAtATime, type EncoderChoice } from "./model";
import { createFileObjects } from "../platform/objects";
import { APP_ROOT, dataPaths } from "../platform/paths";
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
  /** Runs app/media/full.ts (full-resolution renditions); tests may pass their own. */
  run?: Runner;
  /** Bytes the full-resolution renditions may take together before the least recently viewed go. */
  fullResBudget?: number;
};

/** ≈ 100–200 renditions of 12–24 MP photos: the zoom cache of a household's recent viewing, not a second library. */
export const FULL_RES_BUDGET = 512 * 1024 * 1024;
const FULL_SCRIPT = join(APP_ROOT, "app/media/full.ts");

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
  const objects = createFileObjects({ dataDir: deps.dataDir });
  const enqueue = (userId: string, sha256: string) => jobs.enqueue("media.process", { userId, sha256 });
  const run = deps.run ?? runCommand;
  // One rendition at a time: a 12 MP HEIC decode takes ≈ 200 MB and a second or more of both cores.
  const renders = oneAtATime();

  /** Deletes the least recently viewed renditions until the rest fit the budget (a view touches a rendition's mtime). */
  function evictFullRes(budget: number) {
    const files: { path: string; size: number; used: number }[] = [];
    for (const user of existsSync(paths.fullRes) ? readdirSync(paths.fullRes) : []) {
      for (const name of readdirSync(join(paths.fullRes, user))) {
        if (!name.endsWith(".jpg")) continue;
        const path = join(paths.fullRes, user, name);
        const st = statSync(path, { throwIfNoEntry: false });
        if (st) files.push({ path, size: st.size, used: st.mtimeMs });
      }
    }
    let total = files.reduce((s, f) => s + f.size, 0);
    for (const f of files.sort((a, b) => a.used - b.used)) {
      if (total <= budget) break;
      rmSync(f.path, { force: true });
      total -= f.size;
    }
  }

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
    /** What could not be processed for `user`, each with its file and the pipeline's message. */
    failuresFor: (user: User, limit = 200) => repo.failuresFor(user.id, limit),
    /** Tries a failed content again (the file is one `user` may read: Drive's `itemFor` decided that). */
    retry(file: DriveFile) {
      if (!file.sha256 || repo.get(file.userId, file.sha256)?.status !== "failed") return false;
      repo.transaction(() => {
        repo.setStatus(file.userId, file.sha256!, "queued", now());
        enqueue(file.userId, file.sha256!);
      });
      return true;
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
     * A full-resolution JPEG of a photo browsers cannot show as is (HEIC, TIFF, RAW), for the lightbox's zoom: made
     * on the first request by a child process (app/media/full.ts), one at a time, then kept in a cache bounded by
     * `fullResBudget`. undefined: the file needs none (the original shows) or is not a processed photo. The caller
     * decided access (Drive's `itemFor`).
     */
    async fullResolution(file: DriveFile): Promise<string | undefined> {
      if (!file.sha256) return undefined;
      const row = repo.get(file.userId, file.sha256);
      if (row?.status !== "done" || row.kind === "video" || (row.kind === "image" && BROWSER_IMAGES.has(file.mime ?? ""))) return undefined;
      const out = paths.derivatives(file.userId, file.sha256).full;
      const input = objects.localPath(file.userId, file.sha256);
      const made = await renders(async () => {
        if (existsSync(out)) return true;
        const r = await run([process.execPath, FULL_SCRIPT, input, row.kind, out], { timeoutMs: 180_000, maxOutputBytes: 64 * 1024 });
        if (r.code !== 0 || !existsSync(out)) return false;
        // Stamped with this process's clock before the eviction compares it: the child's write carries the kernel's.
        const made = now();
        utimesSync(out, made, made);
        evictFullRes(deps.fullResBudget ?? FULL_RES_BUDGET);
        return existsSync(out);
      });
      if (!made) return undefined;
      const at = now();
      utimesSync(out, at, at);
      return out;
    },
    /**
     * The derivative of a file `file` the caller may read (Drive's `itemFor` decided that), when the pipeline made
     * it (the edited one when the photo has a rendered edit, unless `original`); undefined otherwise. The path comes from the file's owner and content hash, never from the request.
     */
    derivativeOf(file: DriveFile, which: Derivative, opts: { original?: boolean } = {}): string | undefined {
      if (!file.sha256) return undefined;
      const row = repo.get(file.userId, file.sha256);
      if (row?.status !== "done") return undefined;
      if (which === "video" && (row.playback === null || row.playback === "original")) return undefined;
      const all = paths.derivatives(file.userId, file.sha256);
      // A photo's edit (app/photos/edit), once rendered, is what its thumbnail and preview show; the original's on request.
      const edited = which === "thumb" ? all.editThumb : which === "preview" ? all.editPreview : undefined;
      if (edited && !opts.original && Bun.file(edited).size > 0) return edited;
      const path = all[which];
      return Bun.file(path).size > 0 ? path : undefined;
    },
  };
}

export type MediaService = ReturnType<typeof createMediaService>;
