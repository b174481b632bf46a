// What the perceptual hash (duplicates and stacks, app/photos/duplicates.ts) costs the media pipeline: per photo of
// the varied set (8–24 MP camera-like JPEGs, test/support/varied.ts), the pipeline's whole ingest of it
// (thumbnailsOfImage: one decode, preview, thumbnail, ThumbHash and the hash) against the hash alone from the pixels
// it is taken from (the ≤ 100-px RGBA the ThumbHash is made of). Rounds alternate which side goes first; prints each round's fraction, the
// median and the spread.
// Run: bun bench/phash.ts   Env: PHASH_ROUNDS (3), PHASH_PHOTOS (10).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { PREVIEW_SIZE, perceptualHash, thumbnailsOfImage } from "../app/media/image";
import { variedSet } from "../test/support/varied";

const ROUNDS = Number(process.env.PHASH_ROUNDS ?? 3);
const PHOTOS = Number(process.env.PHASH_PHOTOS ?? 10);
const work = mkdtempSync(join(tmpdir(), "nas-bench-phash-"));
try {
  const files = await variedSet(join(work, "varied"), PHOTOS);
  // The pixels the pipeline hashes: its decode sized for the preview, then for the ThumbHash (made once, outside the clock).
  const decoded = await Promise.all(
    files.map(async (f) => {
      const preview = await sharp(f).rotate().resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: "inside" }).toColourspace("srgb").removeAlpha().toBuffer();
      return sharp(preview).resize(100, 100, { fit: "inside" }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    }),
  );
  const ingest = async () => {
    const t = performance.now();
    for (const [i, f] of files.entries()) await thumbnailsOfImage(f, { thumb: join(work, `${i}.webp`), preview: join(work, `${i}.jpg`) });
    return performance.now() - t;
  };
  const hashes = async () => {
    const t = performance.now();
    for (const { data, info } of decoded) await perceptualHash(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    return performance.now() - t;
  };
  await hashes(); // warm-up
  const fractions: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let ingestMs: number;
    let hashMs: number;
    if (r % 2 === 0) {
      ingestMs = await ingest();
      hashMs = await hashes();
    } else {
      hashMs = await hashes();
      ingestMs = await ingest();
    }
    fractions.push(hashMs / ingestMs);
    console.log(
      `round ${r + 1}: ingest ${(ingestMs / PHOTOS).toFixed(0)} ms/photo, hash ${(hashMs / PHOTOS).toFixed(2)} ms/photo: ${(100 * (hashMs / ingestMs)).toFixed(1)} %`,
    );
  }
  const sorted = [...fractions].sort((x, y) => x - y);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  console.log(
    `hash / ingest: median ${pct(sorted[Math.floor(sorted.length / 2)]!)} (${pct(sorted[0]!)}–${pct(sorted.at(-1)!)}), ${ROUNDS} alternating rounds, ${PHOTOS} photos, load ${(await import("node:os")).loadavg()[0]!.toFixed(1)}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
