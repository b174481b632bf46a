import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import sharp from "sharp";
import { dataPaths } from "../platform/paths";
import { FIXTURES, mediaTestApp } from "../../test/support/media";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

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
