// The edit renderer on real fixtures with real sharp: sizes after rotate + straighten + crop, EXIF orientation, colour.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { FIXTURES } from "../../../test/support/media";
import { MediaFileError } from "../../media/image";
import { editedSize, parseEdit, UNEDITED, type EditParams } from "./params";
import { openSource, renderEdit, renderPixels } from "./render";

const dir = mkdtempSync(join(tmpdir(), "nas-edit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const edit = (p: Partial<EditParams>): EditParams => ({ ...UNEDITED, ...p });
const outs = (name: string) => ({ thumb: join(dir, `${name}-t.webp`), preview: join(dir, `${name}-p.jpg`), full: join(dir, `${name}.jpg`) });
const mean = (b: Buffer) => b.reduce((s, v) => s + v, 0) / b.length;
/** Mean absolute difference of two same-sized RGB buffers. */
const diff = (a: Buffer, b: Buffer) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe("edit rendering", () => {
  test("rotate 90° + crop: the full-size JPEG, the preview and the thumbnail have the edited shape", async () => {
    // 600 × 450 upright; turned a quarter it is 450 × 600; the crop keeps the left half and the top third.
    const p = edit({ rotate: 90, crop: { x: 0, y: 0, w: 0.5, h: 1 / 3 } });
    const r = await renderEdit(join(FIXTURES, "orientation/landscape_1.jpg"), "image", p, outs("rot"));
    expect({ width: r.width, height: r.height }).toEqual({ width: 225, height: 200 });
    expect(editedSize(600, 450, p)).toEqual({ width: 225, height: 200 });
    expect(await sharp(outs("rot").full).metadata()).toMatchObject({ format: "jpeg", width: 225, height: 200 });
    expect(await sharp(outs("rot").preview).metadata()).toMatchObject({ format: "jpeg", width: 225, height: 200 });
    // The grid thumbnail is 250 px on its short side at most (never enlarged).
    expect(await sharp(outs("rot").thumb).metadata()).toMatchObject({ format: "webp", width: 225, height: 200 });
    expect(r.thumbhash.length).toBeGreaterThan(10);
  });

  test("EXIF orientation is respected: each of the 8 orientation fixtures renders, turned and cropped, as the upright one does", async () => {
    // A quarter turn (two passes) and a turn with straighten (one pass after sharp's autoOrient).
    for (const p of [
      edit({ rotate: 270, crop: { x: 0.1, y: 0.2, w: 0.6, h: 0.5 } }),
      edit({ rotate: 90, straighten: 5, crop: { x: 0.2, y: 0.1, w: 0.5, h: 0.6 } }),
    ]) {
      const reference = await renderPixels(await openSource(join(FIXTURES, "orientation/landscape_1.jpg"), "image"), p, null);
      for (let o = 2; o <= 8; o++) {
        const src = await openSource(join(FIXTURES, `orientation/landscape_${o}.jpg`), "image");
        expect({ o, width: src.width, height: src.height }).toEqual({ o, width: 600, height: 450 });
        const got = await renderPixels(src, p, null);
        expect({ o, width: got.info.width, height: got.info.height }).toEqual({ o, width: reference.info.width, height: reference.info.height });
        // Same picture (each fixture is its own JPEG generation: 6.5–8 apart), not a turned or mirrored one (≈ 76).
        expect(diff(got.data, reference.data)).toBeLessThan(12);
      }
    }
    const ignored = await sharp(join(FIXTURES, "orientation/landscape_6.jpg")).resize(600, 450, { fit: "fill" }).removeAlpha().raw().toBuffer();
    const upright = await sharp(join(FIXTURES, "orientation/landscape_1.jpg")).removeAlpha().raw().toBuffer();
    expect(diff(ignored, upright)).toBeGreaterThan(40);
  });

  test("straighten zooms in so no corner is empty; the preview is 1440 px at most on its long side", async () => {
    const p = edit({ straighten: 10 });
    const src = await openSource(join(FIXTURES, "damaged/67-0_length_string.jpg"), "image"); // 4032 × 2012
    const px = await renderPixels(src, p, 1440);
    // Inward rounding of the straightened frame may take a pixel or two off the long side.
    expect(px.info.width).toBeLessThanOrEqual(1440);
    expect(px.info.width).toBeGreaterThanOrEqual(1436);
    const size = editedSize(4032, 2012, p);
    expect(Math.abs(px.info.height - (1440 * size.height) / size.width)).toBeLessThan(2);
    // The four corners are the photo's, not the black the turn leaves outside the picture.
    const at = (x: number, y: number) => px.data.subarray((y * px.info.width + x) * 3, (y * px.info.width + x) * 3 + 3);
    for (const [x, y] of [
      [0, 0],
      [px.info.width - 1, 0],
      [0, px.info.height - 1],
      [px.info.width - 1, px.info.height - 1],
    ])
      expect(Math.max(...at(x!, y!))).toBeGreaterThan(0);
  });

  test("any turn and crop cuts inside the turned canvas, at the size the parameters say", async () => {
    const src = await openSource(join(FIXTURES, "gps/DSCN0010.jpg"), "image"); // 640 × 480
    for (const rotate of [0, 90, 180, 270] as const)
      for (const straighten of [-45, -12.5, 0.5, 7.25, 33]) {
        const p = edit({ rotate, straighten, crop: { x: 0.05, y: 0.3, w: 0.9, h: 0.7 } });
        const px = await renderPixels(src, p, null);
        const want = editedSize(src.width, src.height, p);
        expect({ rotate, straighten, dw: Math.abs(px.info.width - want.width) <= 2, dh: Math.abs(px.info.height - want.height) <= 2 }).toEqual({
          rotate,
          straighten,
          dw: true,
          dh: true,
        });
      }
  });

  test("light and colour: brightness up brightens, saturation −100 is grey, warmth warms", async () => {
    const src = await openSource(join(FIXTURES, "gps/DSCN0010.jpg"), "image");
    const plain = await renderPixels(src, UNEDITED, 400);
    const bright = await renderPixels(src, edit({ brightness: 60 }), 400);
    expect(mean(bright.data)).toBeGreaterThan(mean(plain.data) + 10);
    const grey = await renderPixels(src, edit({ saturation: -100 }), 400);
    for (let i = 0; i < grey.data.length; i += 3 * 997) {
      expect(Math.abs(grey.data[i]! - grey.data[i + 1]!)).toBeLessThanOrEqual(1);
      expect(Math.abs(grey.data[i + 1]! - grey.data[i + 2]!)).toBeLessThanOrEqual(1);
    }
    const channel = (b: Buffer, c: number) => b.filter((_, i) => i % 3 === c).reduce((s, v) => s + v, 0);
    const warm = await renderPixels(src, edit({ warmth: 80 }), 400);
    expect(channel(warm.data, 0) / channel(warm.data, 2)).toBeGreaterThan((channel(plain.data, 0) / channel(plain.data, 2)) * 1.1);
  });

  test("HEIC is edited from libheif's pixels", async () => {
    const r = await renderEdit(join(FIXTURES, "made/munich.heic"), "image", edit({ rotate: 90 }), outs("heic"));
    expect({ width: r.width, height: r.height }).toEqual({ width: 120, height: 160 });
  }, 60_000);

  test("a photo libvips cannot decode is the file's fault (MediaFileError, a sentence), and writes nothing", async () => {
    const o = outs("bad");
    const e = await renderEdit(join(FIXTURES, "damaged/corrupted.jpg"), "image", edit({ rotate: 90 }), o).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MediaFileError);
    expect((e as Error).message).toStartWith("This photo could not be decoded for editing");
    expect(await Bun.file(o.preview).exists()).toBe(false);
    const notImage = await renderEdit(join(FIXTURES, "README.md"), "image", UNEDITED, outs("readme")).catch((x: unknown) => x);
    expect(notImage).toBeInstanceOf(MediaFileError);
  });
});

describe("edit parameters", () => {
  test("out-of-range values are refused with a sentence naming the field", () => {
    const msg = (b: unknown) => {
      try {
        parseEdit(b);
        return "accepted";
      } catch (e) {
        return `${(e as { status: number }).status} ${(e as Error).message}`;
      }
    };
    expect(msg({ rotate: 45 })).toBe("400 rotate must be 0, 90, 180 or 270 degrees.");
    expect(msg({ straighten: 50 })).toBe("400 straighten must be between −45 and 45 degrees.");
    expect(msg({ brightness: 101 })).toBe("400 brightness must be between −100 and 100.");
    expect(msg({ contrast: "x" })).toBe("400 contrast must be a number.");
    expect(msg({ crop: { x: 0.6, y: 0, w: 0.6, h: 1 } })).toBe("400 crop must lie inside the photo (x, y, w, h are fractions from 0 to 1).");
    expect(msg({ crop: { x: 0, y: 0, w: 0.001, h: 1 } })).toBe("400 crop must keep at least 2 % of the photo's width and height.");
    expect(msg({ ratio: "3:2" })).toBe("400 ratio must be one of free, original, 1:1, 4:3, 16:9.");
    expect(msg({ evil: 1 })).toBe("400 Unknown edit setting “evil”.");
    expect(msg([])).toBe("400 Send the edit as a JSON object.");
    expect(msg({ straighten: Number.NaN })).toBe("400 straighten must be a number.");
    expect(parseEdit({ rotate: 180, brightness: 20.4 })).toEqual({ ...UNEDITED, rotate: 180, brightness: 20 });
  });
});
