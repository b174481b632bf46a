// PNG: a signature and length-prefixed chunks (ISO/IEC 15948). Kept: the chunks that make the picture (header,
// palette, data, transparency, colour and gamma, physical size, background, APNG animation); dropped: text (tEXt,
// zTXt, iTXt: XMP lives in iTXt), eXIf, time, C2PA and every private or unknown ancillary chunk, and anything after
// IEND. Hand-written: the format is a 12-byte header per chunk, and the PNG libraries on npm copy every chunk into
// memory to list them.
import { NotCleanable, Splice, type Source } from "./spliced";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const KEPT = new Set([
  "IHDR",
  "PLTE",
  "IDAT",
  "IEND",
  "tRNS",
  "gAMA",
  "cHRM",
  "sRGB",
  "iCCP",
  "sBIT",
  "cICP",
  "mDCV",
  "cLLI",
  "pHYs",
  "bKGD",
  "acTL",
  "fcTL",
  "fdAT",
]);

export const isPng = (head: Uint8Array) => SIGNATURE.every((b, i) => head[i] === b);

export async function cleanPng(src: Source): Promise<Splice> {
  if (!isPng(await src.read(0, 8))) throw new NotCleanable("not a PNG");
  const out = new Splice();
  out.copy(0, 8);
  let at = 8;
  for (;;) {
    const h = await src.need(at, 8, "the PNG ends before IEND");
    const length = new DataView(h.buffer, h.byteOffset).getUint32(0);
    const type = String.fromCharCode(...h.subarray(4, 8));
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) throw new NotCleanable("a malformed PNG chunk");
    const end = at + 12 + length;
    if (end > src.size) throw new NotCleanable("a PNG chunk longer than the file");
    if (KEPT.has(type)) out.copy(at, end);
    else if (type[0]! < "a") throw new NotCleanable(`an unknown critical PNG chunk (${type})`); // a decoder would refuse it too
    at = end;
    if (type === "IEND") return out;
  }
}
