// Worker only: turns one stored content into thumbnails, metadata, a place and a playable video.
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Runner } from "../../hw/run";
import type { Db } from "../platform/db/client";
import { createBlobStore } from "../drive/blobs";
import type { JobHandler } from "../platform/queue/queue";
import type { MediaJobPayloads } from "./jobs";
import { APP_ROOT, dataPaths, type DerivativePaths } from "../platform/paths";
import { placeOf } from "./geocode";
import { largestEmbeddedJpeg, MediaFileError, thumbnailsOfImage, thumbnailsOfRawPreview, type ImageResult } from "./image";
import { readPhotoMetadata } from "./metadata";
import { MEDIA_PIPELINE_VERSION } from "./model";
import { removeDerivatives } from "./paths";
import { createMediaRepo, type MediaFacts } from "./repo";
import { createVideoTools, ffmpegReason, LOW_PRIORITY, playbackOf, type Encoder } from "./video";
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
};

/** HEIF brands whose pixels are HEVC (the prebuilt sharp cannot decode those; AVIF it can). */
const HEVC_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]);
async function isHeic(path: string) {
  const head = new Uint8Array(await Bun.file(path).slice(0, 12).arrayBuffer());
  return new TextDecoder().decode(head.subarray(4, 8)) === "ftyp" && HEVC_BRANDS.has(new TextDecoder().decode(head.subarray(8, 12)));
}

async function placeFacts(latitude: number | null, longitude: number | null): Promise<MediaFacts> {
  if (latitude === null || longitude === null) return {};
  const place = await placeOf(latitude, longitude);
  return place ? { city: place.city, region: place.region, country: place.country } : {};
}

const HEIC_SCRIPT = join(APP_ROOT, "app/media/heic.ts");

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

const imageFacts = (r: ImageResult): MediaFacts => ({ width: r.width, height: r.height, thumbhash: r.thumbhash });

export function createMediaPipeline(deps: PipelineDeps) {
  const repo = createMediaRepo(deps.db);
  const storage = createBlobStore({ dataDir: deps.dataDir, now: deps.now });
  const { now } = deps;
  const log = deps.log ?? ((m: string) => logger.warn(m));
  const video = createVideoTools({ run: deps.run });

  /** HEIC in a child process (app/media/heic.ts), so libheif's WebAssembly memory is returned after each photo. */
  async function heicThumbnails(input: string, out: DerivativePaths, signal: AbortSignal): Promise<ImageResult> {
    const r = await deps.run([...LOW_PRIORITY, process.execPath, HEIC_SCRIPT, input, out.thumb, out.preview], {
      timeoutMs: 180_000,
      maxOutputBytes: 64 * 1024,
      signal,
    });
    if (r.code === 0) return JSON.parse(r.stdout) as ImageResult;
    const reason = ffmpegReason(r.stderr, [input]) || (r.timedOut ? "it took longer than 3 minutes" : `exit code ${r.code ?? r.signal}`);
    if (r.code === 3) throw new MediaFileError(reason);
    throw new Error(`HEIC decoding failed: ${reason}`);
  }

  async function photo(input: string, out: DerivativePaths, mtime: Date, raw: boolean, signal: AbortSignal): Promise<MediaFacts> {
    const meta = await readPhotoMetadata(input, mtime);
    const base: MediaFacts = { ...meta, ...(await placeFacts(meta.latitude, meta.longitude)) };
    if (raw) {
      const embedded = await largestEmbeddedJpeg(Buffer.from(await Bun.file(input).arrayBuffer()));
      if (!embedded) return { ...base, status: "no-preview", error: "This RAW file has no embedded preview." };
      return { ...base, ...imageFacts(await thumbnailsOfRawPreview(embedded, meta.orientation, out)) };
    }
    const result = (await isHeic(input)) ? await heicThumbnails(input, out, signal) : await thumbnailsOfImage(input, out);
    return { ...base, ...imageFacts(result) };
  }

  async function clip(input: string, out: DerivativePaths, mtime: Date, signal: AbortSignal, progress: (percent: number) => void): Promise<MediaFacts> {
    const facts = await video.probe(input, signal);
    const posterPath = `${out.preview}.poster.jpg`;
    let still: ImageResult;
    try {
      await video.poster(input, posterPath, facts, signal);
      still = await thumbnailsOfImage(posterPath, out);
    } finally {
      rmSync(posterPath, { force: true });
    }
    const playback = playbackOf(facts);
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
      ...imageFacts(still),
      width: turned ? facts.height : facts.width,
      height: turned ? facts.width : facts.height,
      durationMs: facts.durationMs,
      videoCodec: facts.videoCodec,
      playback,
      encoder,
      takenAt: facts.takenAt ?? mtime,
      takenSource: facts.takenAt ? "container" : "file-mtime",
      takenOffset: facts.takenOffset,
      latitude: facts.latitude,
      longitude: facts.longitude,
      altitude: facts.altitude,
      contentId: facts.contentId,
      ...(await placeFacts(facts.latitude, facts.longitude)),
    };
  }

  /** Processes one content; nothing to do when it was purged meanwhile (its row went with it). */
  async function processContent(userId: string, sha256: string, signal: AbortSignal, progress: (percent: number) => void): Promise<void> {
    const row = repo.get(userId, sha256);
    if (!row) return;
    const input = storage.blobPath(userId, sha256);
    const out = dataPaths(deps.dataDir).derivatives(userId, sha256);
    repo.setStatus(userId, sha256, "processing", now());
    try {
      const mtime = statSync(input).mtime;
      const facts = row.kind === "video" ? await clip(input, out, mtime, signal, progress) : await photo(input, out, mtime, row.kind === "raw", signal);
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
  return { handler };
}
