// Photos' sharing in a real Chromium against a real server and worker: ada shares a folder and an album with bob.
// On bob's phone, Photos → Shared with me is a grid of thumbnails under month headings (as the timeline); on ada's
// desktop, her album's page shows every photo in it, bob's with "added by bob"; she shares from the selection bar
// and the lightbox; "Sharing" is in the navigation.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { loadConfig } from "../platform/config";
import { openDb } from "../platform/db/client";
import { createServices } from "../services";
import { seriousA11yViolations, sidewaysOverflow, watchPageErrors } from "../../test/support/browser";
import { PHOTO_FIXTURES, startPhotosBox, type PhotosBox, type SignedIn } from "../../test/support/photos";

// Three from Arezzo in October 2008, one from a Canon in May 2008.
const ADA = ["gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "gps/DSCN0027.jpg", "cameras/Canon_40D.jpg"];

let box: PhotosBox;
let db: PhotosBox["db"];
let ada: SignedIn;
let bob: SignedIn;
let folderId: string;
let albumId: string;

/** A JSON post from inside the page, with its CSRF token (as Photos' own scripts send). */
const postJson = <T>(page: Page, path: string, body: unknown) =>
  page.evaluate(
    async ({ path, body }) => {
      const csrf = document.querySelector('meta[name="csrf-token"]')!.getAttribute("content")!;
      const res = await fetch(path, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      return res.json();
    },
    { path, body },
  ) as Promise<T>;

beforeAll(async () => {
  box = await startPhotosBox();
  db = box.db;
  ada = await box.signIn("ada");
  bob = await box.signIn("bob", { viewport: { width: 360, height: 800 } });
  folderId = (
    await ada.api<{ item: { id: string } }>("/folders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Trip" }),
    })
  ).item.id;
  const ids: string[] = [];
  for (const f of ADA) ids.push((await box.upload(ada, f.split("/").at(-1)!, readFileSync(join(PHOTO_FIXTURES, f)), folderId)).item.id);
  await box.idle();
  await ada.page.goto("/photos/albums");
  albumId = (await postJson<{ id: string }>(ada.page, "/photos/albums", { name: "Tuscany", ids })).id;
  await ada.api("/shares/users", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ folderId, username: "bob", access: "read" }),
  });
  await ada.api("/shares/albums", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ albumId, username: "bob", access: "contribute" }),
  });
}, 180_000);

afterAll(() => box?.stop());

test("Shared with me on a 360-px phone: a grid of thumbnails under month headings, not full-size pictures in a list", async () => {
  const errors = watchPageErrors(bob.page);
  await bob.page.goto("/photos/shared");
  const tiles = bob.page.locator("#share-gallery a.share-item");
  await tiles.nth(ADA.length - 1).waitFor();
  expect(await tiles.count()).toBe(ADA.length);
  await bob.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("#share-gallery img")].every((i) => i.complete && i.naturalWidth > 0));
  // Months newest first, as the timeline names them.
  expect(await bob.page.locator("#share-gallery .share-gallery-heading h3").allTextContents()).toEqual(["October 2008", "May 2008"]);
  const boxes = await bob.page.locator("#share-gallery a.share-item img").evaluateAll((imgs) =>
    imgs.map((i) => {
      const r = i.getBoundingClientRect();
      return { top: Math.round(r.top), width: r.width, height: r.height, natural: (i as HTMLImageElement).naturalWidth };
    }),
  );
  // Tiles side by side (the three October photos share a row), small squares, from the thumbnails (not originals).
  expect(new Set(boxes.slice(0, 3).map((b) => b.top)).size).toBe(1);
  for (const b of boxes) {
    expect(b.width).toBeLessThan(180);
    expect(Math.abs(b.width - b.height)).toBeLessThan(2);
    expect(b.natural).toBeLessThanOrEqual(512);
  }
  expect(await bob.page.evaluate(() => getComputedStyle(document.querySelector("#share-gallery")!).listStyleType)).toBe("none");
  expect(await bob.page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(1600);
  expect(await sidewaysOverflow(bob.page)).toBeLessThanOrEqual(0);
  // The album shared with bob is listed; its page opens.
  await bob.page.locator('[data-testid="shared-albums"] a', { hasText: "Tuscany" }).waitFor();
  expect(await seriousA11yViolations(bob.page)).toEqual([]);
  expect(errors).toEqual([]);
}, 60_000);

test("the owner's album page at 1366×900 shows everything in the album, a contributor's photo with “added by”", async () => {
  // bob adds a photo of his own to ada's album.
  const mine = await box.upload(bob, "Nikon_D70.jpg", readFileSync(join(PHOTO_FIXTURES, "cameras/Nikon_D70.jpg")));
  await box.idle();
  await bob.page.goto("/photos/albums");
  await postJson(bob.page, `/photos/albums/${albumId}/add`, { ids: [mine.item.id] });

  const errors = watchPageErrors(ada.page);
  await ada.page.goto(`/photos/albums/${albumId}`);
  await ada.page
    .locator("#photos-grid .photos-tile")
    .nth(ADA.length - 1)
    .waitFor();
  expect(await ada.page.locator("#photos-grid .photos-tile").count()).toBe(ADA.length);
  const others = ada.page.locator("#photos-added-by-others #share-gallery li.share-tile");
  expect(await others.count()).toBe(1);
  expect(await others.first().locator(".share-added-by").textContent()).toBe("added by bob");
  await ada.page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>("#photos-added-by-others img");
    return !!img && img.complete && img.naturalWidth > 0;
  });
  // Every photo of the album is on its owner's page: her own in the grid, bob's beside them.
  const inAlbum = db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM album_items WHERE album_id = ?").get(albumId)!.n;
  expect(inAlbum).toBe(ADA.length + 1);
  // The owner may take bob's photo out (it stays his file).
  expect(await others.first().locator("button", { hasText: "Remove" }).count()).toBe(1);
  expect(await seriousA11yViolations(ada.page)).toEqual([]);
  expect(errors).toEqual([]);
}, 120_000);

test("Share from the selection bar at 1366×900: a new album with the selection, then its link", async () => {
  await ada.page.goto("/photos");
  const day = ada.page.locator("#m-2008-10 .photos-tile");
  await day.nth(1).waitFor();
  await day.nth(0).hover();
  await day.nth(0).locator(".photos-check").click();
  await day.nth(1).hover();
  await day.nth(1).locator(".photos-check").click();
  expect(await ada.page.locator("#photos-selection-count").textContent()).toBe("2 selected");
  await ada.page.locator("#photos-selection button[data-act='share']").click();
  const dialog = ada.page.locator("#photos-share-dialog");
  await dialog.waitFor();
  expect(await dialog.locator("h2").textContent()).toBe("Share 2 photos");
  expect(await ada.page.locator("#photos-share-one").isVisible()).toBe(false); // a link of its own is for one photo
  await ada.page.fill("#photos-share-name", "For <b>grandma</b>");
  await dialog.locator("button[value='album']").click();
  await ada.page.waitForURL(/\/shared\/new\?albumId=/);
  expect(await ada.page.locator("h1").textContent()).toBe("Share “For <b>grandma</b>”");
  const albumOf = new URL(ada.page.url()).searchParams.get("albumId")!;
  expect(db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM album_items WHERE album_id = ?").get(albumOf)!.n).toBe(2);
  await ada.page.click("text=Create link");
  expect(await ada.page.locator("#share-url").inputValue()).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
}, 60_000);

test("Share from the lightbox at 1366×900: a link to that one photo", async () => {
  await ada.page.goto("/photos");
  const tile = ada.page.locator("#m-2008-05 .photos-tile").first();
  await tile.waitFor();
  const id = await tile.getAttribute("data-id");
  await tile.locator("img").click();
  await ada.page.locator(".pswp.photos-opened").waitFor();
  await ada.page.locator(".pswp__button--share").click();
  await ada.page.locator("#photos-share-dialog h2", { hasText: "Share this photo" }).waitFor();
  await ada.page.locator("#photos-share-one").click();
  await ada.page.waitForURL(`**/shared/new?fileId=${id}`);
  expect(await ada.page.locator("h1").textContent()).toBe("Share “Canon_40D.jpg”");
}, 60_000);

test("Sharing is in the navigation, on a 360-px phone too", async () => {
  await bob.page.goto("/photos");
  const link = bob.page.locator("nav.appnav a[href='/shared']");
  expect(await link.textContent()).toBe("Sharing");
  const box = (await link.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(360);
  expect(await sidewaysOverflow(bob.page)).toBeLessThanOrEqual(0);
  await link.click();
  await bob.page.waitForURL("**/shared");
  expect(await bob.page.locator("nav.appnav a[aria-current='page']").textContent()).toBe("Sharing");
  // From Sharing to what others shared with this person.
  await bob.page.locator("a[href='/photos/shared']").first().click();
  await bob.page.locator('[data-testid="shared-albums"] a', { hasText: "Tuscany" }).waitFor();
}, 60_000);

test("a link's expiry in the box's time zone, as the rest of the page (1366×900)", async () => {
  const setup = openDb(join(box.server.dataDir, "db.sqlite"), { log: () => {} });
  createServices({ db: setup, config: loadConfig([], { DATA_DIR: box.server.dataDir }) }).settings.update({ timeZone: "Asia/Tokyo" });
  setup.$client.close();
  await ada.page.goto(`/shared/new?albumId=${albumId}`);
  await ada.page.fill('input[name="expiresInDays"]', "3");
  await ada.page.click("text=Create link");
  await ada.page.locator("#share-url").waitFor();
  const { links } = await ada.api<{ links: { id: string; expiresAt: string | null }[] }>("/shares");
  const link = links.find((l) => l.expiresAt)!;
  await ada.page.goto("/shared");
  const cell = await ada.page.locator(`tr[data-link="${link.id}"] td`).nth(3).textContent();
  // Tokyo is UTC+9 all year.
  const tokyo = new Date(new Date(link.expiresAt!).getTime() + 9 * 3600_000).toISOString();
  expect(cell).toBe(`${tokyo.slice(0, 10)} ${tokyo.slice(11, 16)} GMT+9`);
}, 60_000);

test("sharing with an unknown person says so in that form and keeps the name (1366×900)", async () => {
  await ada.page.goto(`/shared/new?albumId=${albumId}`);
  const form = ada.page.locator("#share-album-user-form");
  await form.locator('input[name="username"]').fill("nobody-here");
  await form.locator('button[type="submit"]').click();
  await ada.page.locator("#share-album-user-form .error").waitFor();
  expect(await form.locator(".error").textContent()).toMatch(/nobody-here|no (such )?(user|person)/i);
  expect(await form.locator('input[name="username"]').inputValue()).toBe("nobody-here");
  expect(await form.locator('input[name="username"]').getAttribute("aria-invalid")).toBe("true");
  // The link form above carries no message of the person form's.
  expect(await ada.page.locator("#share-form .error").count()).toBe(0);
}, 60_000);
