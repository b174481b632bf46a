// Duplicates and stacks: one person's photos that are the same content in several files (exact), or the same
// picture re-saved, resized, recompressed or shot in a burst (near: their perceptual hashes, made by the pipeline
// from the decode it already does, differ in few bits); RAW+JPEG pairs and bursts as one tile in the timeline.
// Never across people: every query here is one owner's files, out of the trash.
import { thumbHashToAverageRGBA } from "thumbhash";
import type { User } from "../platform/db/schema";
import { AppError, notFound } from "../platform/errors";
import { cached, touched, type PhotosContext } from "./context";
import type { GridItem } from "./repo";

/**
 * Two photos whose 64-bit hashes differ in at most this many bits are the same picture. Measured by
 * duplicates.test.ts (it prints the distances) on 18 real photos of the fixtures, each re-made as resized 50 % and
 * 25 %, JPEG quality 40 and 95, WebP, ±20 % brightness and cropped 5 % (2.5 % off each edge): re-saves, resizes and
 * brightness stay within 0–5 bits, the stored preview the backfill hashes within 3, crops within 2–10; the closest
 * two different photos are 22 bits apart (1 % of pairs under 24, median 32). 11 takes every crop in with a bit to
 * spare and stays half way to the nearest different photo. Known limit: a 64-bit DCT hash sees composition, so two small cut-outs on the
 * same plain background (the sedan and sports-car stamps of test/fixtures/people) are 8 bits apart and grouped;
 * a crop of 5 % off two edges of one corner moves a photo 7–17 bits and is found only when under 11.
 */
export const NEAR_DUPLICATE_BITS = 11;
/**
 * …unless their average colours (from the ThumbHashes) are further apart than this (RGB, 0–1 per channel). The hash is
 * of grey levels and relative: every flat picture hashes alike (an orange and a green one, 0.78 apart, were "2
 * similar photos"). Measured on the same 18 photos: ±20 % brightness moves the average colour up to 0.25, a greyscale
 * copy up to 0.47; resizes and re-saves 0.03.
 */
export const COLOURS_APART = 0.5;
/** Shots of one burst: the same camera, each within this long of the previous one… */
export const BURST_GAP_MS = 1000;
/**
 * …and the same scene: a burst's frames move a little more than a re-saved copy, so the duplicate bound plus 2 (no
 * fixture is a real burst: this is the one bound not measured; a different camera or a gap breaks a burst anyway).
 */
export const BURST_BITS = NEAR_DUPLICATE_BITS + 2;
/** The page lists this many groups at most (the largest library's first screenfuls; the rest after a keep). */
export const MAX_GROUPS = 300;

/** A 16-hex-digit hash as two 32-bit halves. */
const halves = (hex: string): [number, number] => [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8, 16), 16) >>> 0];
const popcount = (x: number) => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};
/** How many bits two perceptual hashes differ in (0–64). */
export function hamming(a: string, b: string): number {
  const [a1, a2] = halves(a);
  const [b1, b2] = halves(b);
  return popcount((a1 ^ b1) >>> 0) + popcount((a2 ^ b2) >>> 0);
}

/** Every 16-bit value within `r` flipped bits of `v` (r ≤ 2: 1 + 16 + 120 values). */
function neighbours(v: number, r: number): number[] {
  const out = [v];
  for (let i = 0; i < 16 && r >= 1; i++) {
    out.push(v ^ (1 << i));
    for (let j = i + 1; j < 16 && r >= 2; j++) out.push(v ^ (1 << i) ^ (1 << j));
  }
  return out;
}

/**
 * Pairs of hashes at most `bits` apart, without comparing every pair: the hash is cut into four 16-bit quarters, and
 * two hashes within `bits` have a quarter within ⌊bits/4⌋ of each other (pigeonhole), so each hash is compared only
 * with the hashes found under its quarters' neighbours (multi-index hashing). Complete for bits ≤ 11.
 */
export function similarPairs(hashes: string[], bits: number): [number, number][] {
  const r = Math.floor(bits / 4);
  if (r > 2) throw new Error("similarPairs covers at most 11 bits");
  const quarters = hashes.map((h) => [parseInt(h.slice(0, 4), 16), parseInt(h.slice(4, 8), 16), parseInt(h.slice(8, 12), 16), parseInt(h.slice(12, 16), 16)]);
  const pairs: [number, number][] = [];
  const seen = new Set<number>();
  const index = [0, 1, 2, 3].map(() => new Map<number, number[]>());
  quarters.forEach((q, i) => q.forEach((v, band) => (index[band]!.get(v) ?? index[band]!.set(v, []).get(v)!).push(i)));
  for (let i = 0; i < hashes.length; i++) {
    seen.clear();
    for (let band = 0; band < 4; band++) {
      for (const v of neighbours(quarters[i]![band]!, r)) {
        for (const j of index[band]!.get(v) ?? []) {
          if (j <= i || seen.has(j)) continue;
          seen.add(j);
          if (hamming(hashes[i]!, hashes[j]!) <= bits) pairs.push([i, j]);
        }
      }
    }
  }
  return pairs;
}

/** Union–find over indexes: the groups that pairs join. */
function components(n: number, pairs: Iterable<[number, number]>): number[][] {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const [a, b] of pairs) parent[find(a)] = find(b);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) (groups.get(find(i)) ?? groups.set(find(i), []).get(find(i))!).push(i);
  return [...groups.values()];
}

/** One live Drive file of the owner's with its content's facts (the duplicates page and the grouping read these). */
export type PhotoFile = {
  id: string;
  sha256: string;
  name: string;
  parentId: string | null;
  size: number;
  kind: "image" | "raw" | "video";
  width: number | null;
  height: number | null;
  phash: string | null;
  /** Local capture time (ms, the camera's clock as UTC fields). */
  local: number;
  thumbhash: string | null;
};
export type DuplicateGroup = { kind: "exact" | "similar"; files: PhotoFile[] };

/** Whether two pictures' average colours are too far apart for one to be a copy of the other (COLOURS_APART). */
function coloursApart(a: PhotoFile, b: PhotoFile): boolean {
  if (!a.thumbhash || !b.thumbhash) return false;
  const [x, y] = [a.thumbhash, b.thumbhash].map((t) => thumbHashToAverageRGBA(Buffer.from(t, "base64")));
  return Math.hypot(x!.r - y!.r, x!.g - y!.g, x!.b - y!.b) > COLOURS_APART;
}

/**
 * Groups of files that show the same picture: several files of one content, and contents whose hashes are within
 * NEAR_DUPLICATE_BITS and whose average colours are within COLOURS_APART. A RAW is compared only with RAWs (a RAW and its JPEG are a pair to keep: a stack, not a
 * duplicate), videos only by content. Within a group the largest picture comes first (the one to keep, usually).
 */
export function duplicateGroups(files: PhotoFile[], bits = NEAR_DUPLICATE_BITS): DuplicateGroup[] {
  const contents = new Map<string, PhotoFile[]>();
  for (const f of files) (contents.get(f.sha256) ?? contents.set(f.sha256, []).get(f.sha256)!).push(f);
  const list = [...contents.values()];
  const pairs: [number, number][] = [];
  for (const family of ["image", "raw"] as const) {
    const at = list.flatMap((c, i) => (c[0]!.kind === family && c[0]!.phash ? [i] : []));
    for (const [a, b] of similarPairs(
      at.map((i) => list[i]![0]!.phash!),
      bits,
    ))
      if (!coloursApart(list[at[a]!]![0]!, list[at[b]!]![0]!)) pairs.push([at[a]!, at[b]!]);
  }
  const pixels = (f: PhotoFile) => (f.width ?? 0) * (f.height ?? 0);
  return components(list.length, pairs)
    .map((members) => ({ kind: members.length === 1 ? ("exact" as const) : ("similar" as const), files: members.flatMap((i) => list[i]!) }))
    .filter((g) => g.files.length > 1)
    .map((g) => ({ ...g, files: g.files.sort((a, b) => pixels(b) - pixels(a) || b.size - a.size || a.local - b.local || a.id.localeCompare(b.id)) }))
    .sort((a, b) => Math.max(...b.files.map((f) => f.local)) - Math.max(...a.files.map((f) => f.local)));
}

/** The duplicates page: the groups (at most MAX_GROUPS, newest first), each file with its folder's path. */
export function duplicates(ctx: PhotosContext, user: User) {
  const groups = cached(ctx, user, "duplicates", () => duplicateGroups(ctx.repo.photoFiles(user.id)));
  const shown = groups.slice(0, MAX_GROUPS);
  const folders = ctx.repo.folderPaths(user.id, [...new Set(shown.flatMap((g) => g.files.map((f) => f.parentId ?? "")))]);
  return {
    total: groups.length,
    groups: shown.map((g) => ({ ...g, files: g.files.map((f) => ({ ...f, folder: folders.get(f.parentId ?? "") ?? "" })) })),
  };
}

/**
 * "Keep this one": the other files of its group that the person saw (`shown`) go to Drive's trash (undo = restore).
 * The group is worked out again here, so only files that are still duplicates of the kept one go, never another's:
 * an id that is not one of this person's live photo files is a 404.
 */
export function keepOne(ctx: PhotosContext, user: User, keepId: string, shown: string[]): string[] {
  const groups = duplicateGroups(ctx.repo.photoFiles(user.id));
  const group = groups.find((g) => g.files.some((f) => f.id === keepId));
  if (!group) {
    ctx.drive.itemFor(user, keepId, "file.read");
    throw notFound("This photo");
  }
  const inGroup = new Set(group.files.map((f) => f.id));
  const others = [...new Set(shown)].filter((id) => id !== keepId);
  const stale = others.filter((id) => !inGroup.has(id));
  // Another person's id is a 404, as everywhere in Photos; one of this person's that left the group is a conflict.
  for (const id of stale) ctx.drive.itemFor(user, id, "file.read");
  if (stale.length) throw new AppError(409, "These photos changed since the page was shown: reload it.");
  touched(ctx, user);
  return others.length ? ctx.drive.moveToTrash(user, others).map((f) => f.id) : [];
}

/** What stacks are made of, for one month's items (repo.itemsWithStackFacts). */
export type StackFacts = {
  id: string;
  name: string;
  parentId: string | null;
  make: string | null;
  model: string | null;
  phash: string | null;
  takenAt: number;
};

const baseName = (name: string) => name.replace(/\.[^.]*$/, "").toLowerCase();

/**
 * One month's items with RAW+JPEG pairs (same base name, same folder, same capture second) and bursts (same camera,
 * each shot within BURST_GAP_MS of the previous, hashes within BURST_BITS) folded into one tile: the first JPEG (or
 * the first shot) shows, carrying the others as `stack`, in time order.
 */
export function stacked(items: GridItem[], facts: Map<string, StackFacts>): GridItem[] {
  const pairs: [number, number][] = [];
  const byKey = new Map<string, number>();
  items.forEach((item, i) => {
    const f = facts.get(item.id);
    if (!f || item.kind === "video") return;
    const key = `${f.parentId}\n${baseName(f.name)}\n${Math.floor(f.takenAt / 1000)}`;
    const other = byKey.get(key);
    if (other === undefined) byKey.set(key, i);
    else if ((items[other]!.kind === "raw") !== (item.kind === "raw")) pairs.push([other, i]);
  });
  const shots = items
    .map((item, i) => ({ i, f: facts.get(item.id) }))
    .filter((s): s is { i: number; f: StackFacts } => !!s.f?.phash && !!s.f.model && items[s.i]!.kind === "image")
    .sort((a, b) => a.f.takenAt - b.f.takenAt);
  const last = new Map<string, { i: number; f: StackFacts }>();
  for (const s of shots) {
    const camera = `${s.f.make}\n${s.f.model}`;
    const prev = last.get(camera);
    if (prev && s.f.takenAt - prev.f.takenAt <= BURST_GAP_MS && hamming(prev.f.phash!, s.f.phash!) <= BURST_BITS) pairs.push([prev.i, s.i]);
    last.set(camera, s);
  }
  if (pairs.length === 0) return items;
  const cover = new Map<number, GridItem[]>();
  const hidden = new Set<number>();
  for (const members of components(items.length, pairs)) {
    if (members.length < 2) continue;
    const rawLast = (i: number) => (items[i]!.kind === "raw" ? 1 : 0);
    const inTime = members.sort((a, b) => facts.get(items[a]!.id)!.takenAt - facts.get(items[b]!.id)!.takenAt || rawLast(a) - rawLast(b) || a - b);
    const first = inTime.find((i) => items[i]!.kind === "image") ?? inTime[0]!;
    cover.set(
      first,
      inTime.map((i) => items[i]!),
    );
    for (const i of inTime) if (i !== first) hidden.add(i);
  }
  return items.flatMap((item, i) => (hidden.has(i) ? [] : cover.has(i) ? [{ ...item, stack: cover.get(i)! }] : [item]));
}
