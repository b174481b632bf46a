// The dashboard in Debian's Chromium against a real server process on this machine (real CPU, memory, network,
// storage; smartctl as installed). Runs by `make test-browser`.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { loadConfig } from "../platform/config";
import { openDb, type Db } from "../platform/db/client";
import { createServices } from "../services";
import { launchBrowser, startServer, watchPageErrors, type TestServer } from "../../test/support/browser";

let server: TestServer;
let browser: Browser;
let db: Db;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  db = openDb(join(server.dataDir, "db.sqlite"), { log: () => {} });
});
afterAll(async () => {
  db?.$client.close();
  await browser?.close();
  await server?.stop();
});

/** A browser already signed in as a new user of `role` (the passkey ceremony has its own e2e test). */
async function signedIn(username: string, role: "admin" | "user") {
  const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: server.dataDir }) });
  const { user } = auth.users.add({ username, displayName: username, role }, null);
  const sid = auth.sessions.create(user.id, { ip: "127.0.0.1", userAgent: "e2e" });
  const context = await browser.newContext();
  await context.addCookies([{ name: "nas_session", value: sid, url: server.origin }]);
  const page = await context.newPage();
  return { page, errors: watchPageErrors(page) };
}

test("the admin's dashboard shows live cards, refreshes them with htmx, and runs clean under the CSP", async () => {
  const { page, errors } = await signedIn("admin", "admin");
  await page.goto(`${server.origin}/dashboard`);
  for (const card of [
    "health",
    "cpu-card",
    "memory-card",
    "temperature-card",
    "network-card",
    "system-card",
    "jobs-card",
    "storage-card",
    "disks-card",
    "history-card",
  ]) {
    await expect(page.locator(`[data-testid="${card}"]`).isVisible()).resolves.toBe(true);
  }
  const cpu = await page.locator('[data-testid="cpu-card"] .big').textContent();
  expect(cpu).toMatch(/^\d+ %$/);
  // The stylesheet applied: the per-core bars (SVG) get their height from dashboard.css, not from a style attribute.
  const barHeight = await page
    .locator('[data-testid="cpu-card"] .cores svg.usage-bar')
    .first()
    .evaluate((el) => getComputedStyle(el).height);
  expect(barHeight).toBe("5px");
  await expect(page.locator('[data-testid="cpu-card"] .spark-empty').textContent()).resolves.toContain("one is recorded each minute");

  // htmx swaps #live every 5 s.
  const refresh = await page.waitForResponse((r) => r.url().endsWith("/dashboard/fragments/live"), { timeout: 12_000 });
  expect(refresh.status()).toBe(200);
  await expect(page.locator("#live").count()).resolves.toBe(1);

  // Check disks now (a POST with the CSRF token) comes back to the overview.
  await page.click('form[action="/dashboard/disks/check"] button');
  await page.waitForURL(`${server.origin}/dashboard`);
  await expect(page.locator('[data-testid="disks-card"]').textContent()).resolves.toMatch(/No SMART|Healthy|Warning|Failing|No disk found/);

  await page.goto(`${server.origin}/dashboard/power`);
  await expect(page.locator('[data-testid="power-disabled"]').isVisible()).resolves.toBe(true);
  await expect(page.locator('button:has-text("Restart…")').isDisabled()).resolves.toBe(true);

  await page.goto(`${server.origin}/dashboard/backups`);
  await page.click('button:has-text("Back up now")');
  await page.locator('#backup-status button:has-text("Backup pending…")').waitFor();

  expect(errors).toEqual([]);
});

test("the storage page loads under the CSP: space breakdown, the system disk listed as such, the second-disk card", async () => {
  const { page, errors } = await signedIn("storage-admin", "admin");
  await page.goto(`${server.origin}/dashboard/storage`);
  for (const card of ["space", "space-per-user", "storage-move", "disk-copy"]) {
    await expect(page.locator(`[data-testid="${card}"]`).isVisible()).resolves.toBe(true);
  }
  // Only the system disk on a CI machine: listed with its reason, no format form.
  await expect(page.locator('[data-testid="disks-table"]').textContent()).resolves.toContain("System disk");
  expect(errors).toEqual([]);
});

test("a user sees their own storage only", async () => {
  const { page, errors } = await signedIn("carol", "user");
  await page.goto(`${server.origin}/dashboard`);
  await expect(page.locator('[data-testid="usage-card"]').isVisible()).resolves.toBe(true);
  await expect(page.locator('[data-testid="cpu-card"]').count()).resolves.toBe(0);
  expect(errors).toEqual([]);
});
