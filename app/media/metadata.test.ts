import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appleContentId, parseExifDate, readPhotoMetadata } from "./metadata";
import { FIXTURES } from "../../test/support/media";

type Expected = {
  DateTimeOriginal?: string;
  CreateDate?: string;
  OffsetTimeOriginal?: string;
  GPSLatitude?: number;
  GPSLongitude?: number;
  Orientation?: number;
};
const exiftool = (await Bun.file(join(FIXTURES, "exiftool.json")).json()) as Record<string, Expected>;

const pad = (n: number) => String(n).padStart(2, "0");
/** The wall-clock time a row describes, as exiftool prints it: UTC + offset, or local time in this process's zone. */
function wallClock(at: Date, offset: number | null) {
  if (offset === null)
    return `${at.getFullYear()}:${pad(at.getMonth() + 1)}:${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  const d = new Date(at.getTime() + offset * 60_000);
  return `${d.getUTCFullYear()}:${pad(d.getUTCMonth() + 1)}:${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
const splitDate = (v: string | undefined) => {
  const m = v && /^(\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})?$/.exec(v);
  return m
    ? {
        local: m[1]!,
        offset: m[2] === undefined ? null : m[2] === "Z" ? 0 : (m[2][0] === "-" ? -1 : 1) * (Number(m[2].slice(1, 3)) * 60 + Number(m[2].slice(4, 6))),
      }
    : null;
};

describe("EXIF against exiftool's reading of every fixture", () => {
  const mtime = new Date("2020-01-01T00:00:00Z");
  for (const [file, want] of Object.entries(exiftool)) {
    test(file, async () => {
      const got = await readPhotoMetadata(join(FIXTURES, file), mtime);
      const original = splitDate(want.DateTimeOriginal) ?? splitDate(want.CreateDate);
      const created = splitDate(want.CreateDate);
      if (!original) {
        expect(got).toMatchObject({ takenAt: mtime, takenSource: "file-mtime", takenOffset: null });
      } else {
        const offsetText = want.OffsetTimeOriginal;
        const offset = offsetText
          ? (offsetText[0] === "-" ? -1 : 1) * (Number(offsetText.slice(1, 3)) * 60 + Number(offsetText.slice(4, 6)))
          : (original.offset ?? (created && created.local === original.local ? created.offset : null));
        expect(got.takenOffset).toBe(offset);
        expect(got.takenSource).toBe(offset === null ? "box-timezone" : "exif-offset");
        expect(wallClock(got.takenAt!, got.takenOffset)).toBe(original.local);
      }
      if (want.GPSLatitude !== undefined) {
        expect(got.latitude!).toBeCloseTo(want.GPSLatitude, 6);
        expect(got.longitude!).toBeCloseTo(want.GPSLongitude!, 6);
      } else {
        expect(got.latitude).toBeNull();
      }
      expect(got.orientation).toBe(want.Orientation ?? null);
    });
  }
});

describe("hostile or missing metadata", () => {
  test("bytes that are no image, and an empty file, give the file's time and nothing else", async () => {
    const mtime = new Date("2021-05-05T05:05:05Z");
    for (const bytes of [crypto.getRandomValues(new Uint8Array(4096)), new Uint8Array(0), new TextEncoder().encode("Exif\0\0MM\0*\0\0\0\x08\xff\xff")]) {
      expect(await readPhotoMetadata(bytes, mtime)).toMatchObject({ takenAt: mtime, takenSource: "file-mtime", make: null, latitude: null, orientation: null });
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
