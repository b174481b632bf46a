// Every page, light and dark, desktop and a 360 px phone (issue 13 #20, #21): axe-core finds no serious or critical
// WCAG 2 A/AA violation (contrast included), nothing scrolls sideways on the phone, and no script error or CSP violation.
import { afterAll, beforeAll, expect, test } from "bun:test";
import sharp from "sharp";
import type { Browser, Page } from "playwright-core";
import {
  launchBrowser,
  seriousA11yViolations,
  sidewaysOverflow,
  signedInPage,
  startServer,
  watchPageErrors,
  type TestServer,
} from "../../../test/support/browser";

let server: TestServer;
let fresh: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, fresh] = await Promise.all([startServer(), startServer()]);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.stop(), fresh?.stop()]);
});

const signedInPages = [
  "/",
  "/drive",
  "/drive/recent",
  "/drive/starred",
  "/drive/shared",
  "/drive/trash",
  "/drive/search?q=report",
  "/dashboard",
  "/dashboard/alerts",
  "/dashboard/power",
  "/dashboard/backups",
  "/dashboard/backups/new",
  "/dashboard/backups/new?kind=sftp",
  "/dashboard/backups/new?kind=rest",
  "/dashboard/users",
  "/dashboard/system",
  "/dashboard/system?reset=erase-all",
  "/storage",
  "/settings",
  "/settings/admin",
  "/settings/system",
  "/settings/audit",
  "/shared",
  "/photos/shared",
  "/photos",
  "/photos/favourites",
  "/photos/archive",
  "/photos/albums",
  "/photos/search?q=lisbon",
  "/photos/map",
  "/photos/memories",
  "/photos/duplicates",
  "/photos/partners",
  "/media/failed",
  "/photos/backup",
  "/settings/devices",
  "/settings/computers",
  "/no/such/page",
];
const signedOutPages = ["/login", "/register", "/setup/trust"];

async function check(page: Page, url: string, phone: boolean) {
  await page.goto(url);
  await page.waitForLoadState("networkidle").catch(() => {});
  const found = (await seriousA11yViolations(page)).map((v) => `${url}: ${v}`);
  if (phone) {
    const overflow = await sidewaysOverflow(page);
    if (overflow > 0) found.push(`${url}: scrolls ${overflow} px sideways at 360 px`);
  }
  return found;
}

for (const scheme of ["light", "dark"] as const) {
  for (const [label, viewport] of [
    ["desktop", { width: 1280, height: 800 }],
    ["phone", { width: 360, height: 740 }],
  ] as const) {
    test(`${scheme}, ${label}: every page passes axe (serious/critical) and fits`, async () => {
      const { page, api, context } = await signedInPage(browser, server, { viewport, colorScheme: scheme });
      const errors = watchPageErrors(page);
      await api("/folders", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Quarterly reports 2026" }),
      }).catch(() => {});
      await api(`/upload?name=${encodeURIComponent("report with a rather long name for a phone screen.txt")}`, { method: "PUT", body: "numbers" }).catch(
        () => {},
      );
      const found: string[] = [];
      for (const url of signedInPages) found.push(...(await check(page, url, label === "phone")));
      // The viewer open over the listing.
      await page.goto("/drive");
      await page.locator("#listing a.drive-name", { hasText: "report" }).last().click();
      await page.locator("#preview .viewer").waitFor();
      found.push(...(await seriousA11yViolations(page)).map((v) => `viewer: ${v}`));
      await context.close();

      const anon = await browser.newContext({ baseURL: server.origin, viewport, colorScheme: scheme });
      const anonPage = await anon.newPage();
      errors.push(...watchPageErrors(anonPage));
      for (const url of signedOutPages) found.push(...(await check(anonPage, url, label === "phone")));
      await anonPage.goto(`${fresh.origin}/setup`);
      found.push(...(await check(anonPage, `${fresh.origin}/setup`, label === "phone")));
      found.push(...(await check(anonPage, `${fresh.origin}/setup/restore/backup?kind=sftp`, label === "phone")));
      await anon.close();
      expect(found).toEqual([]);
      expect(errors.filter((e) => !e.includes("404"))).toEqual([]);
    }, 240_000);
  }
}

test("dark: every text field looks like the others (quota, retention, webhook); the side column reaches the bottom of a long page", async () => {
  const { page, context } = await signedInPage(browser, server, { colorScheme: "dark" });
  const surface = await page.goto("/settings").then(() => page.evaluate(() => getComputedStyle(document.querySelector(".card")!).backgroundColor));
  const fields: [string, string][] = [
    ["/dashboard/users", "input[name=quota]"],
    ["/settings/admin", "#trash"],
    ["/dashboard/alerts", "#webhook-url"],
    ["/settings/audit", "#audit-date"],
  ];
  for (const [url, selector] of fields) {
    await page.goto(url);
    const style = await page
      .locator(selector)
      .first()
      .evaluate((el) => ({ bg: getComputedStyle(el).backgroundColor, radius: getComputedStyle(el).borderTopLeftRadius }));
    expect({ url, ...style }).toEqual({ url, bg: surface, radius: "8px" });
  }
  // A full-page capture of the (long) dashboard: the pixel at the bottom of the side column is the nav's colour, not the page's.
  await page.goto("/dashboard");
  const png = await page.screenshot({ fullPage: true });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  expect(info.height).toBeGreaterThan(800);
  const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
  expect(pixel(10, info.height - 5)).toEqual(pixel(10, 5));
  expect(pixel(10, info.height - 5)).not.toEqual(pixel(600, info.height - 5));
  await context.close();
});
