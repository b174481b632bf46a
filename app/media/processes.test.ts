import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { loadConfig } from "../platform/config";
import { openDb } from "../platform/db/client";
import { createServices } from "../services";
import { freePort } from "../../test/support/browser";
import { FIXTURES } from "../../test/support/media";

const root = join(import.meta.dir, "../..");
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** Shared libraries a process has mapped: sharp is a native addon over libvips, so loading it shows here. */
const mapsOf = (pid: number) => readFileSync(`/proc/${pid}/maps`, "utf8");

test("the real web and worker processes: a photo uploaded over HTTP is processed by the worker's imaging process; web and worker never load sharp; the imaging process ends once idle", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "nas-media-procs-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const services = createServices({ db, config: loadConfig([], { DATA_DIR: dataDir, PORT: "8080" }) });
  const ann = services.auth.users.add({ username: "ann", displayName: "Ann", role: "user" }, null).user;
  const { token } = services.auth.tokens.create(ann.id, "test");
  db.$client.close();

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", ORIGIN: origin };
  const web = Bun.spawn(["bun", "app/main.ts"], { cwd: root, env, stdout: "ignore", stderr: "pipe" });
  const worker = Bun.spawn(["bun", "app/worker.ts"], {
    cwd: root,
    env: { ...env, NAS_WORKER_KINDS: "media.process", NAS_IMAGING_IDLE_MS: "3000" },
    stdout: "ignore",
    stderr: "pipe",
  });
  cleanups.push(() => {
    web.kill("SIGKILL");
    worker.kill("SIGKILL");
  });
  for (
    let i = 0;
    i < 200 &&
    !(await fetch(`${origin}/healthz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await Bun.sleep(100);

  const auth = { authorization: `Bearer ${token}` };
  const up = await fetch(`${origin}/api/v1/upload?name=DSCN0038.jpg`, { method: "PUT", headers: auth, body: Bun.file(join(FIXTURES, "gps/DSCN0038.jpg")) });
  expect(up.status).toBe(201);
  const { item } = (await up.json()) as { item: { id: string } };
  let thumb: Response | null = null;
  for (let i = 0; i < 300; i++) {
    thumb = await fetch(`${origin}/drive/thumb/${item.id}`, { headers: auth });
    // The pipeline's thumbnail is 250 px on the short side; Drive's fallback keeps the photo's 480.
    if ((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).height === 250) break;
    await Bun.sleep(100);
  }
  expect(thumb!.headers.get("content-type")).toBe("image/webp");
  expect((await fetch(`${origin}/media/preview/${item.id}`, { headers: auth })).status).toBe(200);
  expect(await (await fetch(`${origin}/media/progress`, { headers: auth })).text()).toContain("1 photos and videos processed");

  // The decoding happened in the worker's child (app/media/imaging.ts), which ends a few seconds after its last photo.
  const children = () => readFileSync(`/proc/${worker.pid}/task/${worker.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  expect(mapsOf(worker.pid)).not.toMatch(/libvips/);
  expect(mapsOf(web.pid)).not.toMatch(/libvips|sharp/);
  for (let i = 0; i < 200 && children().length > 0; i++) await Bun.sleep(100);
  expect(children()).toEqual([]);
  expect(worker.exitCode).toBeNull();
}, 60_000);
