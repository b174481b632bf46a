// Edits over HTTP with the real pipeline and the real edit job (sharp in its child process): the original untouched,
// the derivatives, downloads and the grid following the edit, revert, others' ids, bad parameters, damaged photos.
import { afterEach, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { runCommand } from "../../../hw/run";
import { sha256File } from "../../../hw/files";
import { dataPaths } from "../../platform/paths";
import { createFileObjects } from "../../platform/objects";
import { createJobRunner } from "../../platform/queue/runner";
import { FIXTURES, mediaTestApp } from "../../../test/support/media";
import { editJobs } from "./jobs";
import { createEditRendering } from "./rendering";
import { rmSync } from "node:fs";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
const json = (headers: Record<string, string>) => ({ ...headers, accept: "application/json", "content-type": "application/json" });
const post = (headers: Record<string, string>, body?: unknown) => ({ method: "POST", headers: json(headers), body: JSON.stringify(body ?? {}) });
const size = async (r: Response) => {
  const m = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
  return { width: m.width, height: m.height };
};

async function seeded() {
  const t = mediaTestApp();
  cleanups.push(t.cleanup);
  const ann = t.createUser("ann");
  const bob = t.createUser("bob");
  // Stored 450 × 600 with EXIF orientation 6: upright it is 600 × 450.
  const photo = await t.upload(ann, join(FIXTURES, "orientation/landscape_6.jpg"));
  await t.drain();
  const rendering = createEditRendering({ db: t.db, dataDir: t.dataDir, run: runCommand });
  const runner = createJobRunner({ queue: t.services.jobs, handlers: { "photos.edit": rendering.handler }, log: () => {} });
  const renderAll = async () => {
    let n = 0;
    while (await runner.runOnce()) n++;
    return n;
  };
  const original = createFileObjects({ dataDir: t.dataDir }).localPath(ann.id, photo.sha256!);
  return { t, ann, bob, photo, A: t.signIn(ann), B: t.signIn(bob), renderAll, original, originalSha: sha256File(original) };
}

test("save → the job renders from the original: thumbnail, preview, grid sizes and download follow the edit; the original is untouched; revert restores the original's derivatives", async () => {
  const { t, ann, photo, A, renderAll, original, originalSha } = await seeded();
  const paths = dataPaths(t.dataDir).derivatives(ann.id, photo.sha256!);
  const thumbBefore = await (await t.request(`/drive/thumb/${photo.id}`, { headers: A })).arrayBuffer();
  expect(Buffer.from(thumbBefore).equals(Buffer.from(await Bun.file(paths.thumb).arrayBuffer()))).toBe(true);

  const fresh = (await (await t.request(`/photos/api/edit/${photo.id}`, { headers: A })).json()) as { edited: boolean; width: number; height: number };
  expect(fresh).toMatchObject({ edited: false, width: 600, height: 450 });
  // A quarter turn of the upright 600 × 450 (→ 450 × 600), keeping the top half, a little brighter.
  const saved = await t.request(`/photos/api/edit/${photo.id}`, post(A, { rotate: 90, crop: { x: 0, y: 0, w: 1, h: 0.5 }, ratio: "free", brightness: 30 }));
  expect(saved.status).toBe(200);
  expect(await saved.json()).toMatchObject({ edited: true, rendered: false, editedBy: "ann", params: { rotate: 90, brightness: 30 } });
  // Nothing is rendered in the request: until the job runs, the original's thumbnail shows.
  expect(existsSync(paths.editThumb)).toBe(false);
  expect(await renderAll()).toBe(1);
  expect(await (await t.request(`/photos/api/edit/${photo.id}`, { headers: A })).json()).toMatchObject({ rendered: true, error: null });

  expect(await size(await t.request(`/media/preview/${photo.id}`, { headers: A }))).toEqual({ width: 450, height: 300 });
  const thumb = await t.request(`/drive/thumb/${photo.id}?e=1`, { headers: A });
  // 250 px on the short side, as the pipeline's thumbnails are.
  expect(await size(thumb)).toEqual({ width: 375, height: 250 });
  const month = (await (await t.request("/photos/api/buckets", { headers: A })).json()) as { months: { key: string }[] };
  const items = (await (await t.request(`/photos/api/month/${month.months[0]!.key}`, { headers: A })).json()) as { items: Record<string, unknown>[] };
  expect(items.items[0]).toMatchObject({ id: photo.id, w: 450, h: 300, e: 1, o: false });
  const download = await t.request(`/photos/download/${photo.id}`, { headers: A });
  expect(download.headers.get("content-disposition")).toContain("landscape_6-edited.jpg");
  expect(await size(download)).toEqual({ width: 450, height: 300 });
  const asStored = await t.request(`/photos/download/${photo.id}?original=1`, { headers: A });
  expect(new Bun.CryptoHasher("sha256").update(await asStored.arrayBuffer()).digest("hex")).toBe(originalSha);
  expect(sha256File(original)).toBe(originalSha);
  const info = await (await t.request(`/photos/api/info/${photo.id}`, { headers: A })).text();
  expect(info).toContain("Download edited");
  expect(info).toContain("Download original");

  // A second save is a new revision with new addresses.
  await t.request(`/photos/api/edit/${photo.id}`, post(A, { rotate: 180 }));
  expect(await renderAll()).toBe(1);
  const again = (await (await t.request(`/photos/api/month/${month.months[0]!.key}`, { headers: A })).json()) as { items: Record<string, unknown>[] };
  expect(again.items[0]).toMatchObject({ w: 600, h: 450, e: 2 });

  const reverted = await t.request(`/photos/api/edit/${photo.id}/revert`, post(A));
  expect(await reverted.json()).toMatchObject({ edited: false });
  const thumbAfter = await (await t.request(`/drive/thumb/${photo.id}`, { headers: A })).arrayBuffer();
  expect(Buffer.from(thumbAfter).equals(Buffer.from(thumbBefore))).toBe(true);
  expect(await size(await t.request(`/media/preview/${photo.id}`, { headers: A }))).toEqual({ width: 600, height: 450 });
  for (const p of [paths.editThumb, paths.editPreview, paths.editFull]) expect(existsSync(p)).toBe(false);
  const plain = (await (await t.request(`/photos/api/month/${month.months[0]!.key}`, { headers: A })).json()) as { items: Record<string, unknown>[] };
  expect(plain.items[0]).toMatchObject({ w: 600, h: 450, e: null, o: true });
  const afterRevert = await t.request(`/photos/download/${photo.id}`, { headers: A });
  expect(new Bun.CryptoHasher("sha256").update(await afterRevert.arrayBuffer()).digest("hex")).toBe(originalSha);
  // The audit log names the photo ("edited the photo 'landscape_6.jpg' (the original is kept)" on the page).
  expect(t.db.$client.query("SELECT action, detail FROM audit_log ORDER BY id").all()).toEqual([
    { action: "POST /photos/api/edit/:id", detail: "'landscape_6.jpg'" },
    { action: "POST /photos/api/edit/:id", detail: "'landscape_6.jpg'" },
    { action: "POST /photos/api/edit/:id/revert", detail: "'landscape_6.jpg'" },
  ]);
}, 120_000);

test("a revert while the render runs leaves no edited file behind", async () => {
  const { t, ann, photo, A, renderAll } = await seeded();
  await t.request(`/photos/api/edit/${photo.id}`, post(A, { rotate: 90 }));
  // The row goes before the job runs (the same as a revert landing mid-render: the job checks after writing).
  await t.request(`/photos/api/edit/${photo.id}/revert`, post(A));
  expect(await renderAll()).toBe(1);
  const paths = dataPaths(t.dataDir).derivatives(ann.id, photo.sha256!);
  for (const p of [paths.editThumb, paths.editPreview, paths.editFull]) expect(existsSync(p)).toBe(false);
}, 60_000);

test("another person's photo is a 404 for reading, saving and reverting its edit; bad parameters are a 400 with a sentence", async () => {
  const { t, photo, A, B } = await seeded();
  expect((await t.request(`/photos/api/edit/${photo.id}`, { headers: B })).status).toBe(404);
  expect((await t.request(`/photos/api/edit/${photo.id}`, post(B, { rotate: 90 }))).status).toBe(404);
  expect((await t.request(`/photos/api/edit/${photo.id}/revert`, post(B))).status).toBe(404);
  expect((await t.request(`/photos/download/${photo.id}`, { headers: B })).status).toBe(404);
  expect(t.db.$client.query("SELECT count(*) AS n FROM photo_edits").get()).toEqual({ n: 0 });
  const bad = await t.request(`/photos/api/edit/${photo.id}`, post(A, { rotate: 45 }));
  expect(bad.status).toBe(400);
  expect(await bad.text()).toContain("rotate must be 0, 90, 180 or 270 degrees.");
  const crop = await t.request(`/photos/api/edit/${photo.id}`, post(A, { crop: { x: 0.5, y: 0, w: 0.9, h: 1 } }));
  expect(crop.status).toBe(400);
  expect(await crop.text()).toContain("crop must lie inside the photo");
  const notJson = await t.request(`/photos/api/edit/${photo.id}`, { method: "POST", headers: json(A), body: "{nope" });
  expect(notJson.status).toBe(400);
  expect(t.db.$client.query("SELECT count(*) AS n FROM photo_edits").get()).toEqual({ n: 0 });
}, 60_000);

test("damaged photos: one the pipeline could not read is refused with its reason; one the renderer cannot decode keeps its edit, says why, and shows the original", async () => {
  const { t, ann, A, renderAll } = await seeded();
  const notAnImage = await t.upload(ann, join(FIXTURES, "README.md"), "holiday.jpg");
  // libvips gives up on its corrupt restart intervals (the pipeline's thumbnail came from ffmpeg's salvage).
  const corrupt = await t.upload(ann, join(FIXTURES, "damaged/corrupted.jpg"));
  await t.drain();
  const refused = await t.request(`/photos/api/edit/${notAnImage.id}`, post(A, { rotate: 90 }));
  expect(refused.status).toBe(422);
  expect(await refused.text()).toContain("This photo cannot be edited: it could not be read");
  const thumbBefore = Buffer.from(await (await t.request(`/drive/thumb/${corrupt.id}`, { headers: A })).arrayBuffer());
  expect((await t.request(`/photos/api/edit/${corrupt.id}`, post(A, { rotate: 90, saturation: -50 }))).status).toBe(200);
  expect(await renderAll()).toBe(1);
  const state = (await (await t.request(`/photos/api/edit/${corrupt.id}`, { headers: A })).json()) as Record<string, unknown>;
  expect(state).toMatchObject({ edited: true, rendered: false, params: { rotate: 90, saturation: -50 } });
  expect(state.error).toStartWith("This photo could not be decoded for editing");
  expect(Buffer.from(await (await t.request(`/drive/thumb/${corrupt.id}`, { headers: A })).arrayBuffer()).equals(thumbBefore)).toBe(true);
  expect(t.services.jobs.recentOfKind("photos.edit", 10).map((j) => j.status)).toEqual(["done"]);
}, 120_000);

test("a share link serves the edited photo (download and inline, no metadata), the original with ?original=1, and the edit's thumbnail", async () => {
  const { t, ann, photo, A, renderAll } = await seeded();
  await t.request(`/photos/api/edit/${photo.id}`, post(A, { rotate: 90 }));
  await renderAll();
  const { token } = await t.services.share.create(ann, { fileId: photo.id });
  for (const q of ["", "?download=1"]) {
    const r = await t.request(`/s/${token}/content/${photo.id}${q}`);
    expect(r.status).toBe(200);
    const bytes = Buffer.from(await r.arrayBuffer());
    // Upright 600 × 450 turned a quarter; no EXIF (sharp writes none).
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format: "jpeg", width: 450, height: 600, hasProfile: false });
    expect(meta.exif).toBeUndefined();
  }
  const original = await t.request(`/s/${token}/content/${photo.id}?original=1&download=1`);
  // The original's own bytes (stored 450 × 600, with its ICC profile, which the edit's JPEG does not carry), its places
  // cleaned as links clean originals.
  expect(await sharp(Buffer.from(await original.arrayBuffer())).metadata()).toMatchObject({ width: 450, height: 600, hasProfile: true });
  const thumb = await t.request(`/s/${token}/thumb/${photo.id}`);
  expect(await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).toMatchObject({ format: "webp", width: 250, height: 333 });
}, 60_000);

test("rendered files that went missing (a restore, a cleanup) are rendered again by the hourly check", async () => {
  const { t, ann, photo, A, renderAll } = await seeded();
  await t.request(`/photos/api/edit/${photo.id}`, post(A, { rotate: 90 }));
  await renderAll();
  const paths = dataPaths(t.dataDir).derivatives(ann.id, photo.sha256!);
  for (const p of [paths.editThumb, paths.editPreview, paths.editFull]) rmSync(p);
  const handlers = editJobs.handlers({ db: t.db, dataDir: t.dataDir, media: { run: runCommand }, queue: t.services.jobs });
  const checker = createJobRunner({ queue: t.services.jobs, handlers: { "photos.edit.check": handlers["photos.edit.check"] }, log: () => {} });
  t.services.jobs.enqueue("photos.edit.check", {});
  expect(await checker.runOnce()).toBe(true);
  expect(await renderAll()).toBe(1);
  for (const p of [paths.editThumb, paths.editPreview, paths.editFull]) expect(existsSync(p)).toBe(true);
  // Nothing missing: nothing queued.
  t.services.jobs.enqueue("photos.edit.check", {});
  await checker.runOnce();
  expect(await renderAll()).toBe(0);
}, 60_000);
