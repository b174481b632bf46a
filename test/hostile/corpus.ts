// Hostile files, made here (nothing downloaded): bombs, cut and empty files, playlists posing as videos, scripts in
// SVG and in picture metadata, an HTML/JPEG polyglot, 64 KB EXIF strings with markup, a HEIC grid claiming 65535².
// Each names the state the worker must leave it in. Playlists and SVG point at `canary`, a file outside the data
// dir that nothing may open; scripts would fetch `/pwned-…` or raise a dialog, which the browser test watches for.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { runCommand } from "../../hw/run";

const FIXTURES = join(import.meta.dir, "../fixtures/photos");
/** A media row's end state; "none": not media (no row), the file is only a Drive file. */
export type HostileState = "done" | "failed" | "none" | "done-or-failed";
export type HostileFile = { name: string; path: string; state: HostileState; what: string };
export const SCRIPT = `<script>alert("pwned");fetch("/pwned-script")</script>`;
export const MARKUP = `<img src="/pwned-markup" onerror="alert('pwned')">`;
/** Markup that fits in a file name (no slash). */
export const NAME_MARKUP = `<img src=x onerror=alert('pwned')>`;

async function run(argv: string[]) {
  const r = await runCommand(argv, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${argv[0]}: ${r.stderr.slice(-400)}`);
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
/** A greyscale PNG of `w`×`h` whose IDAT inflates to `rows` rows of zeros (all of them when rows = h). */
function png(w: number, h: number, rows = h): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (grey)
  const raw = Buffer.alloc(rows * (w + 1)); // each row: filter byte 0, then w zero samples
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(raw, { level: 9 })), pngChunk("IEND", new Uint8Array(0))]);
}

/** A JPEG's main frame header (SOF0 after the Exif segment, which holds a thumbnail's own) patched to claim `w`×`h`. */
function claimJpegSize(jpeg: Buffer, w: number, h: number): Buffer {
  const out = Buffer.from(jpeg);
  const app1 = out.indexOf(Buffer.from([0xff, 0xe1]));
  const sof = out.indexOf(Buffer.from([0xff, 0xc0]), app1 + 2 + out.readUInt16BE(app1 + 2));
  out.writeUInt16BE(h, sof + 5);
  out.writeUInt16BE(w, sof + 7);
  return out;
}

/** The iPhone HEIC with its grid (idat) and every `ispe` claiming 65535×65535: 4.3 gigapixels of 48 tiles. */
function hugeHeicGrid(heic: Buffer): Buffer {
  const out = Buffer.from(heic);
  for (let at = out.indexOf("ispe"); at !== -1; at = out.indexOf("ispe", at + 4)) {
    out.writeUInt32BE(65535, at + 8);
    out.writeUInt32BE(65535, at + 12);
  }
  const idat = out.indexOf("idat");
  const grid = idat + 4; // version, flags (16-bit sizes), rows-1, columns-1, width, height
  out[grid + 2] = 255;
  out[grid + 3] = 255;
  out.writeUInt16BE(65535, grid + 4);
  out.writeUInt16BE(65535, grid + 6);
  return out;
}

export async function hostileCorpus(dir: string, canary: string): Promise<HostileFile[]> {
  const files: HostileFile[] = [];
  const p = (name: string) => join(dir, name);
  const add = (name: string, bytes: Uint8Array | string, state: HostileState, what: string) => {
    writeFileSync(p(name), bytes);
    files.push({ name, path: p(name), state, what });
  };
  const camera = readFileSync(join(FIXTURES, "gps/DSCN0010.jpg"));
  const av = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=15", "-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libx264"];

  add("empty.jpg", "", "failed", "a zero-byte photo");
  add("empty.mp4", "", "failed", "a zero-byte video");
  add("cut.jpg", camera.subarray(0, Math.floor(camera.length * 0.4)), "done-or-failed", "a JPEG cut at 40 %");
  await run(["ffmpeg", "-hide_banner", "-v", "error", "-y", ...av, p("whole.mp4")]);
  const mp4 = readFileSync(p("whole.mp4"));
  add("cut.mp4", mp4.subarray(0, Math.floor(mp4.length / 2)), "failed", "an MP4 cut in half");
  add("pixel-bomb.png", png(60_000, 60_000, 1), "failed", "a PNG claiming 3.6 gigapixels (a few hundred bytes)");
  add("pixel-bomb.jpg", claimJpegSize(camera, 65_000, 65_000), "failed", "a JPEG claiming 65000×65000");
  add("inflate-bomb.png", png(10_000, 10_000), "done", "100 MB of pixels from a ~100 KB file (under the 200 MP limit)");
  add("huge-grid.heic", hugeHeicGrid(readFileSync(join(FIXTURES, "phone/iphone_13_pro_max.HEIC"))), "failed", "a HEIC grid claiming 65535×65535");
  add(
    "playlist.mp4",
    `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://${canary}\n#EXTINF:10,\nhttp://127.0.0.1:9/pwned.ts\n#EXT-X-ENDLIST\n`,
    "failed",
    "an HLS playlist named .mp4 naming a file outside the data dir and a URL",
  );
  add("concat.mov", `ffconcat version 1.0\nfile '${canary}'\nfile 'file:${canary}'\n`, "failed", "an ffconcat list named .mov naming a file outside the data dir");
  add(
    "script.svg",
    `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" onload="alert('pwned')">${SCRIPT}<foreignObject width="100" height="100"><iframe xmlns="http://www.w3.org/1999/xhtml" src="file://${canary}"/></foreignObject><rect width="100" height="100" fill="red"/></svg>`,
    "none",
    "an SVG with script, an event handler and a frame",
  );
  // An HTML/JPEG polyglot: a real JPEG whose comment segment and tail are HTML with script.
  const html = Buffer.from(`<html><body>${SCRIPT}${MARKUP}</body></html>`);
  const comment = Buffer.concat([Buffer.from([0xff, 0xfe, (html.length + 2) >> 8, (html.length + 2) & 255]), html]);
  const polyglot = Buffer.concat([camera.subarray(0, 2), comment, camera.subarray(2), html]);
  add("polyglot.jpg", polyglot, "done", "a JPEG that is also an HTML page");
  add("polyglot.html", polyglot, "done", "the same polyglot named .html (a JPEG by its bytes: shown as a picture, never as a page)");
  // EXIF strings of 64 KB (the most a JPEG segment holds) full of markup, and markup in camera and lens names.
  const long = join(dir, "long-exif.jpg");
  writeFileSync(long, camera);
  await run([
    "exiftool",
    "-q",
    "-overwrite_original",
    "-m",
    `-ImageDescription=${MARKUP.repeat(Math.floor(60_000 / MARKUP.length))}`,
    `-Make=${SCRIPT}`,
    `-Model=${MARKUP}`,
    `-LensModel=${MARKUP}`,
    `-Artist=${SCRIPT}`,
    long,
  ]);
  files.push({ name: "long-exif.jpg", path: long, state: "done", what: "EXIF with 64 KB strings and markup in make, model and lens" });
  add(`${NAME_MARKUP}.jpg`, camera, "done", "markup in a file name");
  return files;
}
