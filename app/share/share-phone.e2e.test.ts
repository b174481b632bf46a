// Sharing on a 360 px phone in a real Chromium: the share form's last button stands apart from "Create link" and is a
// full-size tap target, and a stranger's folder page keeps a gap between "Download all" and the photos. Nothing
// scrolls sideways.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { launchBrowser, sidewaysOverflow, signedInPage, startServer, type TestServer } from "../../test/support/browser";

const photos = join(import.meta.dir, "../../test/fixtures/photos/gps");
const phone = { width: 360, height: 800 };
let server: TestServer;
let browser: Browser;
let page: Page;
let folderId: string;
let api: Awaited<ReturnType<typeof signedInPage>>["api"];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page, api } = await signedInPage(browser, server, { username: "ada", viewport: phone }));
  folderId = (
    await api<{ item: { id: string } }>("/folders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Picnic" }),
    })
  ).item.id;
  for (const name of ["DSCN0010.jpg", "DSCN0021.jpg"])
    await api(`/upload?${new URLSearchParams({ name, parentId: folderId })}`, { method: "PUT", body: new Blob([readFileSync(join(photos, name))]) });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const box = async (l: Locator) => (await l.boundingBox())!;

test("360 px: the share form's “All shared links” is a button below “Create link”, not touching it", async () => {
  await page.goto(`/shared/new?fileId=${folderId}`);
  const create = await box(page.getByRole("button", { name: "Create link" }));
  const all = await box(page.getByRole("link", { name: "All shared links" }));
  expect(all.y).toBeGreaterThanOrEqual(create.y + create.height + 8);
  expect(all.height).toBeGreaterThanOrEqual(40);
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
});

test("360 px, a stranger: the folder's photos start below “Download all”, with a gap", async () => {
  const { url } = await api<{ url: string }>("/shares", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ fileId: folderId }),
  });
  const stranger = await browser.newContext({ viewport: phone });
  const visitor = await stranger.newPage();
  await visitor.goto(url);
  const download = await box(visitor.locator("#share-download-all"));
  const gallery = await box(visitor.locator(".share-gallery"));
  expect(gallery.y).toBeGreaterThanOrEqual(download.y + download.height + 8);
  expect(await sidewaysOverflow(visitor)).toBeLessThanOrEqual(0);
  await stranger.close();
});
