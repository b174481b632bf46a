// GIF: a header, the screen descriptor, an optional colour table, then blocks: images, extensions (each a chain of
// sub-blocks ending in a zero-length one) and the trailer. Kept: images, graphic control (frame timing and
// transparency) and the NETSCAPE2.0/ANIMEXTS1.0 looping extension. Dropped: comments, plain text, XMP ("XMP
// DataXMP") and every other application extension, and anything after the trailer. Hand-written: gifuct-js (the
// common parser) decodes the frames, which is not needed to find the blocks.
import { NotCleanable, PartialClean, Splice, type Source } from "./spliced";

const LOOPING = new Set(["NETSCAPE2.0", "ANIMEXTS1.0"]);
export const isGif = (head: Uint8Array) => /^GIF8[79]a$/.test(String.fromCharCode(...head.subarray(0, 6)));

/** The end of a sub-block chain starting at `at`. */
async function subBlocks(src: Source, at: number): Promise<number> {
  for (;;) {
    const [n] = await src.need(at, 1, "a GIF block cut short");
    at += 1 + n!;
    if (n === 0) return at;
    if (at > src.size) throw new NotCleanable("a GIF block longer than the file");
  }
}

const tableSize = (packed: number) => (packed & 0x80 ? 3 * (1 << ((packed & 7) + 1)) : 0);

export async function cleanGif(src: Source): Promise<Splice> {
  const head = await src.need(0, 13, "not a GIF");
  if (!isGif(head)) throw new NotCleanable("not a GIF");
  const out = new Splice();
  const start = 13 + tableSize(head[10]!);
  if (start > src.size) throw new NotCleanable("a GIF colour table longer than the file");
  out.copy(0, start);
  try {
    await walk(src, out, start);
    return out;
  } catch (e) {
    throw e instanceof NotCleanable ? new PartialClean(out, e.message) : e;
  }
}

/** Blocks from `at` to the trailer, the kept ones copied into `out`. */
async function walk(src: Source, out: Splice, at: number): Promise<void> {
  for (;;) {
    const [kind] = await src.need(at, 1, "the GIF ends before its trailer");
    if (kind === 0x3b) {
      out.copy(at, at + 1);
      return;
    }
    if (kind === 0x2c) {
      const d = await src.need(at, 10, "a GIF image descriptor cut short");
      const data = at + 10 + tableSize(d[9]!) + 1; // + the LZW code size byte
      const end = await subBlocks(src, data);
      out.copy(at, end);
      at = end;
    } else if (kind === 0x21) {
      const [, label, first] = await src.need(at, 3, "a GIF extension cut short");
      const end = await subBlocks(src, at + 2);
      const id = label === 0xff && first === 11 ? String.fromCharCode(...(await src.need(at + 3, 11, "a GIF extension cut short"))) : "";
      if (label === 0xf9 || LOOPING.has(id)) out.copy(at, end);
      at = end;
    } else throw new NotCleanable("an unknown GIF block");
  }
}
