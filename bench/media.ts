// Media pipeline benchmark, each baseline measured in the same run, rounds alternating with the pipeline:
//   ingest  8–10 MP camera JPEGs → both derivatives + metadata row + place, through the worker's job loop (one
//           process, one media lane) vs Debian's `vipsthumbnail -s 1440` over the same files (one process; it does
//           strictly less: one size, no metadata, no database).
//   heic    the iPhone HEIC → derivatives + row through the pipeline (libheif-js, WebAssembly, in its niced child) vs
//           `heif-convert` + `vipsthumbnail -s 1440` per file (system libheif) under the same nice/ionice; Debian's
//           libvips reading HEIC itself is printed too.
//   video   1080p HEVC → 720p H.264/AAC MP4 through the pipeline's transcode (probe, temp file, rename) vs the bare
//           `ffmpeg` CLI with the same arguments, both under the same nice/ionice (on a loaded machine a niced process
//           loses to one that is not: that is the point of niceness, not pipeline overhead).
//   memory  peak RSS (VmHWM) of a real worker process ingesting JPEGs, HEIC, GPS photos and a video; idle RSS of the
//           bundled web server and worker side by side (what the image runs).
// Run: bun bench/media.ts [ingest|heic|video|memory …] (default: all)   Env: MEDIA_ROUNDS (3), MEDIA_COPIES (4 copies of each JPEG), MEDIA_VIDEO_SECONDS (6).
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../hw/run";
import { mediaTestApp, FIXTURES } from "../test/support/media";
import { createVideoTools, LOW_PRIORITY, SOFTWARE_ENCODER, targetSize, transcodeArgs } from "../app/media/video";

const ROUNDS = Number(process.env.MEDIA_ROUNDS ?? 3);
const COPIES = Number(process.env.MEDIA_COPIES ?? 4);
const VIDEO_SECONDS = Number(process.env.MEDIA_VIDEO_SECONDS ?? 6);
const root = join(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "media-bench-"));
const JPEGS = ["phone/jolla.jpg", "damaged/30-type_error.jpg", "damaged/67-0_length_string.jpg"];
const HEIC = "phone/iphone_13_pro_max.HEIC";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
const seconds = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};
async function sh(argv: string[], timeoutMs = 600_000) {
  const r = await runCommand(argv, { timeoutMs });
  if (r.code !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.slice(-500)}`);
  return r.stdout;
}
const rssKb = async (pid: number, field: "VmRSS" | "VmHWM") => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(await Bun.file(`/proc/${pid}/status`).text())![1]);
/** A process's resident pages split as /proc/<pid>/smaps_rollup counts them: its own, and those shared (kB). */
async function residentKb(pid: number) {
  const text = await Bun.file(`/proc/${pid}/smaps_rollup`).text();
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  return { own: field("Private_Clean") + field("Private_Dirty"), shared: field("Shared_Clean") + field("Shared_Dirty") };
}

/** Distinct copies (a few bytes after the JPEG's end): the same bytes twice would be deduplicated, not processed. */
function photoSet(dir: string) {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const f of JPEGS) {
    for (let i = 0; i < COPIES; i++) {
      const p = join(dir, `${i}-${f.split("/")[1]}`);
      copyFileSync(join(FIXTURES, f), p);
      appendFileSync(p, `copy ${i}`);
      out.push(p);
    }
  }
  return out;
}

/** Pipeline rounds: queue every stored photo again (as `nas media reprocess --all` does) and time the worker's loop. */
async function pipelineOn(files: string[]) {
  const t = mediaTestApp();
  const user = t.createUser("bench");
  for (const f of files) await t.upload(user, f);
  await t.drain(); // warm-up: loads sharp, exifr, libheif and the city index once, as a running worker has them
  return {
    round: () =>
      seconds(async () => {
        t.services.media.reprocess({ all: true });
        await t.drain();
      }),
    failed: () => t.services.media.progressFor(user).failed,
    cleanup: t.cleanup,
  };
}

async function ingest() {
  const files = photoSet(join(work, "jpegs"));
  const p = await pipelineOn(files);
  if (p.failed()) throw new Error("a benchmark photo failed in the pipeline");
  const out = join(work, "vips-out");
  mkdirSync(out);
  const vips = () => seconds(() => sh(["vipsthumbnail", "-s", "1440", "-o", `${out}/%s.jpg`, ...files]));
  await vips(); // warm-up: page cache for the files
  const ratios: number[] = [];
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let oursS: number;
    let vipsS: number;
    if (r % 2 === 0) {
      oursS = await p.round();
      vipsS = await vips();
    } else {
      vipsS = await vips();
      oursS = await p.round();
    }
    ours.push(files.length / oursS);
    theirs.push(files.length / vipsS);
    ratios.push(vipsS / oursS);
  }
  p.cleanup();
  return { n: files.length, ours: median(ours), theirs: median(theirs), ratio: median(ratios), spread: spread(ratios) };
}

async function heic() {
  const dir = join(work, "heic");
  mkdirSync(dir);
  const files = Array.from({ length: 3 }, (_, i) => {
    const p = join(dir, `${i}.heic`);
    copyFileSync(join(FIXTURES, HEIC), p);
    appendFileSync(p, `copy ${i}`);
    return p;
  });
  const p = await pipelineOn(files);
  const system = () =>
    seconds(async () => {
      for (const f of files) {
        await sh([...LOW_PRIORITY, "heif-convert", f, `${f}.jpg`]);
        await sh([...LOW_PRIORITY, "vipsthumbnail", "-s", "1440", "-o", `${f}.tn.jpg`, `${f}.jpg`]);
      }
    });
  const libvipsDirect = () => seconds(() => sh([...LOW_PRIORITY, "vipsthumbnail", "-s", "1440", "-o", `${dir}/%s.vips.jpg`, ...files]));
  await system();
  const ours: number[] = [];
  const theirs: number[] = [];
  const direct: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      ours.push(files.length / (await p.round()));
      theirs.push(files.length / (await system()));
    } else {
      theirs.push(files.length / (await system()));
      ours.push(files.length / (await p.round()));
    }
    direct.push(files.length / (await libvipsDirect()));
  }
  p.cleanup();
  const ratios = ours.map((o, i) => o / theirs[i]!);
  return { ours: median(ours), theirs: median(theirs), direct: median(direct), ratio: median(ratios), spread: spread(ratios) };
}

async function video() {
  const input = join(work, "1080p.mov");
  await makeVideo(input);
  const tools = createVideoTools({ run: runCommand });
  const facts = await tools.probe(input);
  const ours = () => seconds(() => tools.transcode(input, join(work, "ours.mp4"), facts, SOFTWARE_ENCODER));
  const bare = () => seconds(() => sh([...LOW_PRIORITY, ...transcodeArgs(input, join(work, "bare.mp4"), targetSize(facts), SOFTWARE_ENCODER)]));
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let oursS: number;
    let bareS: number;
    if (r % 2 === 0) {
      oursS = await ours();
      bareS = await bare();
    } else {
      bareS = await bare();
      oursS = await ours();
    }
    ratios.push(bareS / oursS);
  }
  return { ratio: median(ratios), spread: spread(ratios), size: targetSize(facts) };
}

async function makeVideo(path: string) {
  await sh([
    "ffmpeg",
    "-hide_banner",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=1920x1080:rate=30`,
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440",
    "-t",
    String(VIDEO_SECONDS),
    "-c:v",
    "libx265",
    "-preset",
    "ultrafast",
    "-x265-params",
    "log-level=error",
    "-pix_fmt",
    "yuv420p",
    "-tag:v",
    "hvc1",
    "-c:a",
    "aac",
    "-shortest",
    path,
  ]);
}

async function memory() {
  // Peak: a real worker process ingesting what a phone uploads (JPEGs with GPS, the HEIC, a video).
  if (!(await Bun.file(join(work, "1080p.mov")).exists())) await makeVideo(join(work, "1080p.mov"));
  const t = mediaTestApp();
  const user = t.createUser("bench");
  for (const f of [...photoSet(join(work, "mem")).slice(0, 6), join(FIXTURES, HEIC), join(FIXTURES, "gps/DSCN0010.jpg"), join(work, "1080p.mov")])
    await t.upload(user, f);
  const worker = Bun.spawn(["bun", "app/worker.ts", "--data-dir", t.dataDir], {
    cwd: root,
    stdout: "ignore",
    stderr: "inherit",
    env: { ...process.env, NAS_WORKER_KINDS: "media.process" },
  });
  for (let i = 0; i < 6000 && t.services.media.progressFor(user).pending > 0; i++) await Bun.sleep(100);
  const peak = await rssKb(worker.pid, "VmHWM");
  worker.kill("SIGTERM");
  await worker.exited;
  t.cleanup();

  // Idle: the bundles the image runs, on a fresh data dir, 5 s after start.
  await sh(["make", "-s", "build"]);
  const dataDir = join(work, "idle");
  mkdirSync(dataDir);
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1" };
  const web = Bun.spawn(["bun", "dist/main.js"], { cwd: root, env, stdout: "ignore", stderr: "inherit" });
  const idleWorker = Bun.spawn(["bun", "dist/worker.js"], { cwd: root, env, stdout: "ignore", stderr: "inherit" });
  await Bun.sleep(5_000);
  const [webKb, workerKb] = [await rssKb(web.pid, "VmRSS"), await rssKb(idleWorker.pid, "VmRSS")];
  // The RSS sum counts twice what both map from the same files (the Bun executable, libraries): the RAM the two
  // occupy together is each one's own pages plus the shared ones once (at most the larger process's shared set,
  // when what they share is the same files, as two Bun processes' is).
  const [w, k] = [await residentKb(web.pid), await residentKb(idleWorker.pid)];
  const togetherKb = w.own + k.own + Math.max(w.shared, k.shared);
  web.kill("SIGTERM");
  idleWorker.kill("SIGTERM");
  await Promise.all([web.exited, idleWorker.exited]);
  return { peakMb: peak / 1024, webMb: webKb / 1024, workerMb: workerKb / 1024, togetherMb: togetherKb / 1024, sharedMb: Math.max(w.shared, k.shared) / 1024 };
}

const parts = process.argv.slice(2);
const want = (part: string) => parts.length === 0 || parts.includes(part);
try {
  const cpu = (await Bun.file("/proc/cpuinfo").text()).match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
  console.log(`machine: ${navigator.hardwareConcurrency} × ${cpu}, Bun ${Bun.version}; ${ROUNDS} alternating rounds each`);
  const row: string[] = [new Date().toISOString().slice(0, 10)];
  if (want("ingest")) {
    const i = await ingest();
    console.log(
      `ingest JPEG (${i.n} photos, 8–10 MP): pipeline ${i.ours.toFixed(2)} photos/s vs vipsthumbnail -s 1440 ${i.theirs.toFixed(2)} photos/s → ratio ${i.ratio.toFixed(2)} (target ≥ 1.2; rounds ${i.spread})`,
    );
    row.push(`${i.ratio.toFixed(2)}× (${i.ours.toFixed(1)} vs ${i.theirs.toFixed(1)} photos/s)`);
  }
  if (want("heic")) {
    const h = await heic();
    console.log(
      `ingest HEIC (12 MP iPhone): pipeline/libheif-js ${h.ours.toFixed(2)} photos/s vs heif-convert + vipsthumbnail ${h.theirs.toFixed(2)} photos/s → ratio ${h.ratio.toFixed(2)} (rounds ${h.spread}); Debian libvips reading HEIC itself: ${h.direct.toFixed(2)} photos/s`,
    );
    row.push(`${h.ratio.toFixed(2)}× (${h.ours.toFixed(2)} vs ${h.theirs.toFixed(2)} photos/s)`);
  }
  if (want("video")) {
    const v = await video();
    console.log(
      `video 1080p HEVC → ${v.size.width}×${v.size.height} H.264: pipeline vs bare ffmpeg → ratio ${v.ratio.toFixed(2)} (target ≥ 0.95; rounds ${v.spread})`,
    );
    row.push(`${v.ratio.toFixed(2)}×`);
  }
  if (want("memory")) {
    const m = await memory();
    console.log(
      `memory: worker peak during ingest ${m.peakMb.toFixed(0)} MB (target ≤ 300); idle RSS web ${m.webMb.toFixed(1)} MB + worker ${m.workerMb.toFixed(1)} MB = ${(m.webMb + m.workerMb).toFixed(1)} MB; RAM the two occupy together ${m.togetherMb.toFixed(1)} MB (${m.sharedMb.toFixed(1)} MB of it mapped by both, counted once) (target ≤ 100)`,
    );
    row.push(`${m.peakMb.toFixed(0)} MB`, `${(m.webMb + m.workerMb).toFixed(1)} MB`);
  }
  console.log(
    `load average: ${(await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ")} (other work on the machine moves both sides unevenly)`,
  );
  if (parts.length === 0) {
    console.log(
      `\n| date | ingest JPEG vs vipsthumbnail | HEIC libheif-js vs heif-convert+vipsthumbnail | video vs bare ffmpeg | worker peak RSS | idle web + worker |`,
    );
    console.log(`| --- | --- | --- | --- | --- | --- |`);
    console.log(`| ${row.join(" | ")} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
