// Matroska and WebM: EBML elements (a variable-length ID and size, then the data). The place is a `LOCATION`
// simple tag (exiftool and ffprobe read it) in the segment's Tags; Attachments can hold any file (a cover picture
// with its own EXIF). Cleaned in place: Tags, Attachments and any element of the segment that is not one of the
// structural ones below become Void elements of the same length with zeroed data, so every offset (SeekHead, Cues)
// still holds and a Range request maps 1:1 onto the original. Title, chapters and the tracks themselves are content
// and stay.
//
// Hand-written: the npm EBML parsers (ebml, ts-ebml) decode every element of the file, every block of every
// cluster, so cleaning a 4 GB video would read 4 GB; this reads the segment's top-level headers and skips clusters
// by their size (walking a cluster's children only when its size is unknown, as live recorders write them). Every
// step advances by a checked size; nothing past the file is read.
import { NotCleanable, type Patch, patched, type Source, type Splice } from "./spliced";

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const CLUSTER = 0x1f43b675;
const VOID = 0xec;
/** Segment children that carry structure or media: SeekHead, Info, Tracks, Cues, Chapters, Cluster, Void, CRC-32. */
const KEPT = new Set([0x114d9b74, 0x1549a966, 0x1654ae6b, 0x1c53bb6b, 0x1043a770, CLUSTER, VOID, 0xbf]);
/** Every element that can appear at the segment's level: an unknown-size cluster ends where one of these starts. */
const LEVEL1 = new Set([...KEPT, 0x1254c367, 0x1941a469, SEGMENT, EBML]);

type Element = { id: number; at: number; dataAt: number; size: number | null };

export const isMatroska = (head: Uint8Array) => head.length >= 4 && ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0 === EBML;

/** A variable-length integer at `at` of `b`: its length and value (the marker bit kept for IDs, removed for sizes). */
function vint(b: Uint8Array, at: number, keepMarker: boolean): { length: number; value: number; unknown: boolean } | null {
  const first = b[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > b.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + b[at + i]!;
    if (b[at + i] !== 0xff) allOnes = false;
  }
  return { length, value, unknown: !keepMarker && allOnes };
}

async function element(src: Source, at: number, end: number): Promise<Element> {
  const b = await src.read(at, 12);
  const id = vint(b, 0, true);
  if (!id || id.length > 4) throw new NotCleanable("a malformed Matroska element ID");
  const size = vint(b, id.length, false);
  if (!size) throw new NotCleanable("a malformed Matroska element size");
  const dataAt = at + id.length + size.length;
  if (dataAt > end || (!size.unknown && dataAt + size.value > end)) throw new NotCleanable("a Matroska element longer than its parent");
  return { id: id.value, at, dataAt, size: size.unknown ? null : size.value };
}

/** The same bytes as one Void element: its ID, a size field filling the rest of the header, zeroed data. */
function voidOf(at: number, length: number): Patch {
  const sizeLength = length - 2 <= 126 ? 1 : 8;
  const data = length - 1 - sizeLength;
  const head = new Uint8Array(1 + sizeLength);
  head[0] = VOID;
  if (sizeLength === 1) head[1] = 0x80 | data;
  else {
    head[1] = 0x01;
    let v = data;
    for (let i = 8; i >= 2; i--) {
      head[i] = v % 256;
      v = Math.floor(v / 256);
    }
  }
  return { at, bytes: head, length };
}

export async function cleanMatroska(src: Source): Promise<Splice> {
  if (!isMatroska(await src.read(0, 4))) throw new NotCleanable("not Matroska");
  const patches: Patch[] = [];
  let at = 0;
  while (at < src.size) {
    const top = await element(src, at, src.size);
    const end = top.size === null ? src.size : top.dataAt + top.size;
    if (top.id === SEGMENT) await segment(src, top.dataAt, end, patches);
    else if (top.id !== EBML) patches.push(voidOf(at, end - at));
    else if (top.size === null) throw new NotCleanable("an EBML header of unknown size");
    at = end;
  }
  return patched(src.size, patches);
}

async function segment(src: Source, from: number, to: number, patches: Patch[]) {
  let at = from;
  while (at < to) {
    const e = await element(src, at, to);
    let end: number;
    if (e.size !== null) end = e.dataAt + e.size;
    else if (e.id === CLUSTER) end = await clusterEnd(src, e.dataAt, to);
    else throw new NotCleanable("a Matroska element of unknown size");
    if (!KEPT.has(e.id)) patches.push(voidOf(at, end - at));
    at = end;
  }
}

/** Where a cluster of unknown size ends: at the next segment-level element (or the segment's end). */
async function clusterEnd(src: Source, from: number, to: number): Promise<number> {
  let at = from;
  while (at < to) {
    const e = await element(src, at, to);
    if (LEVEL1.has(e.id)) return at;
    if (e.size === null) throw new NotCleanable("a Matroska block of unknown size");
    at = e.dataAt + e.size;
  }
  return to;
}
