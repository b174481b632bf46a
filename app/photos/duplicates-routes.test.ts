// Duplicates and stacks over HTTP with the real pipeline: groups per owner only, never the trash; keep one with
// undo; another person's ids are 404s; the hash backfill; a RAW+JPEG pair as one tile of the timeline.
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import sharp from "sharp";
import { FIXTURES, mediaTestApp } from "../../test/support/media";
import type { User } from "../platform/db/schema";
import { createHashBackfill } from "../media/hash-backfill";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
const json = (headers: Record<string, string>) => ({ ...headers, accept: "application/json", "content-type": "application/json" });
const post = (headers: Record<string, string>, body: unknown) => ({ method: "POST", headers: json(headers), body: JSON.stringify(body) });

async function seeded() {
  const t = mediaTestApp();
  cleanups.push(t.cleanup);
  const ann = t.createUser("ann");
  const bob = t.createUser("bob");
  const drive = t.services.drive;
  const put = (user: User, folder: string[], name: string, bytes: Uint8Array | Blob) =>
    drive.upload(
      user,
      { parentId: drive.mkdirs(user, undefined, folder).id, name, conflict: "rename" },
      (bytes instanceof Blob ? bytes : new Blob([bytes])).stream() as unknown as AsyncIterable<Uint8Array>,
    );
  const jolla = Bun.file(join(FIXTURES, "phone/jolla.jpg"));
  const arezzo = join(FIXTURES, "gps/DSCN0021.jpg");
  // The same file in two folders; a photo and a smaller re-saved copy of it; something else; Bob's own copy.
  const a1 = await put(ann, ["Phone"], "jolla.jpg", jolla);
  const a2 = await put(ann, ["Backup", "2019"], "jolla copy.jpg", jolla);
  const big = await put(ann, ["Trips"], "DSCN0021.jpg", Bun.file(arezzo));
  const small = await put(ann, ["Shared"], "arezzo-small.jpg", await sharp(arezzo).resize(320).jpeg({ quality: 60 }).withMetadata().toBuffer());
  const other = await put(ann, ["Trips"], "DSCN0010.jpg", Bun.file(join(FIXTURES, "gps/DSCN0010.jpg")));
  const bobs = await put(bob, ["Phone"], "jolla.jpg", jolla);
  await t.drain();
  return { t, ann, bob, a1, a2, big, small, other, bobs, put, A: t.signIn(ann), B: t.signIn(bob) };
}

test("the duplicates page: exact copies and a re-saved copy, side by side with size and folder; per owner, never the trash", async () => {
  const { t, A, B, a1, a2, big, small, other, bobs } = await seeded();
  const page = await (await t.request("/photos/duplicates", { headers: A })).text();
  const groups = [...page.matchAll(/data-ids="([^"]+)"/g)].map((m) => m[1]!.split(",").sort());
  expect(groups.sort()).toEqual([[a1.id, a2.id].sort(), [big.id, small.id].sort()].sort());
  expect(page).not.toContain(other.id);
  expect(page).not.toContain(bobs.id);
  for (const text of ["Backup/2019", "Phone", "Trips", "640 × 480", "320 × 240", "The same file 2 times", "2 similar photos"]) expect(page).toContain(text);
  // Bob has one copy only: nothing, although Ann holds the same bytes.
  expect(await (await t.request("/photos/duplicates", { headers: B })).text()).toContain("No duplicates found.");
  // A trashed copy is no duplicate.
  expect((await t.request("/photos/api/trash", post(A, { ids: [a2.id] }))).status).toBe(200);
  expect(await (await t.request("/photos/duplicates", { headers: A })).text()).not.toContain(a1.id);
}, 60_000);

test("keep this one: the others go to the trash, undo brings them back; another person's ids are 404s", async () => {
  const { t, A, B, big, small, bobs, a1, a2 } = await seeded();
  // Bob cannot keep (or trash through) Ann's photo, nor slip his own id into her group, nor hers into his request.
  expect((await t.request(`/photos/api/duplicates/${big.id}/keep`, post(B, { ids: [big.id, small.id] }))).status).toBe(404);
  expect((await t.request(`/photos/api/duplicates/${big.id}/keep`, post(A, { ids: [big.id, bobs.id] }))).status).toBe(404);
  expect((await t.request(`/photos/api/duplicates/${bobs.id}/keep`, post(B, { ids: [bobs.id, a1.id] }))).status).toBe(404);
  // An id of hers that is not in the group (the page is stale) trashes nothing.
  expect((await t.request(`/photos/api/duplicates/${big.id}/keep`, post(A, { ids: [big.id, a1.id] }))).status).toBe(409);
  expect(await (await t.request("/photos/duplicates", { headers: A })).text()).toContain(small.id);
  const res = await t.request(`/photos/api/duplicates/${big.id}/keep`, post(A, { ids: [big.id, small.id] }));
  expect(res.status).toBe(200);
  expect(((await res.json()) as { ids: string[] }).ids).toEqual([small.id]);
  // The audit row names the photo kept.
  const row = t.db.$client.query("SELECT detail, ok FROM audit_log WHERE action = 'POST /photos/api/duplicates/:id/keep' AND ok = 1").get() as {
    detail: string;
  };
  expect(row.detail).toBe("'DSCN0021.jpg' (1 to the trash)");
  let page = await (await t.request("/photos/duplicates", { headers: A })).text();
  expect(page).not.toContain(small.id);
  expect(page).toContain(a2.id);
  expect((await t.request("/photos/api/restore", post(A, { ids: [small.id] }))).status).toBe(200);
  page = await (await t.request("/photos/duplicates", { headers: A })).text();
  expect(page).toContain(small.id);
}, 60_000);

test("the backfill gives photos processed before hashing their hash from the stored preview, and resumes where it stopped", async () => {
  const { t, ann, A } = await seeded();
  const raw = t.db.$client;
  const page = async () => (await t.request("/photos/duplicates", { headers: A })).text();
  const before = raw.query("SELECT sha256, phash FROM media WHERE user_id = ? ORDER BY sha256").all(ann.id) as { sha256: string; phash: string }[];
  expect(before.every((r) => /^[0-9a-f]{16}$/.test(r.phash))).toBe(true);
  // As rows made before the pipeline hashed: no near duplicates can be found, exact ones still are.
  raw.run("UPDATE media SET phash = NULL, updated_at = updated_at + 1");
  expect(await page()).not.toContain("similar photos");
  expect(await page()).toContain("The same file 2 times");
  const nulls = () => (raw.query("SELECT count(*) AS n FROM media WHERE phash IS NULL").get() as { n: number }).n;
  const all = nulls();
  // One photo per run: a run stopped after it (kill -9) has lost nothing; the next goes on with the rest.
  const backfill = createHashBackfill({ db: t.db, dataDir: t.dataDir, now: () => new Date(), batch: 1 });
  expect(await backfill.run()).toBe(1);
  expect(nulls()).toBe(all - 1);
  while (await backfill.run()) {}
  const after = raw.query("SELECT sha256, phash FROM media WHERE user_id = ? ORDER BY sha256").all(ann.id) as { sha256: string; phash: string }[];
  const { hamming } = await import("./duplicates");
  after.forEach((r, i) => expect(hamming(r.phash, before[i]!.phash)).toBeLessThanOrEqual(3));
  expect(await backfill.run()).toBe(0);
  // The page's cached groups follow (the backfill moves the rows' updated_at).
  expect(await page()).toContain("2 similar photos");
}, 60_000);

test("a RAW+JPEG pair (same name, folder and time) is one tile of the timeline with both members; other grids show each", async () => {
  const { t, ann, A, put } = await seeded();
  const scene = sharp(join(FIXTURES, "orientation/landscape_1.jpg"));
  const sensor = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#333" } })
    .tiff()
    .toBuffer();
  // No EXIF in either: both take their time from the camera's file name (rule 7).
  const jpg = await put(ann, ["Camera"], "IMG_20210704_153012.jpg", await scene.clone().resize(1200).jpeg().toBuffer());
  const nef = await put(ann, ["Camera"], "IMG_20210704_153012.NEF", Buffer.concat([sensor, await scene.clone().resize(1200).jpeg().toBuffer()]));
  await t.drain();
  const month = (await (await t.request("/photos/api/month/2021-07", { headers: A })).json()) as { items: { id: string; s?: { id: string; k: string }[] }[] };
  expect(month.items.map((i) => [i.id, i.s?.map((m) => [m.id, m.k])])).toEqual([
    [
      jpg.id,
      [
        [jpg.id, "image"],
        [nef.id, "raw"],
      ],
    ],
  ]);
  const search = (await (await t.request("/photos/api/month/2021-07?src=search&p=2021", { headers: A })).json()) as { items: { id: string; s?: unknown }[] };
  expect(search.items.map((i) => i.id).sort()).toEqual([jpg.id, nef.id].sort());
  expect(search.items.every((i) => i.s === undefined)).toBe(true);
}, 60_000);
