// Hostile files in a real Chromium, after the real worker processed them: each one opened in Drive's viewer, as
// Drive's raw content, in the Photos lightbox (with its info panel: markup in camera and lens names), on a folder
// link's file page and raw content, and in an album link's lightbox. Nothing may raise a dialog, fetch a `/pwned-…`
// address (what the scripts and injected markup would do), or violate the app pages' CSP; user content itself is
// served sandboxed, so its refused scripts are expected and not counted.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { loadConfig } from "../../app/platform/config";
import { openDb } from "../../app/platform/db/client";
import { loadOrCreateSecret } from "../../app/platform/secret";
import { createWebServices } from "../../app/services";
import { launchBrowser, signedInPage, startServer, type TestServer } from "../support/browser";
import { type HostileFile, hostileCorpus } from "./corpus";

const root = resolve(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "nas-hostile-e2e-"));
let server: TestServer;
let worker: ReturnType<typeof Bun.spawn>;
let browser: Browser;
let page: Page;
let files: (HostileFile & { id: string; media: boolean })[] = [];
let folderId = "";
let folderLink = "";
let albumLink = "";
const dialogs: string[] = [];
const pwned: string[] = [];
const appViolations: string[] = [];

/** A user-content address: served with `Content-Security-Policy: sandbox`, where refused scripts are the point. */
const userContent = (url: string) => /\/content\/|\/files\/[^/]+\/content/.test(url);

beforeAll(async () => {
  mkdirSync(join(work, "corpus"));
  const corpus = await hostileCorpus(join(work, "corpus"), join(work, "canary"));
  server = await startServer();
  browser = await launchBrowser();
  const signed = await signedInPage(browser, server, { username: "eve", role: "user" });
  page = signed.page;
  // Stored as uploads store them, into one folder; a folder link to it and an album link to what is media.
  const config = loadConfig([], { DATA_DIR: server.dataDir });
  const db = openDb(join(server.dataDir, "db.sqlite"), { log: () => {} });
  const services = createWebServices({ db, config, secret: loadOrCreateSecret(server.dataDir) });
  const { drive } = services;
  const user = services.auth.users.byName("eve")!;
  const folder = drive.mkdir(user, undefined, "Hostile");
  folderId = folder.id;
  for (const f of corpus) {
    const file = await drive.upload(user, { parentId: folder.id, name: f.name, conflict: "rename" }, (async function* () {
      yield readFileSync(f.path);
    })());
    files.push({ ...f, id: file.id, media: f.state !== "none" });
  }
  folderLink = (await services.share.create(user, { fileId: folder.id })).token;
  db.$client.close();
  worker = Bun.spawn(["bun", "app/worker.ts", "--data-dir", server.dataDir], { cwd: root, stdout: "ignore", stderr: "ignore", env: { ...process.env, NAS_WORKER_KINDS: "media.process" } });
  const read = new Database(join(server.dataDir, "db.sqlite"), { readonly: true });
  const end = Date.now() + 120_000;
  while (read.query("select 1 from media where status in ('queued', 'processing')").get()) {
    if (Date.now() > end) throw new Error("the worker did not finish the hostile files");
    await Bun.sleep(200);
  }
  const done = new Set(read.query<{ sha256: string }, []>("select sha256 from media where status = 'done'").all().map((r) => r.sha256));
  read.close();
  const again = openDb(join(server.dataDir, "db.sqlite"), { log: () => {} });
  const s2 = createWebServices({ db: again, config, secret: loadOrCreateSecret(server.dataDir) });
  const shown = files.filter((f) => done.has(s2.drive.itemFor(user, f.id, "file.read").sha256!));
  const album = s2.photos.createAlbum(user, "Hostile <b>album</b>", shown.map((f) => f.id));
  albumLink = (await s2.share.create(user, { albumId: album.id })).token;
  again.$client.close();

  const context = page.context();
  await context.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  context.on("dialog", (d) => {
    dialogs.push(`${d.message()} on ${d.page()?.url()}`);
    void d.dismiss();
  });
  context.on("request", (r) => {
    if (r.url().includes("/pwned")) pwned.push(`${r.url()} from ${r.frame().url()}`);
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  worker?.kill("SIGTERM");
  await worker?.exited;
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Opens `url`, lets it settle, and keeps the CSP violations an app page (not user content) reported. */
async function visit(url: string, then?: () => Promise<void>) {
  try {
    await page.goto(url);
  } catch (e) {
    // Content that is not safe to show inline is sent as an attachment: the browser saves it, renders nothing.
    if (String(e).includes("Download is starting")) return;
    throw e;
  }
  await page.waitForLoadState("networkidle").catch(() => {});
  if (then) await then();
  if (!userContent(page.url())) {
    const seen = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []).catch(() => []);
    appViolations.push(...seen.map((v) => `${v} on ${page.url()}`));
  }
}

test("the watchers see a dialog and a /pwned request when a script does run (a control, from the test itself)", async () => {
  await visit("/drive");
  await page.evaluate(() => {
    alert("control");
    void fetch("/pwned-control");
  });
  await page.waitForLoadState("networkidle");
  expect(dialogs.splice(0).map((d) => d.split(" on ")[0])).toEqual(["control"]);
  expect(pwned.splice(0).map((u) => new URL(u.split(" from ")[0]!).pathname)).toEqual(["/pwned-control"]);
});

test("Drive: each hostile file in the viewer and as raw content", async () => {
  for (const f of files) {
    await visit(`/drive/f/${folderId}?select=${f.id}`, () => page.locator("#preview *").first().waitFor({ timeout: 10_000 }));
    await visit(`/api/v1/files/${f.id}/content`);
  }
  expect({ dialogs, pwned, appViolations }).toEqual({ dialogs: [], pwned: [], appViolations: [] });
}, 240_000);

test("Photos: each processed hostile file in the lightbox with its info panel (a stack's members chosen in its strip)", async () => {
  await visit("/photos");
  const tiles = page.locator(".photos-tile img");
  const n = await tiles.count();
  // Copies of one camera photo taken in the same second are one stack (a burst: app/photos/duplicates.ts); its
  // tile carries the count, and the lightbox's strip shows each member.
  const hiddenInStacks = (await page.locator(".photos-tile .photos-stack").allTextContents()).reduce((sum, c) => sum + Number(c) - 1, 0);
  expect(n + hiddenInStacks).toBeGreaterThanOrEqual(files.filter((f) => f.state === "done").length);
  for (let i = 0; i < n; i++) {
    await tiles.nth(i).scrollIntoViewIfNeeded();
    await tiles.nth(i).click();
    await page.locator(".pswp.photos-opened").waitFor();
    await page.keyboard.press("i");
    await page.locator(".photos-info h2").waitFor();
    const members = page.locator(".photos-stack-strip:not([hidden]) button");
    for (let k = 0; k < (await members.count()); k++) {
      await members.nth(k).click();
      await page.waitForFunction((k) => document.querySelectorAll(".photos-stack-strip button")[k]?.getAttribute("aria-pressed") === "true", k);
      await page.locator(".photos-info h2").waitFor();
    }
    await page.keyboard.press("Escape");
    await page.locator(".pswp").waitFor({ state: "detached" });
  }
  const seen = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
  expect({ dialogs, pwned, appViolations: [...appViolations, ...seen] }).toEqual({ dialogs: [], pwned: [], appViolations: [] });
}, 240_000);

test("links: each hostile file on a folder link's file page and raw content, and in an album link's lightbox", async () => {
  await visit(`/s/${folderLink}`);
  for (const f of files) {
    await visit(`/s/${folderLink}/v/${f.id}`);
    await visit(`/s/${folderLink}/content/${f.id}`);
  }
  await visit(`/s/${albumLink}`, async () => {
    const tiles = page.locator("#share-gallery a.share-item");
    const n = await tiles.count();
    expect(n).toBeGreaterThan(0);
    // Open the first, then step through every item (each is loaded and shown in turn).
    await tiles.first().click();
    await page.locator(".pswp--open").waitFor();
    for (let k = 1; k <= n; k++) {
      await page.waitForFunction((k) => document.querySelector(".pswp__counter")?.textContent?.trim().startsWith(`${k} /`), k);
      if (k < n) await page.locator(".pswp__button--arrow--next").click(); // a key pressed while it opens is lost
    }
  });
  expect({ dialogs, pwned, appViolations }).toEqual({ dialogs: [], pwned: [], appViolations: [] });
}, 240_000);
