// Undo in Photos in a real Chromium against a real server and worker, at the walk's desktop size (1366×900), light
// and dark: the trash toast's Undo is readable, archiving from the selection bar can be undone too, and the audit
// log names the photos each action was about, a link shared from Photos and the command line's import.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { watchPageErrors } from "../../test/support/browser";
import { contrast, PHOTO_FIXTURES, startPhotosBox, waitFor, type PhotosBox, type SignedIn } from "../../test/support/photos";

const PHOTOS = ["gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "cameras/Canon_40D.jpg"];

let box: PhotosBox;
let db: PhotosBox["db"];
let ada: SignedIn;

beforeAll(async () => {
  box = await startPhotosBox();
  db = box.db;
  ada = await box.signIn("ada");
  for (const f of PHOTOS) await box.upload(ada, f.split("/").at(-1)!, readFileSync(join(PHOTO_FIXTURES, f)));
  await box.processed(PHOTOS.length);
}, 180_000);

afterAll(() => box?.stop());

const select = async (n: number) => {
  const tile = ada.page.locator("#photos-grid .photos-tile").nth(n);
  await tile.hover();
  await tile.locator(".photos-check").click();
};
const shown = () => ada.page.locator("#photos-grid .photos-tile").count();

for (const scheme of ["light", "dark"] as const)
  test(`the trash toast's Undo is readable and undoes (${scheme}, 1366×900)`, async () => {
    await ada.page.emulateMedia({ colorScheme: scheme });
    await ada.page.goto("/photos");
    await ada.page
      .locator("#photos-grid .photos-tile")
      .nth(PHOTOS.length - 1)
      .waitFor();
    await select(0);
    await ada.page.locator("#photos-selection button[data-act='trash']").click();
    const undo = ada.page.locator(".toast", { hasText: "1 moved to the trash." }).locator("button", { hasText: "Undo" });
    await undo.waitFor();
    const look = await undo.evaluate((b) => {
      const toast = b.closest(".toast")!;
      return { color: getComputedStyle(b).color, background: getComputedStyle(toast).backgroundColor, buttonBackground: getComputedStyle(b).backgroundColor };
    });
    expect(look.buttonBackground).toBe("rgba(0, 0, 0, 0)");
    expect(contrast(look.color, look.background)).toBeGreaterThanOrEqual(4.5);
    await ada.page.waitForFunction((n) => document.querySelectorAll("#photos-grid .photos-tile").length === n, PHOTOS.length - 1);
    await undo.click();
    await ada.page.waitForFunction((n) => document.querySelectorAll("#photos-grid .photos-tile").length === n, PHOTOS.length);
    await ada.page.emulateMedia({ colorScheme: "light" });
  }, 60_000);

test("archiving a selection offers Undo, which brings the photos back (1366×900)", async () => {
  const errors = watchPageErrors(ada.page);
  await ada.page.goto("/photos");
  await ada.page
    .locator("#photos-grid .photos-tile")
    .nth(PHOTOS.length - 1)
    .waitFor();
  await select(0);
  await select(1);
  await ada.page.locator("#photos-selection button[data-act='archive']").click();
  const undo = ada.page.locator(".toast", { hasText: "2 archived." }).locator("button", { hasText: "Undo" });
  await undo.waitFor();
  await ada.page.waitForFunction((n) => document.querySelectorAll("#photos-grid .photos-tile").length === n, PHOTOS.length - 2);
  expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM photo_flags WHERE archived = 1").get()!.n).toBe(2);
  await undo.click();
  await ada.page.waitForFunction((n) => document.querySelectorAll("#photos-grid .photos-tile").length === n, PHOTOS.length);
  expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM photo_flags WHERE archived = 1").get()!.n).toBe(0);
  expect(await shown()).toBe(PHOTOS.length);
  expect(errors).toEqual([]);
}, 60_000);

test("the audit log names the photos a Photos action was about, the link shared from Photos and the command line's import (1366×900)", async () => {
  // A link made from the lightbox (Share → a link to this photo → the link form).
  await ada.page.goto("/photos");
  const tile = ada.page.locator("#photos-grid .photos-tile").first();
  await tile.locator("img").click();
  await ada.page.locator(".pswp.photos-opened").waitFor();
  await ada.page.locator(".pswp__button--share").click();
  await ada.page.locator("#photos-share-one").click();
  await ada.page.waitForURL("**/shared/new?fileId=*");
  const shared = (await ada.page.locator("h1").textContent())!.replace(/^Share “|”$/g, "");
  await ada.page.locator("#share-form button[type=submit]").click();
  await ada.page.waitForURL(/\/shared(\?|$)/);
  // The admin's command line imports a folder for ada.
  const folder = mkdtempSync(join(tmpdir(), "nas-import-"));
  writeFileSync(join(folder, "from the old laptop.jpg"), readFileSync(join(PHOTO_FIXTURES, "phone/jolla.jpg")));
  const cli = Bun.spawn(["bun", "app/cli.ts", "import", folder, "--user", "ada"], {
    cwd: join(import.meta.dir, "../.."),
    env: { ...process.env, DATA_DIR: box.server.dataDir },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await cli.exited).toBe(0);
  rmSync(folder, { recursive: true });

  const admin = await box.signIn("root", { role: "admin" });
  await admin.page.goto("/settings/audit");
  const log = (await admin.page.locator("main").textContent()) ?? "";
  expect(log).toContain(`made a share link to the file '${shared}'`);
  expect(log).toContain(`imported 1 file for ada from ${folder}`);
  expect(log).not.toContain("anonymous");
  expect(log).toMatch(/moved '(DSCN00\d\d|Canon_40D)\.jpg' to the trash/);
  expect(log).toMatch(/restored '(DSCN00\d\d|Canon_40D)\.jpg' from the trash/);
  expect(log).toMatch(/marked '(DSCN00\d\d|Canon_40D)\.jpg' and 1 more as archived/);
  expect(log).toMatch(/marked '(DSCN00\d\d|Canon_40D)\.jpg' and 1 more as back in the timeline/);
}, 60_000);

test("“could not be processed” links to the files, with the pipeline's message and a retry (1366×900)", async () => {
  // A JPEG's first bytes, then nothing a decoder can use.
  const broken = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new TextEncoder().encode("not really a photo ".repeat(50))]);
  const up = await box.upload(ada, "IMG_broken.jpg", broken);
  await waitFor("the pipeline to fail", () => db.query<{ n: number }, []>("SELECT count(*) AS n FROM media WHERE status = 'failed'").get()!.n >= 1, 60_000);
  await ada.page.goto("/photos");
  await ada.page.locator("#media-failed-link", { hasText: "1 could not be processed" }).click();
  await ada.page.waitForURL("**/media/failed");
  const row = ada.page.locator('[data-testid="media-failures"] li', { hasText: "IMG_broken.jpg" });
  const error = db.query<{ error: string }, []>("SELECT error FROM media WHERE status = 'failed'").get()!.error;
  expect(error.length).toBeGreaterThan(0);
  expect(await row.locator(".small").textContent()).toBe(error);
  expect(await row.locator("a").getAttribute("href")).toBe(`/drive/preview/${up.item.id}`);
  const jobsBefore = db.query<{ n: number }, []>("SELECT count(*) AS n FROM jobs WHERE kind = 'media.process'").get()!.n;
  await row.locator("button", { hasText: "Try again" }).click();
  await ada.page.waitForURL("**/media/failed");
  expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM jobs WHERE kind = 'media.process'").get()!.n).toBe(jobsBefore + 1);
}, 90_000);
