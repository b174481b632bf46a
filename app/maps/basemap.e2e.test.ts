// The offline basemap in a real Chromium against a real server and worker: the Map page and the info panel's small
// map drawn from what the box ships, in light and dark, with every request to anything but this machine aborted and
// recorded (none may be made); the admin's switch adds OpenStreetMap's tiles, and the CSP allows their host only then.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { seriousA11yViolations, watchPageErrors } from "../../test/support/browser";
import sharp from "sharp";
import { rasterPmtiles } from "../../test/support/pmtiles";
import { contrast, PHOTO_FIXTURES, startPhotosBox, type PhotosBox, type SignedIn } from "../../test/support/photos";

// Four photos taken around Arezzo (Tuscany).
const GPS = ["DSCN0010.jpg", "DSCN0021.jpg", "DSCN0027.jpg", "DSCN0038.jpg"];

let box: PhotosBox;
let ada: SignedIn;
let admin: SignedIn;
/** Every request any page of a context tried to send off this machine (each was aborted). */
const outside = new Map<BrowserContext, string[]>();

/** Aborts and records each request to a host other than this machine, for the whole context (workers too). */
async function fenced(who: SignedIn) {
  const seen: string[] = [];
  outside.set(who.context, seen);
  await who.context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) || url.protocol === "data:" || url.protocol === "blob:") return route.continue();
    seen.push(url.href);
    return route.abort("internetdisconnected");
  });
  return who;
}

beforeAll(async () => {
  box = await startPhotosBox();
  ada = await fenced(await box.signIn("ada"));
  admin = await fenced(await box.signIn("root", { role: "admin" }));
  for (const f of GPS) await box.upload(ada, f, readFileSync(join(PHOTO_FIXTURES, "gps", f)));
  await box.processed(GPS.length);
}, 180_000);

afterAll(() => box?.stop());

/** The basemap's shapes and labels in `scope`, once drawn. */
async function drawn(page: Page, scope: string) {
  await page.locator(`${scope} path.basemap-land`).first().waitFor({ state: "attached" });
  await page.locator(`${scope} .basemap-city`).first().waitFor();
  return page.evaluate((s) => {
    const root = document.querySelector(s)!;
    const land = root.querySelector("path.basemap-land")!;
    const label = root.querySelector(".basemap-city")! as HTMLElement;
    return {
      countries: root.querySelectorAll("path.basemap-land").length,
      coasts: root.querySelectorAll("path.basemap-coast").length,
      borders: root.querySelectorAll("path.basemap-border").length,
      labels: [...root.querySelectorAll(".basemap-city")].map((l) => l.textContent ?? ""),
      land: getComputedStyle(land).fill,
      sea: getComputedStyle(root.querySelector(".leaflet-container") ?? root).backgroundColor,
      text: getComputedStyle(label).color,
      tiles: root.querySelectorAll(".leaflet-tile").length,
    };
  }, scope);
}

for (const scheme of ["light", "dark"] as const) {
  test(`the Map page draws the box's own world map, and nothing leaves the box (1366×900, ${scheme})`, async () => {
    const { page, context } = ada;
    const errors = watchPageErrors(page);
    await page.emulateMedia({ colorScheme: scheme });
    const res = await page.goto("/photos/map");
    // Off by default: the page's policy names no map host at all.
    expect(res!.headers()["content-security-policy"]).not.toContain("openstreetmap");
    await page.locator(".photos-pin.cluster").first().waitFor();
    const look = await drawn(page, "#photos-map");
    expect(look.countries).toBeGreaterThan(200); // Natural Earth 1:50m has 241 countries and territories
    expect(look.coasts).toBeGreaterThan(0);
    expect(look.borders).toBeGreaterThan(0);
    expect(look.labels).toContain("Moscow"); // the world view names the biggest cities
    expect(look.tiles).toBe(0); // no tile layer at all
    // The labels read on the land they sit on; the scheme changes land and sea.
    expect(contrast(look.text, look.land)).toBeGreaterThanOrEqual(4.5);
    expect(scheme === "dark" ? look.sea : look.land).toBe(scheme === "dark" ? "rgb(14, 26, 36)" : "rgb(243, 241, 234)");
    // Zoomed in on the photos' place, nearer cities are named.
    await page.goto("/photos/map?lat=43.46&lng=11.88");
    const near = await drawn(page, "#photos-map");
    expect(near.labels).toContain("Florence");
    expect(errors).toEqual([]);
    expect(outside.get(context)).toEqual([]);
    await page.emulateMedia({ colorScheme: "light" });
  }, 60_000);

  test(`the info panel shows where the photo was taken on the same map, offline (1366×900, ${scheme})`, async () => {
    const { page, context } = ada;
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/photos");
    await page.locator("#photos-grid .photos-tile img").first().click();
    await page.locator(".pswp.photos-opened").waitFor();
    await page.keyboard.press("i");
    const look = await drawn(page, ".photos-info-map");
    expect(look.countries).toBeGreaterThan(200);
    expect(look.labels).toContain("Florence");
    // The spot, inside the small map.
    const spot = (await page.locator(".photos-info-map .basemap-here").boundingBox())!;
    const frame = (await page.locator(".photos-info-map").boundingBox())!;
    expect(spot.x).toBeGreaterThan(frame.x);
    expect(spot.x + spot.width).toBeLessThan(frame.x + frame.width);
    // The next photo's panel draws its own map (the previous one is removed, not stacked).
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => document.querySelectorAll(".photos-info-map .leaflet-map-pane").length === 1);
    expect(outside.get(context)).toEqual([]);
    await page.keyboard.press("Escape");
    await page.emulateMedia({ colorScheme: "light" });
  }, 60_000);
}

test("axe finds nothing serious on the map page, light and dark, at 1366×900 and on a 360×800 phone", async () => {
  for (const [scheme, viewport] of [
    ["light", { width: 1366, height: 900 }],
    ["dark", { width: 1366, height: 900 }],
    ["light", { width: 360, height: 800 }],
    ["dark", { width: 360, height: 800 }],
  ] as const) {
    const { page } = admin; // the admin's page has the settings form too
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/photos/map");
    await drawn(page, "#photos-map");
    expect({ scheme, viewport, violations: await seriousA11yViolations(page) }).toEqual({ scheme, viewport, violations: [] });
  }
  await admin.page.setViewportSize({ width: 1366, height: 900 });
  await admin.page.emulateMedia({ colorScheme: "light" });
  expect(outside.get(admin.context)).toEqual([]);
}, 90_000);

test("the admin's switch: OpenStreetMap's tiles over the basemap, their host allowed only while it is on", async () => {
  const { page, context } = admin;
  // Only the admin sees the switch; it says what it sends where.
  await ada.page.goto("/photos/map");
  expect(await ada.page.locator("form[action='/maps/online-tiles']").count()).toBe(0);
  await page.goto("/photos/map");
  expect(await page.locator("#online-tiles-note").textContent()).toContain("tile.openstreetmap.org");
  await page.getByLabel("Online map tiles (OpenStreetMap)").check();
  await page.locator("form[action='/maps/online-tiles'] button[type=submit]").click();
  await page.waitForURL("**/photos/map");
  expect(await page.getByLabel("Online map tiles (OpenStreetMap)").isChecked()).toBe(true);
  const on = await page.reload();
  expect(on!.headers()["content-security-policy"]).toContain("img-src 'self' data: blob: https://tile.openstreetmap.org");
  await drawn(page, "#photos-map");
  // The browser asks OpenStreetMap (aborted here: no internet), and says that its tiles cannot be reached.
  await page.locator("#photos-map-offline").waitFor();
  expect(outside.get(context)!.length).toBeGreaterThan(0);
  expect(outside.get(context)!.every((u) => u.startsWith("https://tile.openstreetmap.org/"))).toBe(true);
  // The info panel's small map stays offline even then.
  outside.get(context)!.length = 0;
  await page.getByLabel("Online map tiles (OpenStreetMap)").uncheck();
  await page.locator("form[action='/maps/online-tiles'] button[type=submit]").click();
  await page.waitForURL("**/photos/map");
  const off = await page.reload();
  expect(off!.headers()["content-security-policy"]).not.toContain("openstreetmap");
  await drawn(page, "#photos-map");
  expect(outside.get(context)).toEqual([]);
}, 90_000);

test("an owner's detailed basemap (a PMTiles file in maps/ on the data disk) is read in ranges and drawn over the world map", async () => {
  const { page, context } = ada;
  const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: "#c04080" } })
    .png()
    .toBuffer();
  mkdirSync(join(box.server.dataDir, "maps"), { recursive: true });
  // Its credit carries markup, as Protomaps' builds do (and worse): shown as text only.
  const attribution = '<a href="https://example.org/">© Test Map</a><img src="x" onerror="document.title=1">';
  writeFileSync(join(box.server.dataDir, "maps/detail.pmtiles"), rasterPmtiles({ "0/0/0": new Uint8Array(tile) }, { attribution }));
  const reads: { range: string | undefined; status: number }[] = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname === "/maps/detail.pmtiles") reads.push({ range: r.request().headers().range, status: r.status() });
  });
  await page.goto("/photos/map");
  await drawn(page, "#photos-map");
  // The world's one tile, drawn by Leaflet from the archive's bytes (a blob: image), above the basemap.
  await page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLImageElement>("#photos-map img.leaflet-tile")].some(
      (i) => i.src.startsWith("blob:") && i.complete && i.naturalWidth === 256,
    ),
  );
  expect(reads.length).toBeGreaterThan(0);
  expect(await page.locator("#photos-map .leaflet-control-attribution").textContent()).toContain("© Test Map");
  expect(
    await page.locator("#photos-map .leaflet-control-attribution img, #photos-map .leaflet-control-attribution a[href='https://example.org/']").count(),
  ).toBe(0);
  expect(reads.every((r) => r.range?.startsWith("bytes=") && r.status === 206)).toBe(true);
  // The small map in the info panel draws it too.
  await page.goto("/photos");
  await page.locator("#photos-grid .photos-tile img").first().click();
  await page.locator(".pswp.photos-opened").waitFor();
  await page.keyboard.press("i");
  await drawn(page, ".photos-info-map");
  await page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLImageElement>(".photos-info-map img.leaflet-tile")].some((i) => i.src.startsWith("blob:") && i.naturalWidth === 256),
  );
  expect(outside.get(context)).toEqual([]);
  await page.keyboard.press("Escape");
  rmSync(join(box.server.dataDir, "maps"), { recursive: true, force: true });
}, 60_000);
