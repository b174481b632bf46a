// The scrubber's day counts are kept by triggers (migration 0012): after any mix of inserts, updates and deletes of
// media rows — the pipeline finishing, reprocessing, a Live Photo pairing, a purge cascading from its blob — the
// table must equal the count it stands for. Real SQLite, migrated from before 0012 with rows already in it.
import { afterEach, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "bun:sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import { openDb } from "../platform/db/client";
import { APP_ROOT } from "../platform/paths";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const DAY = 86_400_000;
const direct = (raw: Database) =>
  raw
    .query(
      `SELECT user_id, (taken_at + coalesce(taken_offset, 0) * 60000) / ${DAY} AS day, count(*) AS n FROM media
       WHERE status = 'done' AND taken_at IS NOT NULL AND NOT (kind = 'video' AND live_pair_sha256 IS NOT NULL)
       GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all();
const kept = (raw: Database) => raw.query("SELECT user_id, day, n FROM media_day_counts ORDER BY 1, 2").all();

let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

test("day counts: backfilled by the migration, then kept exact through random inserts, updates and deletes", () => {
  const dir = mkdtempSync(join(tmpdir(), "day-counts-"));
  dirs.push(dir);
  // The migrations up to 0011, with media rows in the database before 0012 arrives.
  const all = join(APP_ROOT, "app/platform/db/migrations");
  const before0012 = join(dir, "migrations");
  cpSync(all, before0012, { recursive: true });
  const journal = JSON.parse(readFileSync(join(all, "meta/_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === "0012_photos_day_counts");
  expect(at).toBeGreaterThan(0);
  writeFileSync(join(before0012, "meta/_journal.json"), JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  const path = join(dir, "db.sqlite");
  const old = openDb(path, { migrate: false });
  migrate(old, { migrationsFolder: before0012 });

  const users = ["u1", "u2"];
  const statuses = ["queued", "processing", "done", "done", "done", "failed", "no-preview"] as const;
  const kinds = ["image", "image", "raw", "video"] as const;
  const base = Date.UTC(2024, 5, 1);
  let next = 0;
  const insert = (raw: Database) => {
    const user = pick(users);
    const sha = (next++).toString(16).padStart(64, "0");
    raw.run("INSERT INTO blobs (user_id, sha256, size, mime, refcount, created_at) VALUES (?, ?, 1, 'image/jpeg', 1, 0)", [user, sha]);
    raw.run(
      "INSERT INTO media (user_id, sha256, kind, status, version, taken_at, taken_offset, live_pair_sha256, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, 0)",
      [
        user,
        sha,
        pick(kinds),
        pick(statuses),
        rand() < 0.1 ? null : base + Math.floor(rand() * 10 * DAY),
        pick([null, 0, 120, -300, 840]),
        rand() < 0.2 ? "x".repeat(64) : null,
      ],
    );
  };
  const setup = old.$client;
  setup.run(
    "INSERT INTO users (id, username, display_name, role, webauthn_user_id, created_at) VALUES ('u1', 'ann', 'Ann', 'admin', 'w1', 1), ('u2', 'ben', 'Ben', 'user', 'w2', 1)",
  );
  for (let i = 0; i < 300; i++) insert(setup);
  const expected = direct(setup);
  setup.close();

  const db = openDb(path); // applies 0012: the backfill
  const raw = db.$client;
  expect(kept(raw)).toEqual(expected);
  expect(expected.length).toBeGreaterThan(10);

  const row = () => raw.query("SELECT user_id, sha256 FROM media ORDER BY random() LIMIT 1").get() as { user_id: string; sha256: string } | null;
  for (let round = 0; round < 40; round++) {
    for (let op = 0; op < 25; op++) {
      const r = row();
      const choice = rand();
      if (!r || choice < 0.2) insert(raw);
      else if (choice < 0.4) raw.run("UPDATE media SET status = ? WHERE user_id = ? AND sha256 = ?", [pick(statuses), r.user_id, r.sha256]);
      else if (choice < 0.55)
        raw.run("UPDATE media SET taken_at = ? WHERE user_id = ? AND sha256 = ?", [
          rand() < 0.1 ? null : base + Math.floor(rand() * 10 * DAY),
          r.user_id,
          r.sha256,
        ]);
      else if (choice < 0.65)
        raw.run("UPDATE media SET taken_offset = ? WHERE user_id = ? AND sha256 = ?", [pick([null, 0, 60, -600, 780]), r.user_id, r.sha256]);
      else if (choice < 0.75)
        raw.run("UPDATE media SET kind = ?, live_pair_sha256 = ? WHERE user_id = ? AND sha256 = ?", [
          pick(kinds),
          rand() < 0.5 ? "y".repeat(64) : null,
          r.user_id,
          r.sha256,
        ]);
      else if (choice < 0.8)
        raw.run("UPDATE media SET city = 'Lisbon', updated_at = ? WHERE user_id = ? AND sha256 = ?", [round, r.user_id, r.sha256]); // not a counted column
      else if (choice < 0.9) raw.run("DELETE FROM media WHERE user_id = ? AND sha256 = ?", [r.user_id, r.sha256]);
      else raw.run("DELETE FROM blobs WHERE user_id = ? AND sha256 = ?", [r.user_id, r.sha256]); // the purge's cascade
    }
    expect(kept(raw)).toEqual(direct(raw));
  }
  // No day is kept at zero.
  expect(raw.query("SELECT count(*) AS n FROM media_day_counts WHERE n <= 0").get()).toEqual({ n: 0 });
  raw.close();
});
