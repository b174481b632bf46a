// The image runs the bundle (make build → dist/), not the sources: it must find its migrations and assets and serve.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listBackups } from "./dashboard/backups";
import { freePort } from "../test/support/browser";

const root = join(import.meta.dir, "..");
// Below the root, like dist/, so the bundle finds APP_ROOT (the folder with package.json) the same way.
const out = join(root, ".bundle-test");
const dataDir = mkdtempSync(join(tmpdir(), "nas-bundle-"));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

test("the bundled web and worker start on a fresh data dir, migrate it, serve the wizard and assets, run a job", async () => {
  const build = Bun.spawnSync(["bun", "build", "app/main.ts", "app/worker.ts", "--target=bun", "--outdir", out, "--splitting"], { cwd: root, stderr: "pipe" });
  expect(build.exitCode, build.stderr.toString()).toBe(0);

  const port = await freePort();
  const web = Bun.spawn(["bun", join(out, "main.js")], {
    cwd: tmpdir(),
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const worker = Bun.spawn(["bun", join(out, "worker.js")], { cwd: tmpdir(), env: { ...process.env, DATA_DIR: dataDir }, stdout: "pipe", stderr: "pipe" });
  try {
    const origin = `http://127.0.0.1:${port}`;
    let health: Response | null = null;
    for (let i = 0; i < 200 && !health?.ok; i++) {
      health = await fetch(`${origin}/healthz`).catch(() => null);
      if (!health?.ok) await Bun.sleep(100);
    }
    expect(await health?.json()).toEqual({ status: "ok", setupDone: false });
    const wizard = await fetch(`${origin}/setup`);
    expect(wizard.status).toBe(200);
    expect(await wizard.text()).toContain("Set up your NAS");
    expect((await fetch(`${origin}/static/app.css`)).headers.get("content-type")).toContain("text/css");
    // The wizard's passkey step: its lazily loaded modules share the bundle's chunks with others (the backup host's
    // x509, which needs reflect-metadata first): the bundle once answered it 500 where the sources did not.
    const cookie = wizard.headers.get("set-cookie")?.split(";")[0] ?? "";
    const csrf = (await (await fetch(`${origin}/setup`, { headers: { cookie } })).text()).match(/name="csrf-token" content="([^"]+)"/)?.[1] ?? "";
    const options = await fetch(`${origin}/auth/register/options`, {
      method: "POST",
      headers: { cookie, origin, "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify({ kind: "setup", username: "ada", displayName: "Ada", settings: { deviceName: "nas" } }),
    });
    expect(options.status).toBe(200);
    expect(await options.json()).toHaveProperty("options.challenge");
    // The worker's first daily backup job, done, proves it opened the same database and ran a job; it wrote no file,
    // since a box still in its wizard has nothing to keep.
    const backupJob = () => {
      const db = new Database(join(dataDir, "db.sqlite"), { readonly: true });
      try {
        return db.query<{ status: string }, []>("select status from jobs where kind = 'db.backup'").get()?.status;
      } catch {
        return undefined;
      } finally {
        db.close();
      }
    };
    for (let i = 0; i < 200 && backupJob() !== "done"; i++) await Bun.sleep(100);
    expect(backupJob()).toBe("done");
    expect(listBackups(join(dataDir, "backups"))).toHaveLength(0);
  } finally {
    web.kill("SIGTERM");
    worker.kill("SIGTERM");
    expect(await web.exited).toBe(0);
    expect(await worker.exited).toBe(0);
  }
}, 60_000);
