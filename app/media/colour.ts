// Colour of HEIC pixels. libheif-js hands over RGBA in the file's own colour space; iPhones store Display P3 (an ICC
// profile in the `colr` box, or nclx colour primaries 12). Shown as if sRGB, those photos look washed out, so P3
// pixels are converted to sRGB here (the thumbnails and previews carry no profile: they are sRGB by definition).
// Other profiles are rare in HEIC and are passed through as sRGB.

/** The colour space a HEIC/HEIF file declares for its image, from its first `colr` box. */
export function heifColourSpace(bytes: Uint8Array): "display-p3" | "srgb" {
  const text = (at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n));
  // The metadata boxes sit before the image data; 1 MB covers them in every file seen (they are a few kB).
  const end = Math.min(bytes.length - 12, 1 << 20);
  for (let i = 4; i < end; i++) {
    if (bytes[i] !== 0x63 || text(i, 4) !== "colr") continue; // "c"
    const size = new DataView(bytes.buffer, bytes.byteOffset + i - 4, 4).getUint32(0);
    const kind = text(i + 4, 4);
    if (kind === "nclx") return (bytes[i + 8]! << 8) + bytes[i + 9]! === 12 ? "display-p3" : "srgb";
    if (kind === "prof" || kind === "rICC") {
      const icc = bytes.subarray(i + 8, Math.min(bytes.length, i - 4 + size));
      return iccIsDisplayP3(icc) ? "display-p3" : "srgb";
    }
  }
  return "srgb";
}

/** An ICC profile whose red primary is P3's (D50-adapted XYZ ≈ 0.515, 0.241): Apple's "Display P3" and its kin. */
function iccIsDisplayP3(icc: Uint8Array): boolean {
  if (icc.length < 132) return false;
  const view = new DataView(icc.buffer, icc.byteOffset, icc.byteLength);
  const count = view.getUint32(128);
  for (let t = 0; t < count && 132 + t * 12 + 12 <= icc.length; t++) {
    const at = 132 + t * 12;
    if (view.getUint32(at) !== 0x7258595a) continue; // "rXYZ"
    const offset = view.getUint32(at + 4);
    if (offset + 20 > icc.length) return false;
    const x = view.getInt32(offset + 8) / 65536;
    const y = view.getInt32(offset + 12) / 65536;
    return Math.abs(x - 0.5151) < 0.01 && Math.abs(y - 0.2412) < 0.01;
  }
  return false;
}

// Linear Display P3 → linear sRGB (both D65; the same transfer curve), from the two sets of primaries.
const P3_TO_SRGB = [1.2249401, -0.2249404, 0, -0.0420569, 1.0420571, 0, -0.0196376, -0.0786361, 1.0982735] as const;
const LINEAR = Float32Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});
const ENCODE_STEPS = 4096;
const ENCODE = Uint8Array.from({ length: ENCODE_STEPS + 1 }, (_, i) => {
  const c = i / ENCODE_STEPS;
  return Math.round(255 * (c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055));
});
const encode = (linear: number) => ENCODE[Math.round(Math.max(0, Math.min(1, linear)) * ENCODE_STEPS)]!;

/** Converts RGB or RGBA pixels from Display P3 to sRGB in place (colours outside sRGB are clipped, as browsers do). */
export function displayP3ToSrgb(rgba: Uint8Array, channels: 3 | 4 = 4): void {
  const [a, b, c, d, e, f, g, h, k] = P3_TO_SRGB;
  for (let i = 0; i < rgba.length; i += channels) {
    const r = LINEAR[rgba[i]!]!;
    const gr = LINEAR[rgba[i + 1]!]!;
    const bl = LINEAR[rgba[i + 2]!]!;
    rgba[i] = encode(a * r + b * gr + c * bl);
    rgba[i + 1] = encode(d * r + e * gr + f * bl);
    rgba[i + 2] = encode(g * r + h * gr + k * bl);
  }
}
