// The timeline's scrubber in a real Chromium against a real server and worker, at the walk's desktop size
// (1366×900), over twenty years: a click lands exactly on the month (its heading at the top, its first row on
// screen) although the months around it render after the jump; year labels never overlap; a marker shows where the
// window is and a bubble names the month under the pointer.
import { afterAll, beforeAll, expect, test } from "bun:test";
import sharp from "sharp";
import { watchPageErrors } from "../../test/support/browser";
import { startPhotosBox, type PhotosBox, type SignedIn } from "../../test/support/photos";

const pad = (n: number) => String(n).padStart(2, "0");
// Busy months at the end of 2018 (a photo or three on many days), a few in 2016 and 2017, one a year 1998–2015.
const SHOTS = [
  ...Array.from({ length: 28 }, (_, d) => Array.from({ length: 1 + (d % 3) }, (_, k) => `2018:12:${pad(d + 1)} 1${k}:00:00`)).flat(),
  ...Array.from({ length: 25 }, (_, d) => Array.from({ length: 1 + (d % 2) }, (_, k) => `2018:11:${pad(d + 1)} 1${k}:00:00`)).flat(),
  ...Array.from({ length: 6 }, (_, d) => `2018:10:${pad(d * 4 + 2)} 12:00:00`),
  ...Array.from({ length: 12 }, (_, d) => `2017:0${(d % 9) + 1}:${pad(d + 1)} 12:00:00`),
  ...Array.from({ length: 14 }, (_, d) => `2016:11:${pad(d + 1)} 12:00:00`),
  ...Array.from({ length: 3 }, (_, d) => `2016:08:${pad(d + 10)} 12:00:00`),
  ...Array.from({ length: 18 }, (_, i) => `${1998 + i}:06:15 12:00:00`),
];

let box: PhotosBox;
let ann: SignedIn;

// November 2018's are panoramas: its rows are far taller than the estimate that sizes it before it renders.
const size = (when: string, i: number) => (when.startsWith("2018:11") ? [1600, 300] : i % 4 === 0 ? [300, 400] : [400, 300]);
const photo = (when: string, i: number) =>
  sharp({ create: { width: size(when, i)[0]!, height: size(when, i)[1]!, channels: 3, background: { r: (i * 53) % 256, g: (i * 29) % 256, b: 140 } } })
    .jpeg()
    .withExif({ IFD2: { DateTimeOriginal: when } })
    .toBuffer();

beforeAll(async () => {
  box = await startPhotosBox();
  ann = await box.signIn("ann");
  for (const [i, when] of SHOTS.entries()) await box.upload(ann, `IMG_${i}.jpg`, await photo(when, i));
  await box.processed(SHOTS.length, 170_000);
}, 240_000);

afterAll(() => box?.stop());

/** Until every month near the window has rendered and the page stops moving (polled, not timed). */
async function settled() {
  let last = "";
  for (let same = 0; same < 5; ) {
    await Bun.sleep(100);
    const now = await ann.page.evaluate(() => `${window.scrollY}:${document.documentElement.scrollHeight}`);
    same = now === last ? same + 1 : 0;
    last = now;
  }
}

for (const [key, label] of [
  ["2018-10", "October 2018"],
  ["2016-08", "August 2016"],
] as const)
  test(`a click on ${label} in the scrubber lands on ${label}'s first row (1366×900)`, async () => {
    const errors = watchPageErrors(ann.page);
    await ann.page.goto("/photos");
    await ann.page.locator("#photos-grid .photos-tile").first().waitFor();
    await ann.page.locator(`.photos-scrub[data-key='${key}']`).click();
    await ann.page.locator(`#m-${key} .photos-tile`).first().waitFor();
    await settled();
    const heading = await ann.page.locator(`#m-${key} h2`).evaluate((h) => h.getBoundingClientRect().top);
    expect(heading).toBeGreaterThanOrEqual(0);
    expect(heading).toBeLessThan(60);
    // The first day of the month (its newest) is the first thing under the heading, on screen.
    const firstTile = await ann.page
      .locator(`#m-${key} .photos-tile`)
      .first()
      .evaluate((t) => t.getBoundingClientRect().top);
    expect(firstTile).toBeLessThan(900);
    // The month at the top of the window is the one asked for.
    const top = await ann.page.evaluate(() => (document.elementFromPoint(400, 40)?.closest(".photos-month") as HTMLElement | null)?.dataset.key);
    expect(top).toBe(key);
    expect(errors).toEqual([]);
  }, 60_000);

test("year labels never overlap; a marker shows the window's place, a bubble names the month under the pointer (1366×900)", async () => {
  await ann.page.goto("/photos");
  await ann.page.locator("#photos-grid .photos-tile").first().waitFor();
  const labels = await ann.page.locator(".photos-scrub-year").evaluateAll((ls) =>
    ls
      .map((l) => ({ text: l.textContent, box: l.getBoundingClientRect() }))
      .filter((l) => l.box.height > 0)
      .map((l) => ({ text: l.text, top: l.box.top, bottom: l.box.bottom })),
  );
  expect(labels[0]!.text).toBe("2018");
  expect(labels.length).toBeGreaterThanOrEqual(3);
  for (let i = 1; i < labels.length; i++) expect(labels[i]!.top).toBeGreaterThanOrEqual(labels[i - 1]!.bottom);
  // Every year is still reachable by its month links, named for screen readers.
  expect(await ann.page.locator(".photos-scrub[data-year='1998']").getAttribute("aria-label")).toBe("June 1998");

  // The marker: at the top while at the top, inside November 2018's stretch after a jump there.
  const marker = ann.page.locator(".photos-scrub-marker");
  await marker.waitFor();
  const stretch = async (key: string) => (await ann.page.locator(`.photos-scrub[data-key='${key}']`).boundingBox())!;
  const at = async () => (await marker.boundingBox())!.y;
  expect(Math.abs((await at()) - (await stretch("2018-12")).y)).toBeLessThan(3);
  await ann.page.locator(".photos-scrub[data-key='2018-11']").click();
  await ann.page.locator("#m-2018-11 .photos-tile").first().waitFor();
  await settled();
  const nov = await stretch("2018-11");
  expect(await at()).toBeGreaterThanOrEqual(nov.y - 1);
  expect(await at()).toBeLessThanOrEqual(nov.y + nov.height + 1);

  // The bubble follows the pointer over the scrubber and says which month is there.
  const oct = await stretch("2018-10");
  await ann.page.mouse.move(oct.x + oct.width / 2, oct.y + oct.height / 2);
  const bubble = ann.page.locator(".photos-scrub-bubble");
  await bubble.waitFor({ state: "visible" });
  expect(await bubble.textContent()).toBe("October 2018");
  const b = (await bubble.boundingBox())!;
  expect(Math.abs(b.y + b.height / 2 - (oct.y + oct.height / 2))).toBeLessThan(3);
  expect(b.x + b.width).toBeLessThanOrEqual(oct.x);
  await ann.page.mouse.move(200, 400);
  await bubble.waitFor({ state: "hidden" });
}, 60_000);
