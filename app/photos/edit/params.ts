// A photo's edit as parameters, and what they mean in pixels: read by the web process (validation, the sizes it
// reports) and by the renderer (render.ts). The browser's edit mode (views/static/js/photos/edit.js) previews the same
// geometry with CSS transforms and the same colour matrix with an SVG filter.
import { AppError } from "../../platform/errors";

export const RATIOS = ["free", "original", "1:1", "4:3", "16:9"] as const;
export type Ratio = (typeof RATIOS)[number];
/** A crop as fractions (0–1) of the straightened picture: left, top, width, height. */
export type Crop = { x: number; y: number; w: number; h: number };
export type EditParams = {
  /** Quarter turns clockwise, in degrees. */
  rotate: 0 | 90 | 180 | 270;
  /** A small turn to level the horizon, in degrees (clockwise positive); the picture is zoomed so no corner is empty. */
  straighten: number;
  crop: Crop;
  /** The ratio the crop was drawn with (the edit mode shows its chip again); the crop itself is what counts. */
  ratio: Ratio;
  /** −100…100 each; 0 is unchanged. */
  brightness: number;
  contrast: number;
  saturation: number;
  warmth: number;
};

export const MAX_STRAIGHTEN = 45;
/** The smallest crop side, as a fraction: a sliver of a photo is a mistake, not an edit. */
export const MIN_CROP = 0.02;
export const FULL_CROP: Crop = { x: 0, y: 0, w: 1, h: 1 };
export const UNEDITED: EditParams = { rotate: 0, straighten: 0, crop: FULL_CROP, ratio: "free", brightness: 0, contrast: 0, saturation: 0, warmth: 0 };
const LIGHT = ["brightness", "contrast", "saturation", "warmth"] as const;

const bad = (message: string) => new AppError(400, message);
const num = (v: unknown, name: string): number => {
  if (typeof v !== "number" || !Number.isFinite(v)) throw bad(`${name} must be a number.`);
  return v;
};

/**
 * The parameters from a request body, checked one by one: anything out of range is a 400 that names the field
 * ("straighten must be between −45 and 45 degrees"), never a clamp the person did not ask for.
 */
export function parseEdit(body: unknown): EditParams {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw bad("Send the edit as a JSON object.");
  const b = body as Record<string, unknown>;
  const known = new Set(["rotate", "straighten", "crop", "ratio", ...LIGHT]);
  const extra = Object.keys(b).find((k) => !known.has(k));
  if (extra !== undefined) throw bad(`Unknown edit setting “${extra.slice(0, 40)}”.`);
  const rotate = num(b.rotate ?? 0, "rotate");
  if (rotate !== 0 && rotate !== 90 && rotate !== 180 && rotate !== 270) throw bad("rotate must be 0, 90, 180 or 270 degrees.");
  const straighten = num(b.straighten ?? 0, "straighten");
  if (Math.abs(straighten) > MAX_STRAIGHTEN) throw bad(`straighten must be between −${MAX_STRAIGHTEN} and ${MAX_STRAIGHTEN} degrees.`);
  const ratio = b.ratio ?? "free";
  if (typeof ratio !== "string" || !(RATIOS as readonly string[]).includes(ratio)) throw bad(`ratio must be one of ${RATIOS.join(", ")}.`);
  let crop = FULL_CROP;
  if (b.crop !== undefined && b.crop !== null) {
    if (typeof b.crop !== "object" || Array.isArray(b.crop)) throw bad("crop must be an object with x, y, w and h.");
    const c = b.crop as Record<string, unknown>;
    crop = { x: num(c.x, "crop.x"), y: num(c.y, "crop.y"), w: num(c.w, "crop.w"), h: num(c.h, "crop.h") };
    // Rounding in the browser may overshoot the edge by a hair: that much is the edge.
    const EPS = 1e-6;
    if (crop.x < -EPS || crop.y < -EPS || crop.x + crop.w > 1 + EPS || crop.y + crop.h > 1 + EPS)
      throw bad("crop must lie inside the photo (x, y, w, h are fractions from 0 to 1).");
    if (crop.w < MIN_CROP || crop.h < MIN_CROP) throw bad(`crop must keep at least ${MIN_CROP * 100} % of the photo's width and height.`);
    crop = { x: Math.max(0, crop.x), y: Math.max(0, crop.y), w: Math.min(crop.w, 1 - Math.max(0, crop.x)), h: Math.min(crop.h, 1 - Math.max(0, crop.y)) };
  }
  const light = Object.fromEntries(
    LIGHT.map((k) => {
      const v = num(b[k] ?? 0, k);
      if (v < -100 || v > 100) throw bad(`${k} must be between −100 and 100.`);
      return [k, Math.round(v)];
    }),
  ) as Record<(typeof LIGHT)[number], number>;
  return { rotate, straighten, crop, ratio: ratio as Ratio, ...light };
}

/**
 * How much a picture of w × h turned by `degrees` must be enlarged so that its own w × h frame has no empty corner:
 * cos θ + max(w/h, h/w)·sin θ (the frame's corners must lie inside the turned picture).
 */
export function straightenScale(w: number, h: number, degrees: number): number {
  const t = (Math.abs(degrees) * Math.PI) / 180;
  return Math.cos(t) + Math.max(w / h, h / w) * Math.sin(t);
}

/** The picture's size after the quarter turns: the frame that straighten keeps and the crop's fractions refer to. */
export const turnedSize = (width: number, height: number, rotate: number) => (rotate % 180 === 0 ? { width, height } : { width: height, height: width });

/** The edited picture's size from the upright original's, before any downscaling. */
export function editedSize(width: number, height: number, p: EditParams) {
  const t = turnedSize(width, height, p.rotate);
  const s = straightenScale(t.width, t.height, p.straighten);
  return { width: Math.max(1, Math.round((t.width / s) * p.crop.w)), height: Math.max(1, Math.round((t.height / s) * p.crop.h)) };
}

/**
 * Brightness, contrast, saturation and warmth as one affine map on sRGB values 0–1: out = M·rgb + offset. Applied in
 * this order: warmth (red up, blue down), saturation (the CSS/SVG saturate matrix), contrast around mid grey, brightness
 * (a multiplier). Row-major 3×3 and 3 offsets; the browser feeds the same numbers to an SVG feColorMatrix.
 */
export function colourMatrix(p: Pick<EditParams, (typeof LIGHT)[number]>): { m: number[]; offset: number[] } {
  const k = p.warmth / 100;
  const warm = [1 + 0.12 * k, 0, 0, 0, 1 + 0.02 * k, 0, 0, 0, 1 - 0.12 * k];
  const s = 1 + p.saturation / 100;
  const sat = [
    0.213 + 0.787 * s,
    0.715 - 0.715 * s,
    0.072 - 0.072 * s,
    0.213 - 0.213 * s,
    0.715 + 0.285 * s,
    0.072 - 0.072 * s,
    0.213 - 0.213 * s,
    0.715 - 0.715 * s,
    0.072 + 0.928 * s,
  ];
  const c = 1 + p.contrast / 200;
  const b = 1 + p.brightness / 200;
  const mul = (a: number[], x: number[]) =>
    Array.from(
      { length: 9 },
      (_, i) => a[Math.floor(i / 3) * 3]! * x[i % 3]! + a[Math.floor(i / 3) * 3 + 1]! * x[3 + (i % 3)]! + a[Math.floor(i / 3) * 3 + 2]! * x[6 + (i % 3)]!,
    );
  const m = mul(sat, warm).map((v) => v * c * b);
  const o = (0.5 - 0.5 * c) * b;
  return { m, offset: [o, o, o] };
}

export const isColourEdited = (p: EditParams) => LIGHT.some((k) => p[k] !== 0);
export const isUnedited = (p: EditParams) =>
  p.rotate === 0 && p.straighten === 0 && p.crop.x === 0 && p.crop.y === 0 && p.crop.w === 1 && p.crop.h === 1 && !isColourEdited(p);
