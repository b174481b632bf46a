// Worker only: turns one stored content into thumbnails, metadata, a place and a playable video.
import { rmSync, statSync } from "node:fs";
import type { Runner } from "../../hw/run";
import type { Db } from "../platform/db/client";
import type { JobHandler } from "../platform/queue/queue";
import type { MediaJobPayloads } from "./jobs";
import { createFileObjects } from "../platform/objects";
import { dataPaths, type DerivativePaths } from "../platform/paths";
import { MediaFileError } from "./image";
import { createImagingClient, type ImagingClient } from "./imaging";
import { containerTime } from "./metadata";
import { heavyAlone, isHeic, MEDIA_PIPELINE_VERSION } from "./model";
import { removeDerivatives } from "./paths";
import { createMediaRepo, type MediaFacts } from "./repo";
import { createVideoTools, playbackOf, type Encoder } from "./video";
import { log as logger } from "../platform/log";
import type { Clock } from "../platform/clock";

export type PipelineDeps = {
  db: Db;
  dataDir: string;
  run: Runner;
  /** The encoder found at worker start (hwaccel.ts); software when hardware fails on a file. */
  encoder: () => Encoder;
  softwareEncoder: Encoder;
  now: Clock;
  log?: (message: string) => void;
  /** Where photos are decoded (a child process, app/media/imaging.ts); tests may pass their own. */
  imaging?: ImagingClient;
};

/**
 * Progress is also the queue's heartbeat: a transcode that runs for an hour on a Pi reports every half minute, so it
 * is never taken back as the job of a dead worker (the queue reclaims jobs silent for 15 minutes).
 */
async function withHeartbeat<T>(progress: (percent: number) => void, work: () => Promise<T>): Promise<T> {
  let percent = 10;
  const timer = setInterval(() => progress(Math.min(95, ++percent)), 30_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createMediaPipeline(deps: PipelineDeps) {
  const repo = createMediaRepo(deps.db);
  const objects = createFileObjects({ dataDir: deps.dataDir });
  const { now } = deps;
  const log = deps.log ?? ((m: string) => logger.warn(m));
  const video = createVideoTools({ run: deps.run });
  const imaging = deps.imaging ?? createImagingClient();
  // The heavy work goes alone, even when the media lanes run photos side by side: a video (ffmpeg already uses every
  // core) or a HEIC decode (≈ 120 MB of WebAssembly code and heap in the imaging process, which then ends). Beside each other, or beside two photo
  // decodes, they would more than double what a 1 GB box must hold (bench/media.ts prints the parts at the peak).
  const gate = heavyAlone();
  // Whether the imaging process has decoded photos since it started: its heap then holds what they left.
  let imagingUsed = false;
  const releaseImaging = () => {
    if (imagingUsed) imaging.release();
    imagingUsed = false;
  };

  async function clip(
    input: string,
    out: DerivativePaths,
    mtime: Date,
    name: string,
    signal: AbortSignal,
    progress: (percent: number) => void,
  ): Promise<MediaFacts> {
    const facts = await video.probe(input, signal);
    const posterPath = `${out.preview}.poster.jpg`;
    let still: MediaFacts;
    try {
      await video.poster(input, posterPath, facts, signal);
      still = await imaging.still(posterPath, out, facts.latitude, facts.longitude);
    } finally {
      rmSync(posterPath, { force: true });
    }
    const playback = playbackOf(facts);
    imagingUsed = true;
    // A transcode holds ffmpeg's frames for minutes: the imaging process need not wait beside it.
    if (playback === "transcode") releaseImaging();
    let encoder: string | null = null;
    if (playback === "remux") await withHeartbeat(progress, () => video.remux(input, out.video, facts, signal));
    if (playback === "transcode") {
      const preferred = deps.encoder();
      try {
        await withHeartbeat(progress, () => video.transcode(input, out.video, facts, preferred, signal));
        encoder = preferred.name;
      } catch (e) {
        if (preferred.name === deps.softwareEncoder.name || signal.aborted) throw e;
        log(`${preferred.name} failed on a file (${(e as Error).message}); encoding it in software`);
        await withHeartbeat(progress, () => video.transcode(input, out.video, facts, deps.softwareEncoder, signal));
        encoder = deps.softwareEncoder.name;
      }
    }
    const turned = facts.rotation === 90 || facts.rotation === 270;
    return {
      ...still,
      width: turned ? facts.height : facts.width,
      height: turned ? facts.width : facts.height,
      durationMs: facts.durationMs,
      videoCodec: facts.videoCodec,
      playback,
      encoder,
      ...containerTime(facts.takenAt, facts.takenOffset, name, mtime),
      latitude: facts.latitude,
      longitude: facts.longitude,
      altitude: facts.altitude,
      contentId: facts.contentId,
    };
  }

  /** Processes one content; nothing to do when it was purged meanwhile (its row went with it). */
  async function processContent(userId: string, sha256: string, signal: AbortSignal, progress: (percent: number) => void): Promise<void> {
    const row = repo.get(userId, sha256);
    if (!row) return;
    const input = objects.localPath(userId, sha256);
    const out = dataPaths(deps.dataDir).derivatives(userId, sha256);
    repo.setStatus(userId, sha256, "processing", now());
    try {
      const mtime = statSync(input).mtime;
      // A name phones write (IMG_20210704_153012.jpg) is the last clue to the time; any of the content's names will do.
      const name = repo.nameOf(userId, sha256) ?? "";
      const photo = () => imaging.photo({ input, out, mtime: mtime.getTime(), name, raw: row.kind === "raw" });
      const facts =
        row.kind === "video"
          ? await gate.heavy(() => clip(input, out, mtime, name, signal, progress))
          : (await isHeic(input))
            ? await gate.heavy(async () => {
                releaseImaging();
                try {
                  return await photo();
                } finally {
                  // libheif's WebAssembly heap (≈ 75 MB for 12 MP) never shrinks: the process that decoded it goes.
                  imaging.release();
                }
              })
            : await gate.light(() => {
                imagingUsed = true;
                return photo();
              });
      const kept = repo.record(userId, sha256, { status: "done", error: null, ...facts, version: MEDIA_PIPELINE_VERSION }, now());
      if (kept && facts.contentId) repo.linkLivePair(userId, sha256, facts.contentId);
      // Purged while we worked: what we just wrote has no owner any more.
      if (!kept || !repo.blobExists(userId, sha256)) removeDerivatives(deps.dataDir, userId, sha256);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if ((e as NodeJS.ErrnoException).code === "ENOENT" && !repo.blobExists(userId, sha256)) return;
      repo.setStatus(userId, sha256, "failed", now(), e instanceof MediaFileError ? message : `${message} (will retry)`);
      // The file's own fault is final; anything else (disk full, a timeout under load) is retried by the queue.
      if (!(e instanceof MediaFileError)) throw e;
    }
  }

  const handler: JobHandler<"media.process", MediaJobPayloads> = async (job, ctx) => {
    const { userId, sha256 } = job.payload;
    await processContent(userId, sha256, ctx.signal, ctx.progress);
  };
  return { handler, stop: () => imaging.stop(), imagingPid: () => imaging.pid() };
}
