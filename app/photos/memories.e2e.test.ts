// Memories in a real Chromium against a real server and worker: a trip found from photos' places (a home in Lisbon,
// three days in Iceland) and last month's highlights. At 1366×900 the story opens from the memories page and moves
// with the keyboard and its arrows; at 360×800 on a touch screen it fills the screen and moves with taps and swipes;
// hiding a memory stays hidden after a reload and can be undone; axe finds nothing serious, light and dark.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { seriousA11yViolations, sidewaysOverflow, watchPageErrors } from "../../test/support/browser";
import { startPhotosBox, type PhotosBox } from "../../test/support/photos";

type Where = { lat: number; lng: number };
const LISBON = { lat: 38.72, lng: -9.14 };
const REYKJAVIK = { lat: 64.15, lng: -21.94 };
const dms = (v: number) => {
  const a = Math.abs(v);
  const d = Math.floor(a);
  const m = Math.floor((a - d) * 60);
  return `${d}/1 ${m}/1 ${Math.round(((a - d) * 60 - m) * 6000)}/100`;
};
const exifDate = (d: Date) => d.toISOString().slice(0, 19).replace("T", " ").replace(/-/g, ":");
const photo = (when: Date, where: Where, i: number) =>
  sharp({ create: { width: 480, height: 360, channels: 3, background: { r: (i * 47) % 256, g: (i * 23) % 256, b: 150 } } })
    .jpeg()
    .withExif({
      IFD2: { DateTimeOriginal: exifDate(when), OffsetTimeOriginal: "+00:00" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: dms(where.lat), GPSLongitudeRef: where.lng < 0 ? "W" : "E", GPSLongitude: dms(Math.abs(where.lng)) },
    })
    .toBuffer();

// Last month by the box's clock (the test may run any day of any year): its highlights are on the timeline.
const now = new Date();
const lastMonth = (day: number) => new Date(Date.UTC(now.getFullYear(), now.getMonth() - 1, day, 12));
const TRIP = "trip-2023-06-12";
const TRIP_PHOTOS = 6;

let box: PhotosBox;
beforeAll(async () => {
  box = await startPhotosBox();
  const ann = await box.signIn("ann");
  const shots: [Date, Where][] = [
    ...[1, 2, 3, 4, 5, 6, 7].map((d) => [lastMonth(d), LISBON] as [Date, Where]),
    ...Array.from({ length: TRIP_PHOTOS }, (_, i) => [new Date(Date.UTC(2023, 5, 12 + Math.floor(i / 2), 10 + i)), REYKJAVIK] as [Date, Where]),
  ];
  for (const [i, [when, where]] of shots.entries()) await box.upload(ann, `IMG_${i}.jpg`, await photo(when, where, i));
  await box.processed(shots.length);
  await ann.context.close();
}, 180_000);
afterAll(() => box?.stop());

const position = (page: Page) => page.locator("#story-pos").textContent();
const at = (page: Page, n: number) => page.waitForFunction((want) => document.querySelector("#story-pos")?.textContent === want, `${n} of ${TRIP_PHOTOS}`);
/** The slide shown, by its photo id. */
const shown = (page: Page) => page.locator(".story-slide.current").getAttribute("data-id");

test("1366×900: the memories page lists the trip; its story opens, moves with keys and arrows, closes with Escape", async () => {
  const { page, context } = await box.signIn("ann");
  await page.emulateMedia({ reducedMotion: "reduce" }); // no automatic steps while the test steps
  const errors = watchPageErrors(page);
  await page.goto("/photos/memories");
  const card = page.locator(`a.memory-card[data-key="${TRIP}"]`);
  expect(await card.textContent()).toContain("Iceland");
  expect(await card.textContent()).toContain("June 2023");
  expect(await seriousA11yViolations(page)).toEqual([]);
  await card.click();
  await page.waitForURL(`**/photos/memories/${TRIP}`);
  await page.locator("#memory-story").waitFor();
  expect(await position(page)).toBe(`1 of ${TRIP_PHOTOS}`);
  const first = await shown(page);
  await page.keyboard.press("ArrowRight");
  await at(page, 2);
  expect(await shown(page)).not.toBe(first);
  await page.keyboard.press("ArrowLeft");
  await at(page, 1);
  expect(await shown(page)).toBe(first);
  await page.locator("#story-next").click();
  await at(page, 2);
  await page.locator("#story-prev").click();
  await at(page, 1);
  // The first photo's preview is painted, and the next one is already loading beside it.
  await page.waitForFunction(() => (document.querySelector(".story-slide.current img") as HTMLImageElement | null)?.naturalWidth === 480);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "dark", reducedMotion: "reduce" });
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.keyboard.press("Escape");
  await page.waitForURL(/\/photos$/);
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test("1366×900: the timeline shows last month's highlights; its story plays by itself until paused", async () => {
  const { page, context } = await box.signIn("ann");
  await page.goto("/photos");
  const key = `month-${lastMonth(1).toISOString().slice(0, 10)}`;
  const card = page.locator(`#photos-memories a.memory-card[data-key="${key}"]`);
  expect(await card.textContent()).toContain("Highlights of");
  await card.click();
  await page.locator("#memory-story").waitFor();
  // Motion is allowed here: it moves on by itself (no reduced-motion preference), and stops when paused.
  await page.waitForFunction(() => document.querySelector("#story-pos")?.textContent?.startsWith("2 of"), undefined, { timeout: 20_000 });
  await page.locator("#story-pause").click();
  expect(await page.locator("#story-pause").textContent()).toBe("Play");
  const paused = Number((await page.locator("#story-pos").textContent())!.split(" ")[0]);
  await page.keyboard.press("ArrowRight");
  expect(await page.locator("#story-pos").textContent()).toBe(`${paused + 1} of 7`);
  await context.close();
}, 60_000);

test("360×800 touch: the story fills the screen, taps and swipes move it; hiding stays hidden after a reload, Undo brings it back", async () => {
  const { page, context } = await box.signIn("ann", { viewport: { width: 360, height: 800 }, touch: true });
  await page.emulateMedia({ reducedMotion: "reduce" });
  const errors = watchPageErrors(page);
  await page.goto(`/photos/memories/${TRIP}`);
  const story = (await page.locator("#memory-story").boundingBox())!;
  expect([story.x, story.y, story.width, story.height]).toEqual([0, 0, 360, 800]);
  const img = (await page.locator(".story-slide.current img").boundingBox())!;
  expect(img.width).toBeLessThanOrEqual(360);
  // A tap on the right two thirds: next; on the left third: back.
  await page.touchscreen.tap(300, 500);
  await at(page, 2);
  await page.touchscreen.tap(300, 500);
  await at(page, 3);
  await page.touchscreen.tap(40, 500);
  await at(page, 2);
  // A swipe to the left: next; to the right: back.
  const swipe = async (from: number, to: number) => {
    await page.mouse.move(from, 450);
    await page.mouse.down();
    await page.mouse.move((from + to) / 2, 452);
    await page.mouse.move(to, 455);
    await page.mouse.up();
  };
  await swipe(300, 80);
  await at(page, 3);
  await swipe(80, 300);
  await at(page, 2);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "dark", reducedMotion: "reduce" });
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });

  await page.locator("#story-hide").click();
  await page.waitForURL(`**/photos/memories?hidden=${TRIP}`);
  expect(await page.locator(".memory-hidden-note").textContent()).toContain("Iceland, June 2023");
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(await sidewaysOverflow(page)).toBe(0);
  await page.goto("/photos/memories");
  await page.reload();
  expect(await page.locator(`a.memory-card[data-key="${TRIP}"]`).count()).toBe(0);
  expect(await page.locator("#memories-hidden").textContent()).toContain("Iceland, June 2023");
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.locator("#memories-hidden button", { hasText: "Show again" }).click();
  await page.waitForURL(/\/photos\/memories$/);
  expect(await page.locator(`a.memory-card[data-key="${TRIP}"]`).count()).toBe(1);
  expect(await page.locator("#memories-hidden").count()).toBe(0);
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);
