// Duplicates and stacks in a real Chromium against a real server and worker, at the walk's desktop (1366×900) and
// phone (360×800) sizes: keep one of a group and undo it; a RAW+JPEG stack is one tile whose lightbox shows both;
// axe finds nothing serious on the duplicates page, light and dark.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { seriousA11yViolations, sidewaysOverflow, watchPageErrors } from "../../test/support/browser";
import { PHOTO_FIXTURES, startPhotosBox, waitFor, type PhotosBox } from "../../test/support/photos";

let box: PhotosBox;
const ids: Record<string, string> = {};

beforeAll(async () => {
  box = await startPhotosBox();
  const ada = await box.signIn("ada");
  const jolla = readFileSync(join(PHOTO_FIXTURES, "phone/jolla.jpg"));
  const arezzo = join(PHOTO_FIXTURES, "gps/DSCN0021.jpg");
  const scene = sharp(join(PHOTO_FIXTURES, "orientation/landscape_1.jpg"));
  const sensor = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#333" } })
    .tiff()
    .toBuffer();
  const files: [string, Buffer<ArrayBuffer>][] = [
    ["jolla.jpg", jolla],
    ["jolla (copy).jpg", jolla],
    ["DSCN0021.jpg", readFileSync(arezzo)],
    ["arezzo small.jpg", await sharp(arezzo).resize(320).jpeg({ quality: 60 }).withMetadata().toBuffer()],
    // A RAW and its JPEG: the same name, folder and time (from the name: neither carries EXIF).
    ["IMG_20210704_153012.jpg", await scene.clone().resize(1200).jpeg().toBuffer()],
    ["IMG_20210704_153012.NEF", Buffer.concat([sensor, await scene.clone().resize(1200).jpeg().toBuffer()])],
  ];
  for (const [name, bytes] of files) ids[name] = (await box.upload(ada, name, bytes)).item.id;
  await box.processed(5);
  await box.idle();
  await ada.context.close();
}, 180_000);

afterAll(() => box?.stop());

const live = (id: string) => box.db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM files WHERE id = ? AND trashed_at IS NULL").get(id)!.n === 1;

for (const [label, viewport] of [
  ["1366×900", { width: 1366, height: 900 }],
  ["360×800", { width: 360, height: 800 }],
] as const)
  test(`duplicates: side by side, keep one moves the others to the trash, Undo brings them back; axe light and dark (${label})`, async () => {
    const { page, context } = await box.signIn("ada", { viewport });
    const errors = watchPageErrors(page);
    await page.goto("/photos/duplicates");
    const groups = page.locator(".dups-group:visible");
    await groups.first().waitFor();
    expect(await groups.count()).toBe(2);
    const exact = page.locator(".dups-group", { hasText: "The same file 2 times" });
    expect(await exact.locator(".dups-file").count()).toBe(2);
    expect(await exact.textContent()).toContain("3264 × 2448");
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await seriousA11yViolations(page)).toEqual([]);
    }
    expect(await sidewaysOverflow(page)).toBe(0);
    // Both files' side by side: on a phone too, the two cards share a row.
    const boxes = await exact.locator(".dups-file").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    expect(boxes[0]).toBe(boxes[1]);

    const keep = exact.locator("button[data-keep]").first();
    const kept = (await keep.getAttribute("data-keep"))!;
    const other = [ids["jolla.jpg"]!, ids["jolla (copy).jpg"]!].find((id) => id !== kept)!;
    await keep.click();
    const undo = page.locator(".toast", { hasText: "Kept one; 1 moved to the trash." }).locator("button", { hasText: "Undo" });
    await undo.waitFor();
    await exact.waitFor({ state: "hidden" });
    await waitFor("the copy in the trash", () => !live(other), 10_000);
    expect(live(kept)).toBe(true);
    await undo.click();
    await exact.waitFor({ state: "visible" });
    await waitFor("the copy back", () => live(other), 10_000);
    await page.reload();
    expect(await page.locator(".dups-group").count()).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

for (const [label, viewport] of [
  ["1366×900", { width: 1366, height: 900 }],
  ["360×800", { width: 360, height: 800 }],
] as const)
  test(`a RAW+JPEG stack is one tile with a count; its lightbox shows both members (${label})`, async () => {
    const { page, context } = await box.signIn("ada", { viewport });
    const errors = watchPageErrors(page);
    await page.goto("/photos");
    const tile = page.locator(`#photos-grid .photos-tile[data-id="${ids["IMG_20210704_153012.jpg"]}"]`);
    await tile.scrollIntoViewIfNeeded();
    await tile.waitFor();
    expect(await tile.locator(".photos-stack").textContent()).toBe("2");
    expect(await page.locator(`#photos-grid .photos-tile[data-id="${ids["IMG_20210704_153012.NEF"]}"]`).count()).toBe(0);
    await tile.click();
    const strip = page.locator(".photos-stack-strip");
    await strip.waitFor();
    const members = strip.locator("button");
    expect(await members.count()).toBe(2);
    expect(await members.nth(0).getAttribute("aria-pressed")).toBe("true");
    await members.nth(1).click();
    expect(await members.nth(1).getAttribute("aria-pressed")).toBe("true");
    // The slide now shows the RAW (its preview), and the info panel speaks of it.
    await page.waitForFunction(
      (id) => [...document.querySelectorAll(".pswp__item img")].some((img) => (img as HTMLImageElement).src.includes(id)),
      ids["IMG_20210704_153012.NEF"]!,
    );
    await page.keyboard.press("i");
    await page.locator("#photos-info-panel", { hasText: "IMG_20210704_153012.NEF" }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
