import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { runCommand } from "../../hw/run";
import { detectEncoder } from "./hwaccel";
import { dataPaths } from "../platform/paths";
import { FIXTURES, mediaTestApp } from "../../test/support/media";
import { parseIso6709, parseProbe, playbackOf, targetSize } from "./video";
import { fakeRunner } from "../../hw/testing";
import { systemClock } from "../platform/clock";

// Small clips made with ffmpeg's test source, once for the file: 2 s, 640 × 360, so every test stays fast.
let dir = "";
const clip = (name: string) => join(dir, name);
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "nas-video-"));
  const src = [
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=640x360:rate=15",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=44100",
    "-t",
    "2",
    "-pix_fmt",
    "yuv420p",
  ];
  const make = async (args: string[]) => {
    const r = await runCommand(["ffmpeg", "-hide_banner", "-v", "error", "-y", ...src, ...args], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(r.stderr);
  };
  await make(["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", clip("h264.mp4")]);
  await make([
    "-c:v",
    "libx265",
    "-preset",
    "ultrafast",
    "-x265-params",
    "log-level=error",
    "-tag:v",
    "hvc1",
    "-c:a",
    "aac",
    "-shortest",
    "-movflags",
    "use_metadata_tags",
    "-metadata",
    "com.apple.quicktime.location.ISO6709=+38.7223-009.1393+012.000/",
    "-metadata",
    "com.apple.quicktime.content.identifier=A90ABD4D-79FE-45F3-837C-3B769EF04210",
    "-metadata",
    "creation_time=2024-06-01T10:00:00Z",
    "-f",
    "mov",
    clip("IMG_0001.MOV"),
  ]);
  await make(["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", "-f", "matroska", clip("h264.mkv")]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("videos through the pipeline (real ffmpeg)", () => {
  test("an H.264 MP4 gets a poster and plays as is; HEVC is transcoded to a playable H.264/AAC MP4; MKV is remuxed", async () => {
    const t = mediaTestApp();
    try {
      const ann = t.createUser("ann");
      const mp4 = await t.upload(ann, clip("h264.mp4"));
      const hevc = await t.upload(ann, clip("IMG_0001.MOV"));
      const mkv = await t.upload(ann, clip("h264.mkv"));
      expect(await t.drain()).toBe(3);
      expect(t.row(ann, mp4.sha256)).toMatchObject({ status: "done", kind: "video", playback: "original", videoCodec: "h264", width: 640, height: 360 });
      expect(t.row(ann, mp4.sha256)!.durationMs).toBeGreaterThan(1900);
      expect(existsSync(dataPaths(t.dataDir).derivatives(ann.id, mp4.sha256!).video)).toBe(false);
      expect(await sharp(dataPaths(t.dataDir).derivatives(ann.id, mp4.sha256!).thumb).metadata()).toMatchObject({ format: "webp", width: 444, height: 250 });

      const row = t.row(ann, hevc.sha256)!;
      expect(row).toMatchObject({
        status: "done",
        playback: "transcode",
        encoder: "libx264",
        videoCodec: "hevc",
        takenSource: "container",
        city: "Lisbon",
        country: "Portugal",
        contentId: "A90ABD4D-79FE-45F3-837C-3B769EF04210",
      });
      expect(row.takenAt!.toISOString()).toBe("2024-06-01T10:00:00.000Z");
      const out = await probe(dataPaths(t.dataDir).derivatives(ann.id, hevc.sha256!).video);
      expect(out.streams.map((s) => s.codec_name)).toEqual(["h264", "aac"]);
      expect(out.streams[0]).toMatchObject({ width: 640, height: 360, pix_fmt: "yuv420p" });
      expect(out.format.format_name).toContain("mp4");
      expect(await moovBeforeMdat(dataPaths(t.dataDir).derivatives(ann.id, hevc.sha256!).video)).toBe(true); // +faststart

      expect(t.row(ann, mkv.sha256)).toMatchObject({ status: "done", playback: "remux" });
      expect((await probe(dataPaths(t.dataDir).derivatives(ann.id, mkv.sha256!).video)).streams.map((s) => s.codec_name)).toEqual(["h264", "aac"]);
    } finally {
      t.cleanup();
    }
  }, 120_000);

  test("a video's time from real files (test/fixtures/photos/made): creation_time is UTC, Apple's creationdate gives the zone, else the name", async () => {
    const t = mediaTestApp();
    try {
      const ann = t.createUser("ann");
      const [apple, utc, named] = await Promise.all(
        ["lisbon-creationdate.mov", "utc-only.mp4", "VID_20190704_153012.mp4"].map((n) => t.upload(ann, join(FIXTURES, "made", n))),
      );
      expect(await t.drain()).toBe(3);
      expect(t.row(ann, apple!.sha256)).toMatchObject({ status: "done", takenSource: "container", takenZoneKnown: true, takenOffset: 120, city: "Lisbon" });
      expect(t.row(ann, apple!.sha256)!.takenAt!.toISOString()).toBe("2024-06-01T10:00:00.000Z");
      // creation_time alone: the moment is right (UTC), the local zone unknown, not labelled as the box's local time.
      const utcRow = t.row(ann, utc!.sha256)!;
      expect(utcRow).toMatchObject({ status: "done", takenSource: "container", takenZoneKnown: false });
      expect(utcRow.takenAt!.toISOString()).toBe("2024-06-01T10:00:00.000Z");
      // No time in the file: the phone's name, as a wall clock with the zone unknown.
      const namedRow = t.row(ann, named!.sha256)!;
      expect(namedRow).toMatchObject({ status: "done", takenSource: "file-name", takenZoneKnown: false });
      expect(new Date(namedRow.takenAt!.getTime() + namedRow.takenOffset! * 60_000).toISOString()).toBe("2019-07-04T15:30:12.000Z");
    } finally {
      t.cleanup();
    }
  }, 120_000);

  test("camcorder and odd files: MPEG-TS with one keyframe gets a poster, 4:4:4 H.264 is transcoded, a truncated MP4 fails in plain words", async () => {
    const t = mediaTestApp();
    try {
      const ann = t.createUser("ann");
      const make = async (name: string, args: string[]) => {
        const r = await runCommand(
          [
            "ffmpeg",
            "-hide_banner",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine",
            "-t",
            "2",
            "-shortest",
            ...args,
            clip(name),
          ],
          { timeoutMs: 60_000 },
        );
        if (r.code !== 0) throw new Error(r.stderr);
        return clip(name);
      };
      // AVCHD-like: H.264 + AC-3 in MPEG-TS, a single keyframe (seeking to 1 s finds no frame to start from).
      const mts = await t.upload(ann, await make("00001.MTS", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "ac3", "-f", "mpegts"]));
      const yuv444 = await t.upload(ann, await make("screen.mp4", ["-an", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"]));
      const whole = await Bun.file(clip("h264.mp4")).arrayBuffer();
      await Bun.write(clip("cut.mp4"), whole.slice(0, whole.byteLength / 2));
      const cut = await t.upload(ann, clip("cut.mp4"));
      await t.drain();
      // H.264 plays; MPEG-TS and AC-3 do not: the video is copied into MP4 and the sound made AAC.
      expect(t.row(ann, mts.sha256)).toMatchObject({ status: "done", playback: "remux", videoCodec: "h264" });
      expect((await probe(dataPaths(t.dataDir).derivatives(ann.id, mts.sha256!).video)).streams.map((s) => s.codec_name)).toEqual(["h264", "aac"]);
      expect(await sharp(dataPaths(t.dataDir).derivatives(ann.id, mts.sha256!).thumb).metadata()).toMatchObject({ format: "webp", height: 250 });
      expect(t.row(ann, yuv444.sha256)).toMatchObject({ status: "done", playback: "transcode" });
      expect((await probe(dataPaths(t.dataDir).derivatives(ann.id, yuv444.sha256!).video)).streams[0]).toMatchObject({
        codec_name: "h264",
        pix_fmt: "yuv420p",
      });
      const failed = t.row(ann, cut.sha256)!;
      expect(failed.status).toBe("failed");
      expect(failed.error).toContain("moov atom not found");
      expect(failed.error).not.toMatch(/@ 0x|\/tmp\//);
    } finally {
      t.cleanup();
    }
  }, 120_000);

  test("a hardware encoder that fails on a file: that file is encoded in software instead", async () => {
    // VAAPI on a render node that does not exist: real ffmpeg fails at once, as a broken driver would.
    const broken = {
      name: "h264_vaapi",
      label: "VAAPI (/dev/dri/renderD199)",
      inputArgs: ["-vaapi_device", "/dev/dri/renderD199"],
      args: () => ["-vf", "format=nv12,hwupload", "-c:v", "h264_vaapi"],
    };
    const t = mediaTestApp({ encoder: broken });
    try {
      const ann = t.createUser("ann");
      const hevc = await t.upload(ann, clip("IMG_0001.MOV"));
      await t.drain();
      expect(t.row(ann, hevc.sha256)).toMatchObject({ status: "done", playback: "transcode", encoder: "libx264" });
    } finally {
      t.cleanup();
    }
  }, 60_000);

  test("a Live Photo: the still and its MOV, which share Apple's content identifier, are linked both ways", async () => {
    const t = mediaTestApp();
    try {
      const ann = t.createUser("ann");
      const still = clip("IMG_0001.JPG");
      await Bun.write(
        still,
        withAppleMakerNote(
          await sharp({ create: { width: 64, height: 48, channels: 3, background: "#4a8" } })
            .jpeg()
            .toBuffer(),
          "A90ABD4D-79FE-45F3-837C-3B769EF04210",
        ),
      );
      const photo = await t.upload(ann, still);
      const movie = await t.upload(ann, clip("IMG_0001.MOV"));
      await t.upload(ann, clip("h264.mp4"));
      await t.drain();
      expect(t.row(ann, photo.sha256)).toMatchObject({ status: "done", contentId: "A90ABD4D-79FE-45F3-837C-3B769EF04210", livePairSha256: movie.sha256 });
      expect(t.row(ann, movie.sha256)!.livePairSha256).toBe(photo.sha256);
    } finally {
      t.cleanup();
    }
  }, 60_000);

  test("an HLS playlist renamed .mp4 is refused without opening the file it names", async () => {
    const t = mediaTestApp();
    try {
      const ann = t.createUser("ann");
      // The playlist points at a FIFO: opening it for reading is the only way to "read" it, and a non-blocking
      // open for writing succeeds exactly while someone has it open for reading.
      const fifo = clip("secret.ts");
      if (!existsSync(fifo)) Bun.spawnSync(["mkfifo", fifo]);
      const playlist = clip("playlist.mp4");
      await Bun.write(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile://${fifo}\n#EXTINF:2,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n`);
      const f = await t.upload(ann, playlist);
      let opened = false;
      const watch = setInterval(() => {
        try {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
          opened = true;
        } catch {
          // ENXIO: nobody is reading it
        }
      }, 5);
      await t.drain();
      clearInterval(watch);
      expect(opened).toBe(false);
      expect(t.row(ann, f.sha256)).toMatchObject({ status: "failed" });
      expect(t.row(ann, f.sha256)!.error).toMatch(/^This is not a video that can be read: hls: Format not on whitelist .*; the file: Invalid argument\.$/);
    } finally {
      t.cleanup();
    }
  }, 60_000);
});

/** A JPEG with an EXIF block whose MakerNote is Apple's, holding only tag 0x0011 (ContentIdentifier), as iPhones write it. */
function withAppleMakerNote(jpeg: Buffer, contentId: string): Uint8Array {
  const note = new Uint8Array(16 + 12 + 4 + 37);
  const nv = new DataView(note.buffer);
  note.set(new TextEncoder().encode("Apple iOS\0\0\x01MM"));
  nv.setUint16(14, 1);
  nv.setUint16(16, 0x0011);
  nv.setUint16(18, 2);
  nv.setUint32(20, 37);
  nv.setUint32(24, 32);
  note.set(new TextEncoder().encode(`${contentId}\0`), 32);
  // TIFF (big-endian): IFD0 with one entry (the Exif IFD pointer), then the Exif IFD with one entry (MakerNote).
  const tiff = new Uint8Array(8 + 18 + 18 + note.length);
  const tv = new DataView(tiff.buffer);
  tiff.set(new TextEncoder().encode("MM\0*"));
  tv.setUint32(4, 8);
  tv.setUint16(8, 1);
  tv.setUint16(10, 0x8769);
  tv.setUint16(12, 4);
  tv.setUint32(14, 1);
  tv.setUint32(18, 26);
  tv.setUint32(22, 0);
  tv.setUint16(26, 1);
  tv.setUint16(28, 0x927c);
  tv.setUint16(30, 7);
  tv.setUint32(32, note.length);
  tv.setUint32(36, 44);
  tv.setUint32(40, 0);
  tiff.set(note, 44);
  const payload = new Uint8Array([...new TextEncoder().encode("Exif\0\0"), ...tiff]);
  const app1 = new Uint8Array([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload]);
  return new Uint8Array([0xff, 0xd8, ...app1, ...jpeg.subarray(2)]);
}

async function probe(path: string) {
  const r = await runCommand(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", path]);
  return JSON.parse(r.stdout) as { streams: { codec_name: string; width?: number; height?: number; pix_fmt?: string }[]; format: { format_name: string } };
}
/** `+faststart` puts the index (moov) before the media data, so a browser can start playing before the end arrives. */
async function moovBeforeMdat(path: string) {
  const bytes = await Bun.file(path).bytes();
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, Math.min(bytes.length, 1 << 20)));
  return text.indexOf("moov") >= 0 && text.indexOf("moov") < text.indexOf("mdat");
}

describe("decisions", () => {
  test("what a browser needs, and the 720p size after rotation", () => {
    const base = parseProbe(
      JSON.stringify({
        streams: [
          { codec_type: "video", codec_name: "h264", width: 1920, height: 1080 },
          { codec_type: "audio", codec_name: "aac" },
        ],
        format: { format_name: "mov,mp4,m4a,3gp,3g2,mj2", duration: "3.5", tags: { major_brand: "isom" } },
      }),
    );
    expect(playbackOf(base)).toBe("original");
    expect(playbackOf({ ...base, brand: "qt" })).toBe("remux");
    expect(playbackOf({ ...base, audioCodec: "pcm_s16le" })).toBe("remux");
    expect(playbackOf({ ...base, container: "matroska,webm" })).toBe("remux");
    expect(playbackOf({ ...base, videoCodec: "hevc" })).toBe("transcode");
    expect(playbackOf({ ...base, videoCodec: "mpeg4", container: "avi" })).toBe("transcode");
    // Browsers play 8-bit 4:2:0 H.264 only: High 10 (yuv420p10le) and 4:4:4 are transcoded.
    expect(playbackOf({ ...base, pixelFormat: "yuvj420p" })).toBe("original");
    expect(playbackOf({ ...base, pixelFormat: "yuv420p10le" })).toBe("transcode");
    expect(playbackOf({ ...base, pixelFormat: "yuv444p" })).toBe("transcode");
    expect(targetSize(base)).toEqual({ width: 1280, height: 720 });
    expect(targetSize({ ...base, rotation: 90 })).toEqual({ width: 720, height: 1280 });
    expect(targetSize({ ...base, width: 640, height: 360 })).toEqual({ width: 640, height: 360 });
    expect(parseIso6709("+38.7223-009.1393+012.000/")).toEqual({ latitude: 38.7223, longitude: -9.1393, altitude: 12 });
    const iphone = parseProbe(
      JSON.stringify({
        streams: [{ codec_type: "video", codec_name: "hevc", width: 1920, height: 1080, side_data_list: [{ rotation: -90 }] }],
        format: {
          format_name: "mov,mp4,m4a,3gp,3g2,mj2",
          tags: { "com.apple.quicktime.creationdate": "2024-06-01T12:00:00+0200", creation_time: "2024-06-01T10:00:00.000000Z" },
        },
      }),
    );
    expect(iphone).toMatchObject({ rotation: 270, takenOffset: 120 });
    expect(iphone.takenAt!.toISOString()).toBe("2024-06-01T10:00:00.000Z");
    expect(targetSize(iphone)).toEqual({ width: 720, height: 1280 });
    expect(parseIso6709("+99.0000+000.0000/")).toBeNull();
  });
});

describe("hardware encoder detection (fake runner: no GPU here)", () => {
  const ok = { code: 0 };
  const fail = (stderr: string) => ({ code: 1, stderr });
  test("VAAPI is used when its trial encode works", async () => {
    const fake = fakeRunner((argv) => (argv.includes("h264_vaapi") ? ok : fail("unexpected")));
    const d = await detectEncoder({ run: fake.run, listDevices: () => ["/dev/dri/card0", "/dev/dri/renderD128"], now: systemClock });
    expect(d.encoder.name).toBe("h264_vaapi");
    expect(d.choice.reason).toBe("a trial encode with h264_vaapi worked");
    expect(fake.calls[0]).toContain("/dev/dri/renderD128");
    expect(fake.calls[0]!.slice(0, 2)).toEqual(["nice", "-n"]);
  });
  test("a Pi 4: no render node, the V4L2 M2M encoder works", async () => {
    const fake = fakeRunner((argv) => (argv.includes("h264_v4l2m2m") ? ok : fail("unexpected")));
    const d = await detectEncoder({ run: fake.run, listDevices: () => ["/dev/video10", "/dev/video11"], now: systemClock });
    expect(d.choice).toMatchObject({ encoder: "h264_v4l2m2m", label: "V4L2 M2M (Raspberry Pi)" });
  });
  test("a Pi 5 (video devices, no H.264 encoder) and a broken VAAPI driver fall back to software, saying why", async () => {
    const fake = fakeRunner((argv) =>
      fail(argv.includes("h264_vaapi") ? "Failed to initialise VAAPI connection: -1 (unknown libva error)." : "Could not find a valid device"),
    );
    const d = await detectEncoder({ run: fake.run, listDevices: () => ["/dev/dri/renderD128", "/dev/video19"], now: systemClock });
    expect(d.encoder.name).toBe("libx264");
    expect(d.choice.reason).toBe(
      "VAAPI (/dev/dri/renderD128): Failed to initialise VAAPI connection: -1 (unknown libva error).; V4L2 M2M (Raspberry Pi): Could not find a valid device",
    );
  });
  test("no devices at all: software, without running anything", async () => {
    const fake = fakeRunner(() => ok);
    const d = await detectEncoder({ run: fake.run, listDevices: () => [], now: systemClock });
    expect(d.choice).toMatchObject({ encoder: "libx264", reason: "no /dev/dri render node or /dev/video device" });
    expect(fake.calls).toEqual([]);
  });
});
