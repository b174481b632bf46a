// People's indexer child (app/people/pool.ts → indexer.ts) on this machine: photos per second of one child at 1024 px
// (the detector's size), and the child's resident memory over many photos (sampled after each photo: the peak and the
// last 100's mean against the first 100's, to show it stays flat). The photos are the fixtures (faces, animals,
// things) and their mirrored and darker variants, cycled. Run: bun bench/people.ts   Env: PHOTOS (1000), ROUNDS (3).
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import sharp, { type Sharp } from "sharp";
import { createIndexerPool } from "../app/people/pool";

const PHOTOS = Number(process.env.PHOTOS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const dir = mkdtempSync(join(tmpdir(), "people-bench-"));
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
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // One child as the worker runs it (replaced after 300 photos or 420 MB), never restarted here by a memory ceiling
    // we do not see: the ceiling is the default one.
    const pool = createIndexerPool({ size: 1 });
    const rss: number[] = [];
    await pool.index(inputs[0]!, join(dir, "warm-face")); // the models load: not counted
    const t0 = performance.now();
    for (let i = 0; i < PHOTOS; i++) {
      await pool.index(inputs[i % inputs.length]!, join(dir, `face-${i % 50}-`));
      rss.push(pool.stats.lastRss);
    }
    const s = (performance.now() - t0) / 1000;
    rates.push(PHOTOS / s);
    const mb = (b: number) => (b / 1024 ** 2).toFixed(0);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `round ${round + 1}: ${PHOTOS} photos in ${s.toFixed(1)} s = ${(PHOTOS / s).toFixed(2)} photos/s; child RSS peak ${mb(pool.stats.peakRss)} MB, first 100 ${mb(mean(rss.slice(0, 100)))} MB, last 100 ${mb(mean(rss.slice(-100)))} MB; children started ${pool.stats.started}; load ${loadavg()[0]!.toFixed(2)}`,
    );
    pool.close();
  }
  console.log(`median ${median(rates).toFixed(2)} photos/s per child (spread ${Math.min(...rates).toFixed(2)}–${Math.max(...rates).toFixed(2)})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
