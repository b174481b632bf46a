// TIFF and the RAW formats built on it (DNG, CR2, NEF, ARW, ORF, RW2, PEF, SRW…) cannot be rewritten here: their
// IFDs point at each other and at the pixel data by absolute offsets, and maker notes hide their own structures
// (some with a place). So a TIFF is sent as stored only when it is proven to carry nothing but a picture: every tag
// of every IFD (the chain, SubIFDs, the Exif IFD) is one of the image-structure tags below. A GPS IFD, XMP, IPTC,
// Photoshop resources, a maker note or any private tag refuses it. Bounded: at most 64 IFDs of 4096 entries, each
// visited once, every offset checked against the file's size.
import { NotCleanable, type Source, Splice } from "./spliced";

/** Image structure (baseline and extended TIFF), orientation, resolution, colour, and camera settings that locate nothing. */
const PLAIN = new Set([
  0x00fe, 0x00ff, 0x0100, 0x0101, 0x0102, 0x0103, 0x0106, 0x0107, 0x0108, 0x0109, 0x010a, 0x010d, 0x010f, 0x0110, 0x0111, 0x0112, 0x0115, 0x0116, 0x0117,
  0x0118, 0x0119, 0x011a, 0x011b, 0x011c, 0x011d, 0x0122, 0x0123, 0x0124, 0x0125, 0x0128, 0x0129, 0x012d, 0x0131, 0x0132, 0x013d, 0x013e, 0x013f, 0x0140,
  0x0141, 0x0142, 0x0143, 0x0144, 0x0145, 0x0146, 0x014a, 0x014c, 0x0152, 0x0153, 0x0154, 0x0155, 0x0156, 0x015b, 0x0200, 0x0201, 0x0211, 0x0212, 0x0213,
  0x0214, 0x8769, 0x8773, 0x829a, 0x829d, 0x8822, 0x8827, 0x8830, 0x9000, 0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9101, 0x9102, 0x9201, 0x9202, 0x9203,
  0x9204, 0x9205, 0x9207, 0x9208, 0x9209, 0x920a, 0x9290, 0x9291, 0x9292, 0xa000, 0xa001, 0xa002, 0xa003, 0xa217, 0xa401, 0xa402, 0xa403, 0xa404, 0xa405,
  0xa406,
]);
/** Tags whose value is the offset of another IFD to check (SubIFDs, Exif IFD). */
const POINTERS = new Set([0x014a, 0x8769]);

export const isTiff = (h: Uint8Array) =>
  (h[0] === 0x49 && h[1] === 0x49 && h[2] === 0x2a && h[3] === 0) || (h[0] === 0x4d && h[1] === 0x4d && h[2] === 0 && h[3] === 0x2a);

/** The whole file when the TIFF holds only the tags above; throws NotCleanable (with the reason) otherwise. */
export async function provePlainTiff(src: Source): Promise<Splice> {
  const h = await src.need(0, 8, "not a TIFF");
  if (!isTiff(h)) throw new NotCleanable("not a TIFF"); // BigTIFF and TIFF-like RAWs (ORF, RW2 use other magics) are refused
  const le = h[0] === 0x49;
  const u16 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint16(at, le);
  const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, le);
  const queue = [u32(h, 4)];
  const seen = new Set<number>();
  while (queue.length) {
    const ifd = queue.shift()!;
    if (ifd === 0) continue;
    if (seen.has(ifd)) continue;
    if (seen.size >= 64) throw new NotCleanable("too many TIFF directories");
    seen.add(ifd);
    const count = u16(await src.need(ifd, 2, "a TIFF directory outside the file"), 0);
    if (count > 4096) throw new NotCleanable("a TIFF directory with too many entries");
    const entries = await src.need(ifd + 2, count * 12 + 4, "a TIFF directory cut short");
    for (let i = 0; i < count; i++) {
      const tag = u16(entries, i * 12);
      if (!PLAIN.has(tag)) throw new NotCleanable(`TIFF tag 0x${tag.toString(16)} may carry metadata`);
      if (!POINTERS.has(tag)) continue;
      const type = u16(entries, i * 12 + 2);
      const n = u32(entries, i * 12 + 4);
      if ((type !== 4 && type !== 13) || n > 64) throw new NotCleanable("a malformed TIFF directory pointer");
      const values = n === 1 ? entries.subarray(i * 12 + 8, i * 12 + 12) : await src.need(u32(entries, i * 12 + 8), n * 4, "a TIFF value outside the file");
      for (let k = 0; k < n; k++) queue.push(u32(values, k * 4));
    }
    queue.push(u32(entries, count * 12));
  }
  const all = new Splice();
  all.copy(0, src.size);
  return all;
}
