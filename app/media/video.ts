// Worker only. ffprobe/ffmpeg through hw/run.ts: argument arrays, a timeout, capped output, low priority.
import { existsSync, statSync } from "node:fs";
import { writeAtomically } from "../../hw/files";
import type { Runner } from "../../hw/run";
import { MediaFileError } from "./image";
import { parseOffset } from "./metadata";

/**
 * Inputs may only be read as files, by the demuxers of real video containers: an HLS/concat playlist renamed
 * `.mp4` would otherwise make ffmpeg open the files or URLs it names.
 */
const SAFE_INPUT = ["-protocol_whitelist", "file,pipe", "-format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,flv,asf,ogg,dv"];
/**
 * The box keeps answering while a video encodes: lowest CPU priority and the idle disk class, as the image's worker
 * unit itself runs (Nice=10, IOSchedulingClass=idle); a child must not climb back to best-effort. ionice is
 * util-linux's schedutils (Debian has it; a Buildroot image without BR2_PACKAGE_UTIL_LINUX_SCHEDUTILS does not).
 */
export const LOW_PRIORITY = ["nice", "-n", "19", ...(Bun.which("ionice") ? ["ionice", "-c", "3"] : [])];
export const TRANSCODE_HEIGHT = 720;
export const CRF = 23;

export type VideoFacts = {
  durationMs: number | null;
  width: number | null;
  height: number | null;
  rotation: number;
  videoCodec: string | null;
  /** ffprobe's pix_fmt: browsers play 8-bit 4:2:0 H.264 only (not High 10 or 4:4:4). */
  pixelFormat: string | null;
  audioCodec: string | null;
  container: string;
  /** The MP4 family's major brand: "qt" is a QuickTime MOV, which browsers do not all play. */
  brand: string | null;
  takenAt: Date | null;
  /** Minutes east of UTC, when the phone wrote its local offset (Apple's creationdate does). */
  takenOffset: number | null;
  latitude: number | null;
  longitude: number | null;
  altitude: number | null;
  contentId: string | null;
};

type Probe = {
  streams?: {
    codec_type?: string;
    codec_name?: string;
    pix_fmt?: string;
    width?: number;
    height?: number;
    tags?: Record<string, string>;
    side_data_list?: { rotation?: number }[];
  }[];
  format?: { format_name?: string; duration?: string; tags?: Record<string, string> };
};

const lowerKeys = (o: Record<string, string> | undefined) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

/** ISO 6709 as phones write it: "+38.7223-009.1393+012.000/". */
export function parseIso6709(v: string | undefined): { latitude: number; longitude: number; altitude: number | null } | null {
  const m = v && /^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?/.exec(v);
  if (!m) return null;
  const latitude = Number(m[1]);
  const longitude = Number(m[2]);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { latitude, longitude, altitude: m[3] === undefined ? null : Number(m[3]) };
}

export function parseProbe(json: string): VideoFacts {
  const p = JSON.parse(json) as Probe;
  const video = p.streams?.find((s) => s.codec_type === "video");
  const audio = p.streams?.find((s) => s.codec_type === "audio");
  const tags = { ...lowerKeys(video?.tags), ...lowerKeys(p.format?.tags) };
  const rotation = Number(video?.side_data_list?.find((d) => typeof d.rotation === "number")?.rotation ?? tags.rotate ?? 0);
  const duration = Number(p.format?.duration);
  const created = tags["com.apple.quicktime.creationdate"] ?? tags.creation_time;
  const takenAt = created && !Number.isNaN(Date.parse(created)) ? new Date(created) : null;
  // "2024-06-01T12:00:00+0200" carries the offset; creation_time is always UTC ("…Z"), which says nothing about it.
  const offset = takenAt && tags["com.apple.quicktime.creationdate"] ? parseOffset(/([+-]\d{2}:?\d{2})$/.exec(created!)?.[1]) : null;
  const place = parseIso6709(tags["com.apple.quicktime.location.iso6709"] ?? tags.location);
  return {
    durationMs: Number.isFinite(duration) ? Math.round(duration * 1000) : null,
    width: video?.width ?? null,
    height: video?.height ?? null,
    rotation: Number.isFinite(rotation) ? ((Math.round(rotation) % 360) + 360) % 360 : 0,
    videoCodec: video?.codec_name ?? null,
    pixelFormat: video?.pix_fmt ?? null,
    audioCodec: audio?.codec_name ?? null,
    container: p.format?.format_name ?? "",
    brand: tags.major_brand?.trim() || null,
    takenAt,
    takenOffset: offset,
    latitude: place?.latitude ?? null,
    longitude: place?.longitude ?? null,
    altitude: place?.altitude ?? null,
    contentId: tags["com.apple.quicktime.content.identifier"] ?? null,
  };
}

/**
 * What a browser needs: nothing (H.264/AAC in MP4 plays as is), a remux (the codecs play, the container — MOV,
 * MKV — does not), or a transcode (HEVC from iPhones, AVI's MPEG-4 Part 2, H.264 in 10 bits or 4:4:4, …).
 */
export function playbackOf(v: VideoFacts): "original" | "remux" | "transcode" {
  const isMp4 = v.container.startsWith("mov,mp4") && v.brand !== null && v.brand !== "qt";
  if (v.videoCodec !== "h264") return "transcode";
  if (v.pixelFormat && v.pixelFormat !== "yuv420p" && v.pixelFormat !== "yuvj420p") return "transcode";
  return isMp4 && audioPlays(v) ? "original" : "remux";
}

/** Display size after rotation, scaled so the short side is at most 720 (even numbers, as H.264 wants). */
export function targetSize(v: VideoFacts): { width: number; height: number } {
  const turned = v.rotation === 90 || v.rotation === 270;
  const w = (turned ? v.height : v.width) ?? 1280;
  const h = (turned ? v.width : v.height) ?? 720;
  const scale = Math.min(1, TRANSCODE_HEIGHT / Math.min(w, h));
  const even = (n: number) => Math.max(2, Math.round((n * scale) / 2) * 2);
  return { width: even(w), height: even(h) };
}

export type Encoder = { name: string; label: string; args: (size: { width: number; height: number }) => string[]; inputArgs?: string[] };

/**
 * Threads for the decoder and for libx264: by default each takes about one and a half per core, and every thread
 * holds frames. Two each bound a 1080p HEVC → 720p transcode at ≈ 188 MB whatever the cores (206 MB with the defaults
 * on 2 cores, more on 4; 4 s clip, /usr/bin/time), in about the same time on a 2-core box.
 */
const TRANSCODE_THREADS = ["-threads", "2"];

export const SOFTWARE_ENCODER: Encoder = {
  name: "libx264",
  label: "software (libx264)",
  args: ({ width, height }) => [
    "-vf",
    `scale=${width}:${height}`,
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    String(CRF),
    ...TRANSCODE_THREADS,
    "-pix_fmt",
    "yuv420p",
  ],
};

/** Every ffmpeg run starts the same way: quiet, never interactive, overwrite, and the input whitelists. */
const FFMPEG_SAFE = ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", ...SAFE_INPUT];

/** The ffmpeg arguments of a transcode, without the priority prefix: the benchmark runs exactly these bare. */
export function transcodeArgs(input: string, output: string, size: { width: number; height: number }, encoder: Encoder): string[] {
  return [
    ...FFMPEG_SAFE,
    ...(encoder.inputArgs ?? []),
    ...TRANSCODE_THREADS,
    "-i",
    `file:${input}`,
    "-map",
    "0:v:0",
    "-map",
    "0:a:0?",
    ...encoder.args(size),
    "-c:a",
    "aac",
    "-b:a",
    "128k",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    `file:${output}`,
  ];
}

const audioPlays = (v: VideoFacts) => v.audioCodec === null || v.audioCodec === "aac" || v.audioCodec === "mp3";

export function remuxArgs(input: string, output: string, audioOk: boolean): string[] {
  return [
    ...FFMPEG_SAFE,
    "-i",
    `file:${input}`,
    "-map",
    "0:v:0",
    "-map",
    "0:a:0?",
    "-c:v",
    "copy",
    ...(audioOk ? ["-c:a", "copy"] : ["-c:a", "aac", "-b:a", "128k"]),
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    `file:${output}`,
  ];
}

/** ffmpeg's complaint for people: no internal paths (the blob's place on disk), no "[hls @ 0x55…]" addresses. */
export function ffmpegReason(stderr: string, paths: string[]): string {
  const lines = stderr
    .trim()
    .split("\n")
    .map((line) => {
      let l = line.replace(/^\[([^\]@]+?) @ 0x[0-9a-f]+\] /, "$1: ");
      for (const p of paths) l = l.replaceAll(`file:${p}`, "the file").replaceAll(p, "the file");
      return l.trim();
    });
  return [...new Set(lines.filter(Boolean))].slice(-3).join("; ").slice(0, 300);
}

export function createVideoTools(deps: { run: Runner; signal?: AbortSignal }) {
  const { run } = deps;
  const ffmpeg = async (argv: string[], paths: string[], timeoutMs: number, signal?: AbortSignal) => {
    const r = await run([...LOW_PRIORITY, ...argv], { timeoutMs, maxOutputBytes: 64 * 1024, signal });
    if (r.timedOut) throw new Error(`ffmpeg took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`);
    if (r.code !== 0) throw new MediaFileError(`ffmpeg could not convert this video: ${ffmpegReason(r.stderr, paths) || `exit code ${r.code}`}.`);
  };
  /** Temp name then rename: a killed ffmpeg never leaves a half MP4 under the real name. */
  const atomically = writeAtomically;
  return {
    async probe(input: string, signal?: AbortSignal): Promise<VideoFacts> {
      const r = await run([...LOW_PRIORITY, "ffprobe", "-v", "error", ...SAFE_INPUT, "-show_format", "-show_streams", "-of", "json", `file:${input}`], {
        timeoutMs: 30_000,
        maxOutputBytes: 1024 * 1024,
        signal,
      });
      if (r.timedOut) throw new Error("ffprobe took longer than 30 s and was stopped");
      if (r.code !== 0) throw new MediaFileError(`This is not a video that can be read: ${ffmpegReason(r.stderr, [input]) || `exit code ${r.code}`}.`);
      const facts = parseProbe(r.stdout);
      if (!facts.videoCodec) throw new MediaFileError("This file has no video stream.");
      return facts;
    },
    /**
     * One frame a second in (or the middle of a shorter clip), upright, as JPEG. Seeking in the input is fast but finds
     * nothing when no keyframe follows that point (a short clip with a single keyframe; some camcorder MPEG-TS): ffmpeg
     * then succeeds without writing a frame, and the first frame is taken instead.
     */
    poster(input: string, output: string, facts: VideoFacts, signal?: AbortSignal) {
      const at = Math.min(1, (facts.durationMs ?? 0) / 2000);
      const frame = (seek: string[], tmp: string) =>
        ffmpeg(
          [...FFMPEG_SAFE, ...seek, "-i", `file:${input}`, "-frames:v", "1", "-q:v", "3", "-f", "image2", "-c:v", "mjpeg", `file:${tmp}`],
          [input, tmp],
          60_000,
          signal,
        );
      const written = (tmp: string) => existsSync(tmp) && statSync(tmp).size > 0;
      return atomically(output, async (tmp) => {
        if (at > 0) await frame(["-ss", at.toFixed(3)], tmp);
        if (!written(tmp)) await frame([], tmp);
        if (!written(tmp)) throw new MediaFileError("No frame of this video could be decoded.");
      });
    },
    /**
     * A JPEG that libvips refuses (too many corrupt restart intervals) through ffmpeg's tolerant decoder, at most
     * `size` px on its long side, as PNG: what it shows of a damaged photo is what people see in other viewers.
     * Only the JPEG demuxer is allowed.
     */
    salvageJpeg(input: string, output: string, size: number, signal?: AbortSignal) {
      const argv = ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-protocol_whitelist", "file", "-format_whitelist", "jpeg_pipe,image2"];
      const scale = `scale=w=${size}:h=${size}:force_original_aspect_ratio=decrease`;
      return atomically(output, (tmp) =>
        ffmpeg([...argv, "-i", `file:${input}`, "-frames:v", "1", "-vf", scale, "-f", "image2", "-c:v", "png", `file:${tmp}`], [input, tmp], 60_000, signal),
      );
    },
    transcode(input: string, output: string, facts: VideoFacts, encoder: Encoder, signal?: AbortSignal) {
      return atomically(output, (tmp) => ffmpeg(transcodeArgs(input, tmp, targetSize(facts), encoder), [input, tmp], timeoutFor(facts), signal));
    },
    remux(input: string, output: string, facts: VideoFacts, signal?: AbortSignal) {
      return atomically(output, (tmp) => ffmpeg(remuxArgs(input, tmp, audioPlays(facts)), [input, tmp], timeoutFor(facts), signal));
    },
  };
}

/** Generous for a slow box (a Pi 4 encodes 720p at about real time in software), never unbounded. */
const timeoutFor = (f: VideoFacts) => Math.min(6 * 3600_000, Math.max(120_000, (f.durationMs ?? 60_000) * 10));

export type VideoTools = ReturnType<typeof createVideoTools>;
