// Photos at scale through HTTP against the real server (bun app/main.ts): 200,000 synthetic media rows over 20 years,
// 30 % with GPS. Scrubber buckets, one month's page, the whole world's map clusters, a place search: p50/p95 and the
// ratio to target. Then Chromium on /photos: time to the first thumbnails and DOM nodes while scrolling ten years.
// Run: bun bench/photos.ts   Env: ROWS (200000), RUNS (200), BROWSER (1; 0 skips the Chromium part).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../app/platform/config";
import { openDb } from "../app/platform/db/client";
import { createServices } from "../app/services";
import { launchBrowser, startServer } from "../test/support/browser";

const ROWS = Number(process.env.ROWS ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 200);
const BROWSER = process.env.BROWSER !== "0";
const YEARS = 20;
const DAY = 86_400_000;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
// A fixed-seed generator: every run seeds the same library.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

const dataDir = mkdtempSync(join(tmpdir(), "photos-bench-"));
let server: Awaited<ReturnType<typeof startServer>> | undefined;
try {
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: dataDir }) });
  const user = auth.users.add({ username: "bench", displayName: "Bench", role: "admin" }, null).user;
  const sid = auth.sessions.create(user.id, { ip: "127.0.0.1", userAgent: "bench" });
  const rootId = "benchroot";
  const now = Date.now();
  const places = Array.from({ length: 400 }, (_, i) => ({ city: `Town${i}`, country: `Country${i % 40}`, lat: rand() * 140 - 65, lng: rand() * 340 - 170 }));
  let t0 = performance.now();
  const raw = db.$client;
  raw.transaction(() => {
    raw
      .query("INSERT INTO files (id, user_id, parent_id, kind, name, size, starred, created_at, updated_at) VALUES (?, ?, NULL, 'folder', '', 0, 0, ?, ?)")
      .run(rootId, user.id, now, now);
    const blob = raw.prepare("INSERT INTO blobs (user_id, sha256, size, mime, refcount, created_at) VALUES (?, ?, ?, ?, 1, ?)");
    const file = raw.prepare(
      "INSERT INTO files (id, user_id, parent_id, kind, name, sha256, size, mime, starred, created_at, updated_at) VALUES (?, ?, ?, 'file', ?, ?, ?, ?, 0, ?, ?)",
    );
    const media = raw.prepare(`INSERT INTO media (user_id, sha256, kind, status, version, width, height, taken_at, taken_offset, taken_source, make, model,
      latitude, longitude, city, country, duration_ms, thumbhash, updated_at) VALUES (?, ?, ?, 'done', 1, ?, ?, ?, ?, 'exif-offset', ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (let i = 0; i < ROWS; i++) {
      const sha = i.toString(16).padStart(64, "0");
      const video = rand() < 0.05;
      const taken = now - Math.floor(rand() * YEARS * 365 * DAY);
      const gps = rand() < 0.3 ? places[Math.floor(rand() * places.length)]! : null;
      const portrait = rand() < 0.3;
      blob.run(user.id, sha, 3_000_000, video ? "video/mp4" : "image/jpeg", now);
      file.run(`f${i.toString(36)}`, user.id, rootId, `IMG_${i}.${video ? "mp4" : "jpg"}`, sha, 3_000_000, video ? "video/mp4" : "image/jpeg", now, now);
      media.run(
        user.id,
        sha,
        video ? "video" : "image",
        portrait ? 3000 : 4000,
        portrait ? 4000 : 3000,
        taken,
        60,
        "Canon",
        `EOS ${i % 30}D`,
        gps ? gps.lat + rand() * 0.1 : null,
        gps ? gps.lng + rand() * 0.1 : null,
        gps?.city ?? null,
        gps?.country ?? null,
        video ? 15_000 : null,
        "1QcSHQRnh493V4dIh4eXh1h4kJUI",
        now,
      );
    }
  })();
  raw.exec("ANALYZE");
  console.log(`seeded ${ROWS} rows over ${YEARS} years (30 % with GPS) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  server = await startServer({ dataDir });
  const headers = { cookie: `nas_session=${sid}`, accept: "application/json" };
  const get = async (path: string) => {
    const r = await fetch(`${server!.origin}${path}`, { headers });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const { months } = (await get("/photos/api/buckets")) as { months: { key: string; n: number }[] };
  console.log(`${months.length} month buckets, ${months.reduce((s, m) => s + m.n, 0)} items`);
  t0 = performance.now();
  await get("/photos/api/clusters?z=2");
  console.log(`map index built on the first request in ${(performance.now() - t0).toFixed(0)} ms (then cached)`);

  const rows: string[] = [];
  const measure = async (label: string, target: number, fn: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 5; i++) await fn(i);
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await fn(i);
      xs.push(performance.now() - t);
    }
    const p95 = pct(xs, 95);
    console.log(
      `${label.padEnd(46)} p50 ${pct(xs, 50).toFixed(1)} ms · p95 ${p95.toFixed(1)} ms · p95/target ${(p95 / target).toFixed(2)} (target ≤ ${target} ms)`,
    );
    rows.push(`| ${label} | ${pct(xs, 50).toFixed(1)} ms | ${p95.toFixed(1)} ms | ≤ ${target} ms |`);
  };
  await measure("scrubber buckets (timeline)", 50, () => get("/photos/api/buckets"));
  // The same after every change to the library (as while the worker imports): no cached answer, the full query.
  let touch = now;
  const bump = raw.prepare("UPDATE media SET updated_at = ? WHERE rowid = 1");
  await measure("scrubber buckets, uncached (after a change)", 50, () => (bump.run(++touch), get("/photos/api/buckets")));
  await measure("one month's page", 50, (i) => get(`/photos/api/month/${months[(i * 37) % months.length]!.key}`));
  await measure("map clusters, whole world (z 2)", 100, () => get("/photos/api/clusters?z=2"));
  await measure("place search (buckets of Town<n>)", 50, (i) => get(`/photos/api/buckets?src=search&p=Town${(i * 7) % 400}`));
  await measure("place search, first month's page", 50, async (i) => {
    const q = `Town${(i * 11) % 400}`;
    const b = (await get(`/photos/api/buckets?src=search&p=${q}`)) as { months: { key: string }[] };
    if (b.months[0]) await get(`/photos/api/month/${b.months[0].key}?src=search&p=${q}`);
  });

  if (BROWSER) {
    const browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: server.origin, viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: "nas_session", value: sid, domain: "localhost", path: "/" }]);
    const page = await context.newPage();
    // Synthetic rows have no thumbnail files: answer them with one tiny image so the grid behaves as with real ones.
    const pixel = Buffer.from("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==", "base64");
    await page.route("**/drive/thumb/**", (r) => r.fulfill({ body: pixel, contentType: "image/webp" }));
    t0 = performance.now();
    await page.goto("/photos");
    await page.locator(".photos-tile img").first().waitFor();
    const firstTiles = performance.now() - t0;
    // Page code as strings: this file is type-checked without the DOM library.
    const nodes = () => page.evaluate<number>("document.getElementsByTagName('*').length");
    const counts: number[] = [await nodes()];
    const tenYears = months.findIndex((m) => Number(m.key.slice(0, 4)) <= new Date().getFullYear() - 10);
    for (let i = 0; i < 60; i++) {
      await page.mouse.wheel(0, 6000);
      await page.waitForTimeout(60);
      counts.push(await nodes());
      const reached = await page.evaluate<boolean>(`(document.getElementById("m-${months[tenYears]!.key}")?.getBoundingClientRect().top ?? 1) < 0`);
      if (reached) break;
    }
    await page.locator(".photos-scrub").last().click();
    await page.waitForTimeout(1000);
    counts.push(await nodes());
    const tiles = await page.evaluate<number>("document.querySelectorAll('.photos-tile').length");
    console.log(
      `Chromium: first thumbnails ${firstTiles.toFixed(0)} ms after navigation; DOM nodes min ${Math.min(...counts)} / max ${Math.max(...counts)} while scrolling and jumping to the oldest month (${tiles} tiles in the DOM at the end, of ${ROWS})`,
    );
    rows.push(
      `| Chromium /photos: first thumbnails | ${firstTiles.toFixed(0)} ms | | |`,
      `| Chromium: max DOM nodes scrolling ten years | ${Math.max(...counts)} | | bounded |`,
    );
    await browser.close();
  }
  console.log(`\n| measure (${ROWS} rows, HTTP) | p50 | p95 | target |\n| --- | --- | --- | --- |\n${rows.join("\n")}`);
  raw.close();
} finally {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
