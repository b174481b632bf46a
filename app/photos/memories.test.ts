// Memories over the real pipeline: photos with GPS and capture times (made with sharp), processed and geocoded, then
// the memories page, a trip's story, hiding and showing again, another person's view, last month's highlights.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { mediaTestApp, photosContextAt } from "../../test/support/media";
import { createMemoryRepo } from "./memory-repo";
import { featuredMemories, highlights, memory, memoryList, trips } from "./memories";
import type { GridItem } from "./repo";

type Where = { lat: number; lng: number };
const LISBON = { lat: 38.72, lng: -9.14 };
const REYKJAVIK = { lat: 64.15, lng: -21.94 };
const dms = (v: number) => {
  const a = Math.abs(v);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  return `${d}/1 ${m}/1 ${Math.round(((a - d) * 60 - m) * 6000)}/100`;
};
const photo = (when: string, where: Where | null, i: number) =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: (i * 41) % 256, g: 90, b: 160 } } })
    .jpeg()
    .withExif({
      IFD2: { DateTimeOriginal: when, OffsetTimeOriginal: "+00:00" },
      ...(where
        ? {
            IFD3: {
              GPSLatitudeRef: where.lat < 0 ? "S" : "N",
              GPSLatitude: dms(where.lat),
              GPSLongitudeRef: where.lng < 0 ? "W" : "E",
              GPSLongitude: dms(where.lng),
            },
          }
        : {}),
    })
    .toBuffer();

let t: ReturnType<typeof mediaTestApp>;
let dir: string;
const ids: Record<string, string> = {};
let A: Record<string, string>;
let B: Record<string, string>;
let ann: ReturnType<ReturnType<typeof mediaTestApp>["createUser"]>;

const form = (headers: Record<string, string>) => ({
  method: "POST",
  headers: { ...headers, accept: "application/json", "content-type": "application/json" },
  body: "{}",
});

beforeAll(async () => {
  t = mediaTestApp();
  dir = mkdtempSync(join(tmpdir(), "memories-"));
  ann = t.createUser("ann");
  const bob = t.createUser("bob");
  const shots: [string, string, Where | null][] = [
    ...[1, 3, 5, 20, 25, 28].map((d, i) => [`home${i}`, `2023:05:${String(d).padStart(2, "0")} 12:00:00`, LISBON] as [string, string, Where]),
    ...[2, 8, 15].map((d, i) => [`later${i}`, `2023:07:${String(d).padStart(2, "0")} 12:00:00`, LISBON] as [string, string, Where]),
    ["ice0", "2023:06:12 10:00:00", REYKJAVIK],
    ["ice1", "2023:06:12 18:00:00", REYKJAVIK],
    ["ice2", "2023:06:13 11:00:00", null],
    ["ice3", "2023:06:14 09:00:00", REYKJAVIK],
    ["ice4", "2023:06:14 15:00:00", REYKJAVIK],
    ["ice5", "2023:06:14 19:00:00", REYKJAVIK],
  ];
  for (const [i, [name, when, where]] of shots.entries()) {
    const path = join(dir, `${name}.jpg`);
    await Bun.write(path, await photo(when, where, i));
    ids[name] = (await t.upload(ann, path)).id;
  }
  const bobs = join(dir, "bob.jpg");
  await Bun.write(bobs, await photo("2023:06:12 10:00:00", REYKJAVIK, 99));
  await t.upload(bob, bobs);
  await t.drain();
  A = t.signIn(ann);
  B = t.signIn(bob);
  // The last photo of the trip is archived before any test (tests run in any order): no memory may show it.
  const archived = await t.request("/photos/api/archive", { ...form(A), body: JSON.stringify({ ids: [ids.ice5], on: true }) });
  expect(archived.status).toBe(200);
}, 120_000);
afterAll(() => {
  t?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const slides = (html: string) => [...html.matchAll(/class="story-slide[^"]*"[^>]*data-id="([^"]+)"/g)].map((m) => m[1]);

test("a trip is found from home and places, listed, and told as a story of its photos, oldest first, without the archived one", async () => {
  const page = await (await t.request("/photos/memories", { headers: A })).text();
  expect(page).toContain("Iceland");
  expect(page).toContain("June 2023");
  expect(page).toContain('href="/photos/memories/trip-2023-06-12"');
  const story = await t.request("/photos/memories/trip-2023-06-12", { headers: A });
  expect(story.status).toBe(200);
  expect(slides(await story.text())).toEqual([ids.ice0, ids.ice1, ids.ice2, ids.ice3, ids.ice4]);
  // Bob's one photo in Reykjavík is his home, and no trip; Ann's keys mean nothing to him.
  expect((await t.request("/photos/memories/trip-2023-06-12", { headers: B })).status).toBe(404);
  expect((await t.request("/photos/memories/trip-2023-06-12/hide", form(B))).status).toBe(404);
  for (const bad of ["trip-2023-13-45", "nonsense", "day-2023-06-12-../../x", "trip-2023-06-11"])
    expect((await t.request(`/photos/memories/${encodeURIComponent(bad)}`, { headers: A })).status).toBe(404);
  expect((await t.request("/photos/memories/trip-2023-06-12")).status).not.toBe(200);
});

test("hiding a memory is stored for that person: gone from the lists, listed under Hidden, shown again on request", async () => {
  const hide = await t.request("/photos/memories/trip-2023-06-12/hide", form(A));
  expect(hide.status).toBe(303);
  expect(hide.headers.get("location")).toBe("/photos/memories?hidden=trip-2023-06-12");
  const after = await (await t.request("/photos/memories?hidden=trip-2023-06-12", { headers: A })).text();
  expect(after).toContain("is hidden.");
  expect(after).not.toContain('href="/photos/memories/trip-2023-06-12"');
  expect(after.slice(after.indexOf('id="memories-hidden"'))).toContain("Iceland, June 2023");
  expect(t.db.$client.query("SELECT key FROM hidden_memories").all()).toEqual([{ key: "trip-2023-06-12" }]);
  // Hidden twice is still one row; the story stays reachable by its address, offering to show it again.
  expect((await t.request("/photos/memories/trip-2023-06-12/hide", form(A))).status).toBe(303);
  expect(await (await t.request("/photos/memories/trip-2023-06-12", { headers: A })).text()).toContain("Show this memory again");
  expect((await t.request("/photos/memories/trip-2023-06-12/show", form(A))).status).toBe(303);
  expect(await (await t.request("/photos/memories", { headers: A })).text()).toContain('href="/photos/memories/trip-2023-06-12"');
  expect(t.db.$client.query("SELECT count(*) AS n FROM hidden_memories").get()).toEqual({ n: 0 });
});

test("last month's highlights and the timeline's featured memories, by the box's clock; hidden ones are not featured", () => {
  const on = (day: Date) => photosContextAt(t, day);
  // On 10 June 2023 last month is May (six photos); on 10 August it is July, with three: too few.
  expect(memoryList(on(new Date(2023, 5, 10, 9)), ann).month).toMatchObject({ key: "month-2023-05-01", title: "Highlights of May", subtitle: "2023" });
  expect(memoryList(on(new Date(2023, 5, 10, 9)), ann).month?.items.map((i) => i.id)).toEqual(
    ["home0", "home1", "home2", "home3", "home4", "home5"].map((k) => ids[k]!),
  );
  expect(memoryList(on(new Date(2023, 7, 10, 9)), ann).month).toBeNull(); // July: 3 photos
  // On this day a year later: Reykjavík's day, under a key that names it whenever it is asked for; last year's week.
  const dayKey = "day-2023-06-12-reykjavik";
  expect(featuredMemories(on(new Date(2024, 5, 12, 9)), ann).find((m) => m.key === dayKey)).toMatchObject({
    title: "On this day",
    subtitle: "2023 · Reykjavík",
  });
  expect(memory(on(new Date(2030, 0, 1)), ann, dayKey).items.map((i) => i.id)).toEqual([ids.ice0!, ids.ice1!]);
  expect(featuredMemories(on(new Date(2024, 5, 15, 9)), ann).map((m) => m.key)).toContain("week-2023-06-15-reykjavik");
  expect(memory(on(new Date(2030, 0, 1)), ann, "week-2023-06-15-reykjavik").items.map((i) => i.id)).toEqual([ids.ice0!, ids.ice1!, ids.ice3!, ids.ice4!]);
  // A year on, within two weeks of the trip's start: featured; hidden: not.
  const featured = (day: Date) => featuredMemories(on(day), ann).map((m) => m.key);
  expect(featured(new Date(2024, 5, 5, 9))).toContain("trip-2023-06-12");
  expect(featured(new Date(2024, 8, 5, 9))).not.toContain("trip-2023-06-12");
  createMemoryRepo(t.db).hide(ann.id, "trip-2023-06-12", new Date());
  expect(featured(new Date(2024, 5, 5, 9))).not.toContain("trip-2023-06-12");
  createMemoryRepo(t.db).show(ann.id, "trip-2023-06-12");
});

test("highlights: favourites first, then spread over the time, oldest first", () => {
  const item = (i: number, favourite = false) => ({ id: `i${i}`, local: i * 3_600_000, favourite }) as GridItem;
  const items = Array.from({ length: 100 }, (_, i) => item(i, i === 97 || i === 3));
  const picked = highlights(items, 10).map((i) => i.id);
  expect(picked).toHaveLength(10);
  expect(picked).toContain("i3");
  expect(picked).toContain("i97");
  expect(picked[0]).toBe("i3");
  const hours = picked.map((id) => Number(id.slice(1)));
  expect(hours).toEqual([...hours].sort((a, b) => a - b));
  expect(Math.max(...hours.slice(1, -1))).toBeGreaterThan(80); // reaches the end, not only the first photos
  expect(highlights(items.slice(0, 4), 10).map((i) => i.id)).toEqual(["i0", "i1", "i2", "i3"]);
});

test("trips are kept while the library is unchanged, however long; while it changes, found again at most every five minutes", async () => {
  let clock = new Date(2024, 5, 5, 9).getTime();
  let reads = 0;
  const memories = createMemoryRepo(t.db);
  const ctx = photosContextAt(t, () => new Date(clock), {
    memories: { ...memories, placeDays: (u: string) => (reads++, memories.placeDays(u)) },
  });
  expect(trips(ctx, ann).map((x) => x.key)).toEqual(["trip-2023-06-12"]);
  expect(reads).toBe(1);
  clock += 60 * 60_000; // an hour later, nothing changed: the same trips
  trips(ctx, ann);
  expect(reads).toBe(1);
  // The library changes (the worker finishes a photo): found again, then, while it keeps changing (an import), at
  // most once in five minutes.
  const change = () => t.db.$client.run("UPDATE media SET updated_at = updated_at + 1 WHERE user_id = ?", [ann.id]);
  change();
  trips(ctx, ann);
  expect(reads).toBe(2);
  change();
  clock += 60_000;
  trips(ctx, ann);
  expect(reads).toBe(2);
  clock += 5 * 60_000;
  expect(trips(ctx, ann).map((x) => x.key)).toEqual(["trip-2023-06-12"]);
  expect(reads).toBe(3);
});

test("the /photos page answers without finding trips; its memories row, asked for after the grid, finds them", async () => {
  // Every SQL text the app runs, recorded on the real connection (trips are found by reading every photo's place).
  const client = t.db.$client;
  const query = client.query.bind(client);
  const seen: string[] = [];
  client.query = ((sql: string) => (seen.push(sql), query(sql))) as typeof client.query;
  const findsTrips = () => seen.some((sql) => sql.includes("total(m.latitude)"));
  try {
    // A change made in Photos (a favourite marked and unmarked): kept trips are stale, as after an import.
    for (const on of [true, false])
      expect((await t.request("/photos/api/favourite", { ...form(A), body: JSON.stringify({ ids: [ids.home0], on }) })).status).toBe(200);
    seen.length = 0;
    const page = await t.request("/photos", { headers: A });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('hx-get="/photos/memories-row"');
    expect(html).toContain('hx-trigger="photos:grid-ready from:body once"');
    expect(html).not.toContain("memory-card");
    expect(findsTrips()).toBe(false);
    const row = await t.request("/photos/memories-row", { headers: A });
    expect(row.status).toBe(200);
    expect(findsTrips()).toBe(true);
    // Today's memories depend on the real date; the row is the cards when there are some, nothing otherwise.
    const cards = await row.text();
    if (cards) expect(cards).toContain('id="photos-memories"');
    expect((await t.request("/photos/memories-row")).status).not.toBe(200);
  } finally {
    client.query = query;
  }
});
