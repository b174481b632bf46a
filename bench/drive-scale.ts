// Drive at scale, in process (no network): first page of a folder with 100k entries (HTML page and JSON API),
// and FTS5 prefix search over 1M names (top 10, as the autocomplete asks). Prints p50/p95 and the ratio to target.
// Run: bun bench/drive-scale.ts   Env: LIST_ENTRIES (100000), FTS_NAMES (1000000), RUNS (300).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { loadConfig } from "../app/platform/config";
import { openDb } from "../app/platform/db/client";
import { createApp } from "../app/server";

const LIST_ENTRIES = Number(process.env.LIST_ENTRIES ?? 100_000);
const FTS_NAMES = Number(process.env.FTS_NAMES ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 300);
const words = [
  "holiday",
  "invoice",
  "report",
  "scan",
  "photo",
  "budget",
  "draft",
  "music",
  "video",
  "notes",
  "paris",
  "berlin",
  "garden",
  "tax",
  "letter",
  "contract",
  "family",
  "birthday",
  "project",
  "backup",
  "summer",
  "winter",
  "receipt",
  "school",
  "recipe",
];
const exts = ["jpg", "pdf", "docx", "mp4", "txt", "png", "xlsx", "mp3"];

const dataDir = mkdtempSync(join(tmpdir(), "drive-scale-"));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const pick = <T>(xs: T[], i: number) => xs[i % xs.length]!;

try {
  const config = loadConfig([], { DATA_DIR: dataDir, PORT: "8080" });
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const app = createApp({ config, db, secret: randomBytes(32), clientIp: () => "127.0.0.1" });
  const { auth, drive } = app.services;
  const user = auth.users.add({ username: "bench", displayName: "Bench", role: "admin" }, null).user;
  const { token } = auth.tokens.create(user.id, "bench");
  const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
  const root = drive.rootOf(user);
  const big = drive.mkdir(user, root.id, "big");
  const other = drive.mkdir(user, root.id, "other");

  const insert = db.$client.prepare(
    `INSERT INTO files (id, user_id, parent_id, kind, name, sha256, size, mime, starred, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
  );
  const seed = (parentId: string, n: number, offset: number) => {
    const now = Date.now();
    db.$client.transaction(() => {
      for (let i = 0; i < n; i++) {
        const k = offset + i;
        const folder = k % 50 === 0;
        const name = `${pick(words, k * 7)} ${pick(words, k * 13 + 3)} ${k}${folder ? "" : `.${pick(exts, k)}`}`;
        insert.run(
          `b${k.toString(36)}`,
          user.id,
          parentId,
          folder ? "folder" : "file",
          name,
          folder ? null : "0".repeat(64),
          folder ? 0 : k % 100_000,
          folder ? null : "application/octet-stream",
          now - k * 1000,
          now - k * 1000,
        );
      }
    })();
  };

  let t0 = performance.now();
  seed(big.id, LIST_ENTRIES, 0);
  console.log(`seeded ${LIST_ENTRIES} entries in one folder in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const time = async (fn: () => Promise<unknown> | unknown) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const measure = async (label: string, target: number, fn: (i: number) => Promise<unknown> | unknown) => {
    for (let i = 0; i < 10; i++) await fn(i);
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) xs.push(await time(() => fn(i)));
    const p95 = pct(xs, 95);
    console.log(
      `${label.padEnd(44)} p50 ${pct(xs, 50).toFixed(2)} ms · p95 ${p95.toFixed(2)} ms · p95/target ${(p95 / target).toFixed(2)} (target ≤ ${target} ms)`,
    );
  };
  const sorts = ["name", "updated", "size"];
  await measure(`list ${LIST_ENTRIES}: first page, HTML page`, 30, async () => {
    const r = await app.handle(new Request(`http://localhost:8080/drive/f/${big.id}`, { headers }));
    await r.text();
  });
  await measure(`list ${LIST_ENTRIES}: first page, JSON, each sort`, 30, async (i) => {
    const r = await app.handle(new Request(`http://localhost:8080/api/v1/files/${big.id}?sort=${pick(sorts, i)}${i % 2 ? "&desc=1" : ""}`, { headers }));
    await r.json();
  });

  t0 = performance.now();
  const chunk = 100_000;
  for (let done = LIST_ENTRIES; done < FTS_NAMES; done += chunk) seed(other.id, Math.min(chunk, FTS_NAMES - done), done);
  console.log(`seeded ${FTS_NAMES} names in total (FTS5 kept by triggers) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const queries = words.flatMap((w) => [w.slice(0, 2), w.slice(0, 3), w.slice(0, 5), `${w.slice(0, 4)} ${pick(words, w.length).slice(0, 2)}`]);
  await measure(`search ${FTS_NAMES} names: top 10, service`, 20, (i) => drive.search(user, pick(queries, i * 31), 10));
  await measure(`search ${FTS_NAMES} names: top 10, JSON API`, 20, async (i) => {
    const r = await app.handle(new Request(`http://localhost:8080/api/v1/search?q=${encodeURIComponent(pick(queries, i * 17))}`, { headers }));
    await r.json();
  });
  db.$client.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
