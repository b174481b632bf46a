// The first-run wizard as a new owner meets it on a phone in dark mode (issue 13 #1, #2, #3, #6).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { addVirtualAuthenticator, launchBrowser, startServer, watchPageErrors, type TestServer } from "../../test/support/browser";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test("phone, dark: no restore offer on a new box; step 2 refuses a bad username when left; codes copy, download, print; sign out on the phone", async () => {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    colorScheme: "dark",
    acceptDownloads: true,
    permissions: ["clipboard-read", "clipboard-write"],
  });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  const errors = watchPageErrors(page);
  await page.goto(`${server.origin}/setup`);
  // #1: a brand-new box has nothing to restore.
  await expect(page.locator("#restore").count()).resolves.toBe(0);
  await expect(page.locator("#start-choice").count()).resolves.toBe(0);
  await page.fill("#device-name", "homebox");
  await page.click("#wizard-next");

  // #2: "Ada Lovelace" as a username: the rule beside the field turns into an error as soon as the field is left.
  await page.fill("#admin-username", "Ada Lovelace");
  await page.fill("#admin-display", "");
  await page.locator("#admin-display").focus();
  await expect(page.locator("#admin-username").getAttribute("aria-invalid")).resolves.toBe("true");
  await expect(page.locator("#admin-username-rule").getAttribute("class")).resolves.toContain("field-error");
  await page.click("#wizard-next");
  await expect(page.locator("#admin-username").isVisible()).resolves.toBe(true); // still on step 2
  await expect(page.locator("#wizard [role=alert]").textContent()).resolves.toContain("no spaces");
  await page.fill("#admin-username", "ada");
  await page.locator("#admin-display").focus();
  await expect(page.locator("#admin-username").getAttribute("aria-invalid")).resolves.toBe("false");
  await page.click("#wizard-next");
  await expect(page.locator("#admin-display").getAttribute("aria-invalid")).resolves.toBe("true"); // a name is required too
  await expect(page.locator("#admin-username").isVisible()).resolves.toBe(true);
  await page.fill("#admin-display", "Ada Lovelace");
  await page.click("#wizard-next");
  await page.click("#wizard-next");
  await page.click("#wizard-next");
  await expect(page.locator("#summary").textContent()).resolves.toContain("ada");
  await page.click("#wizard-next");

  // #3: the codes can be copied, downloaded as .txt and printed.
  await page.locator("#recovery-codes").waitFor({ state: "visible" });
  const codes = await page.locator("#recovery-codes .codes span").allTextContents();
  expect(codes).toHaveLength(10);
  await page.click("#codes-copy");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  for (const c of codes) expect(copied).toContain(c);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#codes-download")]);
  expect(download.suggestedFilename()).toBe("homebox-recovery-codes.txt");
  const text = readFileSync((await download.path())!, "utf8");
  for (const c of codes) expect(text).toContain(c);
  await page.evaluate(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => void (window as unknown as { printed: number }).printed++;
  });
  await page.click("#codes-print");
  await expect(page.evaluate(() => (window as unknown as { printed: number }).printed)).resolves.toBe(1);
  await page.click("#codes-saved");
  await page.waitForURL(/\/setup\/storage$/);

  // #6: on a phone the sidebar's sign-out is hidden; Settings has one for this browser.
  await page.goto(`${server.origin}/settings`);
  await expect(page.locator("form.logout").isVisible()).resolves.toBe(false);
  await expect(page.locator("#sessions").textContent()).resolves.toContain("this browser");
  await page.click("#sign-out-here");
  await page.waitForURL(/\/login$/);
  expect((await page.goto(`${server.origin}/settings`))!.url()).toContain("/login");
  expect(errors).toEqual([]);
  await context.close();
});
