// `bun app/media/full.ts <input> <image|raw> <out.jpg>`: a full-resolution JPEG of a photo browsers cannot show
// (HEIC, TIFF, RAW), upright and in sRGB, so the lightbox zooms to the photo's real pixels instead of enlarging the
// 1440-px preview. In a process of its own, started by the web process on the first zoom (app/media/service.ts):
// the web process never loads sharp or libheif, and a hostile file cannot take it down.
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { terminal } from "../platform/log";
import type { Sharp } from "sharp";
import { largestEmbeddedJpeg, MAX_INPUT_PIXELS, MediaFileError, orient, withHeicPrimary } from "./image";
import { readPhotoMetadata } from "./metadata";
import { isHeic } from "./model";

export async function writeFullResolution(input: string, kind: "image" | "raw", output: string) {
  const sharp = (await import("sharp")).default;
  sharp.cache(false);
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: "none" } as const;
  mkdirSync(dirname(output), { recursive: true });
  const tmp = `${output}.${process.pid}.tmp`;
  const write = async (image: Sharp) => {
    try {
      await image.toColourspace("srgb").removeAlpha().jpeg({ quality: 85 }).toFile(tmp);
      renameSync(tmp, output);
    } finally {
      rmSync(tmp, { force: true });
    }
  };
  if (kind === "raw") {
    const embedded = await largestEmbeddedJpeg(Buffer.from(await Bun.file(input).arrayBuffer()));
    if (!embedded) throw new MediaFileError("This RAW file has no embedded preview.");
    const own = (await sharp(embedded, options).metadata()).orientation;
    await write(own ? sharp(embedded, options).rotate() : orient(sharp(embedded, options), (await readPhotoMetadata(input, new Date())).orientation));
  } else if (await isHeic(input)) {
    await withHeicPrimary(await Bun.file(input).bytes(), ({ width, height, channels, data }) =>
      write(sharp(data, { raw: { width, height, channels }, limitInputPixels: MAX_INPUT_PIXELS })),
    );
  } else await write(sharp(input, options).rotate());
}

if (import.meta.main) {
  const [input, kind, output] = process.argv.slice(2);
  if (!input || (kind !== "image" && kind !== "raw") || !output) {
    terminal.err("usage: full.ts <input> <image|raw> <out.jpg>");
    process.exit(2);
  }
  try {
    await writeFullResolution(input, kind, output);
  } catch (e) {
    terminal.err((e as Error).message);
    process.exit(e instanceof MediaFileError ? 3 : 1);
  }
}
