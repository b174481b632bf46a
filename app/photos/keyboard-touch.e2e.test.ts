// Photos by keyboard alone at the walk's desktop size (1366×900) and by finger on a 360×800 touch phone, in a real
// Chromium against a real server and worker. Keyboard: a skip link into the grid, the grid one Tab stop with arrows
// between tiles, Space selects, the selection bar a Tab away, a visible focus, Enter opens, i and the arrows in the
// lightbox, Delete with Undo, the focus back on the grid. Phone: a long press selects instead of opening, a drag
// selects a run, taps add, and the selection bar is one row of actions along the bottom.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { seriousA11yViolations, watchPageErrors } from "../../test/support/browser";
import { startPhotosBox, type PhotosBox, type SignedIn } from "../../test/support/photos";

// Twelve photos on twelve days of March to May 2019, newest first: IMG_0 is the newest.
const SHOTS = Array.from({ length: 12 }, (_, i) => `2019:0${5 - Math.floor(i / 4)}:${String(28 - (i % 4) * 5).padStart(2, "0")} 12:00:00`);

let box: PhotosBox;
let ann: SignedIn;
const ids: string[] = [];

const photo = (i: number) =>
  sharp({ create: { width: 400, height: 300, channels: 3, background: { r: (i * 53) % 256, g: (i * 29) % 256, b: 90 } } })
    .jpeg()
    .withExif({ IFD2: { DateTimeOriginal: SHOTS[i]! } })
    .toBuffer();

beforeAll(async () => {
  box = await startPhotosBox();
  ann = await box.signIn("ann");
  for (let i = 0; i < SHOTS.length; i++) ids.push((await box.upload(ann, `IMG_${i}.jpg`, await photo(i))).item.id);
  await box.processed(SHOTS.length);
}, 180_000);

afterAll(() => box?.stop());

const focusedId = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id ?? null);
const focusedIn = (page: Page, selector: string) => page.evaluate((s) => !!document.activeElement?.closest(s), selector);

test("by keyboard: skip link, one Tab stop with arrows, Space, the selection bar, Enter, i, Delete with Undo (1366×900)", async () => {
  const { page } = ann;
  const errors = watchPageErrors(page);
  await page.goto("/photos");
  await page
    .locator("#photos-grid .photos-tile")
    .nth(SHOTS.length - 1)
    .waitFor();
  // From the top of the page, a few Tabs reach "Skip to the photos"; Enter lands on the first tile.
  for (let i = 0; i < 30 && !(await focusedIn(page, "#photos-skip")); i++) await page.keyboard.press("Tab");
  expect(await focusedIn(page, "#photos-skip")).toBe(true);
  await page.keyboard.press("Enter");
  expect(await focusedId(page)).toBe(ids[0]!);
  // The focus shows.
  const outline = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement!);
    return { style: s.outlineStyle, width: Number.parseFloat(s.outlineWidth) };
  });
  expect(outline.style).not.toBe("none");
  expect(outline.width).toBeGreaterThanOrEqual(2);
  // Arrows: right to the next photo, down to a tile in a lower row, left back along the order.
  await page.keyboard.press("ArrowRight");
  expect(await focusedId(page)).toBe(ids[1]!);
  const top = async () => page.evaluate(() => document.activeElement!.getBoundingClientRect().top);
  const rowOne = await top();
  await page.keyboard.press("ArrowDown");
  expect(await top()).toBeGreaterThan(rowOne);
  const below = (await focusedId(page))!;
  await page.keyboard.press("ArrowLeft");
  expect(ids.indexOf((await focusedId(page))!)).toBe(ids.indexOf(below) - 1);
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  expect(await focusedId(page)).toBe(ids[0]!);

  // Space selects; the grid is one Tab stop: Tab leaves it, Shift+Tab comes back to it, once more reaches the bar.
  await page.keyboard.press(" ");
  expect(await page.locator("#photos-selection-count").textContent()).toBe("1 selected");
  await page.keyboard.press("Tab");
  expect(await focusedIn(page, "#photos-grid")).toBe(false);
  await page.keyboard.press("Shift+Tab");
  expect(await focusedId(page)).toBe(ids[0]!);
  await page.keyboard.press("Shift+Tab");
  expect(await focusedIn(page, "#photos-selection")).toBe(true);
  expect(await page.locator("#photos-selection").getAttribute("role")).toBe("region");
  await page.keyboard.press("Tab");
  expect(await focusedId(page)).toBe(ids[0]!);
  await page.keyboard.press("Escape");
  expect(await page.locator("#photos-selection").isHidden()).toBe(true);

  // Enter opens the lightbox; i shows the info; → moves on; Delete trashes with Undo and the focus is on the grid.
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  await page.locator(".pswp.photos-opened").waitFor();
  await page.keyboard.press("i");
  await page.locator(".photos-info h2", { hasText: "IMG_1.jpg" }).waitFor();
  await page.keyboard.press("ArrowRight");
  await page.locator(".photos-info h2", { hasText: "IMG_2.jpg" }).waitFor();
  await page.keyboard.press("Delete");
  await page.locator(".pswp").waitFor({ state: "detached" });
  const undo = page.locator(".toast", { hasText: "1 moved to the trash." }).locator("button", { hasText: "Undo" });
  await undo.waitFor();
  await page.waitForFunction((id) => !document.querySelector(`#photos-grid .photos-tile[data-id="${id}"]`), ids[2]!);
  // The focus is on the photo that took its place in the grid, not lost to the page.
  await page.waitForFunction((id) => (document.activeElement as HTMLElement | null)?.dataset.id === id, ids[3]!);
  await undo.click();
  await page.locator(`#photos-grid .photos-tile[data-id="${ids[2]}"]`).waitFor();
  // Escape closes the lightbox onto the tile of the photo it showed.
  await page.locator(`#photos-grid .photos-tile[data-id="${ids[5]}"]`).focus();
  await page.keyboard.press("Enter");
  await page.locator(".pswp.photos-opened").waitFor();
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.querySelector(".pswp__counter")?.textContent?.startsWith("7 / "));
  await page.keyboard.press("Escape");
  await page.locator(".pswp").waitFor({ state: "detached" });
  await page.waitForFunction((id) => (document.activeElement as HTMLElement | null)?.dataset.id === id, ids[6]!);
  expect(errors).toEqual([]);
}, 90_000);

/** A finger on the screen through the DevTools protocol: down, (after the selection shows) moved, up. */
async function longPress(page: Page, from: { x: number; y: number }, to?: { x: number; y: number }) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [from] });
  // Held until the page shows a selection (the press is long when it does), at most five seconds.
  await page.locator("#photos-selection").waitFor({ state: "visible", timeout: 5000 });
  let at = from;
  if (to) {
    for (let k = 1; k <= 5; k++) {
      at = { x: from.x + ((to.x - from.x) * k) / 5, y: from.y + ((to.y - from.y) * k) / 5 };
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [at] });
    }
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
}

test("on a 360×800 touch phone: a long press selects (no lightbox), a drag selects a run, taps add; a bottom action bar", async () => {
  const phone = await box.signIn("ann", { viewport: { width: 360, height: 800 }, touch: true });
  const { page } = phone;
  const errors = watchPageErrors(page);
  await page.goto("/photos");
  const tile = (i: number) => page.locator(`#photos-grid .photos-tile[data-id="${ids[i]}"]`);
  await tile(3).waitFor();
  const centre = async (i: number) => {
    const b = (await tile(i).boundingBox())!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  };
  // Long press on the newest, then the finger moves to the third: the three are selected.
  await longPress(page, await centre(0), await centre(2));
  expect(await page.locator("#photos-selection-count").textContent()).toBe("3 selected");
  expect(await page.locator(".pswp").count()).toBe(0);
  for (const i of [0, 1, 2]) expect(await tile(i).getAttribute("class")).toContain("selected");
  // A tap adds one more; still no lightbox.
  const fourth = await centre(3);
  await page.touchscreen.tap(fourth.x, fourth.y);
  await page.waitForFunction(() => document.querySelector("#photos-selection-count")?.textContent === "4 selected");
  expect(await page.locator(".pswp").count()).toBe(0);

  // The selection bar: one row across the bottom of the screen, over the navigation, not a stack over the grid.
  const bar = (await page.locator("#photos-selection").boundingBox())!;
  expect(bar.x).toBe(0);
  expect(bar.width).toBe(360);
  expect(bar.y + bar.height).toBeCloseTo(800, 0);
  expect(bar.height).toBeLessThanOrEqual(72);
  const rows = await page
    .locator("#photos-selection button")
    .evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom })));
  // One row: every button beside the others, none above or below another.
  for (const r of rows) expect(r.top).toBeLessThan(rows[0]!.bottom);
  const navCovered = await page.evaluate(() => !!document.elementFromPoint(180, 780)?.closest("#photos-selection"));
  expect(navCovered).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  expect(await seriousA11yViolations(page)).toEqual([]);
  // Clear, then a tap opens the lightbox as before.
  await page.locator("#photos-selection button[data-act='clear']").click();
  const first = await centre(0);
  await page.touchscreen.tap(first.x, first.y);
  await page.locator(".pswp.photos-opened").waitFor();
  expect(errors).toEqual([]);
  await phone.context.close();
}, 60_000);
