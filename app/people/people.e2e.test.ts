// People in a real Chromium against a real server and a real worker (media pipeline + indexer child): name a
// person, merge another into them, search them by name and a thing by its label, at desktop and phone size.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { Browser, Page } from "playwright-core";
import { waitFor } from "../../test/support/photos";
import { launchBrowser, signedInPage, sidewaysOverflow, startServer, watchPageErrors, type TestServer } from "../../test/support/browser";

const root = join(import.meta.dir, "../..");
const FIXTURES = join(root, "test/fixtures/people");

let server: TestServer;
let worker: ReturnType<typeof Bun.spawn>;
let browser: Browser;
let db: Database;

/** Grace Hopper's portrait three times (as is, cropped, darker), a cow, a dog and a cat: one person to find, three things. */
async function photos(): Promise<[string, Buffer][]> {
  const src = join(FIXTURES, "grace-hopper.jpg");
  const { width = 0, height = 0 } = await sharp(src).metadata();
  return [
    ["hopper.jpg", readFileSync(src)],
    [
      "hopper-crop.jpg",
      await sharp(src)
        .extract({ left: 20, top: 20, width: width - 40, height: height - 40 })
        .jpeg({ quality: 85 })
        .toBuffer(),
    ],
    ["hopper-dark.jpg", await sharp(src).modulate({ brightness: 0.7 }).jpeg({ quality: 60 }).toBuffer()],
    ["cow.jpg", readFileSync(join(FIXTURES, "cow.jpg"))],
    ["dog.jpg", readFileSync(join(FIXTURES, "dog.jpg"))],
    ["cat.jpg", readFileSync(join(FIXTURES, "cat.jpg"))],
  ];
}

/** Waits until the grid shows exactly `n` tiles (its months fill in after the page loads). */
const tilesAre = (p: Page, n: number) => p.waitForFunction((want) => document.querySelectorAll(".photos-tile").length === want, n, { timeout: 30_000 });

/** The files a search shows, by name (the tiles carry their file's id). */
async function tileNames(p: Page) {
  const ids = await p.locator(".photos-tile").evaluateAll((tiles) => tiles.map((t) => (t as HTMLElement).dataset.id ?? ""));
  return ids.map((id) => db.query<{ name: string }, [string]>("SELECT name FROM files WHERE id = ?").get(id)?.name).sort();
}

const PHOTOS = 6;
let page: Page;
let errors: string[];
beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const signed = await signedInPage(browser, server, { username: "ann", role: "admin" });
  page = signed.page;
  errors = watchPageErrors(page);
  for (const [name, body] of await photos()) await signed.api(`/upload?name=${name}`, { method: "POST", body: new Blob([new Uint8Array(body)]) });
  db = new Database(join(server.dataDir, "db.sqlite"));
  db.run("INSERT INTO settings (key, value) VALUES ('people.enabled', 'true') ON CONFLICT (key) DO UPDATE SET value = 'true'");
  worker = Bun.spawn(["bun", "app/worker.ts", "--data-dir", server.dataDir], {
    cwd: root,
    stdout: "ignore",
    stderr: "pipe",
    // Never waiting for a busy box: this machine is always busy with other tests.
    env: { ...process.env, NAS_WORKER_KINDS: "media.process,people.index", NAS_PEOPLE_PAUSE_ABOVE: "0" },
  });
  await waitFor(
    "the photos processed",
    () => db.query<{ n: number }, []>("SELECT count(*) AS n FROM media WHERE status = 'done'").get()!.n === PHOTOS,
    120_000,
  );
  // The indexing job runs at worker start and every minute: restart the worker so it runs now.
  worker.kill("SIGTERM");
  await worker.exited;
  worker = Bun.spawn(["bun", "app/worker.ts", "--data-dir", server.dataDir], {
    cwd: root,
    stdout: "ignore",
    stderr: "pipe",
    env: { ...process.env, NAS_WORKER_KINDS: "people.index", NAS_PEOPLE_PAUSE_ABOVE: "0" },
  });
  await waitFor("the photos indexed", () => db.query<{ n: number }, []>("SELECT count(*) AS n FROM people_index").get()!.n === PHOTOS, 120_000);
}, 240_000);

afterAll(async () => {
  db?.close();
  await browser?.close();
  worker?.kill("SIGTERM");
  await worker?.exited;
  await server?.stop();
});

test("desktop: name a person from the People page, merge a split-off face back, find them, the cow, the dog and the cat by search", async () => {
  await page.goto("/photos/people");
  const people = page.locator("#people-list a");
  await people.first().waitFor();
  expect(await people.count()).toBe(1);
  expect(await page.locator(".people-status [role=status]").textContent()).toBe("All 6 photos looked at, on this box only.");
  await people.first().click();
  await page.fill("#person-name", "Grandma");
  await page.click("button:has-text('Save name')");
  await page.locator("h1.photos-heading", { hasText: "Grandma" }).waitFor();
  // Her timeline: the three photos.
  await tilesAre(page, 3);

  // A face split off by mistake ("Not Grandma") and made a person of its own, merged back: she keeps her name.
  await page.locator(".people-faces summary").click();
  await page.locator(".people-faces li button:has-text('Not Grandma')").first().click();
  await page.locator("h1.photos-heading", { hasText: "Grandma" }).waitFor();
  await tilesAre(page, 2);
  const face = db.query<{ id: number }, []>("SELECT id FROM faces WHERE person_id IS NULL").get()!;
  db.run("INSERT INTO people (id, user_id, hidden, created_at, updated_at) SELECT 'split', user_id, 0, 0, 0 FROM faces WHERE id = ?", [face.id]);
  db.run("UPDATE faces SET person_id = 'split', assigned = 'manual' WHERE id = ?", [face.id]);
  await page.goto("/photos/people/split");
  await page.selectOption("#person-merge", { label: "Grandma (2 photos)" });
  await page.click("button:has-text('Merge')");
  await page.locator("h1.photos-heading", { hasText: "Grandma" }).waitFor();
  await tilesAre(page, 3);

  await page.fill("#photos-q", "grandma");
  await page.press("#photos-q", "Enter");
  await page.locator("h1", { hasText: "grandma" }).waitFor();
  await tilesAre(page, 3);
  await page.fill("#photos-q", "cattle");
  await page.press("#photos-q", "Enter");
  await page.locator("h1", { hasText: "cattle" }).waitFor();
  await tilesAre(page, 1);
  // The dog is found as a dog and the cat as a cat, neither as the other.
  for (const [words, file] of [
    ["dog", "dog.jpg"],
    ["puppy", "dog.jpg"],
    ["cat", "cat.jpg"],
  ]) {
    await page.fill("#photos-q", words!);
    await page.press("#photos-q", "Enter");
    await page.locator("h1", { hasText: words! }).waitFor();
    await tilesAre(page, 1);
    expect(await tileNames(page)).toEqual([file]);
  }
  // Who is in a photo, in the lightbox's info panel.
  const info = await page.request.get(`/photos/api/info/${db.query<{ id: string }, []>("SELECT id FROM files WHERE name = 'hopper.jpg'").get()!.id}`);
  expect(await info.text()).toContain(">Grandma</a>");
  expect(errors).toEqual([]);
}, 120_000);

test("phone: the People page and a person's search fit a 390-px screen", async () => {
  const phone = await browser.newContext({ baseURL: server.origin, viewport: { width: 390, height: 844 }, storageState: await page.context().storageState() });
  const p = await phone.newPage();
  const errs = watchPageErrors(p);
  await p.goto("/photos/people");
  await p.locator("#people-list a", { hasText: "Grandma" }).waitFor();
  expect(await sidewaysOverflow(p)).toBe(0);
  await p.locator("#people-list a", { hasText: "Grandma" }).click();
  await tilesAre(p, 3);
  expect(await sidewaysOverflow(p)).toBe(0);
  await p.goto("/photos/search?q=Grandma");
  await tilesAre(p, 3);
  expect(errs).toEqual([]);
  await phone.close();
}, 60_000);
