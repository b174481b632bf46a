// The tab bars (Photos, the dashboard, Drive's filters) on a 360 px phone in a real Chromium: one row that scrolls
// sideways (one shared rule, `.tabbar` in app.css), the current tab scrolled into view and marked aria-current, every
// tab at least 40 px tall, reachable by keyboard, and the page itself never scrolling sideways.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, sidewaysOverflow, signedInPage, startServer, watchPageErrors, type TestServer } from "../../../test/support/browser";

let server: TestServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await signedInPage(browser, server, { username: "ada", role: "admin", viewport: { width: 360, height: 800 } }));
  errors = watchPageErrors(page);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

type Bar = { height: number; rows: number; tabs: number; minTabHeight: number; current: string | null; currentInView: boolean; scrolls: boolean };
const measure = (page: Page, selector: string): Promise<Bar> =>
  page.locator(selector).evaluate((bar) => {
    const links = [...bar.querySelectorAll("a")];
    const box = bar.getBoundingClientRect();
    const current = bar.querySelector('[aria-current="page"]');
    const c = current?.getBoundingClientRect();
    return {
      height: box.height,
      rows: new Set(links.map((a) => Math.round(a.getBoundingClientRect().top))).size,
      tabs: links.length,
      minTabHeight: Math.min(...links.map((a) => a.getBoundingClientRect().height)),
      current: current?.textContent?.trim() ?? null,
      currentInView: !!c && c.left >= box.left - 1 && c.right <= box.right + 1,
      scrolls: bar.scrollWidth > bar.clientWidth,
    };
  });

const cases = [
  { url: "/photos", bar: "nav.photos-tabs", current: "Photos" },
  { url: "/photos/partners", bar: "nav.photos-tabs", current: "Partner sharing" },
  { url: "/photos/backup", bar: "nav.photos-tabs", current: "Back up your phone" },
  { url: "/dashboard", bar: "nav.dash-tabs", current: "Overview" },
  { url: "/dashboard/system", bar: "nav.dash-tabs", current: "System" },
  { url: "/drive/trash", bar: "ul.drive-filters", current: "Trash" },
];

for (const c of cases)
  test(`360 px, ${c.url}: the tabs are one row, the current one (${c.current}) in view and marked`, async () => {
    await page.goto(c.url);
    await page.waitForLoadState("networkidle");
    const bar = await measure(page, c.bar);
    expect(bar.tabs).toBeGreaterThan(4);
    expect(bar.rows).toBe(1);
    expect(bar.height).toBeLessThan(60);
    expect(bar.minTabHeight).toBeGreaterThanOrEqual(40);
    expect(bar.current).toBe(c.current);
    expect(bar.currentInView).toBe(true);
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
  });

test("360 px: the Photos tabs scroll sideways, and a tab reached by keyboard scrolls into view", async () => {
  await page.goto("/photos/albums");
  await page.waitForLoadState("networkidle");
  expect((await measure(page, "nav.photos-tabs")).scrolls).toBe(true);
  // More tabs beyond the right edge: it fades; scrolled to the end, the left edge fades instead.
  const nav = page.locator("nav.photos-tabs");
  expect(await nav.getAttribute("class")).toContain("more-after");
  const last = page.locator("nav.photos-tabs a").last();
  await last.focus();
  expect(await last.evaluate((a) => a === document.activeElement)).toBe(true);
  const inView = await last.evaluate((a) => {
    const bar = a.closest("nav")!.getBoundingClientRect();
    const r = a.getBoundingClientRect();
    return r.right <= bar.right + 1 && r.left >= bar.left - 1;
  });
  expect(inView).toBe(true);
  await page.waitForFunction(() => document.querySelector("nav.photos-tabs")!.classList.contains("more-before"));
  expect(await nav.getAttribute("class")).not.toContain("more-after");
  await page.keyboard.press("Enter");
  await page.waitForURL("**/photos/backup");
  expect(await page.getByRole("navigation", { name: "Photos" }).getByRole("link", { name: "Back up your phone" }).getAttribute("aria-current")).toBe("page");
});
