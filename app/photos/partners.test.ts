// Partner sharing through HTTP: giving and stopping a share, the partner page, the timeline with and without the
// partner's photos, the partner routes (thumbnail, preview, video, info) and everything else of the owner's refused.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { partnerFixture, type PartnerFixture } from "../../test/support/partners";

let p: PartnerFixture;
let A: Record<string, string>;
let B: Record<string, string>;
let C: Record<string, string>;
beforeAll(async () => {
  p = await partnerFixture();
  A = p.t.signIn(p.ann);
  B = p.t.signIn(p.bob);
  C = p.t.signIn(p.carol);
}, 120_000);
afterAll(() => p?.cleanup());

const form = (headers: Record<string, string>, fields: Record<string, string>) => ({
  method: "POST",
  headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual" as const,
});
const get = (url: string, headers: Record<string, string>) => p.t.request(url, { headers });
type Item = { id: string; u: string | null };
const monthsOf = async (url: string, headers: Record<string, string>) =>
  ((await (await get(url, headers)).json()) as { months: { key: string; n: number }[] }).months.map((m) => `${m.key}:${m.n}`);
const items = async (url: string, headers: Record<string, string>) => ((await (await get(url, headers)).json()) as { items: Item[] }).items;
/** Tests run in any order (`--randomize`): each that reads a share makes it first, whole (ann → bob, everything). */
const shareAll = async () => expect((await p.t.request("/photos/partners", form(A, { username: "bob" }))).status).toBe(303);

test("sharing with a partner: an unknown name or a date that is not one is said on the form; the partner sees it under Partner sharing", async () => {
  const unknown = await p.t.request("/photos/partners", form(A, { username: "nobody" }));
  expect(unknown.status).toBe(404);
  expect(await unknown.text()).toContain("There is no other person called “nobody” on this box.");
  const badDay = await p.t.request("/photos/partners", form(A, { username: "bob", from: "2008-02-30" }));
  expect(badDay.status).toBe(400);
  expect(await badDay.text()).toContain("A date looks like 2021-07-14.");
  expect((await p.t.request("/photos/partners", form(A, { username: "bob" }))).status).toBe(303);
  const mine = await (await get("/photos/partners", A)).text();
  expect(mine).toContain("Stop sharing with bob");
  const theirs = await (await get("/photos/partners", B)).text();
  expect(theirs).toContain(`href="/photos/partners/${p.ann.id}"`);
  expect(theirs).toContain("Everything · only on this page");
  expect(await (await get("/photos/partners", C)).text()).toContain("Nobody shares their photos with you yet.");
});

test("the partner page: the owner's shown photos and video, marked with her name; nobody else's page opens", async () => {
  await shareAll();
  const { arezzo, canon, video, archived, trashed } = p.items;
  expect((await get(`/photos/partners/${p.ann.id}`, B)).status).toBe(200);
  for (const [url, h] of [
    [`/photos/partners/${p.ann.id}`, C],
    [`/photos/partners/${p.bob.id}`, A],
    [`/photos/partners/${p.carol.id}`, B],
    ["/photos/partners/nobody", B],
  ] as const)
    expect((await get(url, h)).status).toBe(404);
  const q = `src=partner&p=${p.ann.id}`;
  expect(await monthsOf(`/photos/api/buckets?${q}`, B)).toEqual(["2008-10:1", "2008-09:1", "2008-05:1"]);
  const all = [...(await items(`/photos/api/month/2008-10?${q}`, B)), ...(await items(`/photos/api/month/2008-05?${q}`, B))];
  expect(all).toEqual([expect.objectContaining({ id: arezzo.id, u: "ann" }), expect.objectContaining({ id: canon.id, u: "ann" })]);
  expect((await items(`/photos/api/month/2008-09?${q}`, B)).map((i) => i.id)).toEqual([video.id]);
  const ids = JSON.stringify(await Promise.all(["2008-10", "2008-09", "2008-05"].map((m) => items(`/photos/api/month/${m}?${q}`, B))));
  expect(ids).not.toContain(archived.id);
  expect(ids).not.toContain(trashed.id);
  expect((await get(`/photos/api/buckets?${q}`, C)).status).toBe(404);
});

test("the partner reads thumbnails, previews, the video and the info panel, without place, Drive path or people; nothing else of the owner's", async () => {
  await shareAll();
  const { arezzo, video, archived, trashed } = p.items;
  expect((await get(`/photos/partner/thumb/${arezzo.id}`, B)).headers.get("content-type")).toBe("image/webp");
  expect((await get(`/photos/partner/preview/${arezzo.id}`, B)).headers.get("content-type")).toBe("image/jpeg");
  const clip = await get(`/photos/partner/video/${video.id}`, B);
  expect(clip.status).toBe(200);
  expect(clip.headers.get("content-type")).toStartWith("video/");
  expect((await get(`/photos/partner/video/${arezzo.id}`, B)).status).toBe(404);
  const info = await (await get(`/photos/partner/info/${arezzo.id}`, B)).text();
  expect(info).toContain("Shared by");
  expect(info).toContain("NIKON");
  for (const absent of ["Arezzo", "In Drive", "Download original", "/api/v1/files/", "Location"]) expect(info).not.toContain(absent);
  // The owner sees her own info as before.
  expect(await (await get(`/photos/api/info/${arezzo.id}`, A)).text()).toContain("Arezzo");
  for (const url of [
    `/photos/partner/thumb/${archived.id}`,
    `/photos/partner/preview/${trashed.id}`,
    `/photos/partner/info/${archived.id}`,
    `/drive/thumb/${arezzo.id}`,
    `/media/preview/${arezzo.id}`,
    `/api/v1/files/${arezzo.id}/content`,
    `/photos/api/info/${arezzo.id}`,
    `/drive/f/${arezzo.parentId}`,
  ])
    expect([url, (await get(url, B)).status]).toEqual([url, 404]);
  for (const url of [`/photos/partner/thumb/${arezzo.id}`, `/photos/partner/info/${arezzo.id}`]) expect((await get(url, C)).status).toBe(404);
  // Nothing can be done to her photos: marks, trash, albums, links.
  const json = { ...B, accept: "application/json", "content-type": "application/json" };
  for (const [url, body] of [
    ["/photos/api/favourite", { ids: [arezzo.id], on: true }],
    ["/photos/api/archive", { ids: [arezzo.id], on: true }],
    ["/photos/api/trash", { ids: [arezzo.id] }],
    ["/photos/albums", { name: "Mine now", ids: [arezzo.id] }],
    ["/api/v1/shares", { fileId: arezzo.id }],
  ] as const)
    expect([url, (await p.t.request(url, { method: "POST", headers: json, body: JSON.stringify(body) })).status]).toEqual([url, 404]);
  expect(p.t.services.drive.itemFor(p.ann, arezzo.id, "file.read").trashedAt).toBeNull();
});

test("the timeline: the partner's photos join it only when the partner chooses, marked with the owner's name", async () => {
  await shareAll();
  const { arezzo, bobs } = p.items;
  const own = await monthsOf("/photos/api/buckets", B);
  expect(own.join()).not.toContain("2008-10");
  expect((await p.t.request(`/photos/partners/${p.ann.id}/timeline`, form(B, { on: "1" }))).status).toBe(303);
  expect(await (await get("/photos/partners", B)).text()).toContain("in your timeline too");
  const merged = await monthsOf("/photos/api/buckets", B);
  expect(merged).toEqual(expect.arrayContaining(["2008-10:1", "2008-09:1", "2008-05:1", ...own]));
  expect(await items("/photos/api/month/2008-10", B)).toEqual([expect.objectContaining({ id: arezzo.id, u: "ann" })]);
  const bobsMonth = own[0]!.split(":")[0];
  expect((await items(`/photos/api/month/${bobsMonth}`, B)).find((i) => i.id === bobs.id)?.u).toBeNull();
  // ann's own timeline is hers alone; carol cannot choose ann's library for hers.
  expect((await monthsOf("/photos/api/buckets", A)).join()).not.toContain(bobsMonth);
  expect((await p.t.request(`/photos/partners/${p.ann.id}/timeline`, form(C, { on: "1" }))).status).toBe(404);
  expect((await p.t.request(`/photos/partners/${p.ann.id}/timeline`, form(B, { on: "0" }))).status).toBe(303);
  expect(await monthsOf("/photos/api/buckets", B)).toEqual(own);
});

test("from a day, photos only: what the partner sees follows; stopping is immediate", async () => {
  const q = `src=partner&p=${p.ann.id}`;
  expect((await p.t.request("/photos/partners", form(A, { username: "bob", from: "2008-09-01", photosOnly: "1" }))).status).toBe(303);
  expect(await (await get("/photos/partners", B)).text()).toContain("Photos taken from 1 September 2008 on (not videos)");
  expect(await monthsOf(`/photos/api/buckets?${q}`, B)).toEqual(["2008-10:1"]);
  expect((await get(`/photos/partner/thumb/${p.items.canon.id}`, B)).status).toBe(404);
  expect((await get(`/photos/partner/video/${p.items.video.id}`, B)).status).toBe(404);
  expect((await get(`/photos/partner/thumb/${p.items.arezzo.id}`, B)).status).toBe(200);
  // bob cannot end ann's share; ann can.
  expect((await p.t.request(`/photos/partners/${p.bob.id}/stop`, form(B, {}))).status).toBe(404);
  expect((await p.t.request(`/photos/partners/${p.bob.id}/stop`, form(A, {}))).status).toBe(303);
  for (const url of [`/photos/partner/thumb/${p.items.arezzo.id}`, `/photos/partners/${p.ann.id}`, `/photos/api/buckets?${q}`])
    expect([url, (await get(url, B)).status]).toEqual([url, 404]);
  expect(await (await get("/photos/partners", B)).text()).toContain("Nobody shares their photos with you yet.");
});
