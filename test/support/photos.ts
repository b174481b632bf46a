// Photos' browser tests: a real server and a real worker (media jobs only) on one temp data dir, Debian's Chromium,
// the database read only to wait for the pipeline, uploads through the API as a signed-in person, and WCAG's
// contrast ratio. Each *.e2e.test.ts under app/photos starts one of these in beforeAll and stops it in afterAll.
import { Database } from "bun:sqlite";
import type { Subprocess } from "bun";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchBrowser, signedInPage, startServer, type TestServer } from "./browser";

const root = join(import.meta.dir, "../..");
/** The photo fixtures (named here, not imported from ./media: that module reaches the worker's untyped packages). */
export const PHOTO_FIXTURES = join(root, "test/fixtures/photos");

/** What a Blob is made of (BlobPart, named without the DOM's types). */
type BlobBytes = NonNullable<ConstructorParameters<typeof Blob>[0]>[number];
export type SignedIn = Awaited<ReturnType<typeof signedInPage>>;
export type PhotosBox = Awaited<ReturnType<typeof startPhotosBox>>;

/** Polls `probe` every 100 ms until it is truthy; gives up after `limitMs` naming `what`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | null | false, limitMs = 90_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** Starts the server, Chromium and a worker that runs media jobs; `stop()` ends all three and removes the data dir. */
export async function startPhotosBox() {
  const server: TestServer = await startServer();
  const browser: Browser = await launchBrowser();
  const worker: Subprocess = Bun.spawn(["bun", "app/worker.ts", "--data-dir", server.dataDir], {
    cwd: root,
    stdout: "ignore",
    stderr: "ignore",
    // The pipeline and the rendering of photo edits (app/photos/edit), both in the media lane.
    env: { ...process.env, NAS_WORKER_KINDS: "media.process,photos.edit" },
  });
  const db = new Database(join(server.dataDir, "db.sqlite"), { readonly: true });
  const count = (sql: string) => db.query<{ n: number }, []>(sql).get()!.n;
  return {
    server,
    browser,
    worker,
    db,
    /** A browser context signed in as `username` (made on first use) with its API; `touch`: a touch screen. */
    signIn: (username: string, opts: { viewport?: { width: number; height: number }; role?: "admin" | "user"; touch?: boolean } = {}) =>
      signedInPage(browser, server, { username, role: opts.role ?? "user", viewport: opts.viewport ?? { width: 1366, height: 900 }, touch: opts.touch }),
    /** Puts a file in `who`'s Drive (a folder's id, or the root) through the API, as an app would. */
    upload: (who: SignedIn, name: string, body: BlobBytes, parentId?: string) =>
      who.api<{ item: { id: string; sha256: string } }>(`/upload?${new URLSearchParams(parentId ? { name, parentId } : { name })}`, {
        method: "PUT",
        body: new Blob([body]),
      }),
    /** Until at least `n` contents are processed. */
    processed: (n: number, limitMs = 120_000) =>
      waitFor(`the pipeline to process ${n}`, () => count("SELECT count(*) AS n FROM media WHERE status = 'done'") >= n, limitMs),
    /** Until nothing is queued or being processed. */
    idle: (limitMs = 90_000) =>
      waitFor("the pipeline to finish", () => count("SELECT count(*) AS n FROM media WHERE status IN ('queued', 'processing')") === 0, limitMs),
    async stop() {
      db.close();
      await browser.close();
      worker.kill("SIGTERM");
      await worker.exited;
      await server.stop();
    },
  };
}

/** WCAG's contrast ratio of two CSS colours ("rgb(r, g, b)"). */
export function contrast(a: string, b: string) {
  const lum = (c: string) => {
    const [r, g, b] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
