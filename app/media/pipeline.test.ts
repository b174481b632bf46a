import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { orient } from "./image";
import { dataPaths } from "../platform/paths";
import { FIXTURES, mediaTestApp } from "../../test/support/media";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function setup() {
  const t = mediaTestApp();
  cleanups.push(t.cleanup);
  return { t, ann: t.createUser("ann") };
}

describe("photos", () => {
  test("thumbnails are upright and of the right size for all 8 EXIF orientations", async () => {
    const { t, ann } = setup();
    const files = [];
    for (let o = 1; o <= 8; o++) files.push(await t.upload(ann, join(FIXTURES, `orientation/landscape_${o}.jpg`)));
    expect(await t.drain()).toBe(8);
    const pixels = async (path: string) => await sharp(path).resize(32, 24, { fit: "fill" }).greyscale().raw().toBuffer();
    const reference = await pixels(dataPaths(t.dataDir).derivatives(ann.id, files[0]!.sha256!).thumb);
    for (const [i, f] of files.entries()) {
      const row = t.row(ann, f.sha256)!;
      expect(row).toMatchObject({ status: "done", error: null, width: 600, height: 450, orientation: i + 1 });
      const paths = dataPaths(t.dataDir).derivatives(ann.id, f.sha256!);
      expect(await sharp(paths.thumb).metadata()).toMatchObject({ format: "webp", width: 333, height: 250 });
      // Every thumbnail looks like the orientation-1 one (same scene, upright): small mean difference.
      const p = await pixels(paths.thumb);
      const diff = p.reduce((s, v, k) => s + Math.abs(v - reference[k]!), 0) / p.length;
      expect(diff).toBeLessThan(12);
      const preview = await sharp(paths.preview).metadata();
      expect(preview).toMatchObject({ format: "jpeg", width: 600, height: 450 });
      expect(preview.exif).toBeUndefined(); // derivatives carry no metadata
      expect(row.thumbhash!.length).toBeGreaterThan(10);
    }
  });

  test("a photo in Display P3 comes out as sRGB pixels, without a profile", async () => {
    const { t, ann } = setup();
    const dir = mkdtempSync(join(tmpdir(), "nas-p3-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // sRGB green (0, 200, 0) stored as Display P3 numbers (≈ 90, 197, 59) with the P3 profile embedded.
    const path = join(dir, "p3.jpg");
    await Bun.write(
      path,
      await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 0, g: 200, b: 0 } } })
        .withIccProfile("p3")
        .jpeg({ quality: 100 })
        .toBuffer(),
    );
    const stored = await sharp(path).keepIccProfile().raw().toBuffer();
    expect(stored[0]).toBeGreaterThan(60); // really P3 numbers on disk
    const f = await t.upload(ann, path);
    await t.drain();
    const preview = dataPaths(t.dataDir).derivatives(ann.id, f.sha256!).preview;
    expect((await sharp(preview).metadata()).icc).toBeUndefined();
    const [r, g, b] = await sharp(preview).raw().toBuffer();
    expect(r!).toBeLessThan(12);
    expect(Math.abs(g! - 200)).toBeLessThan(6);
    expect(b!).toBeLessThan(12);
  });

  test("GPS photos get the offline place name and the camera's metadata", async () => {
    const { t, ann } = setup();
    const f = await t.upload(ann, join(FIXTURES, "gps/DSCN0010.jpg"));
    await t.drain();
    expect(t.row(ann, f.sha256)).toMatchObject({
      status: "done",
      locality: "Arezzo",
      city: "Arezzo",
      region: "Tuscany",
      country: "Italy",
      placeNames: "|l:arezzo|c:arezzo|r:tuscany|k:italy|k:italia|",
      make: "NIKON",
      model: "COOLPIX P6000",
      fNumber: 5.9,
      iso: 64,
      focalLength: 24,
      // The camera wrote no zone and its GPS clock is a day off: the wall clock stays, the zone is unknown.
      takenSource: "exif-local",
      takenZoneKnown: false,
      damaged: false,
    });
    expect(t.row(ann, f.sha256)!.latitude).toBeCloseTo(43.46745, 4);
  });

  test("the iPhone HEIC gets a thumbnail (decoded by libheif-js) and its metadata", async () => {
    const { t, ann } = setup();
    const f = await t.upload(ann, join(FIXTURES, "phone/iphone_13_pro_max.HEIC"));
    await t.drain();
    const row = t.row(ann, f.sha256)!;
    expect(row).toMatchObject({
      status: "done",
      width: 3024,
      height: 4032,
      make: "Apple",
      model: "iPhone 13 Pro Max",
      takenOffset: 60,
      takenSource: "exif-offset",
      orientation: 6,
    });
    expect(row.takenAt!.toISOString()).toBe("2022-02-16T11:55:41.000Z");
    expect(await sharp(dataPaths(t.dataDir).derivatives(ann.id, f.sha256!).thumb).metadata()).toMatchObject({ width: 250, height: 333 });
  }, 180_000); // a 12 MP WebAssembly decode: a few seconds alone, up to a minute with qemu boots sharing the two cores

  test("damaged files: what decodes is kept and marked damaged (libvips, else ffmpeg's tolerant decoder); a non-image fails with a reason", async () => {
    const { t, ann } = setup();
    // Corrupt restart intervals libvips gives up on (ffmpeg and ImageMagick show the picture), and a copy cut at 60 %.
    const corrupt = await t.upload(ann, join(FIXTURES, "damaged/corrupted.jpg"));
    const truncated = await t.upload(ann, join(FIXTURES, "made/truncated.jpg"));
    const names = ["30-type_error.jpg", "67-0_length_string.jpg", "image00971.jpg"];
    const fine = [];
    for (const n of names) fine.push(await t.upload(ann, join(FIXTURES, "damaged", n)));
    const notAnImage = await t.upload(ann, join(FIXTURES, "README.md"), "holiday.jpg");
    expect(await t.drain()).toBe(6);
    expect(t.row(ann, corrupt.sha256)).toMatchObject({ status: "done", damaged: true, width: 3648, height: 2736, error: null });
    expect(t.row(ann, truncated.sha256)).toMatchObject({ status: "done", damaged: true, width: 640, height: 480 });
    // The top of the truncated photo is the photo's (not grey): its preview's first rows match the intact original's.
    const paths = dataPaths(t.dataDir);
    const [cut, whole] = await Promise.all(
      [truncated, await t.upload(ann, join(FIXTURES, "gps/DSCN0010.jpg"))].map(async (f, i) => {
        if (i === 1) await t.drain();
        return sharp(paths.derivatives(ann.id, f.sha256!).preview).extract({ left: 0, top: 0, width: 64, height: 64 }).raw().toBuffer();
      }),
    );
    const diff = cut!.reduce((sum, v, i) => sum + Math.abs(v - whole![i]!), 0) / cut!.length;
    expect(diff).toBeLessThan(8);
    // No magic bytes, so Drive went by the name: the pipeline tries and says why it failed.
    expect(t.row(ann, notAnImage.sha256)).toMatchObject({
      status: "failed",
      error: "This image could not be decoded: Input file contains unsupported image format.",
    });
    for (const f of fine) expect(t.row(ann, f.sha256)).toMatchObject({ status: "done", error: null, damaged: false });
    expect(t.row(ann, fine[0]!.sha256)).toMatchObject({ width: 3872, height: 2403 }); // the original's size, not the preview's
    // A bad file is the file's state, not a failed job: nothing to retry, no "jobs failed" alert.
    expect(t.services.jobs.counts()).toMatchObject({ done: 7, failed: 0, queued: 0 });
    expect(t.services.media.progressFor(ann)).toEqual({ pending: 0, total: 7, failed: 1 });
  });

  test("a pixel bomb (50000 × 50000 PNG) is refused before decoding", async () => {
    const { t, ann } = setup();
    const dir = mkdtempSync(join(tmpdir(), "nas-bomb-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "bomb.png");
    await Bun.write(path, pngHeaderOnly(50_000, 50_000));
    const f = await t.upload(ann, path);
    await t.drain();
    expect(t.row(ann, f.sha256)).toMatchObject({ status: "failed", error: "This image is too large to process (over 200 megapixels)." });
  });

  test("a second copy of the same photo is processed once; purging the last copy drops queued work and derivatives", async () => {
    const { t, ann } = setup();
    const a = await t.upload(ann, join(FIXTURES, "cameras/Canon_40D.jpg"));
    await t.upload(ann, join(FIXTURES, "cameras/Canon_40D.jpg"), "again.jpg");
    expect(t.services.jobs.counts().queued).toBe(1);
    await t.drain();
    const paths = dataPaths(t.dataDir).derivatives(ann.id, a.sha256!);
    expect(existsSync(paths.thumb)).toBe(true);
    const b = await t.upload(ann, join(FIXTURES, "cameras/Sony_HDR-HC3.jpg"));
    expect(t.services.jobs.counts().queued).toBe(1);
    const { drive } = t.services;
    const all = drive.list(ann, undefined, { sort: "name", desc: false, offset: 0, limit: 100 }).items;
    drive.moveToTrash(
      ann,
      all.map((f) => f.id),
    );
    drive.emptyTrash(ann);
    expect(t.services.jobs.counts().queued).toBe(0);
    expect(existsSync(paths.thumb) || existsSync(paths.preview)).toBe(false);
    expect(t.row(ann, a.sha256)).toBeUndefined();
    expect(t.row(ann, b.sha256)).toBeUndefined();
  });
});

describe("RAW and content stored before the pipeline", () => {
  test("RAW: derivatives from the largest embedded JPEG, turned by the RAW's orientation; else a clear no-preview state", async () => {
    const { t, ann } = setup();
    const dir = mkdtempSync(join(tmpdir(), "nas-raw-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // Shaped like a camera RAW: a TIFF (here standing in for the sensor data) saying Orientation 6, followed by a
    // small thumbnail and a larger preview, both JPEGs without EXIF of their own.
    const sensor = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#333" } })
      .tiff()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const scene = sharp(join(FIXTURES, "orientation/landscape_1.jpg"));
    const small = await scene.clone().resize(160, 120).jpeg().toBuffer();
    const large = await scene.clone().resize(1200, 900).jpeg().toBuffer();
    const nef = join(dir, "DSC_0001.NEF");
    await Bun.write(nef, Buffer.concat([sensor, small, large]));
    const dng = join(dir, "IMG_0002.dng");
    await Bun.write(dng, sensor);
    const withPreview = await t.upload(ann, nef);
    const without = await t.upload(ann, dng);
    await t.drain();
    expect(t.row(ann, withPreview.sha256)).toMatchObject({ kind: "raw", status: "done", orientation: 6, width: 900, height: 1200 });
    const paths = dataPaths(t.dataDir).derivatives(ann.id, withPreview.sha256!);
    expect(await sharp(paths.preview).metadata()).toMatchObject({ width: 900, height: 1200 }); // the large one, upright
    expect(await sharp(paths.thumb).metadata()).toMatchObject({ format: "webp", width: 250, height: 333 });
    expect(t.row(ann, without.sha256)).toMatchObject({ kind: "raw", status: "no-preview", error: "This RAW file has no embedded preview." });
  });

  test("orientations 1–8 as sharp operations turn each fixture's stored pixels upright", async () => {
    const pixels = (img: ReturnType<typeof sharp>) => img.resize(32, 24, { fit: "fill" }).greyscale().raw().toBuffer();
    const reference = await pixels(sharp(join(FIXTURES, "orientation/landscape_1.jpg")));
    for (let o = 1; o <= 8; o++) {
      // Without .rotate(), sharp leaves the stored pixels as they are: what a RAW's embedded preview looks like.
      const p = await pixels(sharp(await orient(sharp(join(FIXTURES, `orientation/landscape_${o}.jpg`)), o).toBuffer()));
      const diff = p.reduce((sum, v, k) => sum + Math.abs(v - reference[k]!), 0) / p.length;
      expect(diff).toBeLessThan(12);
    }
  });

  test("content stored before the pipeline existed gets a row and a job once (the worker backfills at start)", async () => {
    const { t, ann } = setup();
    const photo = await t.upload(ann, join(FIXTURES, "cameras/Pentax_K10D.jpg"));
    await t.upload(ann, join(FIXTURES, "README.md"), "notes.txt");
    // As on a box that stored these before this pipeline: no media rows, no jobs.
    t.db.$client.run("DELETE FROM media");
    t.db.$client.run("DELETE FROM jobs");
    expect(t.services.media.backfill()).toBe(1);
    expect(t.services.media.backfill()).toBe(0);
    await t.drain();
    expect(t.row(ann, photo.sha256)).toMatchObject({ status: "done", make: "PENTAX Corporation" });
  });
});

/** A PNG whose header claims `w × h` pixels and whose data is a few bytes: only the header is ever needed to refuse it. */
function pngHeaderOnly(w: number, h: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = new Uint8Array([...new TextEncoder().encode(type), ...data]);
    const out = new DataView(new ArrayBuffer(12 + data.length));
    out.setUint32(0, data.length);
    new Uint8Array(out.buffer).set(body, 4);
    out.setUint32(8 + data.length, Bun.hash.crc32(body));
    return new Uint8Array(out.buffer);
  };
  const ihdr = new DataView(new ArrayBuffer(13));
  ihdr.setUint32(0, w);
  ihdr.setUint32(4, h);
  ihdr.setUint8(8, 8); // bit depth
  ihdr.setUint8(9, 2); // RGB
  const idat = Bun.deflateSync(new Uint8Array(64), { level: 9 });
  const zlib = new Uint8Array([0x78, 0x9c, ...idat, 0, 0, 0, 0]);
  return new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...chunk("IHDR", new Uint8Array(ihdr.buffer)),
    ...chunk("IDAT", zlib),
    ...chunk("IEND", new Uint8Array()),
  ]);
}
