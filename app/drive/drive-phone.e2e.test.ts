// Drive on a 360 px phone in a real Chromium: each file's ⋯ menu is a full-size tap target (40 × 40 px) in the list
// and in the grid, and the page never scrolls sideways.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, sidewaysOverflow, signedInPage, startServer, type TestServer } from "../../test/support/browser";

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const signedIn = await signedInPage(browser, server, { username: "ada", viewport: { width: 360, height: 800 } });
  page = signedIn.page;
  for (const name of ["a report with a rather long name for a phone.pdf", "notes.txt"])
    await signedIn.api(`/upload?${new URLSearchParams({ name })}`, { method: "PUT", body: new Blob(["some text"]) });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

for (const view of ["list", "grid"])
  test(`360 px, ${view}: every file's ⋯ menu is at least 40 × 40 px and nothing scrolls sideways`, async () => {
    await page.goto("/drive");
    await page.evaluate((v) => localStorage.setItem("drive.view", v), view);
    await page.reload();
    const menus = page.locator("#listing .drive-item .drive-menu summary");
    await menus.first().waitFor();
    const sizes = await menus.evaluateAll((all) => all.map((s) => s.getBoundingClientRect()).map((r) => [r.width, r.height]));
    expect(sizes.length).toBe(2);
    for (const [w, h] of sizes) {
      expect(w).toBeGreaterThanOrEqual(40);
      expect(h).toBeGreaterThanOrEqual(40);
    }
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  });
