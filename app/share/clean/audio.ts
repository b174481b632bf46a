// Audio files a person may share from a folder: MP3 and FLAC, whose tags (ID3, APE, Vorbis comments, which have a
// LOCATION field, pictures with their own EXIF) are not the recording. MP4/M4A audio goes through bmff.ts and
// Matroska audio through matroska.ts. Hand-written: both formats put their tags in a few length-prefixed blocks at
// the ends of the file; each step below advances by a checked length.
import { NotCleanable, Splice, type Source } from "./spliced";

const text = (b: Uint8Array) => String.fromCharCode(...b);
const syncsafe = (b: Uint8Array, at: number) => ((b[at]! & 0x7f) << 21) | ((b[at + 1]! & 0x7f) << 14) | ((b[at + 2]! & 0x7f) << 7) | (b[at + 3]! & 0x7f);

/** An MP3 without ID3v2 tags in front, nor ID3v1, APEv2, Lyrics3 or an appended ID3v2 at the end. */
export async function cleanMp3(src: Source): Promise<Splice> {
  let from = 0;
  for (let n = 0; n < 16; n++) {
    const h = await src.read(from, 10);
    if (h.length < 10 || text(h.subarray(0, 3)) !== "ID3") break;
    from += 10 + syncsafe(h, 6) + (h[5]! & 0x10 ? 10 : 0);
  }
  let to = src.size;
  for (let n = 0; n < 8 && to > from; n++) {
    const tail = await src.read(Math.max(from, to - 32), Math.min(32, to - from));
    const end = text(tail);
    if (to - 128 >= from && text(await src.read(to - 128, 3)) === "TAG") to -= 128;
    else if (end.slice(-32, -24) === "APETAGEX") {
      // The footer's size counts the items and the footer; a header (flag bit 31) adds 32 bytes before them.
      const footer = new DataView(tail.buffer, tail.byteOffset);
      to -= footer.getUint32(12, true) + (footer.getUint32(20, true) & 0x80000000 ? 32 : 0);
    } else if (end.endsWith("LYRICS200")) to -= 15 + Number(end.slice(-15, -9));
    else if (end.slice(-10, -7) === "3DI") to -= 20 + syncsafe(tail, tail.length - 4);
    else break;
  }
  const sync = await src.read(from, 2);
  if (!(to > from && sync[0] === 0xff && (sync[1]! & 0xe0) === 0xe0)) throw new NotCleanable("no MPEG audio after the MP3's tags");
  if (!Number.isFinite(to) || to < from) throw new NotCleanable("malformed MP3 tags");
  const out = new Splice();
  out.copy(from, to);
  return out;
}

/** A FLAC with only its STREAMINFO and SEEKTABLE blocks (no Vorbis comments, pictures, cue sheets, application data). */
export async function cleanFlac(src: Source): Promise<Splice> {
  if (text(await src.read(0, 4)) !== "fLaC") throw new NotCleanable("not FLAC");
  const keep: [number, number, number][] = [];
  let at = 4;
  for (let last = false; !last; ) {
    const h = await src.need(at, 4, "FLAC metadata cut short");
    last = (h[0]! & 0x80) !== 0;
    const type = h[0]! & 0x7f;
    const end = at + 4 + ((h[1]! << 16) | (h[2]! << 8) | h[3]!);
    if (end > src.size || type === 127) throw new NotCleanable("a malformed FLAC metadata block");
    if (type === 0 || type === 3) keep.push([at, end, type]);
    at = end;
  }
  if (keep[0]?.[0] !== 4) throw new NotCleanable("a FLAC without STREAMINFO first");
  const out = new Splice();
  out.copy(0, 4);
  keep.forEach(([a, b, type], i) => {
    out.bytes(Uint8Array.of((i === keep.length - 1 ? 0x80 : 0) | type)); // the last kept block says so
    out.copy(a + 1, b);
  });
  const id3v1 = src.size - 128 >= at && text(await src.read(src.size - 128, 3)) === "TAG";
  out.copy(at, id3v1 ? src.size - 128 : src.size);
  return out;
}
