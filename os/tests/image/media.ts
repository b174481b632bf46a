/**
 * Media: the booted box's pipeline with the ffmpeg the image carries (os/debian/ffmpeg.sh): an iPhone-style HEVC MOV
 * is uploaded, and the worker makes its poster and a playable H.264 MP4, both served.
 */
import { spawnSync } from "bun";
import { join } from "node:path";
import { appToken, type DashboardApi, dashboardApi } from "./clients";
import { type Concern, check, sleep } from "./harness";

/**
 * The booted box's media pipeline with the image's own ffmpeg: an iPhone-style HEVC MOV (made here by the host's
 * ffmpeg) is uploaded, the worker makes its poster and a 720p H.264 MP4, and both are served. Returns what it saw.
 */
async function videoThroughPipeline(api: DashboardApi, work: string) {
  const clip = join(work, "IMG_0001.MOV");
  const made = spawnSync([
    "ffmpeg",
    "-hide_banner",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=320x240:rate=15",
    "-f",
    "lavfi",
    "-i",
    "sine",
    "-t",
    "2",
    "-shortest",
    "-pix_fmt",
    "yuv420p",
    "-c:v",
    "libx265",
    "-x265-params",
    "log-level=error",
    "-tag:v",
    "hvc1",
    "-c:a",
    "aac",
    "-f",
    "mov",
    clip,
  ]);
  if (made.exitCode !== 0) return { ok: false, detail: `host ffmpeg: ${made.stderr.toString().slice(0, 200)}` };
  const up = await api("/api/v1/upload?name=IMG_0001.MOV", { method: "PUT", body: Bun.file(clip) });
  if (up.status !== 201) return { ok: false, detail: `upload: ${up.status} ${await up.text()}` };
  const id = ((await up.json()) as { item: { id: string } }).item.id;
  const started = performance.now();
  let video: Response | null = null;
  while (performance.now() - started < 300_000) {
    video = await api(`/media/video/${id}`);
    if (video.status === 200) break;
    await video.arrayBuffer();
    await sleep(3000);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (video?.status !== 200) return { ok: false, detail: `no playable MP4 after ${seconds} s (${video?.status})` };
  const mp4 = new Uint8Array(await video.arrayBuffer());
  const preview = await api(`/media/preview/${id}`);
  const jpeg = new Uint8Array(await preview.arrayBuffer());
  const ok =
    video.headers.get("content-type") === "video/mp4" &&
    String.fromCharCode(...mp4.subarray(4, 8)) === "ftyp" &&
    preview.status === 200 &&
    jpeg[0] === 0xff &&
    jpeg[1] === 0xd8;
  return { ok, detail: `MP4 ${mp4.length} bytes, poster ${preview.status} ${jpeg.length} bytes, ${seconds} s after the upload` };
}

export const media: Concern = {
  name: "media",
  needs: ["boot", "https", "dashboard"],
  async run(run) {
    const b = run.running("media");
    const result = await videoThroughPipeline(dashboardApi(b, appToken(run, b)), run.work);
    check("an iPhone HEVC MOV gets its poster and a playable H.264 MP4 from the box's own ffmpeg", result.ok, result.detail);
  },
};
