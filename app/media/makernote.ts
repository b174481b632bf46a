// Worker only. The few maker-note values the pipeline uses: the camera's time zone (Canon, Nikon), its UTC clock
// (Olympus), a date when EXIF has none (Pentax), and the lens (Canon, Nikon, Olympus). exifr hands the maker note
// over as raw bytes and no maintained JavaScript library reads these tags, so this reads them: a bounded TIFF IFD
// walk per maker, where every offset is checked against the bytes (a camera, or an attacker, can write anything).
// Tag numbers and layouts are ExifTool's (Canon.pm TimeInfo 0x35 and LensModel 0x95; Nikon.pm WorldTime 0x24 and
// Lens 0x84; Olympus.pm CameraSettings 0x2020/DateTimeUTC 0x908 and Equipment 0x2010/LensModel 0x203, else its
// LensType 0x201 by ExifTool's table (data/olympus-lens-types.json); Pentax.pm Date 0x6 and Time 0x7);
// test/fixtures/photos/makernotes holds ExifTool's own test images of these makers.
import OLYMPUS_LENS_TYPES from "./data/olympus-lens-types.json";

export type MakerNoteFacts = {
  /** Minutes east of UTC the camera was set to (its time zone plus daylight saving). */
  offset: number | null;
  /** The camera's UTC clock at capture (Olympus), as a Date. */
  utc: Date | null;
  /** A local capture date and time of the maker note's own (Pentax), as "YYYY:MM:DD HH:MM:SS". */
  local: string | null;
  lens: string | null;
};

const NONE: MakerNoteFacts = { offset: null, utc: null, local: null, lens: null };
const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };
const MAX_ENTRIES = 512;

type Entry = { type: number; count: number; at: number };

/** One IFD: tag → where its value is in `b`. Entries whose value would lie outside `b` are left out. */
function readIfd(b: Uint8Array, start: number, le: boolean, base: number): Map<number, Entry> {
  const out = new Map<number, Entry>();
  if (start < 0 || start + 2 > b.length) return out;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = Math.min(view.getUint16(start, le), MAX_ENTRIES);
  for (let i = 0; i < n; i++) {
    const e = start + 2 + i * 12;
    if (e + 12 > b.length) break;
    const type = view.getUint16(e + 2, le);
    const count = view.getUint32(e + 4, le);
    const size = (SIZES[type] ?? 0) * count;
    if (size === 0) continue;
    const at = size <= 4 ? e + 8 : base + view.getUint32(e + 8, le);
    if (at < 0 || at + size > b.length) continue;
    out.set(view.getUint16(e, le), { type, count, at });
  }
  return out;
}

/** ASCII cut at the first NUL (what follows a NUL is leftover bytes, not text). */
export function asciiz(bytes: Uint8Array): string | null {
  const end = bytes.indexOf(0);
  const s = new TextDecoder("latin1").decode(end >= 0 ? bytes.subarray(0, end) : bytes).trim();
  return s && /^[\x20-\x7e\xa0-\xff]+$/.test(s) ? s.slice(0, 120) : null;
}

const text = (b: Uint8Array, e: Entry | undefined) => (e && (e.type === 2 || e.type === 7) ? asciiz(b.subarray(e.at, e.at + e.count)) : null);
const plausibleOffset = (m: number) => (Number.isInteger(m) && Math.abs(m) <= 14 * 60 ? m : null);
const startsWith = (b: Uint8Array, at: number, s: string) => s.split("").every((c, i) => b[at + i] === c.charCodeAt(0));
const order = (b: Uint8Array, at: number) => (startsWith(b, at, "II") ? true : startsWith(b, at, "MM") ? false : null);

/** "50mm f/1.8", "18-70mm f/3.5-4.5" from four rationals (focal min/max, aperture at min/max), as ExifTool prints Nikon's. */
function lensFromRationals(view: DataView, at: number, le: boolean): string | null {
  const r = [0, 1, 2, 3].map((i) => {
    const den = view.getUint32(at + i * 8 + 4, le);
    return den ? view.getUint32(at + i * 8, le) / den : 0;
  }) as [number, number, number, number];
  if (!(r[0] > 0 && r[1] >= r[0] && r[2] > 0 && r[3] >= r[2])) return null;
  const num = (x: number) => String(Math.round(x * 10) / 10);
  const focal = r[0] === r[1] ? num(r[0]) : `${num(r[0])}-${num(r[1])}`;
  const aperture = r[2] === r[3] ? num(r[2]) : `${num(r[2])}-${num(r[3])}`;
  return `${focal}mm f/${aperture}`;
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");
/**
 * Olympus' LensType (Equipment 0x201: make, unknown, model, sub-model, …) named by ExifTool's table, for bodies that
 * write no LensModel string (the E-1 and other Four Thirds cameras): "0 05 00" → "Olympus Zuiko Digital 14-54mm F2.8-3.5".
 */
function olympusLensType(b: Uint8Array, e: Entry | undefined): string | null {
  if (!e || (e.type !== 1 && e.type !== 7) || e.count < 4) return null;
  return (OLYMPUS_LENS_TYPES as Record<string, string>)[`${b[e.at]!.toString(16)} ${hex2(b[e.at + 2]!)} ${hex2(b[e.at + 3]!)}`] ?? null;
}

/**
 * `note`: the MakerNote value as exifr returns it (a view into the bytes it read, which begin with the file or its
 * EXIF segment, so offsets counted from the TIFF header can be followed). Anything unexpected gives nulls.
 */
export function readMakerNote(note: unknown, make: string | null): MakerNoteFacts {
  if (!(note instanceof Uint8Array) || note.length < 16) return NONE;
  try {
    return parse(new Uint8Array(note.buffer, 0, note.buffer.byteLength), note.byteOffset, (make ?? "").toLowerCase());
  } catch {
    return NONE;
  }
}

function parse(b: Uint8Array, at: number, make: string): MakerNoteFacts {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // The EXIF TIFF header before the note: "Exif\0\0" in a JPEG or HEIC, the file's own start in a TIFF-based RAW.
  const exifAt = Buffer.from(b.buffer, b.byteOffset, at).lastIndexOf("Exif\0\0");
  const tiff = exifAt >= 0 ? exifAt + 6 : 0;
  const tiffLe = order(b, tiff);

  if (startsWith(b, at, "Nikon\0\x02")) {
    // Type 3: its own TIFF header 10 bytes in, offsets counted from there.
    const own = at + 10;
    const le = order(b, own);
    if (le === null) return NONE;
    const tags = readIfd(b, own + view.getUint32(own + 4, le), le, own);
    const world = tags.get(0x0024);
    const lens = tags.get(0x0084);
    return {
      ...NONE,
      offset: world && world.count >= 3 ? plausibleOffset(view.getInt16(world.at, le) + (b[world.at + 2] ? 60 : 0)) : null,
      lens: lens && lens.type === 5 && lens.count >= 4 ? lensFromRationals(view, lens.at, le) : null,
    };
  }
  if (startsWith(b, at, "OLYMP") || startsWith(b, at, "OM SYSTEM")) {
    // "OLYMPUS\0II…" and "OM SYSTEM\0\0\0II…" count offsets from the note; the old "OLYMP\0" from the TIFF header.
    const [ifd, base, le] = startsWith(b, at, "OLYMPUS\0")
      ? [at + 12, at, order(b, at + 8)]
      : startsWith(b, at, "OM SYSTEM")
        ? [at + 16, at, order(b, at + 12)]
        : [at + 8, tiff, tiffLe];
    if (le === null) return NONE;
    const tags = readIfd(b, ifd, le, base);
    const sub = (tag: number) => {
      const e = tags.get(tag);
      if (!e) return new Map<number, Entry>();
      // A sub-IFD is either a pointer (type IFD/LONG) or the IFD's bytes themselves (UNDEFINED).
      const start = e.type === 7 ? e.at : base + view.getUint32(e.at, le);
      return readIfd(b, start, le, base);
    };
    const utc = text(b, sub(0x2020).get(0x0908));
    const m = utc && /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(utc);
    const date = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : null;
    const equipment = sub(0x2010);
    return {
      ...NONE,
      utc: date && !Number.isNaN(date.getTime()) ? date : null,
      lens: text(b, equipment.get(0x0203)) ?? olympusLensType(b, equipment.get(0x0201)),
    };
  }
  if (startsWith(b, at, "AOC\0") || startsWith(b, at, "PENTAX \0")) {
    const [ifd, le] = startsWith(b, at, "AOC\0") ? [at + 6, order(b, at + 4)] : [at + 10, order(b, at + 8)];
    if (le === null) return NONE;
    const tags = readIfd(b, ifd, le, at);
    const d = tags.get(0x0006);
    const t = tags.get(0x0007);
    if (!d || !t || d.count < 4 || t.count < 3) return NONE;
    const pad = (n: number) => String(n).padStart(2, "0");
    const local = `${view.getUint16(d.at, le)}:${pad(b[d.at + 2]!)}:${pad(b[d.at + 3]!)} ${pad(b[t.at]!)}:${pad(b[t.at + 1]!)}:${pad(b[t.at + 2]!)}`;
    return { ...NONE, local };
  }
  if (make.startsWith("canon") && tiffLe !== null) {
    // Canon: a bare IFD in the EXIF byte order, offsets counted from the EXIF TIFF header.
    const tags = readIfd(b, at, tiffLe, tiff);
    const time = tags.get(0x0035);
    // TimeInfo: [size, time zone (minutes), city, daylight saving (0 or 60 minutes)].
    const zone =
      time && time.count >= 4 && (time.type === 4 || time.type === 9) ? view.getInt32(time.at + 4, tiffLe) + view.getInt32(time.at + 12, tiffLe) : null;
    return { ...NONE, offset: zone === null ? null : plausibleOffset(zone), lens: text(b, tags.get(0x0095)) };
  }
  return NONE;
}
