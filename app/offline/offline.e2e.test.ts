// The installed app without the box, in a real Chromium on a phone-sized screen (360×800): the service worker keeps
// the app shell and the thumbnails of the months last viewed; with the box gone (its server stopped) the app opens
// on the offline page, which says so and shows them. Signing out leaves no cache behind. Never kept: pages (HTML),
// other paths, anything but GET.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { seriousA11yViolations } from "../../test/support/browser";
import { PHOTO_FIXTURES, startPhotosBox, type PhotosBox } from "../../test/support/photos";

const PHOTOS = ["DSCN0010.jpg", "DSCN0021.jpg", "DSCN0027.jpg", "DSCN0038.jpg"];
const PHONE = { width: 360, height: 800 };

let box: PhotosBox;

beforeAll(async () => {
  box = await startPhotosBox();
  // An admin exists, so the box is set up and signing out lands on the sign-in page.
  await (await box.signIn("root", { role: "admin" })).context.close();
  const ada = await box.signIn("ada", { viewport: PHONE });
  for (const f of PHOTOS) await box.upload(ada, f, readFileSync(join(PHOTO_FIXTURES, "gps", f)));
  await box.processed(PHOTOS.length);
  await ada.context.close();
}, 180_000);

afterAll(() => box?.stop());

/** Every URL in every cache of the page's origin. */
const cached = (page: Page) =>
  page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(new URL(r.url).pathname);
    return urls;
  });

/** Photos opened twice (the service worker takes over during the first visit), until every thumbnail is drawn and kept. */
async function visitPhotos(page: Page) {
  await page.goto("/photos");
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.waitForFunction(
    (n) => [...document.querySelectorAll<HTMLImageElement>("#photos-grid .photos-tile img")].filter((i) => i.complete && i.naturalWidth > 0).length >= n,
    PHOTOS.length,
  );
  let urls: string[] = [];
  for (let i = 0; i < 100 && urls.filter((u) => u.startsWith("/drive/thumb/")).length < PHOTOS.length; i++) {
    await page.waitForTimeout(100);
    urls = await cached(page);
  }
  return urls;
}

test("what the service worker keeps: the shell, the timeline's months and their thumbnails; no page, no other path", async () => {
  const ada = await box.signIn("ada", { viewport: PHONE });
  const urls = await visitPhotos(ada.page);
  expect(urls.filter((u) => u.startsWith("/drive/thumb/")).length).toBe(PHOTOS.length);
  expect(urls.some((u) => /^\/photos\/api\/month\/\d{4}-\d{2}$/.test(u))).toBe(true);
  expect(urls).toContain("/static/offline.html");
  expect(urls).toContain("/static/app.css");
  // Everything kept is one of the three kinds: no HTML of a page, no API answer but the timeline's months.
  expect(urls.filter((u) => !/^\/(static\/|drive\/thumb\/|photos\/api\/month\/)/.test(u))).toEqual([]);
  // A share link's page, the album list and a POST leave nothing behind.
  await ada.page.goto("/photos/albums");
  await ada.page.evaluate(() =>
    fetch("/photos/api/favourite", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": document.querySelector<HTMLMetaElement>("meta[name=csrf-token]")!.content },
      body: JSON.stringify({ ids: ["nope"], on: true }),
    }),
  );
  await ada.page.goto("/s/not-a-link").catch(() => {});
  await ada.page.goto("/photos/albums");
  expect((await cached(ada.page)).filter((u) => !/^\/(static\/|drive\/thumb\/|photos\/api\/month\/)/.test(u))).toEqual([]);
  await ada.context.close();
}, 90_000);

test("signing out leaves no cache and no service worker behind", async () => {
  const ada = await box.signIn("ada", { viewport: PHONE });
  const { page } = ada;
  expect((await visitPhotos(page)).length).toBeGreaterThan(0);
  const [logout] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === "/logout"),
    page.evaluate(() => document.querySelector<HTMLFormElement>('form[action="/logout"]')!.requestSubmit()),
  ]);
  expect((await logout.allHeaders())["clear-site-data"]).toBe('"cache", "storage"');
  await page.waitForURL("**/login");
  expect(await cached(page)).toEqual([]);
  expect(await page.evaluate(async () => (await caches.keys()).length)).toBe(0);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
  await ada.context.close();
}, 90_000);

test("without the box the installed app opens on the offline page with the kept thumbnails (360×800, light and dark)", async () => {
  const ada = await box.signIn("ada", { viewport: PHONE });
  const { page } = ada;
  await visitPhotos(page);
  await box.server.stop(); // the box is gone: nothing answers on its address
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const path of ["/photos", "/"]) {
      await page.goto(path);
      await page.locator("h1", { hasText: "The box can't be reached — showing what this phone kept" }).waitFor();
      await page.waitForFunction(
        (n) => [...document.querySelectorAll<HTMLImageElement>("img.offline-thumb")].filter((i) => i.complete && i.naturalWidth > 0).length === n,
        PHOTOS.length,
      );
      expect(await page.locator("#offline-summary").textContent()).toContain(`${PHOTOS.length} photos`);
    }
    expect({ scheme, violations: await seriousA11yViolations(page) }).toEqual({ scheme, violations: [] });
  }
  // Away from home the box's address often accepts nothing and refuses nothing: something that takes connections
  // and never answers stands in for it. The worker stops waiting and shows what was kept all the same.
  const silent = Bun.listen({ hostname: "127.0.0.1", port: box.server.port, socket: { data() {} } });
  try {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto("/photos", { timeout: 60_000 });
    await page.locator("h1", { hasText: "The box can't be reached" }).waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      (n) => [...document.querySelectorAll<HTMLImageElement>("img.offline-thumb")].filter((i) => i.complete && i.naturalWidth > 0).length === n,
      PHOTOS.length,
      { timeout: 60_000 },
    );
  } finally {
    silent.stop(true);
  }
  await ada.context.close();
}, 150_000);
