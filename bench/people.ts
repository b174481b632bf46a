// People (app/people) on this machine, in two parts (PART: indexer, page, or both by default).
//
// indexer: photos per second through one indexer child at 1024 px (the detector's size), in rounds alternating with
// the baseline: the same detector (`detect`, Human on wasm) called in this process, no child, no IPC. Then the child's
// resident memory over MEMORY_PHOTOS photos as the worker runs it (replaced after 300 photos or 420 MB): the peak, and
// the last 100's mean against the first 100's. Photos: the fixtures and their mirrored and darker variants, cycled.
// The child runs at this process's priority (nice 0): nice 19 on a machine busy with other work measures the others.
//
// page: the People page (GET /photos/people/) of a user with PEOPLE people and FACES faces (synthetic rows, each
// person with a cover crop on disk) through HTTP on the real server, p50/p95, in rounds alternating with the
// baseline: the same user's Photos page (GET /photos/), the same server, the same session. Then the timeline (one
// month's page) p99 while an indexer child (nice 19) works, in rounds alternating with no indexing.
//
// Run: bun bench/people.ts   Env: PART, PHOTOS (60 per round), ROUNDS (3), MEMORY_PHOTOS (1000), PEOPLE (500),
// FACES (50000), RUNS (100 requests per round and side).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import sharp, { type Sharp } from "sharp";
import { detect } from "../app/people/detect";
import { faceCrop } from "../app/people/paths";
import { createIndexerPool } from "../app/people/pool";
import { loadConfig } from "../app/platform/config";
import { openDb } from "../app/platform/db/client";
import { createServices } from "../app/services";
import { startServer } from "../test/support/browser";

const PART = process.env.PART ?? "both";
const PHOTOS = Number(process.env.PHOTOS ?? 60);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const MEMORY_PHOTOS = Number(process.env.MEMORY_PHOTOS ?? 1000);
const PEOPLE = Number(process.env.PEOPLE ?? 500);
const FACES = Number(process.env.FACES ?? 50_000);
const RUNS = Number(process.env.RUNS ?? 100);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
const mb = (b: number) => (b / 1024 ** 2).toFixed(0);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Processor seconds this process has used (every thread: the models' and sharp's). */
const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** Processor seconds a child has used (/proc/<pid>/stat: utime + stime, in clock ticks of 1/100 s). */
const childCpu = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

async function indexerPart(dir: string) {
  const fixtures = join(import.meta.dir, "../test/fixtures/people");
  const inputs: string[] = [];
  for (const f of readdirSync(fixtures).filter((f) => f.endsWith(".jpg"))) {
    for (const [name, make] of [
      ["plain", (s: Sharp) => s],
      ["mirror", (s: Sharp) => s.flop()],
      ["dark", (s: Sharp) => s.modulate({ brightness: 0.7 })],
    ] as const) {
      const out = join(dir, `${name}-${f}`);
      await make(sharp(join(fixtures, f)).resize(1024, 1024, { fit: "inside" }))
        .jpeg({ quality: 85 })
        .toFile(out);
      inputs.push(out);
    }
  }
  const crops = (i: number) => (k: number) => join(dir, `face-${i % 50}-${k}.webp`);
  // The baseline's models load once, before the first round (not counted), as the child's do.
  await detect(inputs[0]!, crops(0));
  // One child throughout (never replaced: its processor time is read from /proc by its pid).
  const pool = createIndexerPool({ size: 1, niceness: 0, maxPhotos: Number.POSITIVE_INFINITY, maxRssBytes: Number.POSITIVE_INFINITY });
  await pool.index(inputs[0]!, join(dir, "warm-face"));
  const [child] = pool.pids();
  const ratios: number[] = [];
  const ours: number[] = [];
  const base: number[] = [];
  // Photos per processor-second: what one core would do alone, less moved by the other work on the machine than
  // photos per second of the clock.
  const oursCpu: number[] = [];
  const baseCpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let t0 = performance.now();
    let c0 = ownCpu();
    for (let i = 0; i < PHOTOS; i++) await detect(inputs[i % inputs.length]!, crops(i));
    const b = PHOTOS / ((performance.now() - t0) / 1000);
    baseCpu.push(PHOTOS / (ownCpu() - c0));
    t0 = performance.now();
    c0 = childCpu(child!);
    for (let i = 0; i < PHOTOS; i++) await pool.index(inputs[i % inputs.length]!, join(dir, `face-${i % 50}-`));
    const o = PHOTOS / ((performance.now() - t0) / 1000);
    oursCpu.push(PHOTOS / (childCpu(child!) - c0));
    base.push(b);
    ours.push(o);
    ratios.push(o / b);
    console.log(
      `round ${round + 1}: in-process ${b.toFixed(2)} photos/s (${baseCpu.at(-1)!.toFixed(2)} per CPU-s), indexer child ${o.toFixed(2)} photos/s (${oursCpu.at(-1)!.toFixed(2)} per CPU-s), ratio ${(o / b).toFixed(2)}; load ${load()}`,
    );
  }
  const childRss = pool.stats.peakRss;
  pool.close();
  console.log(
    `throughput at 1024 px: child ${median(ours).toFixed(2)} photos/s (rounds ${ours.map((r) => r.toFixed(2)).join("/")}), ${median(oursCpu).toFixed(2)} per CPU-second (${oursCpu.map((r) => r.toFixed(2)).join("/")}); in-process ${median(base).toFixed(2)} photos/s, ${median(baseCpu).toFixed(2)} per CPU-second; median ratio ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}); the child's RSS peak ${mb(childRss)} MB`,
  );

  if (MEMORY_PHOTOS <= 0) return;
  // Memory: the worker's pool as it is (children replaced after 300 photos or 420 MB), sampled after every photo.
  const worker = createIndexerPool({ size: 1, niceness: 0 });
  const rss: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < MEMORY_PHOTOS; i++) {
    await worker.index(inputs[i % inputs.length]!, join(dir, `face-${i % 50}-`));
    rss.push(worker.stats.lastRss);
  }
  const s = (performance.now() - t0) / 1000;
  worker.close();
  console.log(
    `memory over ${MEMORY_PHOTOS} photos (${s.toFixed(0)} s, ${(MEMORY_PHOTOS / s).toFixed(2)} photos/s): child RSS peak ${mb(worker.stats.peakRss)} MB, first 100 ${mb(mean(rss.slice(0, 100)))} MB, last 100 ${mb(mean(rss.slice(-100)))} MB; children started ${worker.stats.started}; load ${load()}`,
  );
}

async function pagePart(dir: string) {
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: dataDir }) });
  const user = auth.users.add({ username: "bench", displayName: "Bench", role: "admin" }, null).user;
  const sid = auth.sessions.create(user.id, { ip: "127.0.0.1", userAgent: "bench" });
  const raw = db.$client;
  const now = Date.now();
  const photos = Math.ceil(FACES / 3);
  const crop = await sharp({ create: { width: 160, height: 160, channels: 3, background: "#a87" } })
    .webp()
    .toBuffer();
  const embedding = Buffer.alloc(1024, 1);
  raw.run("INSERT INTO settings (key, value) VALUES ('people.enabled', 'true')");
  raw.transaction(() => {
    const blob = raw.prepare("INSERT INTO blobs (user_id, sha256, size, mime, refcount, created_at) VALUES (?, ?, 1000, 'image/jpeg', 1, ?)");
    const media = raw.prepare(
      "INSERT INTO media (user_id, sha256, kind, status, version, width, height, taken_at, taken_offset, taken_source, updated_at) VALUES (?, ?, 'photo', 'done', 1, 1440, 1080, ?, 0, 'exif-offset', ?)",
    );
    const indexed = raw.prepare("INSERT INTO people_index (user_id, sha256, version, status, indexed_at) VALUES (?, ?, 'bench', 'done', ?)");
    for (let i = 0; i < photos; i++) {
      const sha = i.toString(16).padStart(64, "0");
      blob.run(user.id, sha, now);
      media.run(user.id, sha, now - i * 3_600_000, now);
      indexed.run(user.id, sha, now);
    }
    const person = raw.prepare("INSERT INTO people (id, user_id, name, hidden, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)");
    for (let p = 0; p < PEOPLE; p++) person.run(`p${p}`, user.id, p % 3 ? null : `Person ${p}`, now, now);
    const face = raw.prepare(
      "INSERT INTO faces (user_id, sha256, idx, x, y, w, h, score, landmarks, embedding, scale, person_id, assigned) VALUES (?, ?, ?, 0.1, 0.1, 0.2, 0.2, 0.9, 0.9, ?, 0.01, ?, 'auto')",
    );
    // A few people with many photos, most with a few (a family library): person k gets a share ∝ 1/(k+1).
    const weights = Array.from({ length: PEOPLE }, (_, k) => 1 / (k + 1));
    const total = weights.reduce((a, b) => a + b, 0);
    let k = 0;
    let left = Math.max(1, Math.round((FACES * weights[0]!) / total));
    for (let f = 0; f < FACES; f++) {
      if (left === 0 && k < PEOPLE - 1) left = Math.max(1, Math.round((FACES * weights[++k]!) / total));
      left--;
      face.run(user.id, (f % photos).toString(16).padStart(64, "0"), Math.floor(f / photos), embedding, `p${k}`);
    }
  })();
  // Each person's cover crop on disk (the page links them; the page itself never reads them).
  for (const r of raw.query("SELECT DISTINCT sha256, idx FROM faces WHERE id IN (SELECT max(id) FROM faces GROUP BY person_id)").all() as {
    sha256: string;
    idx: number;
  }[]) {
    const path = faceCrop(dataDir, user.id, r.sha256, r.idx);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, crop);
  }
  db.$client.close();
  const server = await startServer({ dataDir });
  try {
    const cookie = { cookie: `nas_session=${sid}` };
    const timed = async (path: string) => {
      const t0 = performance.now();
      const res = await fetch(`${server.origin}${path}`, { headers: cookie });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
      return { ms: performance.now() - t0, body };
    };
    const first = await timed("/photos/people/");
    const shown = (first.body.match(/data-person=/g) ?? []).length;
    for (let i = 0; i < 5; i++) await Promise.all([timed("/photos/people/"), timed("/photos/")]);
    const ours: number[] = [];
    const base: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const b: number[] = [];
      const o: number[] = [];
      for (let i = 0; i < RUNS; i++) b.push((await timed("/photos/")).ms);
      for (let i = 0; i < RUNS; i++) o.push((await timed("/photos/people/")).ms);
      base.push(...b);
      ours.push(...o);
      ratios.push(pct(o, 95) / pct(b, 95));
      console.log(`round ${round + 1}: Photos page p95 ${pct(b, 95).toFixed(1)} ms, People page p95 ${pct(o, 95).toFixed(1)} ms; load ${load()}`);
    }
    console.log(
      `People page, ${PEOPLE} people / ${FACES} faces (${shown} cards, ${(first.body.length / 1024).toFixed(0)} KB): p50 ${pct(ours, 50).toFixed(1)} ms, p95 ${pct(ours, 95).toFixed(1)} ms; Photos page p50 ${pct(base, 50).toFixed(1)} ms, p95 ${pct(base, 95).toFixed(1)} ms; median p95 ratio ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
    );

    // The timeline while an indexer child works (nice 19, as the worker runs it) against the same with none: one
    // month's page, rounds alternating, the child indexing the fixtures in a loop during the "indexing" rounds.
    const month = `/photos/api/month/${new Date().toISOString().slice(0, 7)}?src=timeline`;
    const inputs = readdirSync(join(import.meta.dir, "../test/fixtures/people"))
      .filter((f) => f.endsWith(".jpg"))
      .map((f) => join(import.meta.dir, "../test/fixtures/people", f));
    const pool = createIndexerPool({ size: 1 });
    await pool.index(inputs[0]!, join(dir, "warm-face"));
    const quiet: number[] = [];
    const busy: number[] = [];
    const p99s: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const q: number[] = [];
      for (let i = 0; i < RUNS; i++) q.push((await timed(month)).ms);
      let indexing = true;
      const loop = (async () => {
        for (let i = 0; indexing; i++) await pool.index(inputs[i % inputs.length]!, join(dir, `t-face-${i % 20}-`));
      })();
      const b: number[] = [];
      for (let i = 0; i < RUNS; i++) b.push((await timed(month)).ms);
      indexing = false;
      await loop;
      quiet.push(...q);
      busy.push(...b);
      p99s.push(pct(b, 99) / pct(q, 99));
      console.log(
        `round ${round + 1}: timeline month p99 ${pct(q, 99).toFixed(1)} ms without indexing, ${pct(b, 99).toFixed(1)} ms while indexing; load ${load()}`,
      );
    }
    pool.close();
    console.log(
      `timeline month page p99: ${pct(busy, 99).toFixed(1)} ms while indexing, ${pct(quiet, 99).toFixed(1)} ms without (p50 ${pct(busy, 50).toFixed(1)} / ${pct(quiet, 50).toFixed(1)}); median p99 ratio ${median(p99s).toFixed(2)} (${Math.min(...p99s).toFixed(2)}–${Math.max(...p99s).toFixed(2)})`,
    );
  } finally {
    await server.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), "people-bench-"));
try {
  console.log(`load before: ${load()}`);
  if (PART !== "page") await indexerPart(dir);
  if (PART !== "indexer") await pagePart(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
