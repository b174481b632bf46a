import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { createMediaRepo } from "./repo";
import { createMediaService } from "./service";
import { dataPaths } from "../platform/paths";
import { FIXTURES, mediaTestApp } from "../../test/support/media";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** Every item of Photos' timeline JSON, across its months, by id. */
async function timelineItems(t: ReturnType<typeof mediaTestApp>, headers: Record<string, string>) {
  const { months } = (await (await t.request("/photos/api/buckets", { headers })).json()) as { months: { key: string }[] };
  const items: Record<string, { z: boolean }> = {};
  for (const m of months) {
    const page = (await (await t.request(`/photos/api/month/${m.key}`, { headers })).json()) as { items: { id: string; z: boolean }[] };
    for (const i of page.items) items[i.id] = i;
  }
  return items;
}

async function twoUsers() {
  const t = mediaTestApp();
  cleanups.push(t.cleanup);
  const ann = t.createUser("ann");
  const bob = t.createUser("bob");
  const photo = await t.upload(ann, join(FIXTURES, "gps/DSCN0021.jpg"));
  return { t, ann, bob, photo, A: t.signIn(ann), B: t.signIn(bob) };
}

test("the Drive thumbnail is the pipeline's once it exists, the on-demand preview before", async () => {
  const { t, photo, A } = await twoUsers();
  const before = await t.request(`/drive/thumb/${photo.id}`, { headers: A });
  expect(before.status).toBe(200);
  expect((await sharp(Buffer.from(await before.arrayBuffer())).metadata()).width).toBe(640); // the 960-px fallback keeps 640
  await t.drain();
  const after = await t.request(`/drive/thumb/${photo.id}`, { headers: A });
  expect(after.headers.get("content-type")).toBe("image/webp");
  expect(await sharp(Buffer.from(await after.arrayBuffer())).metadata()).toMatchObject({ width: 333, height: 250 });
  const preview = await t.request(`/media/preview/${photo.id}`, { headers: A });
  expect(preview.status).toBe(200);
  expect(preview.headers.get("content-type")).toBe("image/jpeg");
});

test("user B never gets user A's derivatives, by id or by path", async () => {
  const { t, ann, photo, B } = await twoUsers();
  await t.drain();
  const paths = dataPaths(t.dataDir).derivatives(ann.id, photo.sha256!);
  for (const url of [`/drive/thumb/${photo.id}`, `/media/preview/${photo.id}`, `/media/video/${photo.id}`]) {
    const r = await t.request(url, { headers: B });
    expect(r.status).toBe(404);
    expect(await r.text()).not.toContain(ann.id);
  }
  // Paths, hashes and traversal in the id position name nothing: ids are looked up, never joined into paths.
  const rel = paths.thumb.slice(t.dataDir.length);
  for (const id of [photo.sha256!, encodeURIComponent(`..${rel}`), encodeURIComponent(paths.thumb), `..%2F..%2Fthumbs%2F${ann.id}`]) {
    for (const prefix of ["/drive/thumb/", "/media/preview/"]) {
      const r = await t.request(prefix + id, { headers: B });
      expect([400, 404]).toContain(r.status);
      expect(r.headers.get("content-type")).not.toMatch(/^image\//);
    }
  }
  expect((await t.request(`/media/preview/${photo.id}`)).status).not.toBe(200); // signed out
});

test("the progress fragment counts one person's media and polls itself only while work is pending", async () => {
  const { t, ann, A, B } = await twoUsers();
  await t.upload(ann, join(FIXTURES, "gps/DSCN0027.jpg"));
  const busy = await (await t.request("/media/progress", { headers: A })).text();
  expect(busy).toContain("Processing 0 of 2 photos and videos");
  expect(busy).toContain('hx-trigger="load delay:2s"');
  expect(await (await t.request("/media/progress", { headers: B })).text()).not.toContain("Processing");
  const page = await (await t.request("/drive", { headers: A })).text();
  expect(page).toContain('id="media-progress"');
  await t.drain();
  const idle = await (await t.request("/media/progress", { headers: A })).text();
  expect(idle).toContain("2 photos and videos processed");
  expect(idle).not.toContain("load delay");
});

test("the dashboard's jobs card shows media progress and the encoder; only the admin may re-process", async () => {
  const { t, A } = await twoUsers();
  const admin = t.createAdmin();
  const H = t.signIn(admin);
  // The worker writes its choice to the shared settings table at start.
  t.db.$client.run(`INSERT INTO settings (key, value) VALUES ('media.encoder', ?)`, [
    JSON.stringify({
      encoder: "libx264",
      label: "software (libx264)",
      reason: "no /dev/dri render node or /dev/video device <img src=x onerror=alert(1)>",
      checkedAt: "2026-11-30T00:00:00Z",
    }),
  ]);
  const live = await (await t.request("/dashboard/fragments/live", { headers: H })).text();
  expect(live).toContain("Media: 0 of 1 processed");
  expect(live).toContain("Video encoder: software (libx264) — no /dev/dri render node or /dev/video device &lt;img src=x onerror=alert(1)&gt;");
  expect((await t.request("/media/reprocess", { method: "POST", headers: A })).status).toBe(403);
  await t.drain();
  expect(await (await t.request("/media/reprocess", { method: "POST", headers: H })).text()).toContain("Everything is up to date.");
  t.db.$client.run("UPDATE media SET version = 0");
  expect(await (await t.request("/media/reprocess", { method: "POST", headers: H })).text()).toContain("1 photos and videos queued again.");
  expect(t.services.jobs.counts().queued).toBe(1);
});

test("full resolution on demand for photos browsers cannot show (HEIC, TIFF, RAW; marked z for the lightbox): real pixels, upright, cached, bounded; none for a JPEG or another user", async () => {
  const { t, ann, photo, A, B } = await twoUsers();
  // A 2400 × 1600 TIFF (larger than the 1440-px preview) with EXIF orientation 6, and the small HEIC of the fixtures.
  const dir = join(t.dataDir, "..", `full-${ann.id}`);
  mkdirSync(dir, { recursive: true });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const tiffPath = join(dir, "scan.tiff");
  await sharp(join(FIXTURES, "gps/DSCN0021.jpg")).resize(2400, 1600).withMetadata({ orientation: 6 }).tiff().toFile(tiffPath);
  const tiff = await t.upload(ann, tiffPath);
  const heic = await t.upload(ann, join(FIXTURES, "made/munich.heic"));
  // Shaped like a camera RAW (as in pipeline.test.ts): a TIFF saying Orientation 6, a small thumbnail, then a
  // 2000 × 1500 JPEG preview of a real photo, larger than the 1440-px preview the pipeline keeps.
  const sensor = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#333" } })
    .tiff()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const scene = sharp(join(FIXTURES, "gps/DSCN0010.jpg"));
  const rawPath = join(dir, "DSC_0001.NEF");
  await Bun.write(
    rawPath,
    Buffer.concat([sensor, await scene.clone().resize(160, 120).jpeg().toBuffer(), await scene.clone().resize(2000, 1500).jpeg().toBuffer()]),
  );
  const raw = await t.upload(ann, rawPath);
  await t.drain();
  // Photos' JSON tells the lightbox which photos zoom through /media/full (z) and which through their original.
  const zoomed = Object.fromEntries(Object.entries(await timelineItems(t, A)).map(([id, i]) => [id, i.z]));
  expect(zoomed).toMatchObject({ [tiff.id]: true, [heic.id]: true, [raw.id]: true, [photo.id]: false });
  const fromRaw = await t.request(`/media/full/${raw.id}`, { headers: A });
  expect(fromRaw.status).toBe(200);
  expect(await sharp(Buffer.from(await fromRaw.arrayBuffer())).metadata()).toMatchObject({ format: "jpeg", width: 1500, height: 2000 });
  const full = await t.request(`/media/full/${tiff.id}`, { headers: A });
  expect(full.status).toBe(200);
  expect(full.headers.get("content-type")).toBe("image/jpeg");
  expect(await sharp(Buffer.from(await full.arrayBuffer())).metadata()).toMatchObject({ format: "jpeg", width: 1600, height: 2400 });
  const fromHeic = await t.request(`/media/full/${heic.id}`, { headers: A });
  expect(await sharp(Buffer.from(await fromHeic.arrayBuffer())).metadata()).toMatchObject({ width: 160, height: 120 });
  // Made once: the second request serves the cached file.
  const cached = dataPaths(t.dataDir).derivatives(ann.id, tiff.sha256!).full;
  const made = statSync(cached).ino;
  expect((await t.request(`/media/full/${tiff.id}`, { headers: A })).status).toBe(200);
  expect(statSync(cached).ino).toBe(made);
  // A JPEG is zoomed as its original; another user's id is a 404 like everywhere in Drive.
  expect((await t.request(`/media/full/${photo.id}`, { headers: A })).status).toBe(404);
  expect((await t.request(`/media/full/${tiff.id}`, { headers: B })).status).toBe(404);
  // The cache is bounded: with a budget below two renditions, the least recently viewed goes when another is made.
  const media = createMediaService({
    repo: createMediaRepo(t.db),
    jobs: t.services.jobs,
    dataDir: t.dataDir,
    setting: () => undefined,
    now: () => new Date(),
    fullResBudget: statSync(cached).size + 1,
  });
  const heicFull = dataPaths(t.dataDir).derivatives(ann.id, heic.sha256!).full;
  rmSync(heicFull);
  utimesSync(cached, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  expect(await media.fullResolution(heic)).toBe(heicFull);
  expect(existsSync(cached)).toBe(false);
  expect(existsSync(heicFull)).toBe(true);
  // Purging the content removes its rendition with the other derivatives.
  t.services.media.contentRemoved(ann.id, heic.sha256!);
  expect(existsSync(heicFull)).toBe(false);
}, 120_000);

test("what could not be processed: listed for its owner only, escaped, and retried through Drive's access check", async () => {
  const { t, photo, A, B } = await twoUsers();
  await t.drain();
  t.db.$client.run("UPDATE media SET status = 'failed', error = ?", ["Not a picture <img src=x onerror=alert(1)>"]);
  expect(await (await t.request("/media/progress", { headers: A })).text()).toContain('href="/media/failed"');
  const mine = await (await t.request("/media/failed", { headers: A })).text();
  expect(mine).toContain("DSCN0021.jpg");
  expect(mine).toContain("Not a picture &lt;img src=x onerror=alert(1)&gt;");
  expect(await (await t.request("/media/failed", { headers: B })).text()).toContain("Nothing failed.");
  const queued = () => t.services.jobs.counts().queued ?? 0;
  const before = queued();
  // Another person's file id, a path and a made-up id name nothing and queue nothing.
  for (const id of [photo.id, encodeURIComponent("../../db.sqlite"), "nope"]) {
    const r = await t.request(`/media/failed/${id}/retry`, { method: "POST", headers: B });
    expect([400, 404]).toContain(r.status);
  }
  expect(queued()).toBe(before);
  const ok = await t.request(`/media/failed/${photo.id}/retry`, { method: "POST", headers: A });
  expect(ok.status).toBe(303);
  expect(queued()).toBe(before + 1);
  expect(await (await t.request("/media/failed", { headers: A })).text()).toContain("Nothing failed.");
});
