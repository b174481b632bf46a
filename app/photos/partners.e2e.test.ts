// Partner sharing in a real Chromium against a real server and worker. ann, on a 1366×900 desktop, shares her library
// with bob; on his 360×800 phone bob finds it under Photos → Partner sharing, chooses to see it in his timeline, where
// her photos carry her name on the tile and in the info panel, read only; ann stops sharing and they are gone at
// bob's next request. axe finds nothing serious on the new pages, light, dark and on the phone.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { seriousA11yViolations, sidewaysOverflow, watchPageErrors } from "../../test/support/browser";
import { PHOTO_FIXTURES, startPhotosBox, type PhotosBox, type SignedIn } from "../../test/support/photos";

let box: PhotosBox;
let ann: SignedIn;
let bob: SignedIn;
/** bob again, at his desk (1366×900). */
let bobDesk: SignedIn;
let errors: string[];
// Screenshots to look at (NAS_SCREENSHOTS=dir), none otherwise.
const shots = process.env.NAS_SCREENSHOTS;
const shot = async (who: SignedIn, name: string) => {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await who.page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
};

beforeAll(async () => {
  box = await startPhotosBox();
  ann = await box.signIn("ann", { viewport: { width: 1366, height: 900 } });
  bob = await box.signIn("bob", { viewport: { width: 360, height: 800 }, touch: true });
  bobDesk = await box.signIn("bob", { viewport: { width: 1366, height: 900 } });
  errors = [...watchPageErrors(ann.page), ...watchPageErrors(bob.page), ...watchPageErrors(bobDesk.page)];
  // ann: Arezzo (October 2008) and a Canon photo (May 2008); bob: his own phone photo.
  for (const f of ["gps/DSCN0021.jpg", "cameras/Canon_40D.jpg"]) await box.upload(ann, f.split("/").at(-1)!, readFileSync(join(PHOTO_FIXTURES, f)));
  await box.upload(bob, "jolla.jpg", readFileSync(join(PHOTO_FIXTURES, "phone/jolla.jpg")));
  await box.processed(3);
  await box.idle();
}, 180_000);

afterAll(async () => {
  await box?.stop();
});

test("ann (1366×900) shares her library with bob from Photos → Partner sharing", async () => {
  const { page } = ann;
  await page.goto("/photos");
  await page.getByRole("link", { name: "Partner sharing" }).click();
  await page.waitForURL("**/photos/partners");
  await page.getByLabel("Their user name").fill("bob");
  await page.getByRole("button", { name: "Share", exact: true }).click();
  await page.getByRole("button", { name: "Stop sharing with bob" }).waitFor();
  expect(await page.locator('[data-testid="partners-given"] li').textContent()).toContain("Everything");
  expect(await sidewaysOverflow(page)).toBe(0);
  await shot(ann, "partners-desktop");
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await seriousA11yViolations(page)).toEqual([]);
  await shot(ann, "partners-desktop-dark");
  await page.emulateMedia({ colorScheme: "light" });
}, 60_000);

test("bob (360×800) sees ann's photos on her page, then in his timeline, each with her name, read only", async () => {
  const { page } = bob;
  await page.goto("/photos/partners");
  const link = page.getByRole("link", { name: "ann's photos" });
  await link.waitFor();
  expect(await sidewaysOverflow(page)).toBe(0);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "light" });
  await shot(bob, "partners-phone");
  // Her page: her two photos, named, never selectable.
  await link.click();
  const tiles = page.locator("#photos-grid .photos-tile");
  await tiles.nth(1).waitFor();
  expect(await tiles.count()).toBe(2);
  expect(await page.locator("#photos-grid .photos-tile .photos-owner").allTextContents()).toEqual(["ann", "ann"]);
  expect(await page.locator("#photos-grid img").evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src.replace(/[^/]+$/, "")))).toEqual([
    `${box.server.origin}/photos/partner/thumb/`,
    `${box.server.origin}/photos/partner/thumb/`,
  ]);
  await page.waitForFunction(() => [...document.querySelectorAll("#photos-grid img")].every((i) => (i as HTMLImageElement).naturalWidth > 0));
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "light" });
  await shot(bob, "partner-page-phone");

  // His timeline holds his own photo only until he chooses hers too.
  await page.goto("/photos");
  await tiles.first().waitFor();
  expect(await page.locator("#photos-grid .photos-owner").count()).toBe(0);
  expect(await tiles.count()).toBe(1);
  await page.goto("/photos/partners");
  await page.getByRole("button", { name: "Show in your timeline" }).click();
  await page.getByRole("button", { name: "Remove from your timeline" }).waitFor();
  await page.goto("/photos");
  await page.locator("#photos-grid .photos-owner").nth(1).waitFor();
  expect(await tiles.count()).toBe(3);
  await shot(bob, "timeline-with-partner-phone");

  // The lightbox: her name in the info panel, none of the owner's actions.
  await page.locator("#photos-grid .photos-tile[data-owner]").first().click();
  await page.locator(".pswp.photos-partner-slide").waitFor();
  for (const action of ["favourite", "download", "share", "archive", "delete"]) expect(await page.locator(`.pswp__button--${action}`).isVisible()).toBe(false);
  await page.locator(".pswp__button--info").click();
  await page.locator(".photos-info-panel .info-owner").waitFor();
  expect(await page.locator(".photos-info-panel .info-owner").textContent()).toBe("ann");
  expect(await page.locator(".photos-info-panel").textContent()).not.toContain("Download original");
  await shot(bob, "lightbox-partner-phone");
  await page.keyboard.press("Escape");

  // At his desk: the same timeline, her name on her tiles, axe light and dark.
  await bobDesk.page.goto("/photos");
  await bobDesk.page.locator("#photos-grid .photos-owner").nth(1).waitFor();
  expect(await bobDesk.page.locator("#photos-grid .photos-tile").count()).toBe(3);
  expect(await bobDesk.page.locator("#photos-grid .photos-tile[data-owner] .photos-owner").allTextContents()).toEqual(["ann", "ann"]);
  expect(await seriousA11yViolations(bobDesk.page)).toEqual([]);
  await bobDesk.page.emulateMedia({ colorScheme: "dark" });
  expect(await seriousA11yViolations(bobDesk.page)).toEqual([]);
  await shot(bobDesk, "timeline-with-partner-desktop-dark");
}, 90_000);

test("ann stops sharing: at bob's next request her photos are gone from his timeline and her page", async () => {
  await ann.page.getByRole("button", { name: "Stop sharing with bob" }).click();
  await ann.page.getByText("Share your library with a partner").waitFor();
  expect(await ann.page.getByRole("button", { name: "Stop sharing with bob" }).count()).toBe(0);
  const { page } = bob;
  await page.goto("/photos");
  await page.locator("#photos-grid .photos-tile").first().waitFor();
  expect(await page.locator("#photos-grid .photos-tile").count()).toBe(1);
  expect(await page.locator("#photos-grid .photos-owner").count()).toBe(0);
  await bobDesk.page.goto("/photos");
  await bobDesk.page.locator("#photos-grid .photos-tile").first().waitFor();
  expect(await bobDesk.page.locator("#photos-grid .photos-tile").count()).toBe(1);
  const partnerPage = await page.goto(`/photos/partners/${ann.user.id}`);
  expect(partnerPage?.status()).toBe(404);
  await page.goto("/photos/partners");
  expect(await page.getByText("Nobody shares their photos with you yet.").isVisible()).toBe(true);
  expect(errors.filter((e) => !e.includes("404"))).toEqual([]);
}, 60_000);
