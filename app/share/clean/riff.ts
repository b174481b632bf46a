// RIFF (WebP and WAV): "RIFF", a little-endian size, the form type, then chunks (fourcc, size, data padded to even).
// Kept by a whitelist per form: WebP's bitstreams (VP8, VP8L, alpha), its extended header (with the EXIF and XMP
// flags cleared), colour profile and animation frames; WAV's format, data and fact chunks. Dropped: EXIF, XMP,
// LIST/INFO, id3, iXML, bext and every unknown chunk, and anything after the RIFF's end; the RIFF size is rewritten.
// Hand-written: an 8-byte header per chunk; no npm package walks RIFF chunks to offsets without loading the file.
import { NotCleanable, Splice, type Source } from "./spliced";

const KEPT = {
  WEBP: new Set(["VP8 ", "VP8L", "VP8X", "ICCP", "ALPH", "ANIM", "ANMF"]),
  WAVE: new Set(["fmt ", "data", "fact"]),
};
/** What an animation frame (ANMF) may hold after its 16-byte frame header. */
const FRAME = new Set(["ALPH", "VP8 ", "VP8L"]);
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

const fourcc = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
export const riffForm = (head: Uint8Array) => (head.length >= 12 && fourcc(head, 0) === "RIFF" ? fourcc(head, 8) : undefined);

export async function cleanRiff(src: Source): Promise<Splice> {
  const head = await src.need(0, 12, "not a RIFF file");
  const form = riffForm(head);
  if (form !== "WEBP" && form !== "WAVE") throw new NotCleanable(`RIFF ${form ?? "?"} has no cleaner`);
  const riffEnd = 8 + new DataView(head.buffer, head.byteOffset).getUint32(4, true);
  if (riffEnd > src.size) throw new NotCleanable("the RIFF size is larger than the file");
  const body = new Splice();
  let size = 4; // the form type
  let at = 12;
  while (at < riffEnd) {
    const h = await src.need(at, 8, "a RIFF chunk cut short");
    const type = fourcc(h, 0);
    const length = new DataView(h.buffer, h.byteOffset).getUint32(4, true);
    const end = at + 8 + length + (length & 1);
    if (end > riffEnd + (length & 1) || at + 8 + length > riffEnd) throw new NotCleanable("a RIFF chunk longer than its file");
    const stop = Math.min(end, riffEnd);
    if (KEPT[form].has(type)) {
      if (type === "ANMF") await checkFrame(src, at + 8 + 16, at + 8 + length);
      if (type === "VP8X") {
        const v = await src.need(at, 9, "a VP8X chunk cut short");
        body.bytes(Uint8Array.of(...v.subarray(0, 8), v[8]! & ~(VP8X_EXIF | VP8X_XMP)));
        body.copy(at + 9, stop);
      } else body.copy(at, stop);
      size += stop - at;
    }
    at = end;
  }
  const out = new Splice();
  const riff = new Uint8Array(12);
  riff.set(head.subarray(0, 12));
  new DataView(riff.buffer).setUint32(4, size, true);
  out.bytes(riff);
  for (const p of body.parts) {
    if ("from" in p) out.copy(p.from, p.to);
    else if ("bytes" in p) out.bytes(p.bytes);
  }
  return out;
}

/** An animation frame holds only pictures: anything else in it (metadata a writer slipped in) and it is refused. */
async function checkFrame(src: Source, from: number, to: number) {
  let at = from;
  while (at < to) {
    const h = await src.need(at, 8, "an animation frame cut short");
    const length = new DataView(h.buffer, h.byteOffset).getUint32(4, true);
    if (!FRAME.has(fourcc(h, 0))) throw new NotCleanable("an animation frame with other chunks than pictures");
    at += 8 + length + (length & 1);
  }
  if (at > to + 1) throw new NotCleanable("an animation frame longer than its chunk");
}
