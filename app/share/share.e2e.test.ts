// Sharing in a real Chromium against a real server: the owner shares a folder of photos from Drive's row menu with a
// password and an expiry; a family member opens the link in a fresh browser at phone size, enters the password,
// looks through the photos and downloads one, which arrives without its GPS position.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import exifr from "exifr";
import type { Browser } from "playwright-core";
import { loadConfig } from "../platform/config";
import { openDb } from "../platform/db/client";
import { createServices } from "../services";
import { launchBrowser, startServer, watchPageErrors, type TestServer } from "../../test/support/browser";

const gpsDir = join(import.meta.dir, "../../test/fixtures/photos/gps");
const photos = readdirSync(gpsDir)
  .filter((n) => n.endsWith(".jpg"))
  .sort()
  .slice(0, 3);

let server: TestServer;
let browser: Browser;
let sid: string;
let appToken: string;
let bobSid: string;

beforeAll(async () => {
  server = await startServer();
  const db = openDb(join(server.dataDir, "db.sqlite"), { log: () => {} });
  const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: server.dataDir }) });
  const user = auth.users.add({ username: "ada", displayName: "Ada", role: "admin" }, null).user;
  sid = auth.sessions.create(user.id, { ip: "127.0.0.1", userAgent: "e2e" });
  appToken = auth.tokens.create(user.id, "seed").token;
  const bob = auth.users.add({ username: "bob", displayName: "Bob", role: "user" }, null).user;
  bobSid = auth.sessions.create(bob.id, { ip: "127.0.0.1", userAgent: "e2e" });
  db.$client.close();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${server.origin}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${appToken}`, ...init.headers } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

test("a password-protected folder link opened on a phone: password, photos, a download without GPS", async () => {
  const folder = (
    await api<{ item: { id: string } }>("/folders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Family" }),
    })
  ).item.id;
  for (const name of photos) {
    await api(`/upload?${new URLSearchParams({ name, parentId: folder })}`, { method: "PUT", body: new Blob([readFileSync(join(gpsDir, name))]) });
  }
  expect(await exifr.gps(readFileSync(join(gpsDir, photos[0]!)))).toBeTruthy();

  // The owner shares the folder from Drive's row menu.
  const owner = await browser.newContext({ baseURL: server.origin });
  await owner.addCookies([{ name: "nas_session", value: sid, domain: "localhost", path: "/", httpOnly: true, sameSite: "Lax" }]);
  const ownerPage = await owner.newPage();
  const ownerErrors = watchPageErrors(ownerPage);
  await ownerPage.goto("/drive");
  const row = ownerPage.locator('#listing .drive-item[data-name="Family"]');
  await row.locator("summary").click();
  await row.getByRole("link", { name: "Share…" }).click();
  await ownerPage.fill('input[name="password"]', "grandma2026");
  await ownerPage.fill('input[name="expiresInDays"]', "7");
  await ownerPage.click("text=Create link");
  const url = await ownerPage.locator("#share-url").inputValue();
  expect(url).toMatch(new RegExp(`^${server.origin}/s/[A-Za-z0-9_-]{43}$`));
  expect(await ownerPage.locator("img.share-qr").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  expect(ownerErrors).toEqual([]);

  // A family member: a fresh browser, phone-sized, no account.
  const phone = await browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
    acceptDownloads: true,
  });
  const page = await phone.newPage();
  const errors = watchPageErrors(page);
  const first = await page.goto(url);
  expect(first!.status()).toBe(401);
  expect(first!.headers()["referrer-policy"]).toBe("no-referrer");
  await page.fill("#share-password", "not it");
  await page.click("#share-unlock");
  await page.locator("text=Wrong password.").waitFor();
  await page.fill("#share-password", "grandma2026");
  await page.click("#share-unlock");
  const gallery = page.locator('[data-testid="share-gallery"] img');
  await gallery.first().waitFor();
  expect(await gallery.count()).toBe(photos.length);
  // Every thumbnail decoded, and the grid fits the phone's width.
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>(".share-gallery img")].every((i) => i.complete && i.naturalWidth > 0));
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

  // Through the photos one by one, then download the one on screen.
  await gallery.first().tap();
  await page.locator("#share-photo").waitFor();
  expect(await page.locator("h1").textContent()).toBe(photos[0]!);
  for (const name of photos.slice(1)) {
    await page.locator('a[rel="next"]').tap();
    await page.waitForFunction((n) => document.querySelector("h1")?.textContent === n, name);
    expect(await page.locator("#share-photo").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  }
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#share-download").tap()]);
  expect(download.suggestedFilename()).toBe(photos.at(-1)!);
  const bytes = readFileSync((await download.path())!);
  expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  expect(await exifr.gps(bytes)).toBeUndefined();

  // What the phone keeps: the link's own HttpOnly unlock cookie, scoped to the link, and no session of the owner's.
  const cookies = await phone.cookies();
  const token = new URL(url).pathname.split("/")[2]!;
  expect(cookies.find((c) => c.name === "nas_link")).toMatchObject({ httpOnly: true, path: `/s/${token}` });
  expect(cookies.find((c) => c.name === "nas_session")).toBeUndefined();
  expect(await page.evaluate(() => document.cookie)).not.toContain("nas_link");
  // Chromium logs the password page (401) and the wrong password (403) as failed loads; nothing else may fail.
  expect(errors).toEqual([
    "Failed to load resource: the server responded with a status of 401 (Unauthorized)",
    "Failed to load resource: the server responded with a status of 403 (Forbidden)",
  ]);
  await owner.close();
  await phone.close();
});

test("a folder shared read-write with another user: it is under “Shared with me” and takes their upload", async () => {
  const folder = (
    await api<{ item: { id: string } }>("/folders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Together" }),
    })
  ).item.id;
  await api("/shares/users", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ folderId: folder, username: "bob", access: "write" }),
  });

  const context = await browser.newContext({ baseURL: server.origin });
  await context.addCookies([{ name: "nas_session", value: bobSid, domain: "localhost", path: "/", httpOnly: true, sameSite: "Lax" }]);
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto("/drive/shared");
  await page.locator('#listing .drive-item[data-name="Together"] a.drive-name').click();
  await page.waitForURL(`**/drive/f/${folder}`);
  const dir = mkdtempSync(join(tmpdir(), "share-e2e-"));
  try {
    writeFileSync(join(dir, "from-bob.txt"), "hello from bob\n");
    await page.locator("input[type=file]:not([webkitdirectory])").setInputFiles(join(dir, "from-bob.txt"));
    await page.locator(".drive-upload", { hasText: "from-bob.txt" }).locator("text=Done").waitFor({ timeout: 30_000 });
    await page.locator('#listing .drive-item[data-name="from-bob.txt"]').waitFor();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // It is the owner's file now, in the owner's folder.
  const listed = await api<{ children: { name: string }[] }>(`/files/${folder}`);
  expect(listed.children.map((c) => c.name)).toEqual(["from-bob.txt"]);
  expect(errors).toEqual([]);
  await context.close();
});
