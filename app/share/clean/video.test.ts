// Videos through a link carry no location unless the owner allowed it: the MP4/MOV metadata boxes are blanked in
// place (same size, every sample where it was), checked with ffprobe on real ffmpeg-made files, through Range
// requests, the zip, and the pipeline's playable MP4 of a MOV.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../../../hw/run";
import { shareFixture, type ShareFixture } from "../../../test/support/share";
import { cleanBmff, isBmff } from "./bmff";
import { CleanFile, NotCleanable, Source } from "./spliced";

let dir = "";
const LISBON = "+38.7223-009.1393+012.000/";
const ffmpeg = async (args: string[]) => {
  const r = await runCommand(["ffmpeg", "-hide_banner", "-v", "error", "-y", ...args], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(r.stderr);
};
const src = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-f", "lavfi", "-i", "sine", "-t", "2", "-shortest", "-pix_fmt", "yuv420p"];
/** Every tag ffprobe finds in the container and its streams, lower-cased keys. */
async function tags(path: string) {
  const r = await runCommand(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", path], { timeoutMs: 30_000 });
  const p = JSON.parse(r.stdout) as { format: { tags?: Record<string, string> }; streams: { tags?: Record<string, string> }[] };
  return JSON.stringify([p.format.tags ?? {}, ...p.streams.map((s) => s.tags ?? {})]).toLowerCase();
}
const decodesCleanly = async (path: string) => {
  const r = await runCommand(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"], { timeoutMs: 60_000 });
  return r.code === 0 && r.stderr.trim() === "";
};
/** A MOV as an iPhone writes its place: Apple's location key in moov/meta. */
const appleMov = (video: string[], out: string) =>
  ffmpeg([...src, ...video, "-c:a", "aac", "-movflags", "use_metadata_tags", "-metadata", `com.apple.quicktime.location.ISO6709=${LISBON}`, "-f", "mov", out]);
const streamBytes = async (s: Blob | ReadableStream<Uint8Array>) => Buffer.from(await new Response(s).arrayBuffer());
/** The file cleaned in place, as a link serves it. */
async function cleaned(path: string): Promise<CleanFile> {
  const src = await Source.open(path);
  try {
    return new CleanFile(path, (await cleanBmff(src)).parts);
  } finally {
    await src.close();
  }
}
const isMp4 = async (path: string) => isBmff(new Uint8Array(await Bun.file(path).slice(0, 16).arrayBuffer()));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "nas-mp4-"));
  // An iPhone-style MOV (Apple's location key in moov/meta) and an Android-style MP4 (©xyz in moov/udta).
  await appleMov(["-c:v", "libx264"], join(dir, "iphone.mov"));
  await ffmpeg([...src, "-c:v", "libx264", "-c:a", "aac", "-metadata", `location=${LISBON}`, "-movflags", "+faststart", join(dir, "android.mp4")]);
  await ffmpeg([...src, "-c:v", "libx264", "-c:a", "aac", "-f", "mpegts", join(dir, "camcorder.mts")]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("blanking an MP4's metadata boxes", () => {
  for (const name of ["iphone.mov", "android.mp4"]) {
    test(`${name}: the location is gone, the file keeps its size and decodes without an error, any range equals the whole`, async () => {
      const path = join(dir, name);
      expect(await tags(path)).toContain("+38.7223-009.1393");
      const clean = await cleaned(path);
      const whole = await streamBytes(clean.slice(0, clean.size));
      expect(whole.length).toBe(readFileSync(path).length);
      const out = join(dir, `clean-${name}`);
      await Bun.write(out, whole);
      expect(await tags(out)).not.toContain("38.7223");
      expect(whole.includes(Buffer.from("38.7223"))).toBe(false);
      expect(await decodesCleanly(out)).toBe(true);
      // Ranges across and beside the patches, as a player's seeks ask for them.
      for (const [a, b] of [
        [0, 100],
        [0, clean.size],
        [17, 5000],
        [clean.size - 3000, clean.size],
        [1000, 1001],
      ] as const) {
        expect((await streamBytes(clean.slice(a, b))).equals(whole.subarray(a, b))).toBe(true);
      }
    });
  }

  test("what is not an MP4 is not taken for one; an MP4 whose boxes do not add up is damaged (a link refuses it)", async () => {
    expect(await isMp4(join(dir, "camcorder.mts"))).toBe(false);
    await Bun.write(join(dir, "empty.mp4"), "");
    expect(await isMp4(join(dir, "empty.mp4"))).toBe(false);
    const mp4 = readFileSync(join(dir, "android.mp4"));
    const cut = join(dir, "cut.mp4");
    await Bun.write(cut, mp4.subarray(0, 2000)); // moov (faststart) cut in the middle
    await expect(cleaned(cut)).rejects.toBeInstanceOf(NotCleanable);
    const lying = Buffer.from(mp4);
    lying.writeUInt32BE(0xfffffff0, 0); // ftyp claims more bytes than the file has
    await Bun.write(join(dir, "lying.mp4"), lying);
    await expect(cleaned(join(dir, "lying.mp4"))).rejects.toBeInstanceOf(NotCleanable);
  });
});

describe("videos through a link", () => {
  let f: ShareFixture;
  afterEach(() => f?.t.cleanup());
  const put = (name: string, path: string) =>
    f.t.services.drive.upload(
      f.alice,
      { parentId: f.items.holiday!.id, name, conflict: "fail" },
      (async function* () {
        yield readFileSync(path);
      })(),
    );

  test("the original, a range of it and the zip carry no location; with metadata allowed the original keeps it", async () => {
    f = await shareFixture();
    const video = await put("IMG_0001.mov", join(dir, "iphone.mov"));
    const { token } = f.links.open;
    const r = await f.t.request(`/s/${token}/content/${video.id}?download=1`);
    expect(r.status).toBe(200);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(bytes.length).toBe(video.size);
    expect(bytes.includes(Buffer.from("38.7223"))).toBe(false);
    await Bun.write(join(dir, "served.mov"), bytes);
    expect(await decodesCleanly(join(dir, "served.mov"))).toBe(true);
    const range = await f.t.request(`/s/${token}/content/${video.id}`, { headers: { range: "bytes=0-65535" } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(bytes.subarray(0, 65536))).toBe(true);
    const zip = Buffer.from(await (await f.t.request(`/s/${token}/zip`)).arrayBuffer());
    expect(zip.includes(bytes)).toBe(true); // the cleaned video, byte for byte
    expect(zip.includes(Buffer.from("38.7223"))).toBe(false);
    const kept = Buffer.from(await (await f.t.request(`/s/${f.links.withMetadata.token}/content/${video.id}?download=1`)).arrayBuffer());
    expect(kept.includes(Buffer.from("38.7223"))).toBe(true);
  });

  test("a video not processed yet has no picture on a link (404), and its tile says its name", async () => {
    f = await shareFixture();
    const video = await put("IMG_0001.mov", join(dir, "iphone.mov"));
    expect((await f.t.request(`/s/${f.links.open.token}/thumb/${video.id}`)).status).toBe(404);
    expect(await (await f.t.request(`/s/${f.links.open.token}`)).text()).toContain("IMG_0001.mov");
    // In an album link: a tile with its name, and no picture asked for.
    const album = f.t.services.photos.createAlbum(f.alice, "Clips", [video.id]);
    const link = await f.t.services.share.create(f.alice, { albumId: album.id });
    const gallery = await (await f.t.request(`/s/${link.token}`)).text();
    expect(gallery).toContain("▶ IMG_0001.mov");
    expect(gallery).not.toContain(`<img src="/s/${link.token}/thumb/${video.id}"`);
  });

  test("MPEG-TS has no cleaner (AVCHD camcorders write GPS into the video stream): refused as a download, left out of the zip", async () => {
    f = await shareFixture();
    const ts = await put("00001.MTS", join(dir, "camcorder.mts"));
    expect(ts.mime).toStartWith("video/");
    const r = await f.t.request(`/s/${f.links.open.token}/content/${ts.id}?download=1`);
    expect(r.status).toBe(403);
    expect(await r.text()).toContain("could not be proven free of its location");
    const zip = Buffer.from(await (await f.t.request(`/s/${f.links.open.token}/zip`)).arrayBuffer());
    expect(zip.includes(Buffer.from("00001.MTS"))).toBe(false);
    expect(zip.includes(Buffer.from("notes.txt"))).toBe(true);
    // With metadata allowed it is the owner's choice: sent as recorded.
    const kept = await f.t.request(`/s/${f.links.withMetadata.token}/content/${ts.id}?download=1`);
    expect(Buffer.from(await kept.arrayBuffer()).equals(readFileSync(join(dir, "camcorder.mts")))).toBe(true);
  });

  test("a damaged MP4 is refused in plain words rather than sent with its metadata", async () => {
    f = await shareFixture();
    const mp4 = readFileSync(join(dir, "iphone.mov"));
    await Bun.write(join(dir, "half.mov"), mp4.subarray(0, Math.floor(mp4.length * 0.9)));
    const half = await put("half.mov", join(dir, "half.mov"));
    const r = await f.t.request(`/s/${f.links.open.token}/content/${half.id}?download=1`);
    expect(r.status).toBe(403);
    expect(await r.text()).toContain("could not be proven free of its location");
    // The zip leaves it out and still carries the rest.
    const zip = await f.t.request(`/s/${f.links.open.token}/zip`);
    expect(zip.status).toBe(200);
    const bytes = Buffer.from(await zip.arrayBuffer());
    expect(bytes.includes(Buffer.from("half.mov"))).toBe(false);
    expect(bytes.includes(Buffer.from("notes.txt"))).toBe(true);
  });
});

test("watching a MOV through a link plays the pipeline's MP4 (H.264), also without its location; a download is the original", async () => {
  const { mediaTestApp } = await import("../../../test/support/media");
  const t = mediaTestApp();
  try {
    const ann = t.createAdmin("ann");
    const hevc = join(dir, "hevc.mov");
    await appleMov(["-c:v", "libx265", "-x265-params", "log-level=error", "-tag:v", "hvc1"], hevc);
    const file = await t.upload(ann, hevc, "IMG_0002.MOV");
    await t.drain();
    expect(t.row(ann, file.sha256)).toMatchObject({ status: "done", playback: "transcode" });
    const { token } = await t.services.share.create(ann, { fileId: file.id });
    const watched = await t.request(`/s/${token}/content/${file.id}`);
    expect(watched.status).toBe(200);
    expect(watched.headers.get("content-type")).toBe("video/mp4");
    const bytes = Buffer.from(await watched.arrayBuffer());
    expect(bytes.includes(Buffer.from("38.7223"))).toBe(false);
    await Bun.write(join(dir, "watched.mp4"), bytes);
    const probe = await runCommand(["ffprobe", "-v", "error", "-show_streams", "-of", "json", join(dir, "watched.mp4")], { timeoutMs: 30_000 });
    expect((JSON.parse(probe.stdout) as { streams: { codec_name: string }[] }).streams.map((s) => s.codec_name)).toEqual(["h264", "aac"]);
    // The gallery's tile shows the video's poster frame (the pipeline's WebP thumbnail, no metadata).
    const thumb = await t.request(`/s/${token}/thumb/${file.id}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    const webp = Buffer.from(await thumb.arrayBuffer());
    expect(webp.subarray(8, 12).toString()).toBe("WEBP");
    expect(webp.includes(Buffer.from("38.7223"))).toBe(false);
    // In an album link's gallery the processed video's tile is that picture.
    const album = t.services.photos.createAlbum(ann, "Clips", [file.id]);
    const albumLink = await t.services.share.create(ann, { albumId: album.id });
    const gallery = await (await t.request(`/s/${albumLink.token}`)).text();
    expect(gallery).toContain(`<img src="/s/${albumLink.token}/thumb/${file.id}"`);
    const downloaded = await t.request(`/s/${token}/content/${file.id}?download=1`);
    expect(downloaded.headers.get("content-type")).not.toBe("video/mp4");
    expect(Number(downloaded.headers.get("content-length"))).toBe(file.size);
  } finally {
    t.cleanup();
  }
}, 120_000);
