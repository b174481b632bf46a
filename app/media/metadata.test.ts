import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMakerNote } from "./makernote";
import {
  appleContentId,
  captureTime,
  containerTime,
  jpegMetadataEnd,
  metadataHead,
  parseExifDate,
  readPhotoMetadata,
  timeFromFileName,
  type TimeFacts,
} from "./metadata";
import { FIXTURES } from "../../test/support/media";

/** ExifTool's reading of every fixture, by group (test/fixtures/photos/metadata.sh). */
type Reference = Record<string, string | number | undefined> & { SourceFile: string };
const reference = (await Bun.file(join(FIXTURES, "metadata.json")).json()) as Reference[];

const pad = (n: number) => String(n).padStart(2, "0");
/** The local wall clock a row shows (UTC + its offset), as ExifTool prints dates. */
function wallClock(at: Date, offset: number) {
  const d = new Date(at.getTime() + offset * 60_000);
  return `${d.getUTCFullYear()}:${pad(d.getUTCMonth() + 1)}:${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
/** "2008:03:15 09:52:01-04:00" → its wall clock and offset (minutes; null without one). */
const split = (v: unknown) => {
  const m = typeof v === "string" ? /^(\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(v) : null;
  return m
    ? {
        local: m[1]!,
        offset: m[2] === undefined ? null : m[2] === "Z" ? 0 : (m[2][0] === "-" ? -1 : 1) * (Number(m[2].slice(1, 3)) * 60 + Number(m[2].slice(4, 6))),
      }
    : null;
};
const toOffset = (v: unknown) => split(`2000:01:01 00:00:00${v}`)?.offset ?? null;
const asUtc = (local: string) =>
  Date.UTC(+local.slice(0, 4), +local.slice(5, 7) - 1, +local.slice(8, 10), +local.slice(11, 13), +local.slice(14, 16), +local.slice(17, 19));

/**
 * The documented precedence (metadata.ts `captureTime`) applied to ExifTool's values: what the pipeline must find.
 * `local` is the wall clock shown; `instant` a UTC moment (when the rule gives one without a zone).
 */
function expectedTime(r: Reference): { source: string; local?: string; offset: number | null; instant?: number } {
  const exifLocal = split(r["ExifIFD:DateTimeOriginal"]) ?? split(r["ExifIFD:CreateDate"]);
  const exifOffset = r["ExifIFD:DateTimeOriginal"] ? toOffset(r["ExifIFD:OffsetTimeOriginal"]) : toOffset(r["ExifIFD:OffsetTimeDigitized"]);
  if (exifLocal && (exifOffset ?? exifLocal.offset) !== null) return { source: "exif-offset", local: exifLocal.local, offset: exifOffset ?? exifLocal.offset };
  const xmp = [r["XMP-exif:DateTimeOriginal"], r["XMP-photoshop:DateCreated"], r["XMP-xmp:CreateDate"], r["XMP-exif:DateTimeDigitized"]]
    .map(split)
    .filter((x) => x !== null);
  const withOffset = xmp.filter((x) => x.offset !== null);
  const same = exifLocal ? withOffset.find((x) => x.local === exifLocal.local) : withOffset[0];
  if (same) return { source: "xmp-offset", local: same.local, offset: same.offset };
  const gps = split(r["Composite:GPSDateTime"]);
  if (exifLocal && gps) {
    const minutes = (asUtc(exifLocal.local) - asUtc(gps.local) - Number(/\.(\d+)/.exec(String(r["Composite:GPSDateTime"]))?.[0] ?? 0) * 1000) / 60_000;
    const quarter = Math.round(minutes / 15) * 15;
    if (Math.abs(minutes - quarter) <= 2 && Math.abs(quarter) <= 14 * 60) return { source: "gps-offset", local: exifLocal.local, offset: quarter };
  }
  // The camera's zone in its maker note (ExifTool prints the zone and, apart, whether daylight saving was on).
  const makerZone = toOffset(r["Canon:TimeZone"] ?? r["Nikon:TimeZone"]);
  const daylight = ["On", "Yes"].includes(String(r["Canon:DaylightSavings"] ?? r["Nikon:DaylightSavings"])) ? 60 : 0;
  if (exifLocal && makerZone !== null) return { source: "maker-note", local: exifLocal.local, offset: makerZone + daylight };
  if (!exifLocal && r["Pentax:Date"]) return { source: "maker-note", local: `${r["Pentax:Date"]} ${r["Pentax:Time"]}`, offset: null };
  if (exifLocal) return { source: "exif-local", local: exifLocal.local, offset: null };
  if (xmp[0]) return { source: "other-date", local: xmp[0].local, offset: null };
  const ifd0Modify = split(r["IFD0:ModifyDate"]);
  const modify = ifd0Modify ? { ...ifd0Modify, offset: toOffset(r["ExifIFD:OffsetTime"]) ?? ifd0Modify.offset } : split(r["XMP-xmp:ModifyDate"]);
  if (modify) return { source: "other-date", local: modify.local, offset: modify.offset };
  if (gps) return { source: "gps-date", offset: null, instant: Date.parse(`${gps.local.replace(/^(\d{4}):(\d{2}):/, "$1-$2-").replace(" ", "T")}Z`) };
  // A phone's name (only IMG_yyyymmdd_hhmmss among the fixtures; the other patterns are checked on generated names below).
  const named = /IMG_(\d{4})(\d\d)(\d\d)_(\d\d)(\d\d)(\d\d)\.jpg$/.exec(r.SourceFile);
  if (named) return { source: "file-name", local: `${named[1]}:${named[2]}:${named[3]} ${named[4]}:${named[5]}:${named[6]}`, offset: null };
  return { source: "file-time", offset: null };
}

describe("every fixture against ExifTool: capture time by the precedence, camera, lens, GPS", () => {
  const mtime = new Date("2020-01-01T00:00:00Z");
  for (const r of reference) {
    const file = r.SourceFile.replace(/^\.\//, "");
    test(file, async () => {
      const got = await readPhotoMetadata(join(FIXTURES, file), mtime, file.split("/").pop());
      const want = expectedTime(r);
      expect(got.takenSource).toBe(want.source as never);
      expect(got.takenZoneKnown).toBe(want.offset !== null);
      if (want.offset !== null) expect(got.takenOffset).toBe(want.offset);
      if (want.local) expect(wallClock(got.takenAt, got.takenOffset)).toBe(want.local);
      if (want.instant !== undefined) expect(Math.abs(got.takenAt.getTime() - want.instant)).toBeLessThan(1000);
      if (want.source === "file-time") expect(got.takenAt).toEqual(mtime);
      // Unknown zones keep the camera's wall clock; the offset is then the box's, never a claim about the place.
      if (!got.takenZoneKnown) expect(got.takenOffset).toBe(0 - new Date(got.takenAt).getTimezoneOffset());
      const lat = r["Composite:GPSLatitude"] ?? r["XMP-exif:GPSLatitude"];
      const lng = r["Composite:GPSLongitude"] ?? r["XMP-exif:GPSLongitude"];
      if (lat !== undefined) {
        expect(got.latitude!).toBeCloseTo(Number(lat), 5);
        expect(got.longitude!).toBeCloseTo(Number(lng), 5);
      } else expect(got.latitude).toBeNull();
      expect(got.make).toBe((r["IFD0:Make"] as string | undefined) ?? null);
      expect(got.model).toBe((r["IFD0:Model"] as string | undefined) ?? null);
      const lens =
        r["ExifIFD:LensModel"] ??
        r["Canon:LensModel"] ??
        r["Nikon:Lens"] ??
        r["Olympus:LensModel"] ??
        (r["Olympus:LensType"] === "None" ? undefined : r["Olympus:LensType"]) ??
        r["XMP-exifEX:LensModel"] ??
        r["XMP-aux:Lens"];
      expect(got.lens).toBe((lens as string | undefined) ?? null);
    });
  }
  test("the reference covers every kind the precedence names (so none of the rules above goes untested on a real file)", () => {
    const sources = new Set(reference.map((r) => expectedTime(r).source));
    for (const s of ["exif-offset", "xmp-offset", "gps-offset", "maker-note", "exif-local", "other-date", "gps-date", "file-name", "file-time"])
      expect(sources).toContain(s);
  });
});

describe("hostile or missing metadata", () => {
  test("bytes that are no image, and an empty file, give the file's time and nothing else", async () => {
    const mtime = new Date("2021-05-05T05:05:05Z");
    for (const bytes of [crypto.getRandomValues(new Uint8Array(4096)), new Uint8Array(0), new TextEncoder().encode("Exif\0\0MM\0*\0\0\0\x08\xff\xff")]) {
      expect(await readPhotoMetadata(bytes, mtime)).toMatchObject({
        takenAt: mtime,
        takenSource: "file-time",
        takenZoneKnown: false,
        make: null,
        latitude: null,
        orientation: null,
      });
    }
  });
  test("dates that are no dates are ignored", () => {
    for (const v of ["0000:00:00 00:00:00", "2020:13:01 00:00:00", "    :  :     :  :  ", "yesterday", 20200101, null]) expect(parseExifDate(v)).toBeNull();
    expect(parseExifDate("2008:03:15 09:52:01-04:00")).toEqual({ y: 2008, mo: 3, d: 15, h: 9, mi: 52, s: 1, offset: -240 });
  });
});

test("Apple's ContentIdentifier is read from the MakerNote (tag 0x0011), and only there", () => {
  const id = "A90ABD4D-79FE-45F3-837C-3B769EF04210";
  const note = new Uint8Array(16 + 2 * 12 + 40);
  const view = new DataView(note.buffer);
  note.set(new TextEncoder().encode("Apple iOS\0\0\x01MM"));
  view.setUint16(14, 2);
  // tag 0x0008 (a rational, skipped), then tag 0x0011: ASCII, 37 bytes, at offset 40
  view.setUint16(16, 0x0008);
  view.setUint16(18, 10);
  view.setUint32(20, 1);
  view.setUint32(24, 0);
  view.setUint16(28, 0x0011);
  view.setUint16(30, 2);
  view.setUint32(32, 37);
  view.setUint32(36, 40);
  note.set(new TextEncoder().encode(`${id}\0`), 40);
  expect(appleContentId(note)).toBe(id);
  expect(appleContentId(note.subarray(0, 20))).toBeNull();
  expect(appleContentId(new TextEncoder().encode("Nikon\0\x02\x10\0\0MM\0*\0\0\0\x08"))).toBeNull();
});

describe("the capture-time precedence on generated facts (each rule, and where one must not apply)", () => {
  const mtime = new Date("2020-01-01T00:00:00Z");
  const none = { offset: null, utc: null, local: null, lens: null };
  const facts = (f: Partial<TimeFacts>): TimeFacts => ({ exif: {}, ifd0: {}, gps: {}, xmp: {}, makerNote: none, ...f });
  const shown = (t: ReturnType<typeof captureTime>) => `${wallClock(t.takenAt, t.takenOffset)} ${t.takenZoneKnown ? t.takenOffset : "?"} ${t.takenSource}`;
  const exif = { DateTimeOriginal: "2021:07:04 20:12:23" };

  test("EXIF with its offset beats everything else", () => {
    expect(
      shown(
        captureTime(facts({ exif: { ...exif, OffsetTimeOriginal: "+09:00" }, xmp: { exif: { DateTimeOriginal: "2021-07-04T20:12:23+02:00" } } }), "", mtime),
      ),
    ).toBe("2021:07:04 20:12:23 540 exif-offset");
  });
  test("XMP's offset (also under xap:) applies to the EXIF time only when both name the same wall clock", () => {
    expect(shown(captureTime(facts({ exif, xmp: { xap: { CreateDate: "2021-07-04T20:12:23-03:30" } } }), "", mtime))).toBe(
      "2021:07:04 20:12:23 -210 xmp-offset",
    );
    expect(shown(captureTime(facts({ exif, xmp: { xmp: { CreateDate: "2021-07-05T09:00:00+02:00" } } }), "", mtime))).toBe("2021:07:04 20:12:23 ? exif-local");
  });
  test("the GPS clock gives the offset when it agrees to the quarter hour (an iPhone HDR: 20:12:23 local, 18:12:22 UTC)", () => {
    const gps = (t: number[], d = "2021:07:04") => ({ GPSDateStamp: d, GPSTimeStamp: t });
    expect(shown(captureTime(facts({ exif, gps: gps([18, 12, 22]) }), "", mtime))).toBe("2021:07:04 20:12:23 120 gps-offset");
    expect(shown(captureTime(facts({ exif, gps: gps([14, 42, 20]) }), "", mtime))).toBe("2021:07:04 20:12:23 330 gps-offset"); // India, +05:30
    // A stale fix (minutes off a quarter hour) or a wrong day says nothing about the zone.
    expect(shown(captureTime(facts({ exif, gps: gps([18, 5, 0]) }), "", mtime))).toBe("2021:07:04 20:12:23 ? exif-local");
    expect(shown(captureTime(facts({ exif, gps: gps([18, 12, 22], "2021:07:06") }), "", mtime))).toBe("2021:07:04 20:12:23 ? exif-local");
  });
  test("maker notes: the camera's zone (Canon, Nikon), its UTC clock (Olympus), their own date (Pentax)", () => {
    expect(shown(captureTime(facts({ exif, makerNote: { ...none, offset: 60 } }), "", mtime))).toBe("2021:07:04 20:12:23 60 maker-note");
    expect(shown(captureTime(facts({ exif, makerNote: { ...none, utc: new Date("2021-07-04T11:12:24Z") } }), "", mtime))).toBe(
      "2021:07:04 20:12:23 540 maker-note",
    );
    expect(shown(captureTime(facts({ makerNote: { ...none, local: "2008:03:02 12:01:23" } }), "", mtime))).toBe("2008:03:02 12:01:23 ? maker-note");
  });
  test("then dated tags without a zone, the GPS moment, the file name, the file's time", () => {
    expect(shown(captureTime(facts({ ifd0: { ModifyDate: "2016:09:12 10:05:31" }, exif: { OffsetTime: "-07:00" } }), "", mtime))).toBe(
      "2016:09:12 10:05:31 -420 other-date",
    );
    expect(shown(captureTime(facts({ xmp: { photoshop: { DateCreated: "2005-06-12T14:03:11" } } }), "", mtime))).toBe("2005:06:12 14:03:11 ? other-date");
    const gpsOnly = captureTime(facts({ gps: { GPSDateStamp: "2015:03:14", GPSTimeStamp: [9, 26, 53] } }), "IMG_20210704_153012.jpg", mtime);
    expect([gpsOnly.takenAt.toISOString(), gpsOnly.takenZoneKnown, gpsOnly.takenSource]).toEqual(["2015-03-14T09:26:53.000Z", false, "gps-date"]);
    expect(shown(captureTime(facts({}), "IMG_20210704_153012.jpg", mtime))).toBe("2021:07:04 15:30:12 ? file-name");
    expect(captureTime(facts({}), "holiday.jpg", mtime)).toMatchObject({ takenAt: mtime, takenZoneKnown: false, takenSource: "file-time" });
  });
  test("file names phones and apps write", () => {
    const local = (n: string) => {
      const t = timeFromFileName(n);
      return t && `${t.y}-${pad(t.mo)}-${pad(t.d)} ${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}`;
    };
    expect(local("IMG_20210704_153012.jpg")).toBe("2021-07-04 15:30:12");
    expect(local("VID_20210704_153012.mp4")).toBe("2021-07-04 15:30:12");
    expect(local("PXL_20230115_093000123.jpg")).toBe("2023-01-15 09:30:00");
    expect(local("PXL_20230115_093000123.MP.jpg")).toBe("2023-01-15 09:30:00");
    expect(local("20190801_120102.jpg")).toBe("2019-08-01 12:01:02");
    expect(local("Screenshot_20220102-030405.png")).toBe("2022-01-02 03:04:05");
    expect(local("WhatsApp Image 2021-07-04 at 15.30.12.jpeg")).toBe("2021-07-04 15:30:12");
    expect(local("IMG-20190412-WA0003.jpg")).toBe("2019-04-12 12:00:00");
    for (const n of ["DSC_0042.JPG", "IMG_1234.HEIC", "holiday 2019.jpg", "IMG_20211332_250000.jpg", "12345678901234.jpg"]) expect(local(n)).toBeNull();
  });
  test("a video's creation time is UTC; Apple's creationdate adds the offset", () => {
    const at = new Date("2024-06-01T10:00:00Z");
    expect(containerTime(at, 120, "", mtime)).toEqual({ takenAt: at, takenOffset: 120, takenZoneKnown: true, takenSource: "container" });
    expect(containerTime(at, null, "", mtime)).toMatchObject({ takenAt: at, takenZoneKnown: false, takenSource: "container" });
    expect(containerTime(null, null, "VID_20210704_153012.mp4", mtime)).toMatchObject({ takenZoneKnown: false, takenSource: "file-name" });
  });
});

describe("maker notes (generated bytes where ExifTool cannot write a sample; real files in the reference above)", () => {
  /** A JPEG-like buffer: "Exif\0\0", a little-endian TIFF header, then the maker note at `at` (offsets from the TIFF header). */
  function withTiff(note: Uint8Array, at = 64) {
    const b = new Uint8Array(at + note.length + 64);
    b.set(new TextEncoder().encode("Exif\0\0II*\0"), 0);
    b.set(note, at);
    return b.subarray(at, at + note.length);
  }
  /** An IFD (little-endian) of [tag, type, count, value bytes] whose long values follow it; offsets from `base`. */
  function ifd(entries: [number, number, number, Uint8Array][], start: number, base: number, header = new Uint8Array(0)) {
    const data: number[] = [];
    const dir = new Uint8Array(2 + entries.length * 12 + 4);
    const view = new DataView(dir.buffer);
    view.setUint16(0, entries.length, true);
    const dataStart = start + header.length + dir.length;
    entries.forEach(([tag, type, count, value], i) => {
      const e = 2 + i * 12;
      view.setUint16(e, tag, true);
      view.setUint16(e + 2, type, true);
      view.setUint32(e + 4, count, true);
      if (value.length <= 4) dir.set(value, e + 8);
      else {
        view.setUint32(e + 8, dataStart + data.length - base, true);
        data.push(...value);
      }
    });
    return Uint8Array.from([...header, ...dir, ...data]);
  }
  const le32 = (...xs: number[]) => new Uint8Array(Int32Array.from(xs).buffer);

  test("Canon TimeInfo: time zone plus daylight saving; LensModel", () => {
    // The note sits 64 bytes into the buffer, the TIFF header 6 bytes in: offsets count from there.
    const note = ifd(
      [
        [0x0035, 9, 4, le32(16, 60, 0, 60)],
        [0x0095, 2, 9, new TextEncoder().encode("EF50mm\0x")],
      ],
      64,
      6,
    );
    expect(readMakerNote(withTiff(note), "Canon")).toMatchObject({ offset: 120, lens: "EF50mm" });
  });
  test("Nikon WorldTime (type 3, its own TIFF header)", () => {
    const head = new TextEncoder().encode("Nikon\0\x02\x10\0\0II*\0\x08\0\0\0");
    const body = ifd([[0x0024, 7, 4, Uint8Array.from([0x4a, 0x01, 1, 0])]], 8, 0);
    expect(readMakerNote(withTiff(Uint8Array.from([...head, ...body])), "NIKON CORPORATION")).toMatchObject({ offset: 330 + 60 });
  });
  test("Olympus CameraSettings DateTimeUTC and Equipment LensModel (sub-IFD pointers, offsets from the note)", () => {
    const head = new TextEncoder().encode("OLYMPUS\0II\x03\0");
    const topLength = 2 + 2 * 12 + 4;
    const equipmentAt = head.length + topLength;
    const equipment = ifd([[0x0203, 2, 12, new TextEncoder().encode("M.12-40mm\0\0\0")]], equipmentAt, 0);
    const settings = ifd([[0x0908, 2, 20, new TextEncoder().encode("2021:07:04 18:12:22\0")]], equipmentAt + equipment.length, 0);
    const top = ifd(
      [
        [0x2010, 13, 1, le32(equipmentAt)],
        [0x2020, 13, 1, le32(equipmentAt + equipment.length)],
      ],
      0,
      0,
      head,
    );
    const note = Uint8Array.from([...top, ...equipment, ...settings]);
    expect(readMakerNote(withTiff(note), "OLYMPUS IMAGING CORP.")).toMatchObject({ utc: new Date("2021-07-04T18:12:22Z"), lens: "M.12-40mm" });
  });
  test("Olympus Equipment LensType when there is no LensModel string: ExifTool's name for the code; an unknown code is no lens", () => {
    const note = (type: number[]) => {
      const head = new TextEncoder().encode("OLYMPUS\0II\x03\0");
      const equipmentAt = head.length + 2 + 12 + 4;
      const equipment = ifd([[0x0201, 1, 6, Uint8Array.from(type)]], equipmentAt, 0);
      return Uint8Array.from([...ifd([[0x2010, 13, 1, le32(equipmentAt)]], 0, 0, head), ...equipment]);
    };
    expect(readMakerNote(withTiff(note([0, 0, 0x05, 0x00, 0, 0])), "OLYMPUS")).toMatchObject({ lens: "Olympus Zuiko Digital 14-54mm F2.8-3.5" });
    expect(readMakerNote(withTiff(note([0, 0, 0x03, 0x10, 2, 0])), "OLYMPUS")).toMatchObject({ lens: "Olympus M.Zuiko Digital ED 14-150mm F4.0-5.6 [II]" });
    expect(readMakerNote(withTiff(note([0, 0, 0, 0, 0, 0])), "OLYMPUS")).toMatchObject({ lens: null }); // "None"
    expect(readMakerNote(withTiff(note([9, 0, 0xee, 0xee, 0, 0])), "OLYMPUS")).toMatchObject({ lens: null });
  });
  test("garbage, short notes and offsets pointing outside give nothing, never a throw", () => {
    for (const bytes of [
      crypto.getRandomValues(new Uint8Array(300)),
      new TextEncoder().encode("Nikon\0\x02\x10\0\0II*\0\xff\xff\xff\x7f"),
      new Uint8Array(8),
    ]) {
      expect(readMakerNote(withTiff(bytes), "Canon")).toMatchObject({ offset: null, utc: null, local: null });
      expect(readMakerNote(withTiff(bytes), "NIKON")).toMatchObject({ offset: null, utc: null, local: null });
    }
    expect(readMakerNote("not bytes", "Canon")).toMatchObject({ offset: null, lens: null });
  });
});

describe("files that are not what their name says (issue 21 #10)", () => {
  const openFiles = () => readdirSync("/proc/self/fd").length;
  test("a 0-byte or truncated .jpg: no metadata, the file's time, and no file handle left open for the garbage collector", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nas-meta-"));
    try {
      const empty = join(dir, "empty.jpg");
      writeFileSync(empty, "");
      const truncated = join(dir, "truncated.jpg");
      writeFileSync(truncated, (await Bun.file(join(FIXTURES, "gps/DSCN0010.jpg")).bytes()).subarray(0, 3));
      const mtime = new Date("2024-05-06T07:08:09Z");
      const before = openFiles();
      for (const path of [empty, truncated, empty]) {
        const meta = await readPhotoMetadata(path, mtime);
        expect(meta.takenAt).toEqual(mtime);
        expect(meta.latitude).toBeNull();
      }
      // A handle exifr opened and never closed is closed later by the garbage collector, which Bun reports as an
      // uncaught error ("FileHandle object was closed during garbage collection") that ends the worker's job loop.
      expect(openFiles()).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("a JPEG's metadata is read from its segments before the first scan: the same facts as from the whole file", async () => {
  const { Glob } = Bun;
  const mtime = new Date("2024-05-06T07:08:09Z");
  let jpegs = 0;
  for await (const rel of new Glob("**/*.{jpg,JPG,jpeg}").scan(FIXTURES)) {
    const path = join(FIXTURES, rel);
    const whole = await Bun.file(path).bytes();
    const head = await metadataHead(path);
    const end = jpegMetadataEnd(whole);
    if (end !== null) expect(head.byteLength).toBe(end);
    expect({ rel, facts: await readPhotoMetadata(path, mtime) }).toEqual({ rel, facts: await readPhotoMetadata(whole, mtime) });
    jpegs++;
  }
  expect(jpegs).toBeGreaterThan(30);
  // Not a JPEG, or cut inside its segments: no end, so the usual head is read.
  expect(jpegMetadataEnd(new TextEncoder().encode("\x89PNG\r\n\x1a\n"))).toBeNull();
  expect(jpegMetadataEnd(Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0, 0]))).toBeNull();
  expect(jpegMetadataEnd(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xda, 0, 2]))).toBe(8);
});
