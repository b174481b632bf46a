import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import exifr from "exifr";
import sharp from "sharp";
import { stripJpegMetadata } from "./jpeg";

const gpsDir = join(import.meta.dir, "../../test/fixtures/photos/gps");

describe("stripJpegMetadata", () => {
  for (const name of readdirSync(gpsDir).filter((n) => n.endsWith(".jpg"))) {
    test(`${name}: the GPS and every Exif/XMP tag are gone, the pixels are the same`, async () => {
      const original = readFileSync(join(gpsDir, name));
      expect(await exifr.gps(original)).toBeTruthy(); // the fixture does carry a location
      const stripped = stripJpegMetadata(original)!;
      expect(stripped).not.toBeNull();
      expect(stripped.length).toBeLessThan(original.length);
      expect(await exifr.gps(Buffer.from(stripped))).toBeUndefined();
      expect(await exifr.parse(Buffer.from(stripped), { tiff: true, xmp: true, iptc: true, gps: true }).catch(() => undefined)).toBeUndefined();
      // Not re-encoded: the decoded pixels are identical.
      const [a, b] = await Promise.all([sharp(original).raw().toBuffer(), sharp(Buffer.from(stripped)).raw().toBuffer()]);
      expect(Buffer.compare(a, b)).toBe(0);
    });
  }

  test("anything that is not a well-formed JPEG is refused (null), never passed through", () => {
    expect(stripJpegMetadata(new TextEncoder().encode("GIF89a not a jpeg"))).toBeNull();
    const original = readFileSync(join(gpsDir, "DSCN0010.jpg"));
    expect(stripJpegMetadata(original.subarray(0, 30))).toBeNull(); // truncated inside the Exif segment
  });
});
