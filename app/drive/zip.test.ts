// Issue 21 #6: names a zip tool reads as a drive letter or a way up (`A: Holidays`, `b:notes.txt`, a folder `C:`,
// an album `..`) are Drive names like any other: every zip (Drive, a folder link, an album link) answers 200 with
// entry names that extract inside the target folder, each file once, its bytes intact.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../test/support/app";
import { GPS_PHOTO } from "../../test/support/share";

let t: TestApp;
const dirs: string[] = [];
afterEach(() => {
  t?.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function* bytes(b: Uint8Array | string) {
  yield typeof b === "string" ? new TextEncoder().encode(b) : b;
}

/** Entry names, as Python's zipfile reads them, and the extracted files (an independent reader, and a real extraction). */
function unzip(zip: Uint8Array): { names: string[]; read: (name: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), "zip-names-"));
  dirs.push(dir);
  writeFileSync(join(dir, "a.zip"), zip);
  const r = Bun.spawnSync([
    "python3",
    "-c",
    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print('\\n'.join(z.namelist())); z.extractall(sys.argv[2])",
    join(dir, "a.zip"),
    join(dir, "out"),
  ]);
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return { names: r.stdout.toString().trim().split("\n"), read: (name) => readFileSync(join(dir, "out", name), "utf8") };
}

/** A name no zip tool may read as absolute, a drive letter, a way up or a separator. */
const safe = (entry: string) =>
  !/^[A-Za-z]:/.test(entry) && !entry.startsWith("/") && !entry.includes("\\") && !entry.split("/").some((s) => s === ".." || s === ".");

test("Drive, folder-link and album-link zips of `A: Holidays`, `b:notes.txt`, `C:` and albums `..`/`C:` answer 200 with safe names", async () => {
  t = createTestApp();
  const { drive, share, photos } = t.services;
  const alice = t.createAdmin("alice");
  const h = t.signIn(alice);
  const holidays = drive.mkdir(alice, undefined, "A: Holidays");
  const c = drive.mkdir(alice, holidays.id, "C:");
  await drive.upload(alice, { parentId: holidays.id, name: "b:notes.txt", conflict: "fail" }, bytes("notes"));
  await drive.upload(alice, { parentId: holidays.id, name: "b_notes.txt", conflict: "fail" }, bytes("the other one"));
  await drive.upload(alice, { parentId: c.id, name: "d:\\x.txt", conflict: "fail" }, bytes("deep"));
  const photo = await drive.upload(alice, { parentId: holidays.id, name: "p.jpg", conflict: "fail" }, bytes(GPS_PHOTO));

  for (const [what, res] of [
    ["Drive, the folder", await t.request(`/api/v1/zip?ids=${holidays.id}`, { headers: h })],
    ["Drive, the folder C:", await t.request(`/api/v1/zip?ids=${c.id}`, { headers: h })],
    ["a folder link", await t.request(`/s/${(await share.create(alice, { fileId: holidays.id })).token}/zip`)],
  ] as const) {
    expect([what, res.status]).toEqual([what, 200]);
    const zip = unzip(new Uint8Array(await res.arrayBuffer()));
    expect([what, zip.names.filter((n) => !safe(n))]).toEqual([what, []]);
    expect([what, new Set(zip.names).size]).toEqual([what, zip.names.length]);
    const notes = zip.names.filter((n) => /notes( \(1\))?\.txt$/.test(n)).map(zip.read);
    if (what !== "Drive, the folder C:") expect([what, notes.sort()]).toEqual([what, ["notes", "the other one"]]);
    expect([what, zip.names.filter((n) => n.endsWith("x.txt")).map(zip.read)]).toEqual([what, ["deep"]]);
  }

  // Albums made before names were checked (kept as they are in the database).
  for (const name of ["..", "C:", "."]) {
    const album = photos.createAlbum(alice, "Trip", [photo.id]);
    t.db.$client.query("UPDATE albums SET name = ? WHERE id = ?").run(name, album.id);
    const res = await t.request(`/s/${(await share.create(alice, { albumId: album.id })).token}/zip`);
    expect([name, res.status]).toEqual([name, 200]);
    const zip = unzip(new Uint8Array(await res.arrayBuffer()));
    expect([name, zip.names.filter((n) => !safe(n)), zip.names.length]).toEqual([name, [], 1]);
  }
});
