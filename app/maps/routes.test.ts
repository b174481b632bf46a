// The owner's detailed basemap served in ranges to signed-in people, and the admin's switch for online tiles.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestApp, postForm, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

test("/maps/detail.pmtiles: 404 until the owner places the file, then whole or in ranges, to signed-in people only", async () => {
  t = createTestApp();
  const headers = t.signIn(t.createUser("ann"));
  expect((await t.request("/maps/detail.pmtiles", { headers })).status).toBe(404);
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
  mkdirSync(join(t.dataDir, "maps"));
  writeFileSync(join(t.dataDir, "maps/detail.pmtiles"), bytes);
  // Signed out: refused, like every other signed-in resource.
  const anonymous = await t.request("/maps/detail.pmtiles", { headers: { range: "bytes=0-126" } });
  expect(anonymous.status).toBe(303);
  expect(anonymous.headers.get("location")).toContain("/login");

  const whole = await t.request("/maps/detail.pmtiles", { headers });
  expect(whole.status).toBe(200);
  expect(whole.headers.get("accept-ranges")).toBe("bytes");
  expect(new Uint8Array(await whole.arrayBuffer())).toEqual(bytes);
  const part = await t.request("/maps/detail.pmtiles", { headers: { ...headers, range: "bytes=127-226" } });
  expect(part.status).toBe(206);
  expect(part.headers.get("content-range")).toBe("bytes 127-226/1000");
  expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(127, 227));
  const tail = await t.request("/maps/detail.pmtiles", { headers: { ...headers, range: "bytes=-10" } });
  expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.slice(990));
  expect((await t.request("/maps/detail.pmtiles", { headers: { ...headers, range: "bytes=5000-" } })).status).toBe(416);
  // A revalidation with the same ETag costs nothing.
  const etag = whole.headers.get("etag")!;
  expect((await t.request("/maps/detail.pmtiles", { headers: { ...headers, "if-none-match": etag } })).status).toBe(304);
  // A folder in the file's place is no map.
  t.cleanup();
  t = createTestApp();
  mkdirSync(join(t.dataDir, "maps/detail.pmtiles"), { recursive: true });
  expect((await t.request("/maps/detail.pmtiles", { headers: t.signIn(t.createUser("bob")) })).status).toBe(404);
});

test("online tiles: off by default, the admin's alone to turn on, and the map page's CSP names OpenStreetMap only then", async () => {
  t = createTestApp();
  const admin = t.signIn(t.createAdmin());
  const ann = t.signIn(t.createUser("ann"));
  const csp = async () => (await t.request("/photos/map", { headers: ann })).headers.get("content-security-policy") ?? "";
  expect(t.services.maps.sources()).toEqual({ online: false, detail: false });
  expect(await csp()).not.toContain("openstreetmap");
  expect((await t.request("/maps/online-tiles", postForm(ann, { on: "1" }))).status).toBe(403);
  expect(t.services.maps.sources().online).toBe(false);

  const on = await t.request("/maps/online-tiles", postForm(admin, { on: "1" }));
  expect(on.status).toBe(303);
  expect(t.services.maps.sources().online).toBe(true);
  expect(await csp()).toContain("img-src 'self' data: blob: https://tile.openstreetmap.org;");
  // Other pages never widen theirs.
  expect((await t.request("/photos", { headers: ann })).headers.get("content-security-policy")).not.toContain("openstreetmap");
  // An unticked box sends no field: off again.
  await t.request("/maps/online-tiles", postForm(admin));
  expect(t.services.maps.sources().online).toBe(false);
  expect(await csp()).not.toContain("openstreetmap");
  // The audit log says who changed it.
  const actions = t.db.$client
    .query<{ action: string }, []>("SELECT action FROM audit_log")
    .all()
    .map((r) => r.action);
  expect(actions.filter((a) => a.includes("online-tiles") || a.includes("OpenStreetMap")).length).toBeGreaterThan(0);
});
