// An existing library made by the previous pipeline (version 1: no zone flag, districts for cities, region codes):
// migration 0013 keeps every row readable, and `nas media reprocess` (the real CLI) redoes them with this one.
import { afterEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import { openDb } from "../platform/db/client";
import { createFileObjects } from "../platform/objects";
import { APP_ROOT, dataPaths } from "../platform/paths";
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

/** Runs the real admin CLI in its own process on a data dir, as an admin would on the box. */
async function nas(dataDir: string, ...args: string[]) {
  const proc = Bun.spawn(["bun", "app/cli.ts", ...args], { cwd: APP_ROOT, env: { ...process.env, DATA_DIR: dataDir }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

test("`nas media reprocess` upgrades a library of the previous pipeline: places, zones, the version; originals untouched", async () => {
  const t = mediaTestApp();
  cleanups.push(t.cleanup);
  const ann = t.createUser("ann");
  const arezzo = await t.upload(ann, join(FIXTURES, "gps/DSCN0010.jpg"));
  const iphone = await t.upload(ann, join(FIXTURES, "makernotes/Apple.jpg"));
  const newYork = await t.upload(ann, join(FIXTURES, "made/newyork-chinatown.jpg"));
  const lisbon = await t.upload(ann, join(FIXTURES, "made/lisbon-alvalade-xmp.png"));
  const xap = await t.upload(ann, join(FIXTURES, "made/xap.jpg"));
  const all = [arezzo, iphone, newYork, lisbon, xap];
  await t.drain();
  // What version 1 stored: no locality, the nearest GeoNames entry as the city ("Chinatown"), the region as a code,
  // no zone flag and no offset (the box's zone applied silently), no place names to search; XMP-only GPS and `xap:`
  // dates were not read at all (no place, the import time).
  t.db.$client.run(
    "UPDATE media SET version = 1, locality = NULL, city = NULL, region = NULL, country = NULL, place_names = NULL, taken_zone_known = 0, taken_offset = NULL, taken_source = 'exif-local'",
  );
  t.db.$client.run("UPDATE media SET city = 'Chinatown', region = '16', country = 'United States' WHERE sha256 = ?", [newYork.sha256]);
  t.db.$client.run("UPDATE media SET latitude = NULL, longitude = NULL WHERE sha256 = ?", [lisbon.sha256]);
  t.db.$client.run("UPDATE media SET taken_at = 1700000000000, taken_source = 'file-time' WHERE sha256 = ?", [xap.sha256]);
  const paths = dataPaths(t.dataDir);
  const objects = createFileObjects({ dataDir: t.dataDir });
  const original = (f: (typeof all)[number]) => {
    const path = objects.localPath(ann.id, f.sha256!);
    return { bytes: createHash("sha256").update(readFileSync(path)).digest("hex"), mtime: statSync(path).mtimeMs };
  };
  const originals = all.map(original);
  const driveRows = () => t.db.$client.query("SELECT id, name, sha256, size, mime, updated_at FROM files WHERE user_id = ? ORDER BY seq").all(ann.id);
  const filesBefore = driveRows();
  const search = async (q: string) =>
    ((await (await t.request(`/photos/api/buckets?src=search&p=${encodeURIComponent(q)}`, { headers: t.signIn(ann) })).json()) as { months: unknown[] }).months
      .length;
  expect(await search("New York")).toBe(0); // the old rows: nothing to find

  const r = await nas(t.dataDir, "media", "reprocess");
  expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining("Queued 5 photos and videos again") });
  expect(await t.drain()).toBe(5);

  expect(t.row(ann, arezzo.sha256)).toMatchObject({ version: MEDIA_PIPELINE_VERSION, locality: "Arezzo", city: "Arezzo", region: "Tuscany", country: "Italy" });
  expect(t.row(ann, arezzo.sha256)).toMatchObject({ takenZoneKnown: false, takenSource: "exif-local" });
  expect(t.row(ann, arezzo.sha256)!.takenOffset).not.toBeNull();
  // The iPhone's zone is found from its GPS clock now: 18:18:05 local, 17:17:58 UTC → +01:00 (Sheffield in September).
  expect(t.row(ann, iphone.sha256)).toMatchObject({ city: "Sheffield", region: "England", takenZoneKnown: true, takenOffset: 60, takenSource: "gps-offset" });
  expect(t.row(ann, iphone.sha256)!.takenAt!.toISOString()).toBe("2016-09-28T17:18:05.000Z");
  expect(t.row(ann, newYork.sha256)).toMatchObject({ locality: "Chinatown", city: "New York City", region: "New York", country: "United States" });
  expect(t.row(ann, lisbon.sha256)).toMatchObject({ city: "Lisbon", country: "Portugal", takenSource: "xmp-offset", takenZoneKnown: true });
  expect(t.row(ann, xap.sha256)).toMatchObject({ takenSource: "xmp-offset", takenZoneKnown: true, takenOffset: 120 });
  expect(t.row(ann, xap.sha256)!.takenAt!.toISOString()).toBe("2005-06-12T12:03:11.000Z");
  for (const f of all) expect(t.row(ann, f.sha256)).toMatchObject({ status: "done", error: null, version: MEDIA_PIPELINE_VERSION });
  expect(await search("New York")).toBe(1);
  expect(await search("Lisboa")).toBe(1);

  // The originals are read, never written: same bytes, same modification time, the same Drive rows.
  expect(all.map(original)).toEqual(originals);
  for (const [i, f] of all.entries()) expect(originals[i]!.bytes).toBe(f.sha256!);
  expect(driveRows()).toEqual(filesBefore);
  for (const f of all) expect(existsSync(paths.derivatives(ann.id, f.sha256!).thumb)).toBe(true);

  expect((await nas(t.dataDir, "media", "reprocess")).stdout).toContain("Every photo and video is up to date.");
}, 180_000);
