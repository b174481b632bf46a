// `bun app/photos/edit/render.ts <input> <image|raw> <params.json> <thumb> <preview> <full>`: a photo's edit rendered
// from its original (never from a derivative), in a process of its own started by the edit job (jobs.ts) like the
// media pipeline's decoders: the worker loads no sharp, and a hostile file cannot take it down. Prints the edited
// picture's size and ThumbHash as JSON; exit code 3 when the file cannot be decoded (its fault, not retried).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Sharp } from "sharp";
import { writeAtomically } from "../../../hw/files";
import { terminal } from "../../platform/log";
import { derive, largestEmbeddedJpeg, MAX_INPUT_PIXELS, MediaFileError, orient, PREVIEW_SIZE, type ImageResult, withHeicPrimary } from "../../media/image";
import { readPhotoMetadata } from "../../media/metadata";
import { isHeic } from "../../media/model";
import { colourMatrix, editedSize, isColourEdited, straightenScale, turnedSize, type EditParams } from "./params";

type SharpLib = typeof import("sharp").default;
type Raw = { data: Buffer; info: { width: number; height: number; channels: 1 | 2 | 3 | 4 } };
/**
 * The original, upright (EXIF orientation applied): a fresh sharp pipeline per call, and its size. `chainable`: the
 * orientation is sharp's autoOrient, so a turn by any angle can follow in the same pipeline (a RAW preview turned by
 * hand cannot).
 */
export type Source = { make: () => Sharp; width: number; height: number; chainable: boolean };

let sharpLoaded: SharpLib | undefined;
const sharpLib = async () => {
  if (!sharpLoaded) {
    sharpLoaded = (await import("sharp")).default;
    sharpLoaded.cache(false);
  }
  return sharpLoaded;
};
const describe = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 200);

/**
 * The original's pixels as the pipeline reads them (app/media/image.ts): what sharp decodes, tolerantly; HEIC through
 * libheif; RAW through its largest embedded JPEG turned by the RAW's orientation.
 */
export async function openSource(input: string, kind: "image" | "raw"): Promise<Source> {
  const sharp = await sharpLib();
  const tolerant = { limitInputPixels: MAX_INPUT_PIXELS, failOn: "none" } as const;
  try {
    if (kind === "raw") {
      const embedded = await largestEmbeddedJpeg(Buffer.from(await Bun.file(input).arrayBuffer()));
      if (!embedded) throw new MediaFileError("This RAW file has no embedded preview to edit.");
      const meta = await sharp(embedded, tolerant).metadata();
      const rawOrientation = meta.orientation ? null : (await readPhotoMetadata(input, new Date())).orientation;
      const turned = !meta.orientation && (rawOrientation ?? 1) >= 5;
      const size = meta.orientation ? (meta.autoOrient ?? meta) : turned ? { width: meta.height, height: meta.width } : meta;
      const make = () => (meta.orientation ? sharp(embedded, tolerant).autoOrient() : orient(sharp(embedded, tolerant), rawOrientation));
      return { make, width: size.width!, height: size.height!, chainable: !!meta.orientation || (rawOrientation ?? 1) === 1 };
    }
    if (await isHeic(input)) {
      // The pixels live in libheif's memory only while the callback runs: an edit renders several times, so it keeps a copy.
      const { width, height, channels, data } = await withHeicPrimary(await Bun.file(input).bytes(), async (p) => ({ ...p, data: Buffer.from(p.data) }));
      return { make: () => sharp(data, { raw: { width, height, channels }, limitInputPixels: MAX_INPUT_PIXELS }), width, height, chainable: true };
    }
    const meta = await sharp(input, tolerant).metadata();
    const size = meta.autoOrient ?? meta;
    if (!size.width || !size.height) throw new MediaFileError("This photo has no picture size in its header.");
    // Read tolerantly, as its thumbnail was: a partly damaged photo edits what decodes (the rest is grey).
    return { make: () => sharp(input, tolerant).autoOrient(), width: size.width, height: size.height, chainable: true };
  } catch (e) {
    if (e instanceof MediaFileError) throw e;
    throw new MediaFileError(`This photo could not be decoded for editing: ${describe(e).replaceAll(input, "the file")}.`);
  }
}

/**
 * The edited picture, at most `longSide` px on its long side (null: full size). The original is decoded already at the
 * scale the result needs (shrink-on-load: a 12 MP JPEG for a 1440-px preview is decoded at half size), turned (quarter
 * turns and straighten together, about the centre) and cut to the straightened frame and the crop: one libvips pass,
 * except for quarter turns, which libvips does before a resize (on every pixel of the original): those turn the
 * decoded pixels in a second pass. The colour is left to the pipeline returned, so it runs inside the pass that
 * encodes (libvips' recomb then linear: exactly params.ts' M·rgb + offset, clipped to 0–255).
 */
export async function renderImage(src: Source, p: EditParams, longSide: number | null): Promise<Sharp> {
  const sharp = await sharpLib();
  const full = editedSize(src.width, src.height, p);
  const k = longSide ? Math.min(1, longSide / Math.max(full.width, full.height)) : 1;
  const w = k < 1 ? Math.max(1, Math.round(src.width * k)) : src.width;
  const h = k < 1 ? Math.max(1, Math.round(src.height * k)) : src.height;
  let image = src.make();
  if (k < 1) image = image.resize(w, h, { fit: "fill" });
  image = image.toColourspace("srgb").removeAlpha();
  const angle = p.rotate + p.straighten;
  // The turned canvas is the bounding box libvips makes, rounded as it rounds (render.test.ts turns by many angles).
  const t = (angle * Math.PI) / 180;
  const [cos, sin] = [Math.abs(Math.cos(t)), Math.abs(Math.sin(t))];
  const cw = angle === 0 ? w : Math.round(w * cos + h * sin);
  const ch = angle === 0 ? h : Math.round(w * sin + h * cos);
  // The straightened frame: the quarter-turned picture's own shape, shrunk until no corner is empty, centred.
  const turned = turnedSize(w, h, p.rotate);
  const s = straightenScale(turned.width, turned.height, p.straighten);
  const fw = turned.width / s;
  const fh = turned.height / s;
  const fx = (cw - fw) / 2;
  const fy = (ch - fh) / 2;
  // Inward rounding: an interpolated edge pixel of the turned canvas's black never shows.
  const left = Math.min(cw - 1, Math.max(0, Math.ceil(fx + p.crop.x * fw - 1e-6)));
  const top = Math.min(ch - 1, Math.max(0, Math.ceil(fy + p.crop.y * fh - 1e-6)));
  const width = Math.max(1, Math.min(cw - left, Math.floor(fx + (p.crop.x + p.crop.w) * fw + 1e-6) - left));
  const height = Math.max(1, Math.min(ch - top, Math.floor(fy + (p.crop.y + p.crop.h) * fh + 1e-6) - top));
  const whole = left === 0 && top === 0 && width === cw && height === ch;
  const asRaw = (r: Raw) => ({ raw: { width: r.info.width, height: r.info.height, channels: r.info.channels } });
  // Reading the file happens here: whatever fails is the file's fault (nothing is written in these passes).
  const pixels = async (img: Sharp) =>
    (await img
      .raw()
      .toBuffer({ resolveWithObject: true })
      .catch((e: unknown) => {
        throw new MediaFileError(`This photo could not be decoded for editing: ${describe(e)}.`);
      })) as Raw;
  if (angle !== 0 && (angle % 90 === 0 || !src.chainable)) {
    const upright = await pixels(image);
    image = sharp(upright.data, asRaw(upright));
  }
  if (angle !== 0) image = image.rotate(angle, { background: "#000000" });
  if (!whole) image = image.extract({ left, top, width, height });
  const cut = await pixels(image);
  const out = sharp(cut.data, asRaw(cut));
  if (!isColourEdited(p)) return out;
  const { m, offset } = colourMatrix(p);
  const rows = [m.slice(0, 3), m.slice(3, 6), m.slice(6, 9)] as [[number, number, number], [number, number, number], [number, number, number]];
  return out.recomb(rows).linear(
    [1, 1, 1],
    offset.map((o) => o * 255),
  );
}

/** The edited picture's RGB pixels (tests and the full-size JPEG's encoder read them). */
export async function renderPixels(src: Source, p: EditParams, longSide: number | null): Promise<Raw> {
  return (await (await renderImage(src, p, longSide)).raw().toBuffer({ resolveWithObject: true })) as Raw;
}

export type EditOutputs = { thumb: string; preview: string; full: string };

/** The edit's preview and grid thumbnail (the pipeline's sizes and encoders) and its ThumbHash: what the grid shows. */
export async function renderForPreview(src: Source, p: EditParams, out: { thumb: string; preview: string }): Promise<ImageResult> {
  const image = await renderImage(src, p, PREVIEW_SIZE);
  mkdirSync(dirname(out.preview), { recursive: true });
  return derive(image, editedSize(src.width, src.height, p), out);
}

/** The preview and thumbnail, then the full-size JPEG for downloads and links (q90, no metadata). */
export async function renderEdit(input: string, kind: "image" | "raw", p: EditParams, out: EditOutputs): Promise<ImageResult> {
  const src = await openSource(input, kind);
  const result = await renderForPreview(src, p, out);
  const big = await renderImage(src, p, null);
  let size = { width: 0, height: 0 };
  await writeAtomically(out.full, async (tmp) => (size = await big.jpeg({ quality: 90 }).toFile(tmp)));
  return { ...result, width: size.width, height: size.height };
}

if (import.meta.main) {
  const [input, kind, params, thumb, preview, full] = process.argv.slice(2);
  if (!input || (kind !== "image" && kind !== "raw") || !params || !thumb || !preview || !full) {
    terminal.err("usage: render.ts <input> <image|raw> <params.json> <thumb> <preview> <full>");
    process.exit(2);
  }
  try {
    const { parseEdit } = await import("./params");
    const result = await renderEdit(input, kind, parseEdit(JSON.parse(params)), { thumb, preview, full });
    terminal.out(JSON.stringify(result));
  } catch (e) {
    terminal.err((e as Error).message);
    process.exit(e instanceof MediaFileError ? 3 : 1);
  }
}
