// The edit mode in a real Chromium against a real server and worker (the pipeline and the edit job): at the desktop
// size (1366×900) and on a 360×800 phone, open a photo, Edit, turn it, pick a ratio, drag the crop's corner, move a
// slider with the keyboard, Save — the grid's tile becomes the edited picture once the job rendered it — and Revert
// brings the original's tile back. Escape cancels without saving; axe finds nothing serious in the edit mode, light and dark, desktop and phone.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { seriousA11yViolations, sidewaysOverflow, watchPageErrors } from "../../../test/support/browser";
import { startPhotosBox, type PhotosBox, type SignedIn } from "../../../test/support/photos";
import { colourMatrix } from "./params";

let box: PhotosBox;
let ann: SignedIn;
let id = "";

/** 400 × 300: red on the left half, blue on the right, so a crop and a turn show in the thumbnail's colours. */
const photo = () =>
  sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 220, g: 30, b: 30 } } })
    .composite([{ input: { create: { width: 200, height: 300, channels: 3, background: { r: 30, g: 30, b: 220 } } }, left: 200, top: 0 }])
    .jpeg()
    .withExif({ IFD2: { DateTimeOriginal: "2021:06:05 12:00:00" } })
    .toBuffer();

beforeAll(async () => {
  box = await startPhotosBox();
  ann = await box.signIn("ann");
  id = (await box.upload(ann, "two-colours.jpg", await photo())).item.id;
  await box.processed(1);
}, 120_000);
afterAll(() => box?.stop());

const tile = (page: Page) => page.locator(`#photos-grid .photos-tile[data-id="${id}"] img`);
/** The tile's picture once loaded: its address and natural size. */
const tileImage = (page: Page) =>
  tile(page).evaluate((img: HTMLImageElement) => ({ src: img.getAttribute("src") ?? "", w: img.naturalWidth, h: img.naturalHeight, done: img.complete }));

async function openEditor(page: Page) {
  await tile(page).click();
  await page.locator(".pswp.photos-opened").waitFor();
  await page.locator(".pswp__button--edit").click();
  await page.locator("dialog.photos-editor[open] .photos-editor-crop").waitFor();
}

/** Waits for the grid's tile to show the edit's thumbnail (an address with `?e=`) or the original's. */
async function tileBecomes(page: Page, edited: boolean) {
  await page.waitForFunction(
    ([id, edited]) => {
      const img = document.querySelector(`#photos-grid .photos-tile[data-id="${id}"] img`) as HTMLImageElement | null;
      return !!img && img.complete && img.naturalWidth > 0 && (img.getAttribute("src") ?? "").includes("?e=") === edited;
    },
    [id, edited] as const,
    { timeout: 60_000 },
  );
  return tileImage(page);
}

test("edit at 1366×900: turn, 1:1, drag the corner, brighten by keyboard, save → the tile changes; revert → the original's tile", async () => {
  const { page } = ann;
  const errors = watchPageErrors(page);
  await page.goto("/photos");
  const before = await tileBecomes(page, false);
  expect(before.w / before.h).toBeCloseTo(4 / 3, 1);

  await openEditor(page);
  // Escape cancels: the dialog goes, the lightbox stays, nothing is saved.
  await page.keyboard.press("Escape");
  await page.locator("dialog.photos-editor").waitFor({ state: "detached" });
  expect(await page.locator(".pswp.photos-opened").count()).toBe(1);
  // The keyboard opens it too.
  await page.keyboard.press("e");
  await page.locator("dialog.photos-editor[open] .photos-editor-crop").waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "light" });

  await page.getByRole("button", { name: "Rotate 90° clockwise" }).click();
  await page.getByRole("button", { name: "1:1" }).click();
  const crop = page.locator(".photos-editor-crop");
  let c = (await crop.boundingBox())!;
  expect(Math.abs(c.width - c.height)).toBeLessThan(2);
  // Drag the bottom-right corner up and left with the pointer: the box shrinks and stays square.
  const se = (await page.locator(".photos-editor-handle-se").boundingBox())!;
  await page.mouse.move(se.x + se.width / 2, se.y + se.height / 2);
  await page.mouse.down();
  await page.mouse.move(se.x - 80, se.y - 80, { steps: 5 });
  await page.mouse.up();
  const shrunk = (await crop.boundingBox())!;
  expect(shrunk.width).toBeLessThan(c.width - 40);
  expect(Math.abs(shrunk.width - shrunk.height)).toBeLessThan(2);
  c = shrunk;
  // The crop box moves with the arrow keys.
  await crop.focus();
  await page.keyboard.press("ArrowRight");
  expect((await crop.boundingBox())!.x).toBeGreaterThan(c.x);
  // A slider by the keyboard.
  const brightness = page.getByRole("slider", { name: "Brightness" });
  await brightness.focus();
  for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowRight");
  expect(await brightness.inputValue()).toBe("10");
  // The preview's colour matrix (edit.js draws it with its own copy of the formula) is the one the server renders with.
  const nudge = async (name: string, key: string, n: number) => {
    await page.getByRole("slider", { name }).focus();
    for (let i = 0; i < n; i++) await page.keyboard.press(key);
  };
  await nudge("Contrast", "ArrowRight", 5);
  await nudge("Saturation", "ArrowLeft", 20);
  await nudge("Warmth", "ArrowRight", 15);
  const { m, offset: o } = colourMatrix({ brightness: 10, contrast: 5, saturation: -20, warmth: 15 });
  const server = [m[0], m[1], m[2], 0, o[0], m[3], m[4], m[5], 0, o[1], m[6], m[7], m[8], 0, o[2], 0, 0, 0, 1, 0];
  const preview = ((await page.locator("dialog.photos-editor feColorMatrix").getAttribute("values")) ?? "").split(" ").map(Number);
  expect(preview).toHaveLength(20);
  preview.forEach((v, i) => expect([i, v]).toEqual([i, expect.closeTo(server[i]!, 3)]));

  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("dialog.photos-editor").waitFor({ state: "detached" });
  await page.keyboard.press("Escape");
  const after = await tileBecomes(page, true);
  // Square now (250 × 250), and its own address.
  expect(after.w).toBe(after.h);
  expect(after.src).toContain("?e=1");
  const saved = box.db.query("SELECT params, rendered_revision FROM photo_edits").get() as { params: string; rendered_revision: number };
  expect(JSON.parse(saved.params)).toMatchObject({ rotate: 90, ratio: "1:1", brightness: 10, contrast: 5, saturation: -20, warmth: 15 });
  expect(saved.rendered_revision).toBe(1);

  await openEditor(page);
  // The saved edit comes back into the edit mode.
  expect(await page.getByRole("slider", { name: "Brightness" }).inputValue()).toBe("10");
  expect(await page.getByRole("button", { name: "1:1" }).getAttribute("aria-pressed")).toBe("true");
  await page.getByRole("button", { name: "Revert to original" }).click();
  await page.locator("dialog.photos-editor").waitFor({ state: "detached" });
  await page.keyboard.press("Escape");
  const reverted = await tileBecomes(page, false);
  expect(reverted.w / reverted.h).toBeCloseTo(4 / 3, 1);
  expect(box.db.query("SELECT count(*) AS n FROM photo_edits").get()).toEqual({ n: 0 });
  expect(errors).toEqual([]);
}, 120_000);

test("edit on a 360×800 phone: the edit mode fits, a 16:9 crop by touch-sized handles, save → the tile changes, revert", async () => {
  const phone = await box.signIn("ann", { viewport: { width: 360, height: 800 }, touch: true });
  const { page } = phone;
  const errors = watchPageErrors(page);
  await page.goto("/photos");
  await tileBecomes(page, false);
  await openEditor(page);
  expect(await sidewaysOverflow(page)).toBe(0);
  // Save, the ratio chips and a slider are on screen without scrolling the page.
  for (const name of ["Save", "Cancel", "16:9"]) {
    const b = (await page.getByRole("button", { name, exact: true }).boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width).toBeLessThanOrEqual(360);
    expect(b.y + b.height).toBeLessThanOrEqual(800);
  }
  const handle = (await page.locator(".photos-editor-handle-se").boundingBox())!;
  expect(handle.width).toBeGreaterThanOrEqual(24);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "light" });
  await page.getByRole("button", { name: "16:9" }).tap();
  const crop = (await page.locator(".photos-editor-crop").boundingBox())!;
  expect(crop.width / crop.height).toBeCloseTo(16 / 9, 1);
  await page.getByRole("button", { name: "Save" }).tap();
  await page.locator("dialog.photos-editor").waitFor({ state: "detached" });
  await page.keyboard.press("Escape");
  const after = await tileBecomes(page, true);
  expect(after.w / after.h).toBeCloseTo(16 / 9, 1);
  await openEditor(page);
  await page.getByRole("button", { name: "Revert to original" }).tap();
  await page.locator("dialog.photos-editor").waitFor({ state: "detached" });
  await page.keyboard.press("Escape");
  const reverted = await tileBecomes(page, false);
  expect(reverted.w / reverted.h).toBeCloseTo(4 / 3, 1);
  expect(errors).toEqual([]);
  await phone.context.close();
}, 120_000);
