// The perceptual hash against real photos and generated copies of them (the threshold's measurement: it prints the
// Hamming distances it sees), the grouping of duplicates and the folding of stacks.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp, { type Sharp } from "sharp";
import { perceptualHash, thumbnailsOfImage } from "../media/image";
import { BURST_BITS, duplicateGroups, hamming, NEAR_DUPLICATE_BITS, similarPairs, stacked, type PhotoFile, type StackFacts } from "./duplicates";
import type { GridItem } from "./repo";

const FIX = join(import.meta.dir, "../../test/fixtures");
// Real photos of at least 300 px (the camera fixtures are 100-px thumbnails: a 5 % crop of them is 5 pixels).
const PHOTOS = [
  ...["gps/DSCN0010", "gps/DSCN0021", "gps/DSCN0027", "gps/DSCN0038", "orientation/landscape_1", "phone/jolla", "phone/no_exif"].map((f) => `photos/${f}.jpg`),
  ...["astronaut", "cat", "coffee", "grace-hopper", "party-1", "party-2", "party-3", "party-4", "party-5", "party-6", "rocket"].map((f) => `people/${f}.jpg`),
].map((f) => join(FIX, f));
// Tux Paint stamps: a small object cut out on the same plain 1024×768 background (test/fixtures/people/README.md).
const STAMPS = ["dog", "car", "cow", "sports-car"].map((f) => join(FIX, `people/${f}.jpg`));

const dir = mkdtempSync(join(tmpdir(), "nas-phash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** The hash as the pipeline makes it: its one decode of the file (app/media/image.ts). */
const pipelineHash = async (input: string | Buffer) => {
  const path = typeof input === "string" ? input : join(dir, `in-${n++}.jpg`);
  if (typeof input !== "string") await Bun.write(path, input);
  const out = { thumb: join(dir, `${n}.webp`), preview: join(dir, `${n++}.jpg`) };
  return { hash: (await thumbnailsOfImage(path, out)).phash, preview: out.preview };
};

const VARIANTS: Record<string, (img: () => Sharp, w: number, h: number) => Promise<Buffer>> = {
  "resized to 50 %": (img, w) =>
    img()
      .resize(Math.round(w / 2))
      .jpeg({ quality: 85 })
      .toBuffer(),
  "resized to 25 %": (img, w) =>
    img()
      .resize(Math.round(w / 4))
      .jpeg({ quality: 85 })
      .toBuffer(),
  "JPEG quality 40": (img) => img().jpeg({ quality: 40 }).toBuffer(),
  "JPEG quality 95": (img) => img().jpeg({ quality: 95 }).toBuffer(),
  "WebP quality 70": (img) => img().webp({ quality: 70 }).toBuffer(),
  "cropped 5 %": (img, w, h) =>
    img()
      .extract({ left: Math.round(w * 0.025), top: Math.round(h * 0.025), width: Math.round(w * 0.95), height: Math.round(h * 0.95) })
      .jpeg({ quality: 85 })
      .toBuffer(),
  "brightness +20 %": (img) => img().modulate({ brightness: 1.2 }).jpeg({ quality: 85 }).toBuffer(),
  "brightness −20 %": (img) => img().modulate({ brightness: 0.8 }).jpeg({ quality: 85 }).toBuffer(),
};

test("the hash: every re-saved, resized, cropped or brightened copy is within the threshold of its photo, different photos are not", async () => {
  const originals: string[] = [];
  const distances: Record<string, number[]> = { "stored preview (the backfill's input)": [] };
  for (const file of PHOTOS) {
    const { hash, preview } = await pipelineHash(file);
    originals.push(hash);
    // The backfill hashes the stored preview: it must land where the pipeline's own hash is.
    distances["stored preview (the backfill's input)"]!.push(hamming(hash, await perceptualHash(preview)));
    const img = () => sharp(file).rotate();
    const { width, height } = (await img().toBuffer({ resolveWithObject: true })).info;
    for (const [name, make] of Object.entries(VARIANTS))
      (distances[name] ??= []).push(hamming(hash, (await pipelineHash(await make(img, width, height))).hash));
  }
  const different: number[] = [];
  for (let i = 0; i < originals.length; i++) for (let j = i + 1; j < originals.length; j++) different.push(hamming(originals[i]!, originals[j]!));
  different.sort((a, b) => a - b);
  const stamps = await Promise.all(STAMPS.map(async (f) => (await pipelineHash(f)).hash));
  const stampPairs = stamps.flatMap((a, i) => stamps.slice(i + 1).map((b) => hamming(a, b)));

  console.log(`Hamming distances (64-bit hash; threshold ${NEAR_DUPLICATE_BITS}) over ${PHOTOS.length} real photos:`);
  for (const [name, d] of Object.entries(distances)) console.log(`  ${name.padEnd(38)} max ${String(Math.max(...d)).padStart(2)}  [${d.join(" ")}]`);
  const at = (q: number) => different[Math.floor(q * (different.length - 1))];
  console.log(`  different photos (${different.length} pairs)          min ${different[0]}, 1 % ${at(0.01)}, 5 % ${at(0.05)}, median ${at(0.5)}`);
  console.log(`  clip-art stamps on one background (${stampPairs.length} pairs) [${stampPairs.sort((a, b) => a - b).join(" ")}]`);

  for (const d of Object.values(distances)) expect(Math.max(...d)).toBeLessThanOrEqual(NEAR_DUPLICATE_BITS);
  expect(different[0]!).toBeGreaterThan(NEAR_DUPLICATE_BITS);
  // A margin on both sides: copies stay well under, different photos well over.
  expect(different[0]! - NEAR_DUPLICATE_BITS).toBeGreaterThanOrEqual(5);
}, 300_000);

test("the hash's bits are the sharp-phash package's (which computes all 1,024 DCT coefficients to keep 64)", async () => {
  const phash = (await import("sharp-phash")).default;
  for (const file of [...PHOTOS, ...STAMPS, join(FIX, "photos/orientation/landscape_6.jpg")]) {
    const theirs = BigInt(`0b${await phash(file)}`)
      .toString(16)
      .padStart(16, "0");
    expect([file, await perceptualHash(file)]).toEqual([file, theirs]);
  }
}, 60_000);

test("hamming counts differing bits; similarPairs finds every pair within the bound and nothing else", () => {
  expect(hamming("0000000000000000", "0000000000000000")).toBe(0);
  expect(hamming("0000000000000000", "ffffffffffffffff")).toBe(64);
  expect(hamming("8000000000000001", "0000000000000000")).toBe(2);
  expect(hamming("00000000ffffffff", "0000000000000000")).toBe(32);
  // Random hashes and copies of them with k random bits flipped: the index must find all pairs ≤ the bound (a full
  // comparison of every pair is the reference).
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const hex = () => Array.from({ length: 16 }, () => Math.floor(rnd() * 16).toString(16)).join("");
  const flip = (h: string, k: number) => {
    let v = BigInt(`0x${h}`);
    const bits = new Set<number>();
    while (bits.size < k) bits.add(Math.floor(rnd() * 64));
    for (const b of bits) v ^= 1n << BigInt(b);
    return v.toString(16).padStart(16, "0");
  };
  const hashes: string[] = [];
  for (let i = 0; i < 300; i++) {
    const h = hex();
    hashes.push(h, flip(h, Math.floor(rnd() * 14)));
  }
  const brute = new Set<string>();
  for (let i = 0; i < hashes.length; i++)
    for (let j = i + 1; j < hashes.length; j++) if (hamming(hashes[i]!, hashes[j]!) <= NEAR_DUPLICATE_BITS) brute.add(`${i},${j}`);
  const found = new Set(similarPairs(hashes, NEAR_DUPLICATE_BITS).map(([a, b]) => `${a},${b}`));
  expect(brute.size).toBeGreaterThan(150);
  expect([...found].sort()).toEqual([...brute].sort());
});

const file = (id: string, p: Partial<PhotoFile>): PhotoFile => ({
  id,
  sha256: id,
  name: `${id}.jpg`,
  parentId: "root",
  size: 1000,
  kind: "image",
  width: 100,
  height: 100,
  phash: null,
  local: 0,
  thumbhash: null,
  ...p,
});

test("duplicate groups: copies of one content, similar contents, never a RAW with its JPEG, videos by content only", () => {
  const groups = duplicateGroups([
    file("a1", { sha256: "A", phash: "0000000000000000", parentId: "x", local: 5 }),
    file("a2", { sha256: "A", phash: "0000000000000000", parentId: "y", local: 5 }),
    file("b", { phash: "0000000000000007", width: 400, height: 300, local: 4 }), // 3 bits from A, larger: first
    file("c", { phash: "ffffffffffff0000", local: 3 }), // far from everything
    file("r", { kind: "raw", phash: "0000000000000000", local: 2 }), // a RAW like A: not a duplicate of a JPEG
    file("v1", { sha256: "V", kind: "video", local: 9 }),
    file("v2", { sha256: "V", kind: "video", local: 9 }),
    file("w", { kind: "video", local: 1 }),
  ]);
  expect(groups.map((g) => [g.kind, g.files.map((f) => f.id)])).toEqual([
    ["exact", ["v1", "v2"]],
    ["similar", ["b", "a1", "a2"]],
  ]);
  expect(duplicateGroups([file("p", { phash: "0000000000000000" }), file("q", { phash: "00000000000007ff" })])).toHaveLength(1); // 11 bits: the bound
  expect(duplicateGroups([file("p", { phash: "0000000000000000" }), file("q", { phash: "0000000000000fff" })])).toEqual([]); // 12: apart
});

test("two flat pictures of different colours are not duplicates; a photo's greyscale and brightened copies still are", async () => {
  /** As the pipeline stores it: the hash and the ThumbHash of its one decode. */
  const processed = async (id: string, bytes: Buffer) => {
    const path = join(dir, `${id}.img`);
    await Bun.write(path, bytes);
    const r = await thumbnailsOfImage(path, { thumb: join(dir, `${id}.webp`), preview: join(dir, `${id}.jpg`) });
    return file(id, { phash: r.phash, thumbhash: r.thumbhash });
  };
  const flat = (background: { r: number; g: number; b: number }) =>
    sharp({ create: { width: 640, height: 480, channels: 3, background } })
      .png()
      .toBuffer();
  const orange = await processed("orange", await flat({ r: 240, g: 140, b: 60 }));
  const green = await processed("green", await flat({ r: 40, g: 120, b: 70 }));
  // Their hashes alone would group them (the grey levels of a flat picture carry no pattern).
  expect(hamming(orange.phash!, green.phash!)).toBeLessThanOrEqual(NEAR_DUPLICATE_BITS);
  expect(duplicateGroups([orange, green])).toEqual([]);
  const jolla = join(FIX, "photos/phone/jolla.jpg");
  const copies = [
    await processed("jolla", await sharp(jolla).jpeg().toBuffer()),
    await processed("grey", await sharp(jolla).greyscale().jpeg().toBuffer()),
    await processed("brighter", await sharp(jolla).modulate({ brightness: 1.2 }).jpeg().toBuffer()),
    await processed("darker", await sharp(jolla).modulate({ brightness: 0.8 }).jpeg().toBuffer()),
  ];
  expect(duplicateGroups(copies).map((g) => g.files.map((f) => f.id).sort())).toEqual([["brighter", "darker", "grey", "jolla"]]);
});

const item = (id: string, kind: GridItem["kind"] = "image"): GridItem => ({
  id,
  sha256: id,
  kind,
  width: 1,
  height: 1,
  local: 0,
  durationMs: null,
  thumbhash: null,
  favourite: false,
  playback: null,
  mime: "image/jpeg",
  city: null,
  liveId: null,
  livePlayback: null,
  edit: null,
});
const facts = (id: string, p: Partial<StackFacts>): [string, StackFacts] => [
  id,
  { id, name: `${id}.jpg`, parentId: "f", make: "Canon", model: "EOS", phash: "0000000000000000", takenAt: 0, ...p },
];

test("stacks: RAW+JPEG by base name, folder and second; bursts by camera, gap and hash; one tile with its members in time order", () => {
  const items = [item("jpg"), item("raw", "raw"), item("b3"), item("b2"), item("b1"), item("alone"), item("other-folder", "raw"), item("late")];
  const f = new Map([
    facts("jpg", { name: "IMG_1.JPG", takenAt: 100_000, model: null }),
    facts("raw", { name: "img_1.CR2", takenAt: 100_400, model: null }),
    facts("other-folder", { name: "IMG_1.CR2", parentId: "g", takenAt: 100_000, model: null }),
    facts("b1", { takenAt: 50_000 }),
    facts("b2", { takenAt: 50_700, phash: "00000000000000ff" }), // 8 bits from b1
    facts("b3", { takenAt: 51_300, phash: "0000000000000fff" }), // 4 from b2, 0.6 s later
    facts("alone", { takenAt: 52_500, phash: "0000000000000fff" }), // 1.2 s after b3: its own
    facts("late", { takenAt: 10_000, phash: "ffffffffffffffff", model: "Other" }),
  ]);
  const out = stacked(items, f);
  expect(out.map((i) => [i.id, i.stack?.map((s) => s.id) ?? null])).toEqual([
    ["jpg", ["jpg", "raw"]],
    ["b1", ["b1", "b2", "b3"]],
    ["alone", null],
    ["other-folder", null],
    ["late", null],
  ]);
  // A different camera at the same instant, or a scene change within the burst, is no burst.
  const g = new Map([facts("x", { takenAt: 0 }), facts("y", { takenAt: 200, model: "Other" }), facts("z", { takenAt: 400, phash: "ffffffffffffffff" })]);
  expect(stacked([item("x"), item("y"), item("z")], g).every((i) => !i.stack)).toBe(true);
  expect(BURST_BITS).toBeGreaterThanOrEqual(NEAR_DUPLICATE_BITS);
});
