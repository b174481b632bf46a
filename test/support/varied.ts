// Detailed, varied camera-like JPEGs made from the real fixture photos: what the media benchmarks ingest.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
const FIXTURES = join(import.meta.dir, "../fixtures/photos");

/** Real photos the varied set is cut from (outdoor and indoor scenes; none flat). */
const SOURCES = [
  "phone/jolla.jpg",
  "damaged/30-type_error.jpg",
  "damaged/67-0_length_string.jpg",
  "damaged/image00971.jpg",
  "gps/DSCN0010.jpg",
  "gps/DSCN0021.jpg",
  "gps/DSCN0027.jpg",
  "gps/DSCN0038.jpg",
];
/** 8, 12, 16, 18 and 24 MP, as phones and cameras write them. */
export const SIZES = [
  [3264, 2448],
  [4000, 3000],
  [4608, 3456],
  [5184, 3456],
  [6000, 4000],
] as const;

/**
 * A varied set of camera-like photos (bench/media.ts, the image's memory test): photo i is `sizes[i % n]`, every third one portrait, made of four crops of different real photos
 * (each scaled to a quadrant from a position that moves with i) under gaussian grain, saved as a camera would (JPEG
 * q90, EXIF with a camera and a time). Deterministic, so every run measures the same bytes.
 */
export async function variedSet(dir: string, n: number, sizes: readonly (readonly [number, number])[] = SIZES) {
  const sharp = (await import("sharp")).default;
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const [long, short] = sizes[i % sizes.length]!;
    const [w, h] = i % 3 === 1 ? [short, long] : [long, short];
    const positions = ["centre", "north", "east", "south", "west", "northeast", "southwest"] as const;
    const quadrants = await Promise.all(
      [0, 1, 2, 3].map((q) =>
        sharp(join(FIXTURES, SOURCES[(i + q) % SOURCES.length]!))
          .rotate()
          .resize(w / 2, h / 2, { fit: "cover", position: positions[(i + q) % positions.length] })
          .toBuffer(),
      ),
    );
    const grain = await sharp({ create: { width: w, height: h, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 30 } } })
      .png()
      .toBuffer();
    const path = join(dir, `IMG_${String(i).padStart(4, "0")}.jpg`);
    await sharp({ create: { width: w, height: h, channels: 3, background: "#000" } })
      .composite([
        ...quadrants.map((input, q) => ({ input, left: (q % 2) * (w / 2), top: Math.floor(q / 2) * (h / 2) })),
        { input: grain, blend: "soft-light" as const },
      ])
      .withExif({
        IFD0: { Make: "Canon", Model: "Canon EOS R6" },
        IFD2: { DateTimeOriginal: `2023:05:${String(1 + (i % 28)).padStart(2, "0")} 10:00:00`, OffsetTimeOriginal: "+02:00" },
      })
      .jpeg({ quality: 90 })
      .toFile(path);
    out.push(path);
  }
  return out;
}
