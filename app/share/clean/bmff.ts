// ISO base media files: MP4, MOV (also those whose first box is `wide`, `free` or `mdat`, as iPhones and old
// QuickTime write them), 3GP, M4A, HEIC and AVIF. Cleaned in place, so the file keeps its size and every offset:
// a Range request maps 1:1 onto the original and nothing is copied to disk.
//
// What stays: `ftyp`; in `moov` the movie header and the video and sound tracks (their headers, media and sample
// tables); in an image file's `meta` the item structure (handler, primary item, locations, infos, references,
// properties, idat) and the pictures' data; and in `mdat` exactly the bytes those tracks' samples and those items
// occupy. Everything else becomes a `free` box with a zeroed payload (udta with ©xyz, Apple's location key in
// moov/meta, XMP and maker `uuid` boxes, top-level `free`/`wide`/`skip` payloads where dashcams keep GPS, tracks other
// than video and sound: timed metadata with GPS such as GoPro's gpmd, Google's camm, Apple's mebx, DJI's subtitles),
// and every byte of `mdat` no kept sample or picture uses is zeroed (those tracks' samples, an image's Exif and XMP
// items). Fragmented MP4 (moof) and Canon's CR3 RAW are refused.
//
// Hand-written: mp4box.js (GPAC) parses this too, but builds an object per sample (hundreds of bytes each: an hour
// of video is ~80 MB in the web process) and holds the boxes it reads; here a box header is 8 or 16 bytes, moov and
// meta are read whole (bounded to 64 MiB), sample tables are walked as typed arrays, and every loop advances by a
// box's checked size or a counted table entry.
import { NotCleanable, type Patch, patched, type Source, type Splice } from "./spliced";

type Box = { type: string; at: number; size: number; headerSize: number };
type Extent = [number, number];

const MAX_READ = 64 * 1024 * 1024;
/** What a file's first box may be for it to be taken as ISO-BMFF / QuickTime. */
const FIRST = new Set(["ftyp", "moov", "mdat", "wide", "free", "skip", "pnot"]);
const FRAGMENTED = new Set(["moof", "mfra", "sidx", "styp", "ssix", "emsg", "prft"]);
const TRACKS = new Set(["vide", "soun"]);
const TRAK_KEPT = new Set(["tkhd", "edts", "tref", "tapt", "mdia"]);
const MDIA_KEPT = new Set(["mdhd", "hdlr", "minf", "elng"]);
const MINF_KEPT = new Set(["vmhd", "smhd", "gmhd", "hdlr", "dinf", "stbl"]);
const META_KEPT = new Set(["hdlr", "pitm", "iloc", "iinf", "iref", "iprp", "idat", "dinf", "grpl"]);
/** Item types whose data is metadata, not a picture. */
const META_ITEMS = new Set(["Exif", "mime", "uri "]);

const damaged = (why: string) => new NotCleanable(`This file's MP4 structure is damaged (${why}), so its location cannot be removed.`);
const type4 = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** A box header at `at` in `buf` with `room` bytes left in its parent; null when it does not fit. */
function header(buf: Uint8Array, at: number, room: number): Box | null {
  if (room < 8 || buf.length < at + 8) return null;
  const view = new DataView(buf.buffer, buf.byteOffset + at);
  let size = view.getUint32(0);
  let headerSize = 8;
  if (size === 1) {
    if (room < 16 || buf.length < at + 16) return null;
    size = Number(view.getBigUint64(8));
    headerSize = 16;
  } else if (size === 0) size = room; // to the end of the parent
  if (size < headerSize || size > room) return null;
  return { type: type4(buf, at + 4), at, size, headerSize };
}

export function isBmff(head: Uint8Array): boolean {
  const box = header(head, 0, Number.MAX_SAFE_INTEGER);
  return !!box && FIRST.has(box.type);
}

/** The children of the box spanning [from, to) of `buf`; damaged when they do not add up. */
function children(buf: Uint8Array, from: number, to: number): Box[] {
  const out: Box[] = [];
  let at = from;
  while (at < to) {
    const box = header(buf, at, to - at);
    if (!box) throw damaged("a box runs past its parent");
    out.push(box);
    at += box.size;
  }
  return out;
}
const child = (buf: Uint8Array, box: Box, type: string, skip = 0) =>
  children(buf, box.at + box.headerSize + skip, box.at + box.size).find((c) => c.type === type);

/** Cleans the file in place (see the top of this file). */
export async function cleanBmff(src: Source): Promise<Splice> {
  const patches: Patch[] = [];
  const kept: Extent[] = [];
  const dropped: Extent[] = [];
  const mdats: Extent[] = [];
  const blank = (bytes: Uint8Array, box: Box, base: number) => {
    const head = bytes.slice(box.at, box.at + box.headerSize);
    head.set([0x66, 0x72, 0x65, 0x65], 4); // "free"
    patches.push({ at: base + box.at, bytes: head, length: box.size });
  };
  if (!isBmff(await src.read(0, 16))) throw new NotCleanable("not an ISO-BMFF file");
  for (let at = 0; at < src.size; ) {
    const head = await src.read(at, 16);
    const box = header(head, 0, src.size - at);
    if (!box) throw damaged("a box runs past the end of the file");
    if (FRAGMENTED.has(box.type)) throw new NotCleanable("A fragmented MP4 cannot be proven clean of its location.");
    const read = async () => {
      if (box.size > MAX_READ) throw damaged(`a ${box.type} box over 64 MiB`);
      return src.need(at, box.size, "a box cut short");
    };
    if (box.type === "ftyp") {
      if (type4(head, 8) === "crx ") throw new NotCleanable("A camera RAW file (CR3) cannot be cleaned of its metadata.");
    } else if (box.type === "mdat") mdats.push([at + box.headerSize, at + box.size]);
    else if (box.type === "moov") {
      const buf = (await read()).slice();
      movie(buf, { ...box, at: 0 }, kept, (b) => blank(buf, b, at));
    } else if (box.type === "meta") {
      const buf = (await read()).slice();
      if (isPictureMeta(buf, box)) pictures(buf, { ...box, at: 0 }, at, kept, dropped, patches, (b) => blank(buf, b, at));
      else blank(buf, { ...box, at: 0 }, at);
    } else blank(head, { ...box, at: 0 }, at);
    at += box.size;
  }
  // Every byte of mdat that no kept sample or picture uses is zeroed.
  const keep = merge(kept);
  for (const [a, b] of merge(dropped)) if (overlaps(keep, a, b)) throw new NotCleanable("Metadata shares its bytes with a picture.");
  for (const [a, b] of dropped) if (!mdats.some(([m, n]) => a >= m && b <= n)) throw new NotCleanable("Metadata stored outside the media data.");
  for (const [from, to] of mdats) {
    let at = from;
    for (const [a, b] of keep) {
      if (b <= at || a >= to) continue;
      if (a > at) patches.push({ at, length: a - at });
      at = Math.max(at, Math.min(b, to));
    }
    if (at < to) patches.push({ at, length: to - at });
  }
  return patched(src.size, patches);
}

function merge(extents: Extent[]): Extent[] {
  const out: Extent[] = [];
  for (const [a, b] of [...extents].sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else if (b > a) out.push([a, b]);
  }
  return out;
}
const overlaps = (sorted: Extent[], a: number, b: number) => sorted.some(([x, y]) => x < b && a < y);

/** moov: the movie header and video/sound tracks stay (with their samples' extents); everything else is blanked. */
function movie(buf: Uint8Array, moov: Box, kept: Extent[], blank: (b: Box) => void) {
  for (const box of children(buf, moov.at + moov.headerSize, moov.at + moov.size)) {
    if (box.type === "mvex") throw new NotCleanable("A fragmented MP4 cannot be proven clean of its location.");
    if (box.type === "mvhd" || box.type === "iods") continue;
    if (box.type !== "trak") {
      blank(box);
      continue;
    }
    const mdia = child(buf, box, "mdia");
    const hdlr = mdia && child(buf, mdia, "hdlr");
    const handler = hdlr && hdlr.size >= hdlr.headerSize + 12 ? type4(buf, hdlr.at + hdlr.headerSize + 8) : "";
    if (!mdia || !TRACKS.has(handler)) {
      blank(box); // its samples are zeroed with the rest of mdat's unused bytes
      continue;
    }
    const blankOthers = (parent: Box, keep: Set<string>) => {
      for (const c of children(buf, parent.at + parent.headerSize, parent.at + parent.size)) if (!keep.has(c.type)) blank(c);
    };
    blankOthers(box, TRAK_KEPT);
    blankOthers(mdia, MDIA_KEPT);
    const minf = child(buf, mdia, "minf");
    if (!minf) throw damaged("a track without media information");
    blankOthers(minf, MINF_KEPT);
    const stbl = child(buf, minf, "stbl");
    if (!stbl) throw damaged("a track without a sample table");
    kept.push(...chunkExtents(buf, stbl));
  }
}

/** The byte extents of a track's chunks, from its sample-to-chunk, sample size and chunk offset tables. */
function chunkExtents(buf: Uint8Array, stbl: Box): Extent[] {
  const boxes = children(buf, stbl.at + stbl.headerSize, stbl.at + stbl.size);
  const find = (t: string) => boxes.find((b) => b.type === t);
  const view = new DataView(buf.buffer, buf.byteOffset);
  const table = (box: Box, entrySize: number, countAt = 4) => {
    const body = box.at + box.headerSize;
    const count = view.getUint32(body + countAt);
    const first = body + countAt + 4;
    if (first + count * entrySize > box.at + box.size) throw damaged(`a ${box.type} table longer than its box`);
    return { count, first };
  };
  // Chunk offsets.
  const stco = find("stco");
  const co64 = find("co64");
  const offsetsBox = stco ?? co64;
  if (!offsetsBox) throw damaged("a track without chunk offsets");
  const offsets = table(offsetsBox, stco ? 4 : 8);
  const offsetOf = (i: number) => (stco ? view.getUint32(offsets.first + i * 4) : Number(view.getBigUint64(offsets.first + i * 8)));
  // Sample sizes.
  const stsz = find("stsz");
  const stz2 = find("stz2");
  let sizeOf: (i: number) => number;
  let samples: number;
  if (stsz) {
    const body = stsz.at + stsz.headerSize;
    const fixed = view.getUint32(body + 4);
    const t = table(stsz, fixed ? 0 : 4, 8);
    samples = t.count;
    sizeOf = fixed ? () => fixed : (i) => view.getUint32(t.first + i * 4);
  } else if (stz2) {
    const body = stz2.at + stz2.headerSize;
    const bits = buf[body + 7]!;
    if (bits !== 4 && bits !== 8 && bits !== 16) throw damaged("an stz2 field size");
    samples = view.getUint32(body + 8);
    const first = body + 12;
    if (first + Math.ceil((samples * bits) / 8) > stz2.at + stz2.size) throw damaged("an stz2 table longer than its box");
    sizeOf = (i) => (bits === 16 ? view.getUint16(first + i * 2) : bits === 8 ? buf[first + i]! : (buf[first + (i >> 1)]! >> (i & 1 ? 0 : 4)) & 15);
  } else throw damaged("a track without sample sizes");
  // Sample-to-chunk runs: from chunk `first` on, `perChunk` samples each.
  const stsc = find("stsc");
  if (!stsc) throw damaged("a track without a sample-to-chunk table");
  const runs = table(stsc, 12);
  const out: Extent[] = [];
  let sample = 0;
  for (let r = 0; r < runs.count && sample < samples; r++) {
    const firstChunk = view.getUint32(runs.first + r * 12) - 1;
    const perChunk = view.getUint32(runs.first + r * 12 + 4);
    const nextFirst = r + 1 < runs.count ? view.getUint32(runs.first + (r + 1) * 12) - 1 : offsets.count;
    if (firstChunk < 0 || nextFirst > offsets.count || nextFirst < firstChunk) throw damaged("a sample-to-chunk table out of order");
    for (let c = firstChunk; c < nextFirst && sample < samples; c++) {
      let bytes = 0;
      for (let s = 0; s < perChunk && sample < samples; s++) bytes += sizeOf(sample++);
      const at = offsetOf(c);
      out.push([at, at + bytes]);
    }
  }
  return out;
}

/** A top-level `meta` describing pictures (HEIC, AVIF: handler `pict`), not tags. ISO's meta is a full box (4 more bytes). */
function isPictureMeta(buf: Uint8Array, box: Box): boolean {
  for (const skip of [4, 0]) {
    const h = header(buf, box.headerSize + skip, box.size - box.headerSize - skip);
    if (h?.type === "hdlr" && buf.length >= box.headerSize + skip + h.headerSize + 12) return type4(buf, box.headerSize + skip + h.headerSize + 8) === "pict";
  }
  return false;
}

/**
 * An image file's items: pictures (coded images, grids, tiles, thumbnails, depth and gain maps) stay, their extents
 * kept; Exif, XMP (`mime`) and `uri ` items are dropped: zeroed in idat here, in mdat with its unused bytes. Other
 * boxes of meta are blanked.
 */
function pictures(buf: Uint8Array, meta: Box, base: number, kept: Extent[], dropped: Extent[], patches: Patch[], blank: (b: Box) => void) {
  const view = new DataView(buf.buffer, buf.byteOffset);
  const boxes = children(buf, meta.at + meta.headerSize + 4, meta.at + meta.size);
  for (const b of boxes) if (!META_KEPT.has(b.type)) blank(b);
  const find = (t: string) => boxes.find((b) => b.type === t);
  // Item types from iinf/infe (version 2 and 3 name the type; 0 and 1 predate it and describe MIME items).
  const types = new Map<number, string>();
  const iinf = find("iinf");
  if (!iinf) throw damaged("an image without item infos");
  const iinfVersion = buf[iinf.at + iinf.headerSize]!;
  for (const infe of children(buf, iinf.at + iinf.headerSize + 4 + (iinfVersion ? 4 : 2), iinf.at + iinf.size)) {
    if (infe.type !== "infe") continue;
    const body = infe.at + infe.headerSize;
    const version = buf[body]!;
    if (version < 2) types.set(view.getUint16(body + 4), "mime");
    else if (version === 2) types.set(view.getUint16(body + 4), type4(buf, body + 8));
    else types.set(view.getUint32(body + 4), type4(buf, body + 10));
  }
  if ([...types.values()].includes("jpeg")) throw new NotCleanable("An image with JPEG items cannot be cleaned here.");
  const idat = find("idat");
  const iloc = find("iloc");
  if (!iloc) throw damaged("an image without item locations");
  let at = iloc.at + iloc.headerSize;
  const end = iloc.at + iloc.size;
  const version = buf[at]!;
  const need = (n: number) => {
    if (at + n > end) throw damaged("an item location table longer than its box");
  };
  const uint = (n: number) => {
    need(n);
    const v = n === 0 ? 0 : n === 2 ? view.getUint16(at) : n === 4 ? view.getUint32(at) : n === 8 ? Number(view.getBigUint64(at)) : Number.NaN;
    if (Number.isNaN(v)) throw damaged("an item location field size");
    at += n;
    return v;
  };
  at += 4;
  need(2);
  const offsetSize = buf[at]! >> 4;
  const lengthSize = buf[at]! & 15;
  const baseSize = buf[at + 1]! >> 4;
  const indexSize = version === 1 || version === 2 ? buf[at + 1]! & 15 : 0;
  at += 2;
  const items = uint(version < 2 ? 2 : 4);
  for (let i = 0; i < items; i++) {
    const id = uint(version < 2 ? 2 : 4);
    const method = version === 1 || version === 2 ? uint(2) & 15 : 0;
    const dataRef = uint(2);
    const baseOffset = uint(baseSize);
    const extents = uint(2);
    const drop = META_ITEMS.has(types.get(id) ?? "mime");
    for (let e = 0; e < extents; e++) {
      uint(indexSize);
      const offset = baseOffset + uint(offsetSize);
      const length = uint(lengthSize);
      if (dataRef !== 0) continue; // in another file: nothing of it is in this one
      if (method === 0) {
        const extent: Extent = [offset, length ? offset + length : Number.MAX_SAFE_INTEGER];
        (drop ? dropped : kept).push(extent);
      } else if (method === 1) {
        if (!idat) throw damaged("an item in a missing idat");
        const from = idat.at + idat.headerSize + offset;
        const to = length ? from + length : idat.at + idat.size;
        if (to > idat.at + idat.size) throw damaged("an item past its idat");
        if (drop && to > from) patches.push({ at: base + from, length: to - from });
      } else throw new NotCleanable("An image whose items point into other items cannot be cleaned here.");
    }
  }
}
