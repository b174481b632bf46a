// The map page in a real Chromium against a real server and worker, at the desktop size of the walk (1366×900),
// light and dark: a cluster's photos in a row of their own (not piled up, not over the places), pin counts centred
// in their discs and readable in both schemes; the place's lightbox walks the cluster. The network is closed here: pins and places need no tiles.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { contrast, PHOTO_FIXTURES, startPhotosBox, type PhotosBox, type SignedIn } from "../../test/support/photos";

// Four photos taken around Arezzo: one cluster at the world view.
const GPS = ["gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "gps/DSCN0027.jpg", "gps/DSCN0038.jpg"];

let box: PhotosBox;
let ada: SignedIn;

beforeAll(async () => {
  box = await startPhotosBox();
  ada = await box.signIn("ada");
  for (const f of GPS) await box.upload(ada, f.split("/").at(-1)!, readFileSync(join(PHOTO_FIXTURES, f)));
  await box.processed(GPS.length);
}, 180_000);

afterAll(() => box?.stop());

/** Where the pin's count is drawn, against the disc, and its colours. */
const pinLook = () =>
  ada.page
    .locator(".photos-pin.cluster")
    .first()
    .evaluate((pin) => {
      const range = document.createRange();
      range.selectNodeContents(pin);
      const text = range.getBoundingClientRect();
      const disc = pin.getBoundingClientRect();
      const style = getComputedStyle(pin);
      return {
        dx: text.left + text.width / 2 - (disc.left + disc.width / 2),
        dy: text.top + text.height / 2 - (disc.top + disc.height / 2),
        inside: text.left >= disc.left && text.right <= disc.right && text.top >= disc.top && text.bottom <= disc.bottom,
        color: style.color,
        background: style.backgroundColor,
      };
    });

test("a cluster's photos in a row of their own, above the places; pin counts centred (1366×900, light)", async () => {
  await ada.page.goto("/photos/map");
  const pin = ada.page.locator(".photos-pin.cluster").first();
  await pin.waitFor();
  expect(await pin.textContent()).toBe(String(GPS.length));
  const look = await pinLook();
  expect(Math.abs(look.dx)).toBeLessThan(2);
  expect(Math.abs(look.dy)).toBeLessThan(2);
  expect(look.inside).toBe(true);
  expect(contrast(look.color, look.background)).toBeGreaterThanOrEqual(4.5);

  await pin.click();
  const tiles = ada.page.locator("#photos-map-items .photos-tile");
  await tiles.nth(GPS.length - 1).waitFor();
  const boxes = await tiles.evaluateAll((ts) =>
    ts.map((t) => t.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom })),
  );
  // Side by side, none over another…
  for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.left).toBeGreaterThanOrEqual(boxes[i - 1]!.right);
  // …inside their section, which ends before the places list starts.
  const section = (await ada.page.locator("#photos-map-items").boundingBox())!;
  const places = (await ada.page.locator(".photos-places").boundingBox())!;
  for (const b of boxes) {
    expect(b.top).toBeGreaterThanOrEqual(section.y);
    expect(b.bottom).toBeLessThanOrEqual(section.y + section.height + 0.5);
  }
  expect(places.y).toBeGreaterThanOrEqual(section.y + section.height);
  expect(await ada.page.locator(".photos-places li").first().textContent()).toContain("Arezzo, Tuscany, Italy");

  // The place's lightbox walks the cluster's photos in their order, counting them, and stops at the last.
  await tiles.first().locator("img").click();
  await ada.page.locator(".pswp.photos-opened").waitFor();
  const counter = () => ada.page.locator(".pswp__counter").textContent();
  expect(await counter()).toBe(`1 / ${GPS.length}`);
  for (let i = 2; i <= GPS.length; i++) {
    await ada.page.keyboard.press("ArrowRight");
    await ada.page.waitForFunction((want) => document.querySelector(".pswp__counter")?.textContent === want, `${i} / ${GPS.length}`);
  }
  await ada.page.keyboard.press("ArrowRight");
  await ada.page.keyboard.press("ArrowLeft");
  await ada.page.waitForFunction((want) => document.querySelector(".pswp__counter")?.textContent === want, `${GPS.length - 1} / ${GPS.length}`);
  await ada.page.keyboard.press("Escape");
  await ada.page.locator(".pswp").waitFor({ state: "detached" });
}, 60_000);

test("pin counts are readable in dark mode (1366×900)", async () => {
  await ada.page.emulateMedia({ colorScheme: "dark" });
  await ada.page.goto("/photos/map");
  await ada.page.locator(".photos-pin.cluster").first().waitFor();
  const look = await pinLook();
  expect(contrast(look.color, look.background)).toBeGreaterThanOrEqual(4.5);
  expect(Math.abs(look.dx)).toBeLessThan(2);
  await ada.page.emulateMedia({ colorScheme: "light" });
}, 60_000);
