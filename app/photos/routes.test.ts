import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { FIXTURES, mediaTestApp, photosContextAt } from "../../test/support/media";
import { parseSearch } from "./search";
import { memories, memoryGroups } from "./timeline";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const json = (headers: Record<string, string>) => ({ ...headers, accept: "application/json", "content-type": "application/json" });
const post = (headers: Record<string, string>, body: unknown) => ({ method: "POST", headers: json(headers), body: JSON.stringify(body) });

/** Ann has a GPS photo (Arezzo, Nikon, Oct 2008) and a Canon photo (May 2008); Bob has one photo of his own. */
async function seeded() {
  const t = mediaTestApp();
  cleanups.push(t.cleanup);
  const ann = t.createUser("ann");
  const bob = t.createUser("bob");
  const arezzo = await t.upload(ann, join(FIXTURES, "gps/DSCN0021.jpg"));
  const canon = await t.upload(ann, join(FIXTURES, "cameras/Canon_40D.jpg"));
  const bobs = await t.upload(bob, join(FIXTURES, "phone/jolla.jpg"));
  await t.drain();
  return { t, ann, bob, arezzo, canon, bobs, A: t.signIn(ann), B: t.signIn(bob) };
}

const ids = async (r: Response) => ((await r.json()) as { items: { id: string }[] }).items.map((i) => i.id).sort();

test("the timeline: month buckets with day counts newest first, one month's page from SQL, video/photo fields", async () => {
  const { t, A, arezzo, canon } = await seeded();
  const page = await t.request("/photos", { headers: A });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('id="photos-grid"');
  const { months } = (await (await t.request("/photos/api/buckets", { headers: A })).json()) as { months: { key: string; n: number; days: unknown[] }[] };
  expect(months.map((m) => [m.key, m.n])).toEqual([
    ["2008-10", 1],
    ["2008-05", 1],
  ]);
  const oct = (await (await t.request("/photos/api/month/2008-10", { headers: A })).json()) as {
    items: { id: string; w: number; h: number; th: string; t: number }[];
  };
  expect(oct.items).toHaveLength(1);
  expect(oct.items[0]).toMatchObject({ id: arezzo.id, w: 640, h: 480 });
  expect(oct.items[0]!.th.length).toBeGreaterThan(10);
  expect(new Date(oct.items[0]!.t).toISOString()).toBe("2008-10-22T16:38:20.000Z"); // local clock time as shown
  expect(await ids(await t.request("/photos/api/month/2008-05", { headers: A }))).toEqual([canon.id]);
  expect((await t.request("/photos/api/month/2008-13", { headers: A })).status).toBe(400);
});

test("user B never sees user A's photos, albums, places, thumbnails or pins: by id, album id, search, map", async () => {
  const { t, A, B, arezzo, bobs } = await seeded();
  const { id: albumId } = (await (await t.request("/photos/albums", post(A, { name: "Tuscany", ids: [arezzo.id] }))).json()) as { id: string };
  // by id
  for (const url of [`/photos/api/info/${arezzo.id}`, `/drive/thumb/${arezzo.id}`, `/media/preview/${arezzo.id}`, `/photos/albums/${albumId}`]) {
    expect((await t.request(url, { headers: B })).status).toBe(404);
  }
  for (const [url, body] of [
    ["/photos/api/favourite", { ids: [arezzo.id], on: true }],
    ["/photos/api/archive", { ids: [arezzo.id], on: true }],
    ["/photos/api/trash", { ids: [arezzo.id] }],
    [`/photos/albums/${albumId}/add`, { ids: [bobs.id] }],
    ["/photos/albums", { name: "mine", ids: [arezzo.id] }],
    [`/photos/albums/${albumId}/cover`, { id: bobs.id }],
  ] as const) {
    expect((await t.request(url, post(B, body))).status).toBe(404);
  }
  expect((await t.request(`/photos/api/buckets?src=album&p=${albumId}`, { headers: B })).status).toBe(404);
  expect((await t.request(`/photos/api/month/2008-10?src=album&p=${albumId}`, { headers: B })).status).toBe(404);
  // listings, search, places, map
  expect(((await (await t.request("/photos/api/buckets", { headers: B })).json()) as { months: { key: string }[] }).months.map((m) => m.key)).toEqual([
    "2014-09",
  ]);
  expect(await ids(await t.request("/photos/api/month/2008-10", { headers: B }))).toEqual([]);
  expect(await ids(await t.request("/photos/api/month/2008-10?src=search&p=Arezzo", { headers: B }))).toEqual([]);
  expect(((await (await t.request("/photos/api/albums", { headers: B })).json()) as { albums: unknown[] }).albums).toEqual([]);
  const bobMap = await t.request("/photos/map", { headers: B });
  expect(await bobMap.text()).not.toContain("Arezzo");
  expect(((await (await t.request("/photos/api/clusters", { headers: B })).json()) as { points: unknown[] }).points).toEqual([]);
  const annPins = (
    (await (await t.request("/photos/api/clusters?z=3", { headers: A })).json()) as {
      points: { item: { id: string; w: number } | null; cluster: number | null }[];
    }
  ).points;
  expect(annPins).toHaveLength(1);
  expect(annPins[0]!.item).toMatchObject({ id: arezzo.id, w: 640 });
  // a cluster id only means something in its owner's index
  await t.upload(t.services.auth.users.list().find((u) => u.username === "ann")!, join(FIXTURES, "gps/DSCN0010.jpg"));
  await t.drain();
  const annCluster = ((await (await t.request("/photos/api/clusters?z=0", { headers: A })).json()) as { points: { cluster: number | null }[] }).points[0]!
    .cluster!;
  expect(((await (await t.request(`/photos/api/cluster/${annCluster}`, { headers: A })).json()) as { items: unknown[] }).items).toHaveLength(2);
  expect((await t.request(`/photos/api/cluster/${annCluster}`, { headers: json(B) })).status).toBe(404);
});

test("search: place, year, month and year, camera, file name, album, media type", async () => {
  const { t, A, arezzo, canon } = await seeded();
  await t.request("/photos/albums", post(A, { name: "Birthday party", ids: [canon.id] }));
  const search = async (q: string, month: string) => ids(await t.request(`/photos/api/month/${month}?src=search&p=${encodeURIComponent(q)}`, { headers: A }));
  expect(await search("arezzo", "2008-10")).toEqual([arezzo.id]);
  expect(await search("Italy", "2008-10")).toEqual([arezzo.id]);
  expect(await search("2008", "2008-05")).toEqual([canon.id]);
  expect(await search("October 2008", "2008-10")).toEqual([arezzo.id]);
  expect(await search("October 2008", "2008-05")).toEqual([]);
  expect(await search("canon", "2008-05")).toEqual([canon.id]);
  expect(await search("DSCN0021", "2008-10")).toEqual([arezzo.id]);
  expect(await search("birthday", "2008-05")).toEqual([canon.id]);
  expect(await search("videos", "2008-05")).toEqual([]);
  expect(await search("photos 2008", "2008-05")).toEqual([canon.id]);
  const buckets = (await (await t.request("/photos/api/buckets?src=search&p=Arezzo", { headers: A })).json()) as { months: { key: string }[] };
  expect(buckets.months.map((m) => m.key)).toEqual(["2008-10"]);
  expect((await t.request("/photos/search?q=Arezzo", { headers: A })).status).toBe(200);
});

test("parseSearch splits dates, media types and known places (any level, any case, no accents needed) from the rest", () => {
  const known = [
    { locality: "Alvalade", city: "Lisbon", region: "Lisbon", country: "Portugal", names: "|l:alvalade|c:lisbon|r:lisbon|k:portugal|" },
    {
      locality: "Reykjavík",
      city: "Reykjavík",
      region: "Capital Region",
      country: "Iceland",
      names: "|l:reykjavik|c:reykjavik|r:capital region|k:iceland|k:island|",
    },
  ];
  expect(parseSearch("July 2021", known)).toEqual({ from: Date.UTC(2021, 6, 1), to: Date.UTC(2021, 7, 1) });
  expect(parseSearch("videos 2019 lisbon", known)).toEqual({
    from: Date.UTC(2019, 0, 1),
    to: Date.UTC(2020, 0, 1),
    mediaKind: "video",
    cities: ["Lisbon"],
    regions: ["Lisbon"],
  });
  expect(parseSearch("portugal", known)).toEqual({ countries: ["Portugal"] });
  expect(parseSearch("REYKJAVIK", known)).toEqual({ localities: ["Reykjavík"], cities: ["Reykjavík"] });
  expect(parseSearch("Ísland", known)).toEqual({ countries: ["Iceland"] });
  expect(parseSearch("capital  region", known)).toEqual({ regions: ["Capital Region"] });
  expect(parseSearch("nikon", known)).toEqual({ text: "nikon" });
  expect(parseSearch("lis", known)).toEqual({ text: "lis" });
});

test("favourites, archive (leaves the timeline, stays in search and albums), trash with undo, albums", async () => {
  const { t, A, arezzo, canon } = await seeded();
  expect((await t.request("/photos/api/favourite", post(A, { ids: [canon.id], on: true }))).status).toBe(200);
  expect(await ids(await t.request("/photos/api/month/2008-05?src=favourites", { headers: A }))).toEqual([canon.id]);
  const timelineMonths = async () =>
    ((await (await t.request("/photos/api/buckets", { headers: A })).json()) as { months: { key: string; n: number }[] }).months.map((m) => `${m.key}:${m.n}`);
  expect(await timelineMonths()).toEqual(["2008-10:1", "2008-05:1"]);
  await t.request("/photos/api/archive", post(A, { ids: [arezzo.id], on: true }));
  expect(await ids(await t.request("/photos/api/month/2008-10", { headers: A }))).toEqual([]);
  expect(await timelineMonths()).toEqual(["2008-05:1"]);
  expect(await ids(await t.request("/photos/api/month/2008-10?src=archive", { headers: A }))).toEqual([arezzo.id]);
  expect(await ids(await t.request("/photos/api/month/2008-10?src=search&p=Arezzo", { headers: A }))).toEqual([arezzo.id]);
  await t.request("/photos/api/archive", post(A, { ids: [arezzo.id], on: false }));
  // trash, then undo
  const trashed = (await (await t.request("/photos/api/trash", post(A, { ids: [arezzo.id] }))).json()) as { ids: string[] };
  expect(trashed.ids).toEqual([arezzo.id]);
  expect(await ids(await t.request("/photos/api/month/2008-10", { headers: A }))).toEqual([]);
  expect(await timelineMonths()).toEqual(["2008-05:1"]);
  await t.request("/photos/api/restore", post(A, { ids: trashed.ids }));
  expect(await timelineMonths()).toEqual(["2008-10:1", "2008-05:1"]);
  // Trash in Drive (not through Photos) also leaves the timeline: the cached scrubber follows the library's version.
  t.services.drive.moveToTrash(t.services.auth.users.list().find((u) => u.username === "ann")!, [canon.id]);
  expect(await timelineMonths()).toEqual(["2008-10:1"]);
  t.services.drive.restore(t.services.auth.users.list().find((u) => u.username === "ann")!, [canon.id]);
  expect(await ids(await t.request("/photos/api/month/2008-10", { headers: A }))).toEqual([arezzo.id]);
  // albums: create from a selection, add, remove, cover, rename, grid
  const { id } = (await (await t.request("/photos/albums", post(A, { name: "Trip", ids: [arezzo.id] }))).json()) as { id: string };
  await t.request(`/photos/albums/${id}/add`, post(A, { ids: [canon.id] }));
  expect(((await (await t.request(`/photos/api/buckets?src=album&p=${id}`, { headers: A })).json()) as { months: unknown[] }).months).toHaveLength(2);
  await t.request(`/photos/albums/${id}/remove`, post(A, { ids: [arezzo.id] }));
  expect(await ids(await t.request(`/photos/api/month/2008-10?src=album&p=${id}`, { headers: A }))).toEqual([]);
  expect((await t.request(`/photos/albums/${id}/cover`, post(A, { id: canon.id }))).status).toBe(200);
  const renamed = await t.request(`/photos/albums/${id}/rename`, {
    method: "POST",
    headers: { ...A, "content-type": "application/x-www-form-urlencoded" },
    body: "name=Tuscany%202008",
  });
  expect(renamed.status).toBe(303);
  const grid = await (await t.request("/photos/albums", { headers: A })).text();
  expect(grid).toContain("Tuscany 2008");
  expect(grid).toContain(`/drive/thumb/${canon.id}`);
});

test("the info panel: time with offset, camera, exposure, place, Drive path; hostile EXIF and album names render inert", async () => {
  const { t, ann, A, arezzo } = await seeded();
  const info = await (await t.request(`/photos/api/info/${arezzo.id}`, { headers: A })).text();
  expect(info).toContain("COOLPIX P6000");
  expect(info).toContain("Arezzo, Tuscany, Italy");
  expect(info).toContain("DSCN0021.jpg");
  // The camera recorded no zone: its clock as it was, said to be without a zone (not the box's zone in disguise).
  expect(info).toContain("2008-10-22 16:38:20 (time zone unknown)");
  expect(info).not.toContain("Partly damaged");
  t.db.$client.query("UPDATE media SET damaged = 1 WHERE user_id = ?").run(ann.id);
  expect(await (await t.request(`/photos/api/info/${arezzo.id}`, { headers: A })).text()).toContain("Partly damaged");
  const payload = `<img src=x onerror=alert(1)>"'`;
  t.db.$client.query("UPDATE media SET model = ?, lens = ?, city = ? WHERE user_id = ?").run(payload, payload, payload, ann.id);
  const hostile = await (await t.request(`/photos/api/info/${arezzo.id}`, { headers: A })).text();
  expect(hostile).not.toContain("<img src=x");
  expect(hostile).toContain("&lt;img src=x onerror=alert(1)&gt;");
  await t.request("/photos/albums", post(A, { name: payload, ids: [arezzo.id] }));
  for (const url of ["/photos/albums", "/photos/map", `/photos/search?q=${encodeURIComponent(payload)}`]) {
    // Inside a double-quoted attribute "<" is inert; outside attributes there must be no tag from the payload.
    const html = (await (await t.request(url, { headers: A })).text()).replace(/="[^"]*"/g, '=""');
    expect(html).not.toContain("<img src=x");
  }
});

test("every Photos page needs a session; the map page alone may load OpenStreetMap tiles, once the admin allows them", async () => {
  const { t, A } = await seeded();
  for (const url of ["/photos", "/photos/albums", "/photos/map", "/photos/api/buckets", "/photos/api/clusters"]) {
    expect([303, 401]).toContain((await t.request(url)).status);
  }
  // The map page allows OpenStreetMap's tile host only once the admin turned online tiles on (app/maps), no other page ever.
  expect((await t.request("/photos/map", { headers: A })).headers.get("content-security-policy")).not.toContain("openstreetmap");
  t.services.maps.setOnline(true);
  expect((await t.request("/photos/map", { headers: A })).headers.get("content-security-policy")).toContain("https://tile.openstreetmap.org");
  expect((await t.request("/photos", { headers: A })).headers.get("content-security-policy")).not.toContain("openstreetmap");
});

test("memories: the same day in earlier years (the box's today), newest year first; the processing note", async () => {
  const { t, ann, bob, arezzo, B } = await seeded();
  // Photos over the test's database with the box's clock at `day`.
  const on = (day: Date) => photosContextAt(t, day);
  expect(memories(on(new Date(2026, 9, 22, 9)), ann).map((i) => i.id)).toEqual([arezzo.id]);
  expect(memoryGroups(on(new Date(2026, 9, 22, 9)), ann).map((g) => [g.kind, g.year, g.city, g.items.map((i) => i.id)])).toEqual([
    ["day", 2008, "Arezzo", [arezzo.id]],
  ]);
  expect(memories(on(new Date(2026, 9, 23, 9)), ann)).toEqual([]);
  expect(memories(on(new Date(2008, 9, 22, 9)), ann)).toEqual([]); // not the same year
  expect(memories(on(new Date(2026, 9, 22, 9)), bob)).toEqual([]);
  await t.upload(bob, join(FIXTURES, "cameras/Pentax_K10D.jpg"));
  expect(await (await t.request("/photos", { headers: B })).text()).toContain("Processing 1 of 2 photos and videos");
  await t.drain();
  expect(await (await t.request("/photos", { headers: B })).text()).toContain("2 photos and videos processed");
});

test("a Live Photo shows once, as its still, carrying its motion's URL; the video half is not a separate item", async () => {
  const { t, ann, A, arezzo } = await seeded();
  const motion = await t.upload(ann, join(FIXTURES, "gps/DSCN0027.jpg"), "IMG_0001.MOV");
  await t.drain();
  // Stand-in for a still and its MOV linked by the pipeline (same Apple content identifier).
  t.db.$client
    .query("UPDATE media SET kind = 'video', playback = 'transcode', live_pair_sha256 = ? WHERE user_id = ? AND sha256 = ?")
    .run(arezzo.sha256, ann.id, motion.sha256);
  t.db.$client
    .query("UPDATE media SET live_pair_sha256 = ?, updated_at = updated_at + 1 WHERE user_id = ? AND sha256 = ?")
    .run(motion.sha256, ann.id, arezzo.sha256);
  const { items } = (await (await t.request("/photos/api/month/2008-10", { headers: A })).json()) as { items: { id: string; l: string | null }[] };
  expect(items).toEqual([expect.objectContaining({ id: arezzo.id, l: `/media/video/${motion.id}` })]);
  const { months } = (await (await t.request("/photos/api/buckets", { headers: A })).json()) as { months: { key: string; n: number }[] };
  expect(months.find((m) => m.key === "2008-10")?.n).toBe(1);
});

test("the start page shows the newest photos of the signed-in person only, newest first, each opening its preview", async () => {
  const { t, A, B, arezzo, canon, bobs } = await seeded();
  t.createAdmin("root"); // the box is set up
  const home = await (await t.request("/", { headers: A })).text();
  const strip = home.slice(home.indexOf('data-testid="home-photos"'), home.indexOf('data-testid="home-recent"'));
  expect([...strip.matchAll(/href="\/media\/preview\/([^"]+)"/g)].map((m) => m[1])).toEqual([arezzo.id, canon.id]);
  expect(strip).toContain('aria-label="Photo taken 22 Oct 2008"');
  expect(strip).not.toContain(bobs.id);
  const bobsHome = await (await t.request("/", { headers: B })).text();
  expect(bobsHome).toContain(`/media/preview/${bobs.id}`);
  expect(bobsHome).not.toContain(arezzo.id);
  // Someone with no photos is told where to put them.
  const carol = t.createUser("carol");
  expect(await (await t.request("/", { headers: t.signIn(carol) })).text()).toContain("No photos yet.");
});

test("memories: a year ago this week when last year has nothing on the day; never an archived photo", async () => {
  const { t, ann, A, arezzo } = await seeded();
  const on = (day: Date) => photosContextAt(t, day);
  // Arezzo was 22 October 2008: on 25 October 2009 it is last year's week, not its day.
  const week = (day: Date) => memoryGroups(on(day), ann).map((g) => [g.kind, g.year, g.city, g.items.map((i) => i.id)]);
  expect(week(new Date(2009, 9, 25, 9))).toEqual([["week", 2008, "Arezzo", [arezzo.id]]]);
  expect(week(new Date(2009, 9, 19, 9))).toEqual([["week", 2008, "Arezzo", [arezzo.id]]]);
  expect(week(new Date(2009, 9, 26, 9))).toEqual([]); // four days on: another week
  expect(week(new Date(2009, 9, 22, 9))).toEqual([["day", 2008, "Arezzo", [arezzo.id]]]); // the day itself, once
  expect(week(new Date(2010, 9, 25, 9))).toEqual([]); // two years ago is not "a year ago"
  await t.request("/photos/api/archive", post(A, { ids: [arezzo.id], on: true }));
  expect(week(new Date(2009, 9, 25, 9))).toEqual([]);
  expect(week(new Date(2009, 9, 22, 9))).toEqual([]);
});
