// Worker only: which H.264 encoder works on this box, found by a short trial encode at worker start.
import { existsSync, readdirSync } from "node:fs";
import type { Runner } from "../../hw/run";
import type { EncoderChoice } from "./model";
import { CRF, LOW_PRIORITY, SOFTWARE_ENCODER, type Encoder } from "./video";
import type { Clock } from "../platform/clock";

export type HwDeps = {
  run: Runner;
  /** Lists device nodes (default: /dev); tests pass a fake one. */
  listDevices?: () => string[];
  now: Clock;
};

const vaapi = (device: string): Encoder => ({
  name: "h264_vaapi",
  label: `VAAPI (${device})`,
  inputArgs: ["-vaapi_device", device],
  args: ({ width, height }) => ["-vf", `format=nv12,hwupload,scale_vaapi=w=${width}:h=${height}`, "-c:v", "h264_vaapi", "-qp", String(CRF)],
});
/** Raspberry Pi 4's encoder takes a bitrate, not a quality: 4 Mbit/s suits 720p. */
const v4l2m2m: Encoder = {
  name: "h264_v4l2m2m",
  label: "V4L2 M2M (Raspberry Pi)",
  args: ({ width, height }) => ["-vf", `scale=${width}:${height},format=yuv420p`, "-c:v", "h264_v4l2m2m", "-b:v", "4M"],
};

const trialArgs = (e: Encoder) => [
  ...LOW_PRIORITY,
  "ffmpeg",
  "-hide_banner",
  "-nostdin",
  "-v",
  "error",
  ...(e.inputArgs ?? []),
  "-f",
  "lavfi",
  "-i",
  "testsrc=size=320x240:rate=10",
  "-t",
  "1",
  ...e.args({ width: 320, height: 240 }),
  "-f",
  "null",
  "-",
];
const firstLine = (s: string) => s.trim().split("\n")[0]?.slice(0, 200) || "no output";

export type Detection = { encoder: Encoder; choice: EncoderChoice };

/**
 * Tries VAAPI on each render node, then the V4L2 M2M encoder, then settles for software; "why" lists what was tried.
 * A device node is not proof (a Pi 5 has /dev/video* but no H.264 encoder): only a trial encode that exits 0 is.
 */
export async function detectEncoder(deps: HwDeps): Promise<Detection> {
  const devices = (
    deps.listDevices ??
    (() =>
      (existsSync("/dev/dri") ? readdirSync("/dev/dri").map((d) => `/dev/dri/${d}`) : []).concat(
        readdirSync("/dev")
          .filter((d) => d.startsWith("video"))
          .map((d) => `/dev/${d}`),
      ))
  )();
  const tried: string[] = [];
  const candidates: Encoder[] = devices
    .filter((d) => /^\/dev\/dri\/renderD\d+$/.test(d))
    .sort()
    .map(vaapi);
  if (devices.some((d) => /^\/dev\/video\d+$/.test(d))) candidates.push(v4l2m2m);
  if (candidates.length === 0) tried.push("no /dev/dri render node or /dev/video device");
  for (const e of candidates) {
    const r = await deps
      .run(trialArgs(e), { timeoutMs: 20_000, maxOutputBytes: 16 * 1024 })
      .catch((err: Error) => ({ code: -1, stderr: err.message, timedOut: false }));
    if (r.code === 0) return pick(e, `a trial encode with ${e.name} worked${tried.length ? `; before that: ${tried.join("; ")}` : ""}`, deps);
    tried.push(`${e.label}: ${r.timedOut ? "trial encode timed out" : firstLine(r.stderr)}`);
  }
  return pick(SOFTWARE_ENCODER, tried.join("; "), deps);
}

const pick = (encoder: Encoder, reason: string, deps: HwDeps): Detection => ({
  encoder,
  choice: { encoder: encoder.name, label: encoder.label, reason, checkedAt: deps.now().toISOString() },
});
