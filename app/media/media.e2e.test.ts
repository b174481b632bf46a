// The media pipeline seen from a real Chromium: a photo uploaded on the Drive page is processed by the real worker,
// and the "processing N of M" line updates itself (htmx polling) without a reload.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { loadConfig } from "../platform/config";
import { openDb } from "../platform/db/client";
import { createServices } from "../services";
import { launchBrowser, startServer, watchPageErrors, type TestServer } from "../../test/support/browser";

const root = join(import.meta.dir, "../..");
const FIXTURES = join(root, "test/fixtures/photos");
let server: TestServer;
let browser: Browser;
let page: Page;
let errors: string[];
let worker: ReturnType<typeof Bun.spawn> | null = null;

beforeAll(async () => {
  server = await startServer();
  // Signed in by a session made in the server's database (passkeys are tested elsewhere).
  const db = openDb(join(server.dataDir, "db.sqlite"), { log: () => {} });
  const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: server.dataDir }) });
  const user = auth.users.add({ username: "ada", displayName: "Ada", role: "user" }, null).user;
  const sid = auth.sessions.create(user.id, { ip: "127.0.0.1", userAgent: "e2e" });
  db.$client.close();
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: server.origin });
  await context.addCookies([{ name: "nas_session", value: sid, domain: "localhost", path: "/", httpOnly: true, sameSite: "Lax" }]);
  page = await context.newPage();
  errors = watchPageErrors(page);
});

afterAll(async () => {
  worker?.kill("SIGKILL");
  await browser?.close();
  await server?.stop();
});

test("an uploaded photo shows as processing, then processed, on the Drive page without a reload", async () => {
  await page.goto("/drive");
  const progress = page.locator("#media-progress");
  expect(await progress.textContent()).toBe("");
  await page.locator("input[type=file]:not([webkitdirectory])").setInputFiles(join(FIXTURES, "gps/DSCN0027.jpg"));
  await page.locator(".drive-upload", { hasText: "DSCN0027.jpg" }).locator("text=Done").waitFor({ timeout: 20_000 });
  // No worker yet: the upload is queued and the line says so, polling.
  await page.locator("#media-progress", { hasText: "Processing 0 of 1 photos and videos" }).waitFor({ timeout: 10_000 });
  worker = Bun.spawn(["bun", "app/worker.ts"], {
    cwd: root,
    env: { ...process.env, DATA_DIR: server.dataDir, NAS_WORKER_KINDS: "media.process" },
    stdout: "ignore",
    stderr: "inherit",
  });
  await page.locator("#media-progress", { hasText: "1 photos and videos processed" }).waitFor({ timeout: 30_000 });
  expect(errors).toEqual([]);
}, 90_000);
