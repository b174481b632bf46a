// An existing library made by the previous pipeline (version 1: no zone flag, districts for cities, region codes):
// migration 0013 keeps every row readable, and `nas media reprocess` (media.reprocess) redoes them with this one.
import { afterEach, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import { openDb } from "../platform/db/client";
import { APP_ROOT } from "../platform/paths";
import { FIXTURES, mediaTestApp } from "../../test/support/media";
import { MEDIA_PIPELINE_VERSION } from "./model";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

test("migration 0013: old source names become the new ones, a recorded offset is a known zone", () => {
  const dir = mkdtempSync(join(tmpdir(), "media-0013-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const all = join(APP_ROOT, "app/platform/db/migrations");
  const before = join(dir, "migrations");
  cpSync(all, before, { recursive: true });
  const journal = JSON.parse(readFileSync(join(all, "meta/_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === "0013_media_when_where");
  expect(at).toBeGreaterThan(0);
  writeFileSync(join(before, "meta/_journal.json"), JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  const db = openDb(join(dir, "db.sqlite"), { migrate: false });
  migrate(db, { migrationsFolder: before });
  const raw = db.$client;
  raw.run("INSERT INTO users (id, username, display_name, role, webauthn_user_id, created_at) VALUES ('u1', 'ann', 'Ann', 'admin', 'w1', 1)");
  const rows: [string, string, number | null][] = [
    ["1", "box-timezone", null],
    ["2", "file-mtime", null],
    ["3", "exif-offset", 60],
    ["4", "container", null],
  ];
  for (const [n, source, offset] of rows) {
    const sha = n.padStart(64, "0");
    raw.run("INSERT INTO blobs (user_id, sha256, size, mime, refcount, created_at) VALUES ('u1', ?, 1, 'image/jpeg', 1, 0)", [sha]);
    raw.run(
      "INSERT INTO media (user_id, sha256, kind, status, version, taken_at, taken_offset, taken_source, city, region, updated_at) VALUES ('u1', ?, 'image', 'done', 1, 0, ?, ?, 'Alvalade', '14', 0)",
      [sha, offset, source],
    );
  }
  migrate(db, { migrationsFolder: all });
  expect(raw.query("SELECT taken_source AS s, taken_zone_known AS k, damaged AS d FROM media ORDER BY sha256").all()).toEqual([
    { s: "exif-local", k: 0, d: 0 },
    { s: "file-time", k: 0, d: 0 },
    { s: "exif-offset", k: 1, d: 0 },
    { s: "container", k: 0, d: 0 },
  ]);
  db.$client.close();
});

test("media reprocess upgrades rows of the previous pipeline: place names and hierarchy, the zone flag, the version", async () => {
  const t = mediaTestApp();
  cleanups.push(t.cleanup);
  const ann = t.createUser("ann");
  const arezzo = await t.upload(ann, join(FIXTURES, "gps/DSCN0010.jpg"));
  const iphone = await t.upload(ann, join(FIXTURES, "makernotes/Apple.jpg"));
  await t.drain();
  // What version 1 stored: the nearest GeoNames entry as the city, the region as a code, no zone flag, the box's
  // zone applied to the wall clock without recording an offset.
  t.db.$client.run(
    "UPDATE media SET version = 1, locality = NULL, region = '16', place_names = NULL, taken_zone_known = 0, taken_offset = NULL, taken_source = 'exif-local'",
  );
  expect(t.services.media.reprocess()).toBe(2);
  expect(await t.drain()).toBe(2);
  expect(t.row(ann, arezzo.sha256)).toMatchObject({
    version: MEDIA_PIPELINE_VERSION,
    locality: "Arezzo",
    region: "Tuscany",
    takenZoneKnown: false,
    takenSource: "exif-local",
  });
  expect(t.row(ann, arezzo.sha256)!.takenOffset).not.toBeNull();
  // The iPhone's zone is found from its GPS clock now: 18:18:05 local, 17:17:58 UTC → +01:00 (Sheffield in September).
  expect(t.row(ann, iphone.sha256)).toMatchObject({ city: "Sheffield", region: "England", takenZoneKnown: true, takenOffset: 60, takenSource: "gps-offset" });
  expect(t.row(ann, iphone.sha256)!.takenAt!.toISOString()).toBe("2016-09-28T17:18:05.000Z");
  expect(t.services.media.reprocess()).toBe(0);
});
