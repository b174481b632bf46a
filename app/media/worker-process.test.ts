import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../platform/config";
import { openDb } from "../platform/db/client";
import { createDrive, createServices } from "../services";
import { FIXTURES } from "../../test/support/media";

const root = join(import.meta.dir, "../..");
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function waitFor<T>(what: string, probe: () => T | undefined | null | false, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** Uploads photos through Drive (as the web process does), which queues one media job per distinct content. */
async function seed(dataDir: string) {
  const config = loadConfig([], { DATA_DIR: dataDir, PORT: "8080" });
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const services = createServices({ db, config });
  const drive = createDrive(services, { db, config });
  const user = services.auth.users.add({ username: "ann", displayName: "Ann", role: "user" }, null).user;
  // The HEIC takes a few seconds (WebAssembly decode): the worker is surely mid-job when it is killed.
  for (const f of ["phone/iphone_13_pro_max.HEIC", "phone/jolla.jpg", "gps/DSCN0010.jpg", "cameras/Nikon_D70.jpg", "orientation/landscape_6.jpg"]) {
    await drive.upload(user, { name: f.split("/")[1]!, conflict: "rename" }, Bun.file(join(FIXTURES, f)).stream() as unknown as AsyncIterable<Uint8Array>);
  }
  db.$client.close();
}

const startWorker = (dataDir: string) =>
  Bun.spawn(["bun", "app/worker.ts", "--data-dir", dataDir], {
    cwd: root,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NAS_WORKER_KINDS: "media.process" },
  });

test("kill -9 of the worker mid-job, then a restart: every media job completes exactly once", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "nas-media-worker-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  await seed(dataDir);
  const db = new Database(join(dataDir, "db.sqlite"), { readonly: true });
  cleanups.push(() => db.close());
  const running = () => db.query<{ id: number }, []>("select id from jobs where kind = 'media.process' and status = 'running'").get();

  const first = startWorker(dataDir);
  cleanups.push(() => first.kill("SIGKILL"));
  const victim = await waitFor("a running media job", running);
  first.kill("SIGKILL");
  await first.exited;
  // Left behind as "running" by the dead worker: the victim, and the job the other media lane had claimed if any
  // (held back behind the HEIC, heavy work going alone, or mid-photo).
  const killed = new Set(
    db
      .query<{ id: number }, []>("select id from jobs where kind = 'media.process' and status = 'running'")
      .all()
      .map((j) => j.id),
  );
  expect(killed.has(victim.id)).toBe(true);
  expect(killed.size).toBeLessThanOrEqual(2);

  const second = startWorker(dataDir);
  cleanups.push(() => second.kill("SIGKILL"));
  const jobs = () =>
    db.query<{ id: number; status: string; attempts: number }, []>("select id, status, attempts from jobs where kind = 'media.process' order by id").all();
  await waitFor("every media job done", () => jobs().every((j) => j.status === "done"));
  second.kill("SIGTERM");
  expect(await second.exited).toBe(0);

  const all = jobs();
  expect(all.length).toBe(5);
  for (const j of all) expect(j.attempts).toBe(killed.has(j.id) ? 2 : 1);
  const rows = db.query<{ status: string; n: number }, []>("select status, count(*) as n from media group by status").all();
  expect(rows).toEqual([{ status: "done", n: 5 }]);
  // Derivatives are written to a temp name and renamed: the kill left no half files behind under real names.
  const files = readdirSync(join(dataDir, "thumbs"), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
  expect(files.filter((f) => /-(thumb\.webp|preview\.jpg)$/.test(f)).length).toBe(10);
  expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
}, 120_000);
