// A corpus of files that carry a place, made with the tools that write them in real life (exiftool writes EXIF,
// XMP, IPTC and comments into every container it knows; ffmpeg writes QuickTime, MP4, Matroska and audio tags) plus
// the camera fixtures, and the checks that find a place again: exiftool (with embedded data: -ee) and ffprobe on the
// file, and the bytes themselves. Used by app/share/clean's tests and the link tests.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { runCommand } from "../../hw/run";

const FIXTURES = join(import.meta.dir, "../fixtures/photos");
export const LISBON = { lat: 38.7223, lon: -9.1393, iso6709: "+38.7223-009.1393+012.000/", city: "Lisbon" };

/** What a link must do with a file: clean it (and what it must still be), send it as stored, or refuse it. */
export type Expect = "cleaned" | "stored" | "refused";
/** How to prove the result still works: pixels equal to `same` (or the original), decodes as video/audio, HEIF decodes. */
export type Decode = { pixels: string } | "av" | "heif" | "image" | "none";
export type LocatedCase = { name: string; path: string; expect: Expect; decode: Decode; located: boolean; why: string };

async function run(argv: string[], timeoutMs = 60_000) {
  const r = await runCommand(argv, { timeoutMs });
  if (r.code !== 0) throw new Error(`${argv[0]} failed: ${r.stderr.slice(-500)}`);
  return r.stdout;
}
const ffmpeg = (args: string[]) => run(["ffmpeg", "-hide_banner", "-v", "error", "-y", ...args]);
const exiftool = (args: string[]) => run(["exiftool", "-q", "-q", "-overwrite_original", ...args]);
const GPS_EXIF = [`-GPSLatitude=${LISBON.lat}`, "-GPSLatitudeRef=N", `-GPSLongitude=${-LISBON.lon}`, "-GPSLongitudeRef=W"];
const GPS_XMP = [`-XMP-exif:GPSLatitude=${LISBON.lat}N`, `-XMP-exif:GPSLongitude=${-LISBON.lon}W`, `-XMP-photoshop:City=${LISBON.city}`];
const AV = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=15", "-f", "lavfi", "-i", "sine", "-t", "1", "-shortest", "-pix_fmt", "yuv420p"];
const SINE = ["-f", "lavfi", "-i", "sine", "-t", "1"];

/** The segment bytes of a JPEG's first APP1 (Exif) segment. */
function exifSegment(jpeg: Buffer): Buffer {
  const at = jpeg.indexOf(Buffer.from([0xff, 0xe1]));
  return jpeg.subarray(at, at + 2 + jpeg.readUInt16BE(at + 2));
}

/** Where the first scan of a JPEG ends (the next real marker after the first SOS). */
function afterFirstScan(jpeg: Buffer): number {
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  let at = sos + 2 + jpeg.readUInt16BE(sos + 2);
  for (;;) {
    at = jpeg.indexOf(0xff, at);
    const next = jpeg[at + 1]!;
    if (next !== 0 && !(next >= 0xd0 && next <= 0xd7)) return at;
    at++;
  }
}

/** Builds every case in `dir` (about 5 s: one exiftool run per file, small ffmpeg encodes). */
export async function locatedCorpus(dir: string): Promise<LocatedCase[]> {
  const p = (name: string) => join(dir, name);
  const cases: LocatedCase[] = [];
  const add = (name: string, expect: Expect, decode: Decode, why: string, located = true) => cases.push({ name, path: p(name), expect, decode, located, why });
  const copy = (from: string, to: string) => writeFileSync(p(to), readFileSync(from));

  // Pictures without a place, to write places into.
  await ffmpeg(["-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1", p("base.png")]);
  const base = sharp(p("base.png"));
  await base.clone().jpeg().toFile(p("base.jpg"));
  await base.clone().jpeg({ progressive: true }).toFile(p("progressive.jpg"));

  // JPEG: real camera EXIF; XMP only; IPTC city and a comment; EXIF after the first scan of a progressive JPEG;
  // a second located JPEG after the first (multi-picture); a located MP4 after the picture (motion photo).
  copy(join(FIXTURES, "gps/DSCN0010.jpg"), "camera.jpg");
  add("camera.jpg", "cleaned", { pixels: "camera.jpg" }, "a real camera's EXIF GPS");
  copy(p("base.jpg"), "xmp.jpg");
  await exiftool([...GPS_XMP, p("xmp.jpg")]);
  add("xmp.jpg", "cleaned", { pixels: "base.jpg" }, "XMP-only GPS and city");
  copy(p("base.jpg"), "iptc.jpg");
  await exiftool([`-IPTC:City=${LISBON.city}`, `-IPTC:Sub-location=Alfama`, `-Comment=${LISBON.city}`, p("iptc.jpg")]);
  add("iptc.jpg", "cleaned", { pixels: "base.jpg" }, "IPTC city and a JPEG comment");
  const progressive = readFileSync(p("progressive.jpg"));
  const cut = afterFirstScan(progressive);
  const camera = readFileSync(p("camera.jpg"));
  writeFileSync(p("progressive-exif.jpg"), Buffer.concat([progressive.subarray(0, cut), exifSegment(camera), progressive.subarray(cut)]));
  add("progressive-exif.jpg", "cleaned", { pixels: "progressive.jpg" }, "EXIF GPS between the scans of a progressive JPEG");
  writeFileSync(p("multi.jpg"), Buffer.concat([readFileSync(p("base.jpg")), camera]));
  add("multi.jpg", "cleaned", { pixels: "base.jpg" }, "a located second picture after the first (MPF)");

  // PNG: eXIf; XMP (iTXt) only; a text chunk.
  copy(p("base.png"), "exif.png");
  await exiftool([...GPS_EXIF, p("exif.png")]);
  add("exif.png", "cleaned", { pixels: "base.png" }, "an eXIf chunk with GPS");
  copy(p("base.png"), "xmp.png");
  await exiftool([...GPS_XMP, p("xmp.png")]);
  add("xmp.png", "cleaned", { pixels: "base.png" }, "XMP-only GPS in iTXt");
  copy(p("base.png"), "text.png");
  await exiftool([`-PNG:Comment=${LISBON.city} ${LISBON.iso6709}`, p("text.png")]);
  add("text.png", "cleaned", { pixels: "base.png" }, "a tEXt chunk naming the place");

  // WebP: EXIF; XMP only (the extended format, as cameras' converters write it).
  await base.clone().webp({ lossless: true }).toFile(p("base.webp"));
  copy(p("base.webp"), "exif.webp");
  await exiftool([...GPS_EXIF, p("exif.webp")]);
  add("exif.webp", "cleaned", { pixels: "base.webp" }, "a WebP EXIF chunk with GPS (the README said these were refused)");
  copy(p("base.webp"), "xmp.webp");
  await exiftool([...GPS_XMP, p("xmp.webp")]);
  add("xmp.webp", "cleaned", { pixels: "base.webp" }, "XMP-only GPS in a WebP");

  // GIF: XMP application extension and a comment.
  await ffmpeg(["-i", p("base.png"), p("base.gif")]);
  copy(p("base.gif"), "xmp.gif");
  await exiftool([...GPS_XMP, `-Comment=${LISBON.city}`, p("xmp.gif")]);
  add("xmp.gif", "cleaned", { pixels: "base.gif" }, "XMP GPS and a comment in a GIF");

  // HEIC (the real iPhone file with GPS and XMP written by exiftool) and AVIF.
  copy(join(FIXTURES, "phone/iphone_13_pro_max.HEIC"), "iphone.heic");
  await exiftool([...GPS_EXIF, ...GPS_XMP, p("iphone.heic")]);
  add("iphone.heic", "cleaned", "heif", "HEIC Exif and XMP items (a real iPhone file)");
  await base.clone().avif().toFile(p("located.avif"));
  await exiftool([...GPS_EXIF, p("located.avif")]);
  add("located.avif", "cleaned", "image", "an AVIF Exif item");

  // TIFF: located ones are refused (also named as a camera RAW); a plain one is proven clean and sent as stored.
  await base.clone().tiff().toFile(p("plain.tiff"));
  add("plain.tiff", "stored", "none", "a TIFF with only picture tags", false);
  copy(p("plain.tiff"), "located.tiff");
  await exiftool([...GPS_EXIF, p("located.tiff")]);
  add("located.tiff", "refused", "none", "a TIFF with a GPS IFD");
  copy(p("located.tiff"), "camera.dng");
  add("camera.dng", "refused", "none", "a TIFF-based RAW with GPS");

  // Videos: iPhone's location key (moov/meta), a MOV whose first box is `wide`, Android's ©xyz, XMP, a subtitle
  // track with coordinates (as drones write them), Matroska and WebM LOCATION tags, an attached located picture,
  // a WebM with unknown sizes (as a browser's recorder writes it).
  await ffmpeg([
    ...AV,
    "-c:v",
    "libx264",
    "-c:a",
    "aac",
    "-movflags",
    "use_metadata_tags",
    "-metadata",
    `com.apple.quicktime.location.ISO6709=${LISBON.iso6709}`,
    "-f",
    "mov",
    p("iphone.mov"),
  ]);
  add("iphone.mov", "cleaned", "av", "Apple's location key in moov/meta");
  const wide = readFileSync(p("iphone.mov"));
  wide.write("wide", 4, "latin1"); // the ftyp box becomes a `wide` box: the file starts as older iPhones' MOVs do
  writeFileSync(p("wide.mov"), wide);
  add("wide.mov", "cleaned", "av", "a MOV whose first box is `wide`");
  await ffmpeg([...AV, "-c:v", "libx264", "-c:a", "aac", "-metadata", `location=${LISBON.iso6709}`, p("android.mp4")]);
  add("android.mp4", "cleaned", "av", "Android's ©xyz in moov/udta");
  copy(p("android.mp4"), "xmp.mp4");
  await exiftool([...GPS_XMP, p("xmp.mp4")]);
  add("xmp.mp4", "cleaned", "av", "XMP GPS and ©xyz in an MP4");
  writeFileSync(p("drone.srt"), `1\n00:00:00,000 --> 00:00:01,000\nGPS(${LISBON.lat},${LISBON.lon},12) ${LISBON.city}\n`);
  await ffmpeg(["-i", p("drone.srt"), ...AV, "-map", "1", "-map", "2", "-map", "0", "-c:v", "libx264", "-c:a", "aac", "-c:s", "mov_text", p("drone.mp4")]);
  add("drone.mp4", "cleaned", "av", "coordinates in a subtitle track");
  // A motion photo as Google's camera writes it: XMP says where the video starts, the video follows the picture.
  copy(p("base.jpg"), "motion.jpg");
  await exiftool(["-XMP-GCamera:MicroVideo=1", "-XMP-GCamera:MicroVideoVersion=1", `-XMP-GCamera:MicroVideoOffset=${wide.length}`, p("motion.jpg")]);
  writeFileSync(p("motion.jpg"), Buffer.concat([readFileSync(p("motion.jpg")), readFileSync(p("iphone.mov"))]));
  add("motion.jpg", "cleaned", { pixels: "base.jpg" }, "a located video after the picture (motion photo)");
  await ffmpeg([...AV, "-c:v", "libx264", "-c:a", "aac", "-metadata", `LOCATION=${LISBON.iso6709}`, p("located.mkv")]);
  add("located.mkv", "cleaned", "av", "a Matroska LOCATION tag");
  await ffmpeg([...AV, "-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus", "-metadata", `LOCATION=${LISBON.iso6709}`, p("located.webm")]);
  add("located.webm", "cleaned", "av", "a WebM LOCATION tag");
  await ffmpeg([...AV, "-c:v", "libx264", "-c:a", "aac", "-attach", p("camera.jpg"), "-metadata:s:t", "mimetype=image/jpeg", p("attached.mkv")]);
  add("attached.mkv", "cleaned", "av", "a located JPEG attached to a Matroska file");
  // To a pipe the muxer cannot seek back to write sizes: the segment and clusters keep "unknown size".
  const live = Bun.spawn(
    [
      "ffmpeg",
      "-hide_banner",
      "-v",
      "error",
      ...AV,
      "-c:v",
      "libvpx",
      "-deadline",
      "realtime",
      "-c:a",
      "libopus",
      "-metadata",
      `LOCATION=${LISBON.iso6709}`,
      "-f",
      "webm",
      "pipe:1",
    ],
    {
      stdout: Bun.file(p("live.webm")),
      stderr: "ignore",
    },
  );
  if ((await live.exited) !== 0) throw new Error("ffmpeg could not write live.webm");
  add("live.webm", "cleaned", "av", "a WebM of unknown sizes (streamed as it was recorded)");

  // Audio: MP3 (ID3 with a located cover picture), FLAC and M4A tags, a WAV INFO list; Ogg has no cleaner.
  await ffmpeg([
    "-i",
    p("camera.jpg"),
    ...SINE,
    "-map",
    "1",
    "-map",
    "0",
    "-c:a",
    "libmp3lame",
    "-c:v",
    "copy",
    "-id3v2_version",
    "3",
    "-metadata",
    `location=${LISBON.city}`,
    p("tagged.mp3"),
  ]);
  add("tagged.mp3", "cleaned", "av", "ID3 tags and a located cover picture");
  await ffmpeg([...SINE, "-metadata", `LOCATION=${LISBON.city} ${LISBON.iso6709}`, p("tagged.flac")]);
  add("tagged.flac", "cleaned", "av", "a FLAC LOCATION comment");
  await ffmpeg([...SINE, "-c:a", "aac", "-metadata", `location=${LISBON.iso6709}`, p("tagged.m4a")]);
  add("tagged.m4a", "cleaned", "av", "©xyz in an M4A");
  await ffmpeg([...SINE, "-metadata", `comment=${LISBON.city} ${LISBON.iso6709}`, p("tagged.wav")]);
  add("tagged.wav", "cleaned", "av", "a WAV INFO comment naming the place");
  await ffmpeg([...SINE, "-c:a", "libopus", "-metadata", `LOCATION=${LISBON.city}`, p("tagged.ogg")]);
  add("tagged.ogg", "refused", "none", "Ogg has no cleaner here");

  // Recognised by content, not by name; formats without a cleaner; what is not media.
  copy(p("camera.jpg"), "renamed.txt");
  add("renamed.txt", "cleaned", { pixels: "camera.jpg" }, "a located JPEG named .txt");
  await ffmpeg([...AV, "-c:v", "libx264", "-c:a", "aac", "-f", "mpegts", p("camcorder.mts")]);
  add("camcorder.mts", "refused", "none", "MPEG-TS has no cleaner (AVCHD camcorders write GPS into the video stream)", false);
  await ffmpeg([...AV, "-c:v", "mpeg4", "-c:a", "mp3", p("clip.avi")]);
  add("clip.avi", "refused", "none", "AVI has no cleaner", false);
  writeFileSync(p("playlist.mp4"), "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n");
  add("playlist.mp4", "refused", "none", "a playlist named .mp4 is not a video", false);
  writeFileSync(p("notes.txt"), `We met in ${LISBON.city}.\n`);
  add("notes.txt", "stored", "none", "a text file is what its author wrote", false);
  return cases;
}

const PLACE_TAG = /GPS|Location|City|Sub-?location|Country|ISO6709|Coordinates|xyz/i;
const NOT_A_PLACE = /ChromaLocation|ProfileConnectionSpace|GPSVersion/i;

/**
 * Every trace of a place exiftool finds in each file (tags of any group, embedded documents included: -ee) and
 * ffprobe finds in its container and streams, plus the place's name and coordinates as text in the bytes.
 */
export async function placesIn(paths: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(paths.map((p) => [p, []]));
  const r = await runCommand(["exiftool", "-j", "-a", "-G1", "-n", "-ee", "-api", "LargeFileSupport=1", ...paths], {
    timeoutMs: 120_000,
    maxOutputBytes: 64 << 20,
  });
  for (const entry of JSON.parse(r.stdout || "[]") as Record<string, unknown>[]) {
    const found = out.get(String(entry.SourceFile));
    if (!found) continue;
    for (const [key, value] of Object.entries(entry)) {
      if (/^(SourceFile|System:|File:|ExifTool:)/.test(key) && !/Embedded/.test(key)) continue;
      if ((PLACE_TAG.test(key) && !NOT_A_PLACE.test(key)) || /Embedded|MPImage\d/.test(key) || /Lisbon|38\.722/i.test(String(value)))
        found.push(`exiftool ${key}=${String(value).slice(0, 60)}`);
    }
  }
  for (const path of paths) {
    const found = out.get(path)!;
    const probe = await runCommand(["ffprobe", "-v", "quiet", "-show_format", "-show_streams", "-of", "json", path], { timeoutMs: 30_000 });
    if (probe.code === 0) {
      const p = JSON.parse(probe.stdout) as { format?: { tags?: object }; streams?: { tags?: object }[] };
      const tags = JSON.stringify([p.format?.tags ?? {}, ...(p.streams ?? []).map((s) => s.tags ?? {})]);
      if (/location|6709|xyz|Lisbon|38\.72/i.test(tags)) found.push(`ffprobe ${tags.slice(0, 120)}`);
    }
    const bytes = readFileSync(path);
    // The place as text, an Exif block (its header and TIFF byte order) and an XMP packet, anywhere in the bytes.
    for (const text of [LISBON.city, "38.7223", "Exif\0\0MM\0*", "Exif\0\0II*\0", "http://ns.adobe.com/xap/1.0/"])
      if (bytes.includes(Buffer.from(text, "latin1"))) found.push(`bytes contain ${JSON.stringify(text)}`);
  }
  return out;
}

/** Does the file still decode as it should: the same pixels as `pixels`, or a clean decode (ffmpeg, libheif, sharp)? */
export async function decodes(path: string, decode: Decode, dir: string): Promise<boolean> {
  if (decode === "none") return true;
  if (decode === "av") {
    const r = await runCommand(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a?", "-map", "0:v?", "-f", "null", "-"], { timeoutMs: 60_000 });
    return r.code === 0 && r.stderr.trim() === "";
  }
  if (decode === "heif") return (await runCommand(["heif-convert", path, join(dir, "decoded.png")], { timeoutMs: 60_000 })).code === 0;
  if (decode === "image") return (await sharp(path).raw().toBuffer()).length > 0;
  const [a, b] = await Promise.all([sharp(path).raw().toBuffer(), sharp(join(dir, decode.pixels)).raw().toBuffer()]);
  return a.equals(b);
}
