// JPEG: only what a decoder needs is kept, by a whitelist of segments, over every scan of the image (progressive
// JPEGs put segments between scans), and nothing after its end: multi-picture files (MPF) and motion photos append
// a second located JPEG or an MP4 after the first image's EOI. No library walks JPEG markers and scan data to byte
// offsets without decoding (exifr reads only the metadata it finds; sharp would re-encode), so this is a loop over
// the file that advances on every step and never reads past its end.
import { NotCleanable, PartialClean, Splice, type Source } from "./spliced";

const ascii = (b: Uint8Array) => String.fromCharCode(...b);

/**
 * Kept segments: frames (SOFn), Huffman/arithmetic/quantisation tables, restart interval, DNL, scans; APP0 only
 * as JFIF (density), APP2 only as an ICC colour profile, APP14 only as Adobe's colour transform (both change the
 * colours). Dropped: every other APPn (Exif, XMP, MPF, FlashPix, IPTC, maker segments…) and comments.
 */
function kept(marker: number, payload: Uint8Array): boolean {
  if ((marker >= 0xc0 && marker <= 0xcf && marker !== 0xc8) || marker === 0xda || marker === 0xdb || marker === 0xdd || marker === 0xdc) return true;
  if (marker === 0xe0) return ascii(payload.subarray(0, 5)) === "JFIF\0";
  if (marker === 0xe2) return ascii(payload.subarray(0, 12)) === "ICC_PROFILE\0";
  if (marker === 0xee) return ascii(payload.subarray(0, 5)) === "Adobe";
  return false;
}

/** The first image of a JPEG without metadata. Throws NotCleanable when the structure is not a JPEG's. */
export async function cleanJpeg(src: Source): Promise<Splice> {
  const head = await src.read(0, 3);
  if (head.length < 3 || head[0] !== 0xff || head[1] !== 0xd8 || head[2] !== 0xff) throw new NotCleanable("not a JPEG");
  const out = new Splice();
  out.copy(0, 2);
  try {
    await walk(src, out);
    return out;
  } catch (e) {
    throw e instanceof NotCleanable ? new PartialClean(out, e.message) : e;
  }
}

/** Segments and scans from offset 2 to the first image's end marker, the kept ones copied into `out`. */
async function walk(src: Source, out: Splice): Promise<void> {
  let at = 2;
  let frames = 0;
  for (;;) {
    // At a marker: 0xFF, any fill bytes, the marker code.
    let b = await src.read(at, 2);
    if (b.length < 2) throw new NotCleanable("the JPEG ends before its end marker");
    if (b[0] !== 0xff) throw new NotCleanable("bytes between JPEG segments");
    while (b[1] === 0xff) {
      at++;
      b = await src.read(at, 2);
      if (b.length < 2) throw new NotCleanable("the JPEG ends in fill bytes");
    }
    const marker = b[1]!;
    if (marker === 0xd9) {
      if (!frames) throw new NotCleanable("a JPEG without a frame");
      out.copy(at, at + 2);
      return; // whatever follows the first image (MPF pictures, a motion photo's MP4, trailers) is left out
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      out.copy(at, at + 2);
      at += 2;
      continue;
    }
    if (marker === 0xd8 || marker === 0x00) throw new NotCleanable("an unexpected JPEG marker");
    const lb = await src.need(at + 2, 2, "a JPEG segment cut short");
    const length = (lb[0]! << 8) | lb[1]!;
    if (length < 2 || at + 2 + length > src.size) throw new NotCleanable("a JPEG segment longer than the file");
    const payload = await src.read(at + 4, Math.min(length - 2, 16));
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) frames++;
    if (kept(marker, payload)) out.copy(at, at + 2 + length);
    at += 2 + length;
    if (marker !== 0xda) continue;
    if (!frames) throw new NotCleanable("a JPEG scan before its frame");
    // Entropy-coded data: runs to the next marker that is not a stuffed 0xFF00 or a restart marker.
    const scan = at;
    at = await nextMarker(src, at);
    if (at >= src.size) {
      // A truncated file (no end marker): what there is of the scan is pixels, nothing else follows.
      out.copy(scan, src.size);
      return;
    }
    out.copy(scan, at);
  }
}

/** The offset of the first 0xFF that starts a real marker at or after `from` (or the file's size). */
async function nextMarker(src: Source, from: number): Promise<number> {
  let at = from;
  while (at < src.size) {
    const base = at;
    const window = await src.read(at, 1 << 20);
    const view = Buffer.from(window.buffer, window.byteOffset, window.length); // a view, for its native indexOf
    let i = view.indexOf(0xff);
    while (i !== -1) {
      if (i + 1 >= view.length) break; // the next byte is in the next window
      const next = view[i + 1]!;
      if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) return base + i; // 0xFFFF: fill before a marker
      i = view.indexOf(0xff, i + 1);
    }
    if (i !== -1 && i + 1 >= view.length) {
      if (base + i + 1 >= src.size) return src.size; // a lone 0xFF as the file's last byte
      at = base + i; // re-read from that 0xFF
      if (at === base) at++; // cannot happen with a window over one byte; never loop in place
    } else at = base + view.length;
  }
  return src.size;
}
