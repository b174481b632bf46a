// The timeline's layout in a real Chromium against a real server and worker, at the desktop size the walk used
// (1366×900): a month of one-photo days packs them side by side under their own dates, as Google Photos does,
// while a day with many photos keeps its full-width justified rows.
import { afterAll, beforeAll, expect, test } from "bun:test";
import sharp from "sharp";
import { watchPageErrors } from "../../test/support/browser";
import { startPhotosBox, type PhotosBox, type SignedIn } from "../../test/support/photos";

const SINGLE_DAYS = 20; // 1–20 May 2019, one photo each
const BUSY_DAY = 10; // photos on 31 May 2019

let box: PhotosBox;
let ann: SignedIn;

/** A small 4:3 JPEG taken at `when` (EXIF DateTimeOriginal, "YYYY:MM:DD hh:mm:ss"). */
const photo = (when: string, hue: number) =>
  sharp({ create: { width: 400, height: 300, channels: 3, background: { r: hue % 256, g: (hue * 7) % 256, b: 120 } } })
    .jpeg()
    .withExif({ IFD2: { DateTimeOriginal: when } })
    .toBuffer();

beforeAll(async () => {
  box = await startPhotosBox();
  ann = await box.signIn("ann");
  const shots = [
    ...Array.from({ length: SINGLE_DAYS }, (_, i) => `2019:05:${String(i + 1).padStart(2, "0")} 12:00:00`),
    ...Array.from({ length: BUSY_DAY }, (_, i) => `2019:05:31 1${i % 10}:00:00`),
  ];
  for (const [i, when] of shots.entries()) await box.upload(ann, `IMG_${i}.jpg`, await photo(when, i * 37));
  await box.processed(shots.length);
}, 180_000);

afterAll(() => box?.stop());

test("days with one photo share rows, each under its own date; a busy day keeps full-width rows (1366×900)", async () => {
  const errors = watchPageErrors(ann.page);
  await ann.page.goto("/photos");
  const month = ann.page.locator("#m-2019-05");
  await month
    .locator(".photos-tile")
    .nth(SINGLE_DAYS + BUSY_DAY - 1)
    .waitFor();
  expect(await month.locator(".photos-day h3").count()).toBe(SINGLE_DAYS + 1);

  const blocks = await month.locator(".photos-day-block").evaluateAll((els) =>
    els.map((b) => {
      const box = b.getBoundingClientRect();
      const h3 = b.querySelector("h3")!.getBoundingClientRect();
      const tile = b.querySelector(".photos-tile")!.getBoundingClientRect();
      return {
        label: b.querySelector("h3")!.textContent,
        title: b.querySelector("h3")!.getAttribute("title"),
        left: box.left,
        right: box.right,
        labelLeft: h3.left,
        labelRight: h3.left + b.querySelector("h3")!.scrollWidth,
        labelBottom: h3.bottom,
        tileTop: Math.round(tile.top),
        tileLeft: tile.left,
      };
    }),
  );
  // Every one-photo day is a block in a shared row: several to a row, so far fewer rows than days.
  expect(blocks.length).toBe(SINGLE_DAYS);
  const rows = new Set(blocks.map((b) => b.tileTop));
  expect(rows.size).toBeLessThanOrEqual(Math.ceil(SINGLE_DAYS / 4));
  // Newest first: the 20th, then the 19th…; side by side, a short date (the month's heading names the year).
  expect(blocks[0]!.label).toBe("Mon, 20 May");
  expect(blocks[0]!.title).toBe("Mon, 20 May 2019");
  // Each date sits over its own photo, whole, and never runs into the next day's.
  for (const [i, b] of blocks.entries()) {
    expect(b.labelBottom).toBeLessThanOrEqual(b.tileTop);
    expect(Math.abs(b.labelLeft - b.tileLeft)).toBeLessThan(2);
    expect(b.labelRight).toBeLessThanOrEqual(b.right + 0.5);
    const next = blocks[i + 1];
    if (next && next.tileTop === b.tileTop) expect(next.left).toBeGreaterThanOrEqual(b.right);
  }
  // The busy day is laid out over the full width, in more than one row, under its full date.
  const busy = ann.page.locator("#m-2019-05 > .photos-month-body > .photos-rows");
  expect(await busy.count()).toBe(1);
  expect(await ann.page.locator("#m-2019-05 > .photos-month-body > .photos-day h3").textContent()).toBe("Fri, 31 May 2019");
  const busyTops = await busy.locator(".photos-tile").evaluateAll((ts) => new Set(ts.map((t) => Math.round(t.getBoundingClientRect().top))).size);
  expect(busyTops).toBeGreaterThan(1);
  // The month is a few rows tall, not a full row per day (about 220 px each: 4,400 px for these 20 days).
  expect(await month.evaluate((m) => m.getBoundingClientRect().height)).toBeLessThan(2000);
  expect(errors).toEqual([]);
}, 60_000);

test("on a 360-px phone, one-photo days still pair up", async () => {
  await ann.page.setViewportSize({ width: 360, height: 800 });
  await ann.page.goto("/photos");
  await ann.page
    .locator("#m-2019-05 .photos-tile")
    .nth(SINGLE_DAYS + BUSY_DAY - 1)
    .waitFor();
  // The one-photo days' tiles (named by their date), wherever the layout put them.
  const tops = await ann.page
    .locator("#m-2019-05 .photos-tile:not([aria-label*='31 May'])")
    .evaluateAll((ts) => (ts.length === 20 ? new Set(ts.map((t) => Math.round(t.getBoundingClientRect().top))).size : -1));
  expect(tops).toBeGreaterThan(0);
  expect(tops).toBeLessThanOrEqual(SINGLE_DAYS / 2);
  // Each date still reads whole within its day.
  const clipped = await ann.page
    .locator("#m-2019-05 .photos-day-block")
    .evaluateAll((bs) => bs.filter((b) => b.querySelector("h3")!.scrollWidth > b.getBoundingClientRect().width + 0.5).length);
  expect(clipped).toBe(0);
  expect(await ann.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}, 60_000);
