// Album sharing in a real Chromium against a real server: the owner links an album with a password; a family member
// opens it in a fresh phone-sized browser, enters the password, swipes through the photos in the lightbox and plays
// the video (Range). Then a second user on the box finds the album shared with them in Photos and adds a photo,
// which shows "added by" them. And a drop-box folder link that takes a visitor's files with progress.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { runCommand } from "../../hw/run";
import {
  launchBrowser,
  seriousA11yViolations,
  sidewaysOverflow,
  signedInPage,
  startServer,
  watchPageErrors,
  type TestServer,
} from "../../test/support/browser";

const FIXTURES = join(import.meta.dir, "../../test/fixtures/photos");
const PHOTOS = ["gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "cameras/Nikon_D70.jpg"];
const work = mkdtempSync(join(tmpdir(), "album-e2e-"));
const clip = join(work, "clip.webm");

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  // A 3-second VP8 clip (ffmpeg's test source): Chromium plays WebM as is.
  const made = await runCommand(
    ["ffmpeg", "-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-t", "3", "-c:v", "libvpx", "-b:v", "300k", clip],
    { timeoutMs: 60_000 },
  );
  if (made.code !== 0) throw new Error(made.stderr);
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("a password album link on a phone: password, swipe through the photos, play the video; a second user adds to a shared album", async () => {
  const owner = await signedInPage(browser, server, { username: "ada" });
  const folder = (
    await owner.api<{ item: { id: string } }>("/folders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Summer" }),
    })
  ).item.id;
  const ids: string[] = [];
  for (const path of [...PHOTOS.map((p) => join(FIXTURES, p)), clip]) {
    const name = path.split("/").at(-1)!;
    const up = await owner.api<{ item: { id: string } }>(`/upload?${new URLSearchParams({ name, parentId: folder })}`, {
      method: "PUT",
      body: new Blob([readFileSync(path)]),
    });
    ids.push(up.item.id);
  }
  // The owner makes the album in Photos and shares it from the album's page.
  await owner.page.goto("/photos/albums");
  const created = await owner.page.evaluate(
    async ({ ids }) => {
      const csrf = document.querySelector('meta[name="csrf-token"]')!.getAttribute("content")!;
      const res = await fetch("/photos/albums", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ name: "Summer <3", ids }),
      });
      return (await res.json()) as { id: string };
    },
    { ids },
  );
  await owner.page.goto(`/photos/albums/${created.id}`);
  await owner.page.click("#photos-album-share");
  await owner.page.fill('input[name="password"]', "grandma2026");
  await owner.page.fill('input[name="expiresInDays"]', "7");
  await owner.page.click("text=Create link");
  const url = await owner.page.locator("#share-url").inputValue();
  expect(url).toMatch(new RegExp(`^${server.origin}/s/[A-Za-z0-9_-]{43}$`));
  // …and with bob, who may add his own photos.
  await owner.page.goto(`/shared/new?albumId=${created.id}`);
  const bob = await signedInPage(browser, server, { username: "bob", role: "user", viewport: { width: 360, height: 740 } });
  await owner.page.fill('#share-album-user-form input[name="username"]', "bob");
  await owner.page.selectOption('#share-album-user-form select[name="access"]', "contribute");
  await owner.page.click('#share-album-user-form button[type="submit"]');
  await owner.page.waitForURL("**/shared");
  expect(await owner.page.locator('[data-testid="album-shares"]').textContent()).toContain("bob");

  // A family member: a fresh browser at phone size, no account.
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await phone.newPage();
  const errors = watchPageErrors(page);
  const first = await page.goto(url);
  expect(first!.status()).toBe(401);
  expect(first!.headers()["referrer-policy"]).toBe("no-referrer");
  expect(await page.locator("h1").textContent()).toBe("Summer <3");
  await page.fill("#share-password", "grandma2026");
  await page.click("#share-unlock");
  const tiles = page.locator("#share-gallery a.share-item");
  await tiles.first().waitFor();
  expect(await tiles.count()).toBe(PHOTOS.length + 1);
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>(".share-gallery img")].every((i) => i.complete && i.naturalWidth > 0));
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  expect(await seriousA11yViolations(page)).toEqual([]);

  // The lightbox: swipe left through every photo, up to the video.
  const kinds = await tiles.evaluateAll((as) => as.map((a) => (a as HTMLElement).dataset.kind));
  const videoAt = kinds.indexOf("video");
  expect(videoAt).toBeGreaterThanOrEqual(0);
  await tiles.first().tap();
  await page.locator(".pswp--open").waitFor();
  const counter = page.locator(".pswp__counter");
  await page.waitForFunction(() => document.querySelector(".pswp__counter")?.textContent?.trim().startsWith("1 /"));
  // A finger swipe from right to left, as touch events (the DevTools protocol's touchscreen).
  const cdp = await phone.newCDPSession(page);
  const swipe = async (direction: "left" | "right") => {
    const box = (await page.locator(".pswp").boundingBox())!;
    const y = Math.round(box.y + box.height / 2);
    const at = (f: number) => [{ x: Math.round(box.x + box.width * (direction === "left" ? f : 1 - f)), y, id: 1, radiusX: 5, radiusY: 5, force: 1 }];
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: at(0.85) });
    for (let i = 1; i <= 8; i++) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: at(0.85 - i * 0.09) });
      await Bun.sleep(16);
    }
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  };
  // The opening animation ends before the first swipe (a swipe during it is taken as a drag of the opening slide).
  await Bun.sleep(800);
  for (let n = 2; n <= kinds.length; n++) {
    await swipe("left");
    await page.waitForFunction((n) => document.querySelector(".pswp__counter")?.textContent?.trim().startsWith(`${n} /`), n);
    // A photo slide shows its decoded picture.
    if (kinds[n - 1] === "image")
      await page.waitForFunction(() => {
        const img = document.querySelector<HTMLImageElement>(".pswp__item[aria-hidden='false'] img.pswp__img");
        return !!img && img.complete && img.naturalWidth > 0;
      });
  }
  expect((await counter.textContent())!.trim()).toBe(`${kinds.length} / ${kinds.length}`);
  // Back (swiping right) to the video.
  for (let n = kinds.length - 1; n >= videoAt + 1; n--) {
    await swipe("right");
    await page.waitForFunction((n) => document.querySelector(".pswp__counter")?.textContent?.trim().startsWith(`${n} /`), n);
  }
  // The video plays, and seeks (a Range request on the link's content route).
  // Step by step, each a condition Chromium is polled for (a lost event cannot hang the test).
  const current = ".pswp__item[aria-hidden='false'] video";
  const video = page.locator(current);
  await video.waitFor();
  await page.waitForFunction(() => ((document.querySelector(".pswp__item[aria-hidden='false'] video") as HTMLVideoElement | null)?.readyState ?? 0) >= 1);
  await video.evaluate((v: HTMLVideoElement) => {
    v.muted = true;
    v.play().catch(() => {});
  });
  await page.waitForFunction(() => {
    const v = document.querySelector(".pswp__item[aria-hidden='false'] video") as HTMLVideoElement;
    return !v.paused && v.currentTime > 0;
  });
  await video.evaluate((v: HTMLVideoElement) => {
    v.currentTime = 2;
  });
  await page.waitForFunction(() => {
    const v = document.querySelector(".pswp__item[aria-hidden='false'] video") as HTMLVideoElement;
    return !v.seeking && v.currentTime >= 1.9 && v.readyState >= 2;
  });
  const played = await video.evaluate((v: HTMLVideoElement) => ({ at: v.currentTime, duration: v.duration, ready: v.readyState }));
  expect(played.at).toBeGreaterThanOrEqual(1.9);
  expect(played.duration).toBeCloseTo(3, 0);
  expect(played.ready).toBeGreaterThanOrEqual(2);
  await page.keyboard.press("Escape");
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  // No session of the owner's here; the password page (401) is the one failed load.
  expect((await phone.cookies()).find((c) => c.name === "nas_session")).toBeUndefined();
  expect(errors).toEqual(["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]);

  // bob finds the album under Photos → Shared with me and adds a photo of his own.
  const bobErrors = watchPageErrors(bob.page);
  await bob.page.goto("/photos/shared");
  await bob.page.locator('[data-testid="shared-albums"] a', { hasText: "Summer <3" }).click();
  await bob.page.waitForURL(`**/photos/shared/albums/${created.id}`);
  expect(await bob.page.locator(".share-added-by", { hasText: "added by ada" }).count()).toBe(PHOTOS.length + 1);
  await bob.page.locator("#shared-album-file").setInputFiles(join(FIXTURES, "cameras/Canon_40D.jpg"));
  await bob.page.click("#shared-album-add");
  await bob.page.waitForURL(`**/photos/shared/albums/${created.id}`);
  const added = bob.page.locator("#share-gallery li", { hasText: "added by bob" });
  await added.waitFor();
  await bob.page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLLIElement>("#share-gallery li")].some((li) => {
      const img = li.querySelector("img");
      return li.textContent?.includes("added by bob") && !!img && img.complete && img.naturalWidth > 0;
    }),
  );
  expect(await added.locator("button", { hasText: "Remove" }).count()).toBe(1); // his own: he may take it out
  expect(await bob.page.locator("#share-gallery li", { hasText: "added by ada" }).locator("button").count()).toBe(0);
  expect(await sidewaysOverflow(bob.page)).toBeLessThanOrEqual(0);
  expect(await seriousA11yViolations(bob.page)).toEqual([]);
  expect(bobErrors).toEqual([]);

  // The owner sees bob's photo in the album too.
  await owner.page.goto(`/photos/shared/albums/${created.id}`);
  expect(await owner.page.locator("#share-gallery li", { hasText: "added by bob" }).count()).toBe(1);
  await phone.close();
  await owner.context.close();
  await bob.context.close();
}, 180_000);

test("a drop-box folder link on a phone: a visitor sends two files with progress, sees nothing of the folder, and nothing is overwritten", async () => {
  const owner = await signedInPage(browser, server, { username: "ada" });
  const folder = (
    await owner.api<{ item: { id: string } }>("/folders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Inbox" }),
    })
  ).item.id;
  await owner.api(`/upload?${new URLSearchParams({ name: "note.txt", parentId: folder })}`, { method: "PUT", body: "the owner's own note" });
  const { url } = await owner.api<{ url: string }>("/shares", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ fileId: folder, allowUpload: true }),
  });

  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  const errors = watchPageErrors(page);
  await page.goto(url);
  expect(await page.locator("h1").textContent()).toContain("Inbox");
  expect(await page.content()).not.toContain("note.txt");
  const big = join(work, "note.txt");
  await Bun.write(big, new Uint8Array(3 * 1024 * 1024).fill(65)); // same name as the owner's file, 3 MiB
  await page.locator("#share-dropbox-files").setInputFiles([big, join(FIXTURES, "cameras/Pentax_K10D.jpg")]);
  await page.click("#share-dropbox-send");
  await page.waitForFunction(() => document.querySelectorAll('#share-dropbox-progress li[data-state="sent"]').length === 2);
  expect(await page.locator("#share-dropbox-progress progress").evaluateAll((bars) => bars.map((b) => (b as HTMLProgressElement).value))).toEqual([100, 100]);
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(errors).toEqual([]);

  const listed = await owner.api<{ children: { name: string; size: number }[] }>(`/files/${folder}`);
  expect(listed.children.map((c) => [c.name, c.size]).sort()).toEqual([
    ["Pentax_K10D.jpg", readFileSync(join(FIXTURES, "cameras/Pentax_K10D.jpg")).length],
    ["note (1).txt", 3 * 1024 * 1024],
    ["note.txt", "the owner's own note".length],
  ]);
  await phone.close();
  await owner.context.close();
}, 120_000);
