// Worker only: sharp and libheif-js are loaded on the first photo, never by the web process.
import { writeAtomically } from "../../hw/files";
import type { Sharp, SharpOptions } from "sharp";
import { rgbaToThumbHash } from "thumbhash";
import { displayP3ToSrgb, heifColourSpace } from "./colour";

export const THUMB_SIZE = 250;
export const PREVIEW_SIZE = 1440;
/** A 200 MP panorama still fits; a decompression bomb (50000 × 50000 PNG) is refused before any pixel is decoded. */
export const MAX_INPUT_PIXELS = 200_000_000;
/**
 * "none": a camera file with a damaged EXIF block or a few bad bytes still gets a thumbnail (what decodes);
 * libjpeg's hard errors (e.g. a broken Huffman stream) still fail and end in the error state.
 */
const SHARP_INPUT: SharpOptions = { limitInputPixels: MAX_INPUT_PIXELS, failOn: "none" };
/** The first try: any decoder warning (a truncated or corrupt stream) fails it, so the photo is known to be damaged. */
const SHARP_STRICT: SharpOptions = { limitInputPixels: MAX_INPUT_PIXELS, failOn: "warning" };

/**
 * `width`/`height`: the original's, upright (after EXIF orientation), not the derivatives'. `damaged`: only part of
 * the file decoded (the rest of the picture is grey, as libjpeg fills it).
 */
export type ImageResult = { width: number; height: number; thumbhash: string; phash: string; damaged: boolean };
type Size = { width: number; height: number };
/** A failure that is the file's fault: recorded on the row as is, never retried. */
export class MediaFileError extends Error {}

let sharpLoaded: typeof import("sharp").default | undefined;
const sharpLib = async () => {
  if (!sharpLoaded) {
    sharpLoaded = (await import("sharp")).default;
    // Each file is decoded once: libvips' operation cache (up to 50 MB of decoded pixels) would only hold memory.
    sharpLoaded.cache(false);
  }
  return sharpLoaded;
};

/**
 * Writes through a temp name so a crash never leaves half a thumbnail under the real one; the temp name is fixed,
 * so the retry after a crash overwrites what the crash left.
 */
/**
 * One decode (shrink-on-load for JPEG, EXIF orientation applied, converted to sRGB), then the preview, the grid
 * thumbnail and the ThumbHash all from that one buffer. Derivatives carry no metadata (sharp strips it by default).
 */
export async function derive(decoded: Sharp, original: Size, out: { thumb: string; preview: string }): Promise<ImageResult> {
  const sharp = await sharpLib();
  const { data, info } = await decoded
    .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: "inside", withoutEnlargement: true })
    .toColourspace("srgb")
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
  const thumbScale = Math.min(1, THUMB_SIZE / Math.min(info.width, info.height));
  // Encoder settings measured on a 1440-px preview (bench/README.md): Huffman optimisation triples the JPEG's
  // encode time for 2 % of its size; WebP effort 2 instead of 4 halves the thumbnail's for 6 %.
  const [, , { small, phash }] = await Promise.all([
    writeAtomically(out.preview, (tmp) => sharp(data, raw).jpeg({ quality: 80, optimiseCoding: false }).toFile(tmp)),
    writeAtomically(out.thumb, (tmp) =>
      sharp(data, raw)
        .resize(Math.round(info.width * thumbScale), Math.round(info.height * thumbScale))
        .webp({ quality: 75, effort: 2 })
        .toFile(tmp),
    ),
    // ThumbHash wants RGBA at most 100 × 100; the perceptual hash (duplicates and stacks, app/photos/duplicates.ts)
    // is taken from those pixels too: its 32 × 32 from 100 px instead of 1,440 costs a tenth (bench/phash.ts).
    sharp(data, raw)
      .resize(100, 100, { fit: "inside" })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
      .then(async (small) => ({
        small,
        phash: await perceptualHash(small.data, { raw: { width: small.info.width, height: small.info.height, channels: 4 } }),
      })),
  ]);
  const hash = rgbaToThumbHash(small.info.width, small.info.height, small.data);
  return { width: original.width, height: original.height, thumbhash: Buffer.from(hash).toString("base64"), phash, damaged: false };
}

const SAMPLE = 32;
/** cos((2i + 1)πu / 64) for the 32 samples i and the frequencies u = 1…8 the hash keeps. */
const COS = Array.from({ length: SAMPLE }, (_, i) => Array.from({ length: 9 }, (_, u) => Math.cos(((2 * i + 1) / (2 * SAMPLE)) * u * Math.PI)));

/**
 * The perceptual hash (pHash, as the sharp-phash package defines it): the picture in grey at 32 × 32, its DCT, and
 * one bit per frequency of the 8 × 8 lowest above the constant term, set when that coefficient is above their mean;
 * as 16 hex digits. Only those 64 coefficients are computed, row then column (≈ 10 k multiplications, against the
 * package's 1 M for all 1,024, which took 30–45 ms a photo, a fifth of a whole ingest: bench/phash.ts); app/photos/duplicates.test.ts
 * checks that the bits are the package's. `input` is a file (the backfill reads the stored preview) or raw pixels.
 */
export async function perceptualHash(input: Buffer | string, options?: SharpOptions): Promise<string> {
  const sharp = await sharpLib();
  // Upright first (EXIF orientation of a file; raw pixels have none), as the package does.
  const grey = await sharp(input, options).rotate().removeAlpha().greyscale().resize(SAMPLE, SAMPLE, { fit: "fill" }).raw().toBuffer();
  // alongX[y][u]: row y transformed along x, for the horizontal frequencies u = 1…8.
  const alongX = Array.from({ length: SAMPLE }, (_, y) => {
    const out = new Float64Array(9);
    for (let u = 1; u <= 8; u++) for (let x = 0; x < SAMPLE; x++) out[u]! += COS[x]![u]! * grey[y * SAMPLE + x]!;
    return out;
  });
  // Then along y (vertical frequency v), in the package's order: u by u, v by v within.
  const coefficients: number[] = [];
  for (let u = 1; u <= 8; u++)
    for (let v = 1; v <= 8; v++) {
      let sum = 0;
      for (let y = 0; y < SAMPLE; y++) sum += COS[y]![v]! * alongX[y]![u]!;
      coefficients.push(sum);
    }
  const mean = coefficients.reduce((a, b) => a + b, 0) / coefficients.length;
  let hex = "";
  for (let i = 0; i < 64; i += 4)
    hex += coefficients
      .slice(i, i + 4)
      .reduce((n, c) => (n << 1) | (c > mean ? 1 : 0), 0)
      .toString(16);
  return hex;
}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);

/**
 * Thumbnails of a JPEG/PNG/WebP/TIFF/AVIF (anything the prebuilt sharp decodes). A decoder warning (a truncated or
 * corrupt stream) makes a second, tolerant decode that keeps what can be read and marks the result damaged.
 */
export async function thumbnailsOfImage(input: string, out: { thumb: string; preview: string }): Promise<ImageResult> {
  const sharp = await sharpLib();
  let meta: Awaited<ReturnType<Sharp["metadata"]>>;
  try {
    meta = await sharp(input, SHARP_INPUT).metadata();
  } catch (e) {
    throw decodeError(e, input);
  }
  const size = meta.autoOrient ?? meta;
  try {
    return await derive(sharp(input, SHARP_STRICT).rotate(), size, out);
  } catch (strict) {
    if (/pixel limit/i.test(describe(strict))) throw decodeError(strict, input);
    try {
      return { ...(await derive(sharp(input, SHARP_INPUT).rotate(), size, out)), damaged: true };
    } catch (e) {
      throw decodeError(e, input);
    }
  }
}

/** A file's stored pixel size from its header (as stored: before EXIF orientation). */
export async function pixelSize(input: string): Promise<Size> {
  const { width = 0, height = 0 } = await (await sharpLib())(input, SHARP_INPUT).metadata();
  return { width, height };
}

function decodeError(e: unknown, input: string) {
  if (/pixel limit/i.test(describe(e))) return new MediaFileError(`This image is too large to process (over ${MAX_INPUT_PIXELS / 1e6} megapixels).`);
  return new MediaFileError(`This image could not be decoded: ${describe(e).replaceAll(input, "the file")}.`);
}

/** Derivatives from pixels another decoder salvaged (ffmpeg's tolerant JPEG decoder, app/media/pipeline.ts): always damaged. */
export async function thumbnailsOfSalvage(
  decoded: string,
  original: Size,
  orientation: number | null,
  out: { thumb: string; preview: string },
): Promise<ImageResult> {
  const sharp = await sharpLib();
  // ffmpeg ignores EXIF orientation: the pixels are as stored.
  return { ...(await derive(orient(sharp(decoded, SHARP_INPUT), orientation), original, out)), damaged: true };
}

/**
 * HEIC/HEIF (iPhone): the prebuilt sharp has no HEVC decoder, so libheif compiled to WebAssembly decodes the
 * primary image (bursts and depth maps are other items of the same file) to RGB, converted from Display P3 to sRGB
 * when the file says P3 (iPhones do; app/media/colour.ts); sharp does the rest, reading the pixels where libheif
 * left them. libheif applies the HEIF rotation itself, so EXIF orientation must not be applied again.
 */
export async function thumbnailsOfHeic(input: string, out: { thumb: string; preview: string }): Promise<ImageResult> {
  return withHeicPrimary(new Uint8Array(await Bun.file(input).arrayBuffer()), async ({ width, height, channels, data }) => {
    const sharp = await sharpLib();
    return derive(sharp(data, { raw: { width, height, channels }, limitInputPixels: MAX_INPUT_PIXELS }), { width, height }, out);
  });
}

type HeifChannel = { id: number; width: number; height: number; stride: number; data: Uint8Array };
type HeifImage = { is_primary(): boolean; get_width(): number; get_height(): number; has_alpha_channel(): boolean; handle: unknown; free(): void };
type Libheif = {
  HeifDecoder: new () => { decode(data: Uint8Array): HeifImage[] };
  heif_js_decode_image2(handle: unknown, colorspace: unknown, chroma: unknown): Promise<{ code?: number; image: unknown; channels: HeifChannel[] } | null>;
  heif_image_release(image: unknown): void;
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGB: unknown; heif_chroma_interleaved_RGBA: unknown };
  heif_channel: { heif_channel_interleaved: number };
};
/** One module and decoder for the process: each decode frees the previous file's context (a new decoder would leak it). */
let heif: { lib: Libheif; decoder: { decode(data: Uint8Array): HeifImage[] } } | undefined;

/** Pixels of a HEIC's primary image: `data` is only valid inside the callback that receives it. */
export type HeicPixels = { width: number; height: number; channels: 3 | 4; data: Buffer };

/**
 * Decodes the primary image and hands its pixels to `use` where libheif wrote them, in its WebAssembly memory: a 12 MP
 * photo is 36 MB of RGB (48 with alpha), and a copy of it beside the decoder's heap was a fifth of this process's
 * peak. The image is released when `use` settles; nothing else may call libheif meanwhile (a growing heap would move
 * the pixels), so decodes in one process go one after another.
 */
export async function withHeicPrimary<T>(bytes: Uint8Array, use: (pixels: HeicPixels) => Promise<T>, opts: { asStored?: boolean } = {}): Promise<T> {
  if (!heif) {
    const lib = (await import("libheif-js/wasm-bundle")).default as unknown as Libheif;
    heif = { lib, decoder: new lib.HeifDecoder() };
  }
  const { lib, decoder } = heif;
  const images = decoder.decode(bytes);
  let decoded: { image: unknown; channels: HeifChannel[] } | undefined;
  try {
    const primary = images.find((i) => i.is_primary()) ?? images[0];
    if (!primary) throw new MediaFileError("This HEIC file holds no image that can be decoded.");
    const width = primary.get_width();
    const height = primary.get_height();
    if (width * height > MAX_INPUT_PIXELS) throw new MediaFileError(`This image is too large to process (over ${MAX_INPUT_PIXELS / 1e6} megapixels).`);
    const channels = primary.has_alpha_channel() ? 4 : 3;
    const chroma = channels === 4 ? lib.heif_chroma.heif_chroma_interleaved_RGBA : lib.heif_chroma.heif_chroma_interleaved_RGB;
    const result = await lib.heif_js_decode_image2(primary.handle, lib.heif_colorspace.heif_colorspace_RGB, chroma);
    if (!result || result.code) throw new MediaFileError("This HEIC image could not be decoded.");
    decoded = result;
    const plane = result.channels.find((c) => c.id === lib.heif_channel.heif_channel_interleaved);
    if (!plane || plane.width !== width || plane.height !== height) throw new MediaFileError("This HEIC image could not be decoded.");
    const row = width * channels;
    const pixels = plane.data;
    // Rows padded to an alignment: closed up in place (each row moves towards the start, never over one not yet moved).
    if (plane.stride !== row) for (let y = 1; y < height; y++) pixels.copyWithin(y * row, y * plane.stride, y * plane.stride + row);
    const data = Buffer.from(pixels.buffer, pixels.byteOffset, row * height);
    if (!opts.asStored && heifColourSpace(bytes) === "display-p3") displayP3ToSrgb(data, channels);
    return await use({ width, height, channels, data });
  } finally {
    if (decoded) lib.heif_image_release(decoded.image);
    for (const i of images) i.free();
  }
}

/**
 * What EXIF orientation 1–8 asks for, as sharp operations: for pixels whose own file carries no orientation (the
 * JPEG previews inside RAW files; the orientation is the RAW's). sharp mirrors first, then rotates (so 5 and 7 read
 * backwards from the EXIF wording); the 8 orientation fixtures check every case.
 */
export function orient(image: Sharp, orientation: number | null): Sharp {
  switch (orientation) {
    case 2:
      return image.flop();
    case 3:
      return image.rotate(180);
    case 4:
      return image.flip();
    case 5:
      return image.rotate(270).flop();
    case 6:
      return image.rotate(90);
    case 7:
      return image.rotate(90).flop();
    case 8:
      return image.rotate(270);
    default:
      return image;
  }
}

const SOI = Buffer.from([0xff, 0xd8, 0xff]);

/**
 * The largest JPEG a RAW file carries (cameras embed a thumbnail and one or more previews, often one at full size;
 * the sensor data itself is lossless JPEG or not JPEG at all, which libjpeg refuses). Found by its start marker and
 * confirmed by sharp reading its header: this covers DNG, CR2, NEF, ARW, ORF, RW2, PEF without a parser per maker.
 */
export async function largestEmbeddedJpeg(bytes: Buffer): Promise<Buffer | null> {
  const sharp = await sharpLib();
  let best: { at: number; pixels: number } | null = null;
  let tried = 0;
  for (let at = bytes.indexOf(SOI); at >= 0 && tried < 64; at = bytes.indexOf(SOI, at + SOI.length), tried++) {
    const candidate = bytes.subarray(at);
    const meta = await sharp(candidate, { limitInputPixels: MAX_INPUT_PIXELS })
      .metadata()
      .catch(() => null);
    if (meta?.format !== "jpeg" || !meta.width || !meta.height || (best && meta.width * meta.height <= best.pixels)) continue;
    // A header is not enough: JPEG-compressed TIFF tiles start the same way but lack their tables. Decoding at 1/8
    // scale (shrink-on-load) proves it for a few milliseconds.
    const decodes = await sharp(candidate, { limitInputPixels: MAX_INPUT_PIXELS })
      .resize(8, 8)
      .raw()
      .toBuffer()
      .then(
        () => true,
        () => false,
      );
    if (decodes) best = { at, pixels: meta.width * meta.height };
  }
  return best ? bytes.subarray(best.at) : null;
}

/** RAW: derivatives from its largest embedded JPEG preview, turned by the RAW's own EXIF orientation. */
export async function thumbnailsOfRawPreview(jpeg: Buffer, rawOrientation: number | null, out: { thumb: string; preview: string }): Promise<ImageResult> {
  const sharp = await sharpLib();
  const meta = await sharp(jpeg, SHARP_INPUT).metadata();
  // A preview with its own EXIF orientation says how to show it; most carry none and follow the RAW's.
  const image = meta.orientation ? sharp(jpeg, SHARP_INPUT).rotate() : orient(sharp(jpeg, SHARP_INPUT), rawOrientation);
  const turned = !meta.orientation && (rawOrientation ?? 1) >= 5;
  const size = meta.orientation ? (meta.autoOrient ?? meta) : turned ? { width: meta.height, height: meta.width } : meta;
  try {
    return await derive(image, size, out);
  } catch (e) {
    throw new MediaFileError(`The preview inside this RAW file could not be decoded: ${describe(e)}.`);
  }
}
