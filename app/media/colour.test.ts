import { expect, test } from "bun:test";
import { join } from "node:path";
import sharp from "sharp";
import { displayP3ToSrgb, heifColourSpace } from "./colour";
import { withHeicPrimary } from "./image";
import { FIXTURES } from "../../test/support/media";

const bytesOf = async (path: string) => new Uint8Array(await Bun.file(join(FIXTURES, path)).arrayBuffer());

test("the colour space a file declares: the iPhone HEIC's ICC profile is Display P3; a JPEG or a truncated file is sRGB", async () => {
  const heic = await bytesOf("phone/iphone_13_pro_max.HEIC");
  expect(heifColourSpace(heic)).toBe("display-p3");
  expect(heifColourSpace(await bytesOf("phone/jolla.jpg"))).toBe("srgb");
  expect(heifColourSpace(heic.subarray(0, 200))).toBe("srgb");
  // A forged colr box with a size running past the end is read no further than the file.
  const forged = new Uint8Array([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, ...new TextEncoder().encode("colrprof"), 1, 2, 3]);
  expect(heifColourSpace(forged)).toBe("srgb");
});

test("P3 → sRGB agrees with libvips/lcms: sRGB colours made P3 by sharp come back within a few levels", async () => {
  // A spread of sRGB colours: primaries, skin, sky, foliage, greys, near-black.
  const colours = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [200, 100, 50],
    [30, 160, 220],
    [60, 140, 60],
    [224, 172, 150],
    [128, 128, 128],
    [250, 240, 10],
    [5, 5, 5],
    [255, 255, 255],
  ];
  const srgb = Uint8Array.from(colours.flatMap((c) => [...c, 255]));
  const p3 = await sharp(srgb, { raw: { width: colours.length, height: 1, channels: 4 } })
    .withIccProfile("p3")
    .raw()
    .toBuffer();
  expect([...p3]).not.toEqual([...srgb]); // sharp did convert (the test would prove nothing otherwise)
  const back = new Uint8Array(p3);
  displayP3ToSrgb(back);
  for (let i = 0; i < back.length; i++) expect(Math.abs(back[i]! - srgb[i]!)).toBeLessThanOrEqual(6);
});

test("the iPhone HEIC decodes to sRGB: its pixels are the file's P3 values converted (lcms agrees), not the P3 numbers as they are", async () => {
  const heic = await bytesOf("phone/iphone_13_pro_max.HEIC");
  // Copied out of the decoder's memory: the pixels it hands over are only valid until the next decode.
  const decode = (asStored: boolean) => withHeicPrimary(heic, async (p) => ({ ...p, rgba: Buffer.from(p.data) }), { asStored });
  const converted = await decode(false);
  // The P3 numbers as the file stores them (libheif does no colour management).
  const raw = await decode(true);
  expect(raw.width).toBe(converted.width);
  expect(converted.channels).toBe(3);
  // lcms turns the converted sRGB back into P3: the file's own numbers, within a few levels.
  const p3 = await sharp(converted.rgba, { raw: { width: converted.width, height: converted.height, channels: 3 } })
    .withIccProfile("p3")
    .raw()
    .toBuffer();
  let differs = 0;
  let worst = 0;
  let compared = 0;
  for (let i = 0; i < p3.length; i += 3 * 1009) {
    // Colours outside sRGB were clipped on the way: only in-gamut pixels can come back.
    if ([0, 1, 2].some((c) => converted.rgba[i + c] === 0 || converted.rgba[i + c] === 255)) continue;
    compared++;
    for (let c = 0; c < 3; c++) {
      if (converted.rgba[i + c] !== raw.rgba[i + c]) differs++;
      worst = Math.max(worst, Math.abs(p3[i + c]! - raw.rgba[i + c]!));
    }
  }
  expect(compared).toBeGreaterThan(1000);
  expect(differs).toBeGreaterThan(100);
  expect(worst).toBeLessThanOrEqual(8);
}, 180_000); // two 12 MP WebAssembly decodes
