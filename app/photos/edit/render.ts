// `bun app/photos/edit/render.ts <input> <image|raw> <params.json> <thumb> <preview> <full>`: a photo's edit rendered
// from its original (never from a derivative), in a process of its own started by the edit job (jobs.ts) like the
// media pipeline's decoders: the worker loads no sharp, and a hostile file cannot take it down. Prints the edited
// picture's size and ThumbHash as JSON; exit code 3 when the file cannot be decoded (its fault, not retried).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Sharp } from "sharp";
import { writeAtomically } from "../../../hw/files";
import { terminal } from "../../platform/log";
import { decodeHeicPrimary, derive, largestEmbeddedJpeg, MAX_INPUT_PIXELS, MediaFileError, orient, PREVIEW_SIZE, type ImageResult } from "../../media/image";
import { readPhotoMetadata } from "../../media/metadata";
import { isHeic } from "../../media/model";
import { colourMatrix, editedSize, isColourEdited, straightenScale, turnedSize, type EditParams } from "./params";

type SharpLib = typeof import("sharp").default;
type Raw = { data: Buffer; info: { width: number; height: number; channels: 1 | 2 | 3 | 4 } };
/** The original, upright (EXIF orientation applied) and in sRGB: a fresh sharp pipeline per call, and its size. */
export type Source = { make: () => Sharp; width: number; height: number };

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
      const make = () => (meta.orientation ? sharp(embedded, tolerant).rotate() : orient(sharp(embedded, tolerant), rawOrientation));
      return { make, width: size.width!, height: size.height! };
    }
    if (await isHeic(input)) {
      const { width, height, rgba } = await decodeHeicPrimary(await Bun.file(input).bytes());
      return { make: () => sharp(rgba, { raw: { width, height, channels: 4 }, limitInputPixels: MAX_INPUT_PIXELS }), width, height };
    }
    const meta = await sharp(input, tolerant).metadata();
    const size = meta.autoOrient ?? meta;
    if (!size.width || !size.height) throw new MediaFileError("This photo has no picture size in its header.");
    // Read tolerantly, as its thumbnail was: a partly damaged photo edits what decodes (the rest is grey).
    return { make: () => sharp(input, tolerant).rotate(), width: size.width, height: size.height };
  } catch (e) {
    if (e instanceof MediaFileError) throw e;
    throw new MediaFileError(`This photo could not be decoded for editing: ${describe(e).replaceAll(input, "the file")}.`);
  }
}

/** Brightness, contrast, saturation and warmth on RGB pixels in place (one affine map per pixel, params.ts). */
function applyColour(raw: Raw, p: EditParams) {
  const { m, offset } = colourMatrix(p);
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m as [number, number, number, number, number, number, number, number, number];
  const [o0, o1, o2] = offset.map((o) => o * 255) as [number, number, number];
  // A clamped view rounds and clips to 0–255 on write.
  const px = new Uint8ClampedArray(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  const step = raw.info.channels;
  for (let i = 0; i < px.length; i += step) {
    const r = px[i]!;
    const g = px[i + 1]!;
    const b = px[i + 2]!;
    px[i] = m0 * r + m1 * g + m2 * b + o0;
    px[i + 1] = m3 * r + m4 * g + m5 * b + o1;
    px[i + 2] = m6 * r + m7 * g + m8 * b + o2;
  }
}

/**
 * The edited picture as RGB pixels, at most `longSide` px on its long side (null: full size). The original is decoded
 * once, already at the scale the result needs (shrink-on-load: a 12 MP JPEG for a 1440-px preview is decoded at half
 * size), then turned (quarter turns and straighten together, about the centre) and cut to the straightened frame and
 * the crop in one pass, and coloured.
 */
export async function renderPixels(src: Source, p: EditParams, longSide: number | null): Promise<Raw> {
  const sharp = await sharpLib();
  const full = editedSize(src.width, src.height, p);
  const k = longSide ? Math.min(1, longSide / Math.max(full.width, full.height)) : 1;
  let decode = src.make();
  if (k < 1) decode = decode.resize(Math.max(1, Math.round(src.width * k)), Math.max(1, Math.round(src.height * k)), { fit: "fill" });
  const upright = (await decode
    .toColourspace("srgb")
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((e: unknown) => {
      throw new MediaFileError(`This photo could not be decoded for editing: ${describe(e)}.`);
    })) as Raw;
  const angle = p.rotate + p.straighten;
  const asRaw = (r: Raw) => ({ raw: { width: r.info.width, height: r.info.height, channels: r.info.channels } });
  // The turned canvas is the bounding box libvips makes, rounded as it rounds (render.test.ts holds sizes to it), so
  // the turn and the cut are one pass.
  const t = (angle * Math.PI) / 180;
  const [cos, sin] = [Math.abs(Math.cos(t)), Math.abs(Math.sin(t))];
  const cw = angle === 0 ? upright.info.width : Math.round(upright.info.width * cos + upright.info.height * sin);
  const ch = angle === 0 ? upright.info.height : Math.round(upright.info.width * sin + upright.info.height * cos);
  // The straightened frame: the quarter-turned picture's own shape, shrunk until no corner is empty, centred.
  const turned = turnedSize(upright.info.width, upright.info.height, p.rotate);
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
  let image = sharp(upright.data, asRaw(upright));
  if (angle !== 0) image = image.rotate(angle, { background: "#000000" });
  if (!whole) image = image.extract({ left, top, width, height });
  const cut = angle === 0 && whole ? upright : ((await image.raw().toBuffer({ resolveWithObject: true })) as Raw);
  if (isColourEdited(p)) applyColour(cut, p);
  return cut;
}

export type EditOutputs = { thumb: string; preview: string; full: string };

/** The edit's preview and grid thumbnail (the pipeline's sizes and encoders) and its ThumbHash: what the grid shows. */
export async function renderForPreview(src: Source, p: EditParams, out: { thumb: string; preview: string }): Promise<ImageResult> {
  const sharp = await sharpLib();
  const r = await renderPixels(src, p, PREVIEW_SIZE);
  mkdirSync(dirname(out.preview), { recursive: true });
  return derive(sharp(r.data, { raw: { width: r.info.width, height: r.info.height, channels: r.info.channels } }), editedSize(src.width, src.height, p), out);
}

/** The preview and thumbnail, then the full-size JPEG for downloads and links (q90, no metadata). */
export async function renderEdit(input: string, kind: "image" | "raw", p: EditParams, out: EditOutputs): Promise<ImageResult> {
  const sharp = await sharpLib();
  const src = await openSource(input, kind);
  const result = await renderForPreview(src, p, out);
  const big = await renderPixels(src, p, null);
  await writeAtomically(out.full, (tmp) =>
    sharp(big.data, { raw: { width: big.info.width, height: big.info.height, channels: big.info.channels } })
      .jpeg({ quality: 90 })
      .toFile(tmp),
  );
  return { ...result, width: big.info.width, height: big.info.height };
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
