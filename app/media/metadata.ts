// Worker only. EXIF/XMP through exifr: every value is checked, since a camera (or an attacker) can write anything.

export type PhotoMetadata = {
  takenAt: Date | null;
  /** Minutes east of UTC; null when the file did not say and we assumed the box's time zone. */
  takenOffset: number | null;
  takenSource: "exif-offset" | "box-timezone" | "file-mtime";
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

const sameLocal = (a: LocalTime, b: LocalTime) => a.y === b.y && a.mo === b.mo && a.d === b.d && a.h === b.h && a.mi === b.mi && a.s === b.s;
const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.replace(/\0/g, "").trim().slice(0, 120) || null : null);
const num = (v: unknown, min: number, max: number) => (typeof v === "number" && Number.isFinite(v) && v >= min && v <= max ? v : null);
const firstByte = (v: unknown) => (typeof v === "number" ? v : v && typeof v === "object" ? (v as Record<number, unknown>)[0] : undefined);

/**
 * The capture time: the camera's local time with its offset when it wrote one (OffsetTimeOriginal, or an offset
 * on the date itself or on XMP's CreateDate of the same moment); else that local time in the box's time zone;
 * else the file's mtime. `takenSource` says which.
 */
export function captureTime(segments: Segments, mtime: Date): Pick<PhotoMetadata, "takenAt" | "takenOffset" | "takenSource"> {
  const { exif = {}, xmp = {} } = segments;
  const local = parseExifDate(exif.DateTimeOriginal) ?? parseExifDate(exif.CreateDate) ?? parseExifDate(xmp.DateTimeOriginal) ?? parseExifDate(xmp.CreateDate);
  if (!local) return { takenAt: mtime, takenOffset: null, takenSource: "file-mtime" };
  const xmpCreate = parseExifDate(xmp.CreateDate);
  const offset = parseOffset(exif.OffsetTimeOriginal) ?? local.offset ?? (xmpCreate && sameLocal(xmpCreate, local) ? xmpCreate.offset : null);
  const wallClockAsUtc = Date.UTC(local.y, local.mo - 1, local.d, local.h, local.mi, local.s);
  if (offset !== null) return { takenAt: new Date(wallClockAsUtc - offset * 60_000), takenOffset: offset, takenSource: "exif-offset" };
  // The process's time zone is the box's (set in Settings; systemd passes it on).
  return { takenAt: new Date(local.y, local.mo - 1, local.d, local.h, local.mi, local.s), takenOffset: null, takenSource: "box-timezone" };
}

type Segment = Record<string, unknown>;
type Segments = { ifd0?: Segment; exif?: Segment; gps?: Segment; xmp?: Segment; makerNote?: unknown };

/** Metadata sits at a photo's head; a huge file costs exifr no more memory than this. */
const METADATA_HEAD_BYTES = 16 * 1024 * 1024;

/**
 * The bytes exifr reads, never a path: given a path, exifr opens a FileHandle it leaves open when the file is not what
 * it expects (a 0-byte .jpg), and the garbage collector closing it later is an uncaught error in Bun.
 */
export const metadataHead = async (input: string | Uint8Array) =>
  typeof input === "string" ? new Uint8Array(await Bun.file(input).slice(0, METADATA_HEAD_BYTES).arrayBuffer()) : input;

/** Reads only the metadata segments (from the file's head, not its pixels). A file without EXIF is not an error. */
export async function readPhotoMetadata(input: string | Uint8Array, mtime: Date): Promise<PhotoMetadata> {
  let segments: Segments = {};
  try {
    const exifr = (await import("exifr")).default;
    const head = await metadataHead(input);
    segments = (
      head.byteLength === 0
        ? {}
        : ((await exifr.parse(head, {
            tiff: true,
            exif: true,
            gps: true,
            xmp: true,
            makerNote: true,
            ifd1: false,
            icc: false,
            iptc: false,
            jfif: false,
            ihdr: false,
            reviveValues: false,
            translateValues: false,
            mergeOutput: false,
          })) ?? {})
    ) as Segments;
  } catch {
    // Hostile or broken metadata: the photo still gets a thumbnail, with the file's time.
  }
  const { ifd0 = {}, exif = {}, gps = {} } = segments;
  const latitude = num(gps.latitude, -90, 90);
  const longitude = num(gps.longitude, -180, 180);
  // Many cameras write 0/0 while they have no fix: that is "unknown", not the Gulf of Guinea.
  const hasFix = latitude !== null && longitude !== null && !(latitude === 0 && longitude === 0);
  const altitude = num(gps.GPSAltitude, 0, 100_000);
  return {
    ...captureTime(segments, mtime),
    make: text(ifd0.Make),
    model: text(ifd0.Model),
    lens: text(exif.LensModel),
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
