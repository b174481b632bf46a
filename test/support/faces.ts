// Test and bench helpers for People: the fixture photos, and generated variants of each face (crop, scale,
// brightness, mirror, JPEG quality) whose identity is known, made with sharp from the real photos.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sharp, { type Sharp } from "sharp";

export const PEOPLE_FIXTURES = join(import.meta.dir, "../fixtures/people");
export const FACE_PHOTOS = ["party-1", "party-2", "party-3", "party-4", "party-5", "party-6", "astronaut", "grace-hopper"].map((n) =>
  join(PEOPLE_FIXTURES, `${n}.jpg`),
);

/** What each variant does to the picture around a face. */
export const VARIANTS = {
  plain: (s: Sharp) => s,
  tight: (s: Sharp, w: number, h: number) =>
    s.extract({ left: Math.round(w * 0.12), top: Math.round(h * 0.12), width: Math.round(w * 0.76), height: Math.round(h * 0.76) }),
  small: (s: Sharp, w: number) => s.resize(Math.round(w * 0.5)),
  dark: (s: Sharp) => s.modulate({ brightness: 0.6 }),
  bright: (s: Sharp) => s.modulate({ brightness: 1.4 }),
  mirror: (s: Sharp) => s.flop(),
  jpeg40: (s: Sharp) => s,
} as const;
export type VariantName = keyof typeof VARIANTS;

export type FaceRegion = { photo: string; identity: string; left: number; top: number; width: number; height: number };

/** A region of 2.6× the face's box around it, clipped to the photo: one face (and bits of neighbours) per region. */
export async function regionsOf(photo: string, boxes: readonly (readonly number[])[]): Promise<FaceRegion[]> {
  const { width = 0, height = 0 } = await sharp(photo).metadata();
  return boxes.map((b, i) => {
    const side = Math.max(b[2]! * width, b[3]! * height) * 2.6;
    const cx = (b[0]! + b[2]! / 2) * width;
    const cy = (b[1]! + b[3]! / 2) * height;
    const left = Math.max(0, Math.round(cx - side / 2));
    const top = Math.max(0, Math.round(cy - side / 2));
    return {
      photo,
      identity: `${photo.split("/").pop()!.replace(".jpg", "")}#${i}`,
      left,
      top,
      width: Math.min(Math.round(side), width - left),
      height: Math.min(Math.round(side), height - top),
    };
  });
}

/** Writes `variant` of a face region as a JPEG into `dir`; returns its path. */
export async function writeVariant(region: FaceRegion, variant: VariantName, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${region.identity.replace("#", "-")}-${variant}.jpg`);
  const base = sharp(region.photo).extract(region);
  const made = await (VARIANTS[variant] as (s: Sharp, w: number, h: number) => Sharp)(sharp(await base.toBuffer()), region.width, region.height);
  await made.jpeg({ quality: variant === "jpeg40" ? 40 : 90 }).toFile(out);
  return out;
}

/** A poster: big letters, stripes and circles on a flat background, no face (a false-positive check). */
export async function writePoster(path: string) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="768">
    <rect width="1024" height="768" fill="#f4e3c1"/>
    <rect x="0" y="520" width="1024" height="60" fill="#c0392b"/><rect x="0" y="600" width="1024" height="30" fill="#2c3e50"/>
    <circle cx="760" cy="260" r="150" fill="#e67e22"/><circle cx="700" cy="220" r="28" fill="#2c3e50"/><circle cx="820" cy="220" r="28" fill="#2c3e50"/>
    <text x="60" y="200" font-family="sans-serif" font-size="120" font-weight="bold" fill="#2c3e50">SUMMER</text>
    <text x="60" y="330" font-family="sans-serif" font-size="90" fill="#c0392b">FESTIVAL 2024</text>
    <text x="60" y="700" font-family="sans-serif" font-size="40" fill="#2c3e50">Live music · Food · Fireworks</text></svg>`;
  await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toFile(path);
  return path;
}
