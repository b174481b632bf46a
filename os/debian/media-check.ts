#!/usr/bin/env bun
/**
 * Does the image's own ffmpeg (os/debian/ffmpeg.sh, a cut-down build) do what the app asks of it?
 * The app's media tests run the build host's full ffmpeg, so build.sh runs this on the finished root:
 * the host's ffmpeg makes short clips of common camera/phone formats inside ROOT, then the app's own code
 * (app/media/video.ts, hwaccel.ts: the same arguments, whitelists and priority prefix) probes each one,
 * makes its JPEG poster and its 720p H.264/AAC transcode with the image's ffmpeg/ffprobe run by chroot,
 * and the host's ffprobe checks the results. Also: the encoders and hwaccel the worker tries are built in.
 * Usage: bun os/debian/media-check.ts ROOT   (as root; exits 1 when anything fails)
 */
import { mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runCommand, type Runner } from "../../hw/run";
import { detectEncoder } from "../../app/media/hwaccel";
import { createVideoTools, SOFTWARE_ENCODER, targetSize } from "../../app/media/video";
import { systemClock } from "../../app/platform/clock";

const root = process.argv[2];
if (!root) throw new Error("usage: media-check.ts ROOT");
const dir = join(root, "tmp/media-check");

/** The app's argv, run inside ROOT: its paths under ROOT become the chroot's. */
const inImage: Runner = (argv, opts) => runCommand(["chroot", root, ...argv.map((a) => a.replaceAll(root, ""))], opts);

let failed = 0;
function check(name: string, ok: boolean, detail = "") {
  if (!ok) failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
}

const testsrc = (size: string) => ["-f", "lavfi", "-i", `testsrc=size=${size}:rate=15`];
const sine = (rate: number) => ["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=${rate}`];
/** name, host ffmpeg arguments after the inputs. */
const clips: [string, string[], string[]][] = [
  ["h264-aac.mp4", [...testsrc("640x360"), ...sine(48000)], ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]],
  [
    "hevc-rotated-iphone.mov",
    [...testsrc("1920x1080"), ...sine(48000)],
    ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1", "-c:a", "aac"],
  ],
  ["hevc-eac3.mkv", [...testsrc("320x240"), ...sine(48000)], ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-c:a", "eac3"]],
  // AMR audio (older phones' 3GP) is decoded too, but Debian's ffmpeg has no AMR encoder to make a clip with.
  ["h263-aac.3gp", [...testsrc("352x288"), ...sine(22050)], ["-c:v", "h263", "-c:a", "aac"]],
  ["mpeg4-mp3.avi", [...testsrc("320x240"), ...sine(44100)], ["-c:v", "mpeg4", "-c:a", "libmp3lame"]],
  ["mjpeg-pcm.avi", [...testsrc("320x240"), ...sine(16000)], ["-c:v", "mjpeg", "-pix_fmt", "yuvj422p", "-c:a", "pcm_s16le"]],
  ["vp9-opus.webm", [...testsrc("320x240"), ...sine(48000)], ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-c:a", "libopus"]],
  ["vp8-vorbis.webm", [...testsrc("320x240"), ...sine(44100)], ["-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libvorbis"]],
  ["av1-flac.mkv", [...testsrc("320x240"), ...sine(48000)], ["-c:v", "libaom-av1", "-cpu-used", "8", "-usage", "realtime", "-c:a", "flac"]],
  ["av1-opus.mp4", [...testsrc("320x240"), ...sine(48000)], ["-c:v", "libaom-av1", "-cpu-used", "8", "-usage", "realtime", "-c:a", "libopus"]],
  ["prores-pcm24.mov", [...testsrc("320x240"), ...sine(48000)], ["-c:v", "prores_ks", "-profile:v", "0", "-c:a", "pcm_s24le"]],
  ["h264-ac3.m2ts", [...testsrc("320x240"), ...sine(48000)], ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "ac3", "-f", "mpegts"]],
  ["mpeg2-mp2.mpg", [...testsrc("320x240"), ...sine(48000)], ["-c:v", "mpeg2video", "-c:a", "mp2", "-f", "vob"]],
  ["h264-10bit.mkv", [...testsrc("320x240"), ...sine(48000)], ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le", "-c:a", "aac"]],
  ["h264-alac.mov", [...testsrc("320x240"), ...sine(44100)], ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "alac"]],
];

type Probe = { streams: { codec_name: string; width?: number; height?: number; pix_fmt?: string }[]; format: { format_name: string } };
async function hostProbe(file: string): Promise<Probe> {
  const r = await runCommand(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", file]);
  return JSON.parse(r.stdout || "{}") as Probe;
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
try {
  const encoders = (await inImage(["ffmpeg", "-hide_banner", "-encoders"])).stdout;
  for (const name of ["libx264", "h264_vaapi", "h264_v4l2m2m", "aac", "mjpeg"]) check(`encoder ${name}`, new RegExp(` ${name} `).test(encoders));
  check("hwaccel vaapi", /^vaapi$/m.test((await inImage(["ffmpeg", "-hide_banner", "-hwaccels"])).stdout));
  const detected = await detectEncoder({ run: inImage, listDevices: () => [], now: systemClock });
  check("the worker's trial encode (lavfi testsrc, libx264)", detected.encoder.name === "libx264", detected.choice.reason);

  const tools = createVideoTools({ run: inImage });
  for (const [name, inputs, args] of clips) {
    const input = join(dir, name);
    const made = await runCommand(["ffmpeg", "-hide_banner", "-v", "error", "-y", ...inputs, "-t", "1", "-shortest", ...args, input], { timeoutMs: 120_000 });
    // A phone held upright: the display matrix says 90° (ffmpeg 5.1 writes it when copying, not when encoding).
    if (made.code === 0 && name.includes("rotated")) {
      const turned = `${input}.mov`;
      await runCommand(["ffmpeg", "-hide_banner", "-v", "error", "-y", "-i", input, "-c", "copy", "-metadata:s:v:0", "rotate=90", turned]);
      renameSync(turned, input);
    }
    if (made.code !== 0) {
      check(`${name}: made by the host's ffmpeg`, false, made.stderr.trim().slice(0, 200));
      continue;
    }
    try {
      const facts = await tools.probe(input);
      const poster = join(dir, `${name}.jpg`);
      await tools.poster(input, poster, facts);
      const jpeg = readFileSync(poster);
      const transcoded = join(dir, `${name}.mp4`);
      await tools.transcode(input, transcoded, facts, SOFTWARE_ENCODER);
      const out = await hostProbe(transcoded);
      const size = targetSize(facts);
      const ok =
        jpeg[0] === 0xff &&
        jpeg[1] === 0xd8 &&
        out.format.format_name.includes("mp4") &&
        out.streams.map((s) => s.codec_name).join() === "h264,aac" &&
        out.streams[0]?.width === size.width &&
        out.streams[0]?.height === size.height &&
        out.streams[0]?.pix_fmt === "yuv420p";
      check(
        `${name}: probe, poster, 720p H.264/AAC transcode`,
        ok,
        `${facts.videoCodec}/${facts.audioCodec} ${facts.width}×${facts.height} rot ${facts.rotation} → ${out.streams.map((s) => s.codec_name).join("/")} ${out.streams[0]?.width}×${out.streams[0]?.height}`,
      );
    } catch (error) {
      check(`${name}: probe, poster, 720p H.264/AAC transcode`, false, String(error).slice(0, 300));
    }
  }
  const remuxed = join(dir, "remuxed.mp4");
  const ts = join(dir, "h264-ac3.m2ts");
  await tools.remux(ts, remuxed, await tools.probe(ts));
  check("h264-ac3.m2ts: remux (video copied, audio to AAC)", (await hostProbe(remuxed)).streams.map((s) => s.codec_name).join() === "h264,aac");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed === 0 ? "media-check: the image's ffmpeg does what the app needs" : `media-check: ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
