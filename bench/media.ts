// Media pipeline benchmark, each baseline measured in the same run, rounds alternating with the pipeline:
//   ingest  a varied set of camera-like JPEGs (8–24 MP, landscape and portrait, detailed: each made of four crops of
//           the real fixture photos with grain, so no photo is flat) → both derivatives + metadata row + place,
//           through the worker's job loop (its media lanes, NAS_MEDIA_WORKERS' default, and its imaging process) vs
//           Debian's `vipsthumbnail -s 1440` over the same files (one process; it does strictly less: one size, no
//           metadata, no database).
//   heic    the iPhone HEIC → derivatives + row through the pipeline (libheif-js, WebAssembly, in its niced child) vs
//           `heif-convert` + `vipsthumbnail -s 1440` per file (system libheif) under the same nice/ionice; Debian's
//           libvips reading HEIC itself is printed too.
//   video   1080p HEVC → 720p H.264/AAC MP4 through the pipeline's transcode (probe, temp file, rename) vs the bare
//           `ffmpeg` CLI with the same arguments, both under the same nice/ionice (on a loaded machine a niced process
//           loses to one that is not: that is the point of niceness, not pipeline overhead).
//   memory  peak RSS (VmHWM) of a real worker process ingesting JPEGs, HEIC, GPS photos and a video; idle RSS of the
//           bundled web server and worker side by side (what the image runs).
// Run: bun bench/media.ts [ingest|heic|video|memory …] (default: all)   Env: MEDIA_ROUNDS (3), MEDIA_PHOTOS (20 in the varied set), MEDIA_VIDEO_SECONDS (6).
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../hw/run";
import { mediaTestApp, FIXTURES } from "../test/support/media";
import { variedSet } from "../test/support/varied";
import { createVideoTools, LOW_PRIORITY, SOFTWARE_ENCODER, targetSize, transcodeArgs } from "../app/media/video";
import { loadConfig } from "../app/platform/config";

const ROUNDS = Number(process.env.MEDIA_ROUNDS ?? 3);
const PHOTOS = Number(process.env.MEDIA_PHOTOS ?? 20);
const VIDEO_SECONDS = Number(process.env.MEDIA_VIDEO_SECONDS ?? 6);
const root = join(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "media-bench-"));

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

/** Pipeline rounds: queue every stored photo again (as `nas media reprocess --all` does) and time the worker's loop. */
async function pipelineOn(files: string[]) {
  const t = mediaTestApp({ lanes: loadConfig([], {}).mediaWorkers });
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
  const files = await variedSet(join(work, "varied"), PHOTOS);
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

/** A process and its descendants (the worker's imaging process, its HEIC and ffmpeg children). */
function tree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return [pid, ...children.flatMap(tree)];
}
/** Which part of the tree a process is: the worker itself, its imaging process, the HEIC decoder, ffmpeg… */
function label(pid: number, root: number) {
  if (pid === root) return "worker";
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  const script = argv.find((a) => /\.(ts|js)$/.test(a));
  return script
    ? (script.split("/").at(-1) ?? script)
    : (argv
        .find((a) => !/^(nice|ionice|-)/.test(a) && !/^\d+$/.test(a))
        ?.split("/")
        .at(-1) ?? "?");
}
/** RSS and PSS (kB) summed over a process tree, and RSS by part; processes that ended meanwhile count 0. */
async function treeKb(pid: number) {
  let rss = 0;
  let pss = 0;
  const parts: Record<string, number> = {};
  for (const p of tree(pid)) {
    try {
      const text = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      const r = Number(/^Rss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
      rss += r;
      pss += Number(/^Pss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
      const name = label(p, pid);
      parts[name] = (parts[name] ?? 0) + r;
    } catch {
      // ended meanwhile
    }
  }
  return { rss, pss, parts };
}

const mbList = (kb: Record<string, number>) =>
  Object.entries(kb)
    .map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}`)
    .join(", ");

async function memory() {
  // Peak: a real worker process (and its children) ingesting what a phone and a camera upload: the varied JPEGs
  // (8–24 MP), GPS photos, the iPhone HEIC and a 1080p HEVC video, sampled every 100 ms.
  if (!(await Bun.file(join(work, "1080p.mov")).exists())) await makeVideo(join(work, "1080p.mov"));
  const t = mediaTestApp();
  const user = t.createUser("bench");
  const photos = await variedSet(join(work, "varied"), PHOTOS);
  // The video and the HEICs first, the JPEGs last: the batch ends on photo decodes, so "after the batch" includes the
  // imaging process until its idle exit (a batch ending on a transcode would find it gone already).
  for (const f of [join(work, "1080p.mov"), join(FIXTURES, HEIC), join(FIXTURES, "made/munich.heic"), join(FIXTURES, "gps/DSCN0010.jpg"), ...photos])
    await t.upload(user, f);
  const worker = Bun.spawn(["bun", "app/worker.ts", "--data-dir", t.dataDir], {
    cwd: root,
    stdout: "ignore",
    stderr: "inherit",
    env: { ...process.env, NAS_WORKER_KINDS: "media.process" },
  });
  let peak = { rss: 0, pss: 0 };
  // The tree's composition at its highest RSS, and each part's own highest.
  let atPeak: Record<string, number> = {};
  const partPeaks: Record<string, number> = {};
  for (let i = 0; i < 6000 && t.services.media.progressFor(user).pending > 0; i++) {
    const now = await treeKb(worker.pid);
    if (now.rss > peak.rss) atPeak = now.parts;
    peak = { rss: Math.max(peak.rss, now.rss), pss: Math.max(peak.pss, now.pss) };
    for (const [k, v] of Object.entries(now.parts)) partPeaks[k] = Math.max(partPeaks[k] ?? 0, v);
    await Bun.sleep(100);
  }
  const failures = t.services.media.failuresFor(user);
  if (failures.length) throw new Error(`benchmark files failed in the pipeline: ${failures.map((f) => `${f.name}: ${f.error}`).join("; ")}`);
  // After the batch: how long until the worker's tree is back to ≤ 80 MB (RSS), watched for a minute.
  const done = performance.now();
  let after = await treeKb(worker.pid);
  while (after.rss > 80 * 1024 && performance.now() - done < 60_000) {
    await Bun.sleep(250);
    after = await treeKb(worker.pid);
  }
  const backS = (performance.now() - done) / 1000;
  const workerPeak = await rssKb(worker.pid, "VmHWM");
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
  // PSS counts each page shared by n processes as 1/n in each: the Bun executable both map counts once in the sum.
  const [w, k] = [await treeKb(web.pid), await treeKb(idleWorker.pid)];
  web.kill("SIGTERM");
  idleWorker.kill("SIGTERM");
  await Promise.all([web.exited, idleWorker.exited]);
  return {
    n: photos.length,
    workerPeakMb: workerPeak / 1024,
    peakMb: peak.rss / 1024,
    peakPssMb: peak.pss / 1024,
    atPeak: mbList(atPeak),
    partPeaks: mbList(partPeaks),
    afterMb: after.rss / 1024,
    backS,
    webMb: webKb / 1024,
    workerMb: workerKb / 1024,
    pssMb: (w.pss + k.pss) / 1024,
  };
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
      `ingest JPEG (${i.n} varied photos, 8–24 MP): pipeline ${i.ours.toFixed(2)} photos/s vs vipsthumbnail -s 1440 ${i.theirs.toFixed(2)} photos/s → ratio ${i.ratio.toFixed(2)} (target ≥ 1.2; rounds ${i.spread})`,
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
      `memory while ingesting ${m.n} varied JPEGs, 2 HEIC, a GPS photo and a 1080p HEVC video: worker peak RSS (VmHWM) ${m.workerPeakMb.toFixed(0)} MB (target ≤ 250); ` +
        `with its children (imaging process, HEIC decoder, ffmpeg) sampled every 100 ms: RSS ${m.peakMb.toFixed(0)} MB, PSS ${m.peakPssMb.toFixed(0)} MB; ` +
        `at that peak (RSS MB): ${m.atPeak}; each part's own peak: ${m.partPeaks}; ` +
        `after the batch: ${m.afterMb.toFixed(1)} MB RSS ${m.afterMb <= 80 ? `within ${m.backS.toFixed(1)} s` : "after 60 s"} (target ≤ 80 within 60 s)`,
    );
    console.log(
      `idle bundles: RSS web ${m.webMb.toFixed(1)} MB + worker ${m.workerMb.toFixed(1)} MB = ${(m.webMb + m.workerMb).toFixed(1)} MB; PSS sum ${m.pssMb.toFixed(1)} MB (target ≤ 80)`,
    );
    row.push(
      `${m.peakMb.toFixed(0)} MB`,
      `${m.afterMb.toFixed(0)} MB in ${m.backS.toFixed(0)} s`,
      `${m.pssMb.toFixed(1)} MB (RSS ${(m.webMb + m.workerMb).toFixed(1)})`,
    );
  }
  console.log(
    `load average: ${(await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ")} (other work on the machine moves both sides unevenly)`,
  );
  if (parts.length === 0) {
    console.log(
      `\n| date | ingest varied JPEG vs vipsthumbnail | HEIC libheif-js vs heif-convert+vipsthumbnail | video vs bare ffmpeg | worker peak (with children) | worker after a batch | idle web + worker PSS |`,
    );
    console.log(`| --- | --- | --- | --- | --- | --- | --- |`);
    console.log(`| ${row.join(" | ")} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
