// Dashboard → System in Debian's Chromium against a real server process: the owner picks a bundle, the page's tus
// client uploads it (resumable, as Drive's), the card polls until the root worker's RAUC check (run here by the
// test, with the real rauc) is in, and the page runs clean under the CSP.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { loadConfig } from "../platform/config";
import { openDb, type Db } from "../platform/db/client";
import { createServices } from "../services";
import { launchBrowser, startServer, watchPageErrors, type TestServer } from "../../test/support/browser";
import type { UpdateJobPayloads } from "./jobs";
import { updateInspectHandler } from "./root-jobs";
import { createJobQueue } from "../platform/queue/queue";
import { createJobRepo } from "../platform/queue/repo";
import { makeBundle, makeKeys, makeSystemConf } from "../../test/support/update";
import { systemClock } from "../platform/clock";

let server: TestServer;
let browser: Browser;
let db: Db;
const work = mkdtempSync(join(tmpdir(), "nas-system-e2e-"));

beforeAll(async () => {
  server = await startServer({ env: { NAS_RAUC_SYSTEM_CONF: makeSystemConf(work, "nas-x86_64") } });
  browser = await launchBrowser();
  db = openDb(join(server.dataDir, "db.sqlite"), { log: () => {} });
});
afterAll(async () => {
  db?.$client.close();
  await browser?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("the owner uploads a bundle on the System page and sees RAUC's check of it", async () => {
  const keys = makeKeys(join(work, "keys"), "release");
  const bundle = makeBundle(work, keys, { compatible: "nas-x86_64", version: "2.0.0+e2e", name: "nas-x86_64-2.0.0+e2e.raucb" });
  const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: server.dataDir }) });
  const { user } = auth.users.add({ username: "owner", displayName: "Owner", role: "admin" }, null);
  const sid = auth.sessions.create(user.id, { ip: "127.0.0.1", userAgent: "e2e" });
  const context = await browser.newContext();
  await context.addCookies([{ name: "nas_session", value: sid, url: server.origin }]);
  const page = await context.newPage();
  const errors = watchPageErrors(page);

  await page.goto(`${server.origin}/dashboard/system`);
  await page.setInputFiles('[data-testid="bundle-file"]', bundle);
  await page.locator('[data-testid="staged"]').waitFor();
  expect(await page.locator('[data-testid="staged"]').textContent()).toContain("Checking the signature and the board");

  // What the root storage worker does with the queued job.
  const queue = createJobQueue<UpdateJobPayloads>({ repo: createJobRepo(db), now: systemClock });
  const job = queue.claimNextJob(["update.inspect"])!;
  await updateInspectHandler({ dataDir: server.dataDir, keyring: keys.keyring, systemConf: join(work, "system.conf") })(job as never, {
    progress: () => {},
    log: () => {},
    signal: new AbortController().signal,
  });
  queue.finish(job.id);
  // The card polls itself until the check is in.
  await page.locator('[data-testid="bundle-ok"]').waitFor({ timeout: 15_000 });
  expect(await page.locator('[data-testid="bundle-ok"]').textContent()).toContain("Version 2.0.0+e2e for nas-x86_64: signature valid");
  expect(await page.locator('[data-testid="install"]').isEnabled()).toBe(true);
  expect(errors).toEqual([]);
  await context.close();
});
