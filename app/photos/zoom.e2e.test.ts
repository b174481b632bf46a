// Zooming in the lightbox shows a photo's real pixels, in a real Chromium against a real server and worker: a JPEG's
// original, and for a TIFF (which browsers cannot show) the full-resolution rendition the server makes on the first
// zoom (/media/full, app/media/full.ts), never the 1440-px preview enlarged.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { watchPageErrors } from "../../test/support/browser";
import { PHOTO_FIXTURES, startPhotosBox, type PhotosBox, type SignedIn } from "../../test/support/photos";

let box: PhotosBox;
let ann: SignedIn;
const ids: Record<"jpeg" | "tiff", string> = { jpeg: "", tiff: "" };

beforeAll(async () => {
  box = await startPhotosBox();
  ann = await box.signIn("ann");
  // 2400 × 1600 (past the 1440-px preview), from two real photos of the fixtures.
  const big = (file: string) => sharp(join(PHOTO_FIXTURES, file)).resize(2400, 1600, { fit: "fill" });
  ids.jpeg = (await box.upload(ann, "street.jpg", await big("gps/DSCN0010.jpg").jpeg().toBuffer())).item.id;
  ids.tiff = (await box.upload(ann, "scan.tiff", await big("gps/DSCN0027.jpg").tiff().toBuffer())).item.id;
  await box.processed(2, 170_000);
}, 240_000);

afterAll(() => box?.stop());

/** Opens `id` in the lightbox, zooms in, and answers the pixels the zoomed slide's image really has and where from. */
async function zoomInto(page: Page, id: string) {
  await page.goto("/photos");
  await page.locator(`#photos-grid .photos-tile[data-id="${id}"] img`).click();
  await page.locator(".pswp.photos-opened").waitFor();
  const image = page.locator(".pswp__item[aria-hidden='false'] img.pswp__img").last();
  await image.waitFor();
  const before = await image.evaluate((img: HTMLImageElement) => img.currentSrc);
  await page.locator(".pswp__button--zoom").click();
  // The browser picks the srcset's large candidate once PhotoSwipe widens `sizes`; the rendition may take a while to make.
  await page.waitForFunction(
    () => {
      const img = [...document.querySelectorAll<HTMLImageElement>(".pswp__item[aria-hidden='false'] img.pswp__img")].at(-1);
      return img?.complete === true && img.currentSrc !== "" && !img.currentSrc.includes("/media/preview/");
    },
    undefined,
    { timeout: 90_000 },
  );
  // naturalWidth is scaled by the srcset's density: the pixels are counted from the bytes the browser got.
  const after = await image.evaluate(async (img: HTMLImageElement) => {
    const bitmap = await createImageBitmap(await (await fetch(img.currentSrc)).blob());
    return { src: img.currentSrc, width: bitmap.width, height: bitmap.height };
  });
  await page.keyboard.press("Escape");
  return { before, after };
}

test("zooming a JPEG loads its original; zooming a TIFF loads the full-resolution rendition, not the preview", async () => {
  const { page } = ann;
  const errors = watchPageErrors(page);
  const jpeg = await zoomInto(page, ids.jpeg);
  expect(jpeg.before).toContain("/media/preview/");
  expect(jpeg.after).toMatchObject({ width: 2400, height: 1600 });
  expect(jpeg.after.src).toContain(`/api/v1/files/${ids.jpeg}/content?inline=1`);
  const tiff = await zoomInto(page, ids.tiff);
  expect(tiff.before).toContain("/media/preview/");
  expect(tiff.after).toMatchObject({ width: 2400, height: 1600 });
  expect(tiff.after.src).toContain(`/media/full/${ids.tiff}`);
  expect(errors).toEqual([]);
}, 180_000);
