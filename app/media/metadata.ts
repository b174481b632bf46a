// Worker only. EXIF, XMP and maker notes through exifr (sharp hands over the segments of containers exifr cannot
// open, e.g. WebP): every value is checked, since a camera (or an attacker) can write anything.
import type { TakenSource } from "../platform/db/schema";
import { readMakerNote, type MakerNoteFacts } from "./makernote";

export type { TakenSource };

/** When a photo was taken: `takenAt` is UTC; `takenOffset` turns it into the local time it shows (see `captureTime`). */
export type Taken = { takenAt: Date; takenOffset: number; takenZoneKnown: boolean; takenSource: TakenSource };

export type PhotoMetadata = Taken & {
  make: string | null;
  model: string | null;
  lens: string | null;
  fNumber: number | null;
  exposureTime: number | null;
  iso: number | null;
  focalLength: number | null;
  orientation: number | null;
  latitude: number | null;
  longitude: number | null;
  altitude: number | null;
  contentId: string | null;
};

type LocalTime = { y: number; mo: number; d: number; h: number; mi: number; s: number; offset: number | null };

/** "2008:03:15 09:52:01", "2008-03-15T09:52:01-04:00", "…Z"; null for "0000:00:00 00:00:00" and other nonsense. */
export function parseExifDate(v: unknown): LocalTime | null {
  if (typeof v !== "string") return null;
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(v.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  return { y, mo, d, h, mi, s, offset: m[7] === undefined ? null : parseOffset(m[7]) };
}

/** "+01:00" / "-0400" / "Z" → minutes east of UTC. */
export function parseOffset(v: unknown): number | null {
  if (typeof v !== "string") return null;
  if (v.trim() === "Z") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(v.trim());
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return minutes > 14 * 60 ? null : m[1] === "-" ? -minutes : minutes;
}

const wallAsUtc = (t: LocalTime) => Date.UTC(t.y, t.mo - 1, t.d, t.h, t.mi, t.s);
const sameLocal = (a: LocalTime, b: LocalTime) => wallAsUtc(a) === wallAsUtc(b);
/** Text values end at the first NUL: what follows is leftover bytes ("ION230\0F" is the model "ION230"). */
const text = (v: unknown) => (typeof v === "string" ? v.split("\0")[0]!.trim().slice(0, 120) || null : null);
const num = (v: unknown, min: number, max: number) => (typeof v === "number" && Number.isFinite(v) && v >= min && v <= max ? v : null);
const firstByte = (v: unknown) => (typeof v === "number" ? v : v && typeof v === "object" ? (v as Record<number, unknown>)[0] : undefined);

/** The box's offset at a moment (the process runs in the box's time zone: Settings, passed on by systemd). */
const boxOffsetAt = (ms: number) => 0 - new Date(ms).getTimezoneOffset();

const known = (t: LocalTime, offset: number, takenSource: TakenSource): Taken => ({
  takenAt: new Date(wallAsUtc(t) - offset * 60_000),
  takenOffset: offset,
  takenZoneKnown: true,
  takenSource,
});
/** A wall-clock time whose zone nobody recorded: kept as that wall clock (the day and hour people remember), placed in time by the box's zone. */
function wallClockOnly(t: LocalTime, takenSource: TakenSource): Taken {
  const at = new Date(t.y, t.mo - 1, t.d, t.h, t.mi, t.s);
  return { takenAt: at, takenOffset: Math.round((wallAsUtc(t) - at.getTime()) / 60_000), takenZoneKnown: false, takenSource };
}
/** A moment known in UTC whose local zone is not: shown in the box's zone, marked unknown. */
const instantOnly = (at: Date, takenSource: TakenSource): Taken => ({
  takenAt: at,
  takenOffset: boxOffsetAt(at.getTime()),
  takenZoneKnown: false,
  takenSource,
});

/** The offset that turns a UTC clock into the local one, when the two agree to the quarter hour (within 2 minutes). */
function offsetFromUtc(local: LocalTime, utc: Date): number | null {
  const minutes = (wallAsUtc(local) - utc.getTime()) / 60_000;
  const quarter = Math.round(minutes / 15) * 15;
  return Math.abs(minutes - quarter) <= 2 && Math.abs(quarter) <= 14 * 60 ? quarter : null;
}

/** GPSDateStamp "2016:09:28" + GPSTimeStamp [17, 17, 58.65] → that UTC moment. */
function gpsInstant(gps: Segment): Date | null {
  const d = typeof gps.GPSDateStamp === "string" ? /^(\d{4}):(\d{2}):(\d{2})$/.exec(gps.GPSDateStamp.trim()) : null;
  const t = gps.GPSTimeStamp;
  if (!d || !Array.isArray(t) || t.length !== 3 || !t.every((x) => typeof x === "number" && Number.isFinite(x))) return null;
  const [h, mi, s] = t as [number, number, number];
  if (h > 23 || mi > 59 || s >= 61) return null;
  const ms = Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, h, mi, 0) + Math.round(s * 1000);
  return Number.isNaN(ms) || +d[1]! < 1990 ? null : new Date(ms);
}

const FILE_NAME_PATTERNS: { re: RegExp; time: boolean }[] = [
  // IMG_20210704_153012, VID_20210704_153012, PXL_20210704_153012345, 20210704_153012, Screenshot_20210704-153012,
  // signal-2021-07-04-153012, "2021-07-04 15.30.12"
  { re: /(?:^|\D)((?:19|20)\d\d)-?(\d\d)-?(\d\d)[-_ T]?(\d\d)[-_.:]?(\d\d)[-_.:]?(\d\d)(?!\d{3}\d)/, time: true },
  // "WhatsApp Image 2021-07-04 at 15.30.12"
  { re: /((?:19|20)\d\d)-(\d\d)-(\d\d) at (\d\d?)\.(\d\d)\.(\d\d)/, time: true },
  // WhatsApp's IMG-20190412-WA0003.jpg, VID-20190412-WA0003.mp4: the day only
  { re: /(?:IMG|VID|AUD|PTT)-((?:19|20)\d\d)(\d\d)(\d\d)-WA\d+/i, time: false },
];

/** A capture time from a file name that phones and apps write; the day only (at noon) when the name has no time. */
export function timeFromFileName(name: string): LocalTime | null {
  for (const { re, time } of FILE_NAME_PATTERNS) {
    const m = re.exec(name);
    if (!m) continue;
    const parts = m.slice(1, time ? 7 : 4).map(Number);
    const t = parseExifDate(
      `${parts[0]}:${String(parts[1]).padStart(2, "0")}:${String(parts[2]).padStart(2, "0")} ${
        time
          ? parts
              .slice(3)
              .map((p) => String(p).padStart(2, "0"))
              .join(":")
          : "12:00:00"
      }`,
    );
    if (t && t.y >= 1990) return t;
  }
  return null;
}

/** The time facts a photo's metadata offers, already parsed (what `captureTime` ranks). */
export type TimeFacts = {
  exif: Segment;
  ifd0: Segment;
  gps: Segment;
  /** XMP by namespace prefix: `exif`, `xmp` (or the pre-2004 `xap`), `photoshop`. */
  xmp: Record<string, Segment>;
  makerNote: MakerNoteFacts;
};

/**
 * The capture time, by one precedence (the first rule that applies wins; `takenSource` records which):
 *  1. `exif-offset`  EXIF DateTimeOriginal with OffsetTimeOriginal or an offset of its own (CreateDate with
 *                    OffsetTimeDigitized when there is no DateTimeOriginal)
 *  2. `xmp-offset`   an XMP date with an offset (exif:DateTimeOriginal, photoshop:DateCreated, xmp:CreateDate — also
 *                    under the old `xap:` prefix — exif:DateTimeDigitized): its offset on the EXIF time when both
 *                    name the same wall clock, or the XMP time itself when EXIF has none
 *  3. `gps-offset`   the EXIF time and the GPS clock (UTC) of the same photo agree to the quarter hour (±2 min):
 *                    their difference is the offset (an iPhone HDR: local 20:12:23, GPS 18:12:22 → +02:00)
 *  4. `maker-note`   the camera's time zone in its maker note (Canon, Nikon) or its UTC clock (Olympus) on the EXIF
 *                    time; without an EXIF time, the maker note's own date (Pentax)
 *  5. `exif-local`   the EXIF time without a zone
 *  6. `other-date`   other dated tags: XMP dates without an offset, ModifyDate (with OffsetTime when present)
 *     `gps-date`     the GPS date and time alone (a UTC moment)
 *  7. `file-name`    a name phones and apps write (IMG_20210704_153012, PXL_…, VID_…, WhatsApp…)
 *  8. `file-time`    the file's modification time
 * A wall-clock time without a zone keeps its wall clock and is marked `takenZoneKnown: false`; `takenOffset` is
 * then the box's offset at that time, so days and hours show as the camera's clock said (see README: Capture time).
 */
export function captureTime(f: TimeFacts, fileName: string, mtime: Date): Taken {
  const { exif, ifd0, gps, xmp, makerNote } = f;
  const original = parseExifDate(exif.DateTimeOriginal);
  const digitized = parseExifDate(exif.CreateDate);
  const local = original ?? digitized;
  const exifOffset = original
    ? (parseOffset(exif.OffsetTimeOriginal) ?? original.offset)
    : digitized
      ? (parseOffset(exif.OffsetTimeDigitized) ?? digitized.offset)
      : null;
  if (local && exifOffset !== null) return known(local, exifOffset, "exif-offset");

  const xmpDates = [xmp.exif?.DateTimeOriginal, xmp.photoshop?.DateCreated, xmp.xmp?.CreateDate, xmp.xap?.CreateDate, xmp.exif?.DateTimeDigitized]
    .map(parseExifDate)
    .filter((t): t is LocalTime => t !== null);
  const xmpWithOffset = xmpDates.filter((t) => t.offset !== null);
  if (local) {
    const same = xmpWithOffset.find((t) => sameLocal(t, local));
    if (same) return known(local, same.offset!, "xmp-offset");
  } else if (xmpWithOffset[0]) return known(xmpWithOffset[0], xmpWithOffset[0].offset!, "xmp-offset");

  const gpsAt = gpsInstant(gps);
  const gpsOffset = local && gpsAt ? offsetFromUtc(local, gpsAt) : null;
  if (local && gpsOffset !== null) return known(local, gpsOffset, "gps-offset");

  const makerOffset = makerNote.offset ?? (local && makerNote.utc ? offsetFromUtc(local, makerNote.utc) : null);
  if (local && makerOffset !== null) return known(local, makerOffset, "maker-note");
  const makerLocal = parseExifDate(makerNote.local);
  if (!local && makerLocal) return makerNote.offset !== null ? known(makerLocal, makerNote.offset, "maker-note") : wallClockOnly(makerLocal, "maker-note");

  if (local) return wallClockOnly(local, "exif-local");

  const xmpLocal = xmpDates[0];
  if (xmpLocal) return wallClockOnly(xmpLocal, "other-date");
  const modify = parseExifDate(ifd0.ModifyDate);
  const modifyOffset = modify ? (parseOffset(exif.OffsetTime) ?? modify.offset) : null;
  if (modify) return modifyOffset !== null ? known(modify, modifyOffset, "other-date") : wallClockOnly(modify, "other-date");
  const xmpModify = parseExifDate(xmp.xmp?.ModifyDate ?? xmp.xap?.ModifyDate);
  if (xmpModify) return xmpModify.offset !== null ? known(xmpModify, xmpModify.offset, "other-date") : wallClockOnly(xmpModify, "other-date");
  if (gpsAt) return instantOnly(gpsAt, "gps-date");

  const named = timeFromFileName(fileName);
  if (named) return wallClockOnly(named, "file-name");
  return instantOnly(mtime, "file-time");
}

/**
 * A video's time: the container's creation time is UTC (QuickTime and MP4 say so); Apple's creationdate adds the
 * local offset. Without either, the file name, then the file's time, as for photos.
 */
export function containerTime(at: Date | null, offset: number | null, fileName: string, mtime: Date): Taken {
  if (at && offset !== null) return { takenAt: at, takenOffset: offset, takenZoneKnown: true, takenSource: "container" };
  if (at) return instantOnly(at, "container");
  const named = timeFromFileName(fileName);
  return named ? wallClockOnly(named, "file-name") : instantOnly(mtime, "file-time");
}

type Segment = Record<string, unknown>;
type Segments = { ifd0?: Segment; exif?: Segment; gps?: Segment; makerNote?: unknown };

const TIFF_OPTIONS = {
  tiff: true,
  exif: true,
  gps: true,
  xmp: false,
  makerNote: true,
  ifd1: false,
  interop: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  reviveValues: false,
  translateValues: false,
  mergeOutput: false,
};
// XMP on its own: parsed together, exifr files XMP's `exif:` namespace under the same key as the EXIF IFD and the
// EXIF value (often without an offset) hides the XMP one.
const XMP_OPTIONS = { ...TIFF_OPTIONS, tiff: false, exif: false, gps: false, makerNote: false, xmp: true };

/** Metadata sits at a photo's head; a huge file costs exifr no more memory than this. */
const METADATA_HEAD_BYTES = 16 * 1024 * 1024;

/**
 * The bytes exifr reads, never a path: given a path, exifr opens a FileHandle it leaves open when the file is not what
 * it expects (a 0-byte .jpg), and the garbage collector closing it later is an uncaught error in Bun.
 */
export async function metadataHead(input: string | Uint8Array): Promise<Uint8Array> {
  if (typeof input !== "string") return input;
  const file = Bun.file(input);
  const first = new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer());
  const end = jpegMetadataEnd(first) ?? METADATA_HEAD_BYTES;
  return end <= first.byteLength ? first.subarray(0, end) : new Uint8Array(await file.slice(0, Math.min(end, METADATA_HEAD_BYTES)).arrayBuffer());
}

/**
 * Where a JPEG's metadata ends: its segments before the first scan (SOS), walked by their lengths. A camera's 24 MP
 * JPEG is 10–15 MB of which exifr needs the first 20–200 kB; reading it whole for each photo, two photos at a time,
 * only grows the imaging process. null: not a JPEG, or its segments go on past what was read.
 */
export function jpegMetadataEnd(head: Uint8Array): number | null {
  if (head[0] !== 0xff || head[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= head.byteLength) {
    if (head[at] !== 0xff) return at; // not a marker: a damaged file; what came before is what there is
    const marker = head[at + 1]!;
    if (marker === 0xda || marker === 0xd9) return at;
    if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += marker === 0xff ? 1 : 2; // fill byte or a marker without a length
      continue;
    }
    at += 2 + ((head[at + 2]! << 8) | head[at + 3]!);
  }
  return null; // the segments go on past the first read (big XMP, extended XMP, maker notes): the usual head
}

type Exifr = typeof import("exifr");

/** The EXIF and XMP segments of any image: exifr reads JPEG, TIFF/RAW, HEIC/AVIF and PNG itself; for others (WebP) libvips finds them. */
async function readSegments(input: string | Uint8Array): Promise<{ tiff: Segments; xmp: Record<string, Segment> }> {
  const exifr = (await import("exifr")) as Exifr;
  const quiet = <T>(p: Promise<T>) => p.catch(() => undefined);
  const head = await metadataHead(input);
  if (head.byteLength === 0) return { tiff: {}, xmp: {} };
  try {
    const [tiff, xmp] = await Promise.all([exifr.parse(head, TIFF_OPTIONS), quiet(exifr.parse(head, XMP_OPTIONS))]);
    return { tiff: (tiff ?? {}) as Segments, xmp: (xmp ?? {}) as Record<string, Segment> };
  } catch (e) {
    if (!/unknown file format/i.test(String(e))) throw e;
  }
  // The whole file here, not its head: WebP keeps its EXIF and XMP chunks after the pixels.
  const sharp = (await import("sharp")).default;
  const meta = await sharp(input, { failOn: "none" }).metadata();
  // libvips hands EXIF over with JPEG's "Exif\0\0" in front; exifr wants the TIFF header itself.
  const exif = meta.exif && meta.exif.subarray(0, 6).toString("latin1") === "Exif\0\0" ? meta.exif.subarray(6) : meta.exif;
  const [tiff, xmp] = await Promise.all([
    exif ? quiet(exifr.parse(exif, TIFF_OPTIONS)) : undefined,
    meta.xmp ? quiet(exifr.sidecar(meta.xmp, XMP_OPTIONS)) : undefined,
  ]);
  return { tiff: (tiff ?? {}) as Segments, xmp: (xmp ?? {}) as Record<string, Segment> };
}

/** XMP's GPS coordinates: "38,45.18N" (degrees, decimal minutes) or "38,45,10.8N", as the XMP exif namespace writes them. */
export function parseXmpCoordinate(v: unknown, max: number): number | null {
  if (typeof v === "number") return num(v, -max, max);
  if (typeof v !== "string") return null;
  const m = /^(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])$/i.exec(v.trim());
  if (!m) return null;
  const value = Number(m[1]) + Number(m[2]) / 60 + Number(m[3] ?? 0) / 3600;
  return num(/[SW]/i.test(m[4]!) ? -value : value, -max, max);
}

/** Reads only the metadata segments (from the file's head, not its pixels). A file without EXIF is not an error. */
export async function readPhotoMetadata(input: string | Uint8Array, mtime: Date, fileName = ""): Promise<PhotoMetadata> {
  let segments: Segments = {};
  let xmp: Record<string, Segment> = {};
  try {
    ({ tiff: segments, xmp } = await readSegments(input));
  } catch {
    // Hostile or broken metadata: the photo still gets a thumbnail, with the file's time.
  }
  const { ifd0 = {}, exif = {}, gps = {} } = segments;
  const makerNote = readMakerNote(segments.makerNote ?? exif.MakerNote, text(ifd0.Make));
  // EXIF's GPS first; XMP's when the file has only that (photo managers write it there; PNGs have nothing else).
  const xmpGps = xmp.exif ?? {};
  const exifFix = num(gps.latitude, -90, 90) !== null && num(gps.longitude, -180, 180) !== null;
  const latitude = exifFix ? num(gps.latitude, -90, 90) : parseXmpCoordinate(xmpGps.GPSLatitude, 90);
  const longitude = exifFix ? num(gps.longitude, -180, 180) : parseXmpCoordinate(xmpGps.GPSLongitude, 180);
  // Many cameras write 0/0 while they have no fix: that is "unknown", not the Gulf of Guinea.
  const hasFix = latitude !== null && longitude !== null && !(latitude === 0 && longitude === 0);
  const altitude = exifFix ? num(gps.GPSAltitude, 0, 100_000) : null;
  return {
    ...captureTime({ exif, ifd0, gps, xmp, makerNote }, fileName, mtime),
    make: text(ifd0.Make),
    model: text(ifd0.Model),
    lens: text(exif.LensModel) ?? makerNote.lens ?? text(xmp.exifEX?.LensModel) ?? text(xmp.aux?.Lens),
    fNumber: num(exif.FNumber, 0.5, 128),
    exposureTime: num(exif.ExposureTime, 1e-6, 36_000),
    iso: num(exif.ISO, 1, 10_000_000),
    focalLength: num(exif.FocalLength, 0.1, 10_000),
    orientation: num(ifd0.Orientation, 1, 8),
    latitude: hasFix ? latitude : null,
    longitude: hasFix ? longitude : null,
    altitude: hasFix && altitude !== null ? (firstByte(gps.GPSAltitudeRef) === 1 ? -altitude : altitude) : null,
    contentId: appleContentId(segments.makerNote ?? exif.MakerNote),
  };
}

/**
 * Apple's ContentIdentifier (MakerNote tag 0x0011): the still and the MOV of a Live Photo carry the same one.
 * The MakerNote is "Apple iOS\0", a version, "MM", then a big-endian IFD whose offsets count from its start.
 */
export function appleContentId(makerNote: unknown): string | null {
  if (!(makerNote instanceof Uint8Array) || makerNote.length < 18) return null;
  const view = new DataView(makerNote.buffer, makerNote.byteOffset, makerNote.byteLength);
  if (new TextDecoder().decode(makerNote.subarray(0, 9)) !== "Apple iOS" || makerNote[12] !== 0x4d || makerNote[13] !== 0x4d) return null;
  const entries = view.getUint16(14);
  for (let i = 0; i < entries && 16 + i * 12 + 12 <= makerNote.length; i++) {
    const at = 16 + i * 12;
    if (view.getUint16(at) !== 0x0011 || view.getUint16(at + 2) !== 2) continue; // ASCII
    const length = view.getUint32(at + 4);
    const offset = length <= 4 ? at + 8 : view.getUint32(at + 8);
    const value = new TextDecoder().decode(makerNote.subarray(offset, offset + length)).replace(/\0+$/, "");
    return /^[0-9A-F-]{36}$/i.test(value) ? value : null;
  }
  return null;
}
