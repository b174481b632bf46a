import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupDatabase, listBackups } from "../dashboard/backups";
import { createTestApp } from "../../test/support/app";
import { freePort } from "../../test/support/browser";
import { RESTART_EXIT_CODE } from "./restore";
import { dataPaths } from "../platform/paths";

const root = join(import.meta.dir, "../..");
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** `bun app/main.ts` and `bun app/worker.ts` on `dataDir`, as systemd would run them. */
async function start(script: "app/main.ts" | "app/worker.ts", dataDir: string, port: number) {
  const origin = `http://localhost:${port}`;
  const proc = Bun.spawn(["bun", script], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", ORIGIN: origin },
    stdout: "ignore",
    stderr: "inherit",
  });
  cleanups.push(() => proc.kill("SIGKILL"));
  if (script === "app/main.ts") {
    const deadline = Date.now() + 20_000;
    while (
      !(await fetch(`${origin}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`server did not start: ${await new Response(proc.stderr).text()}`);
      await Bun.sleep(100);
    }
  }
  return { proc, origin };
}

test("restore through the real processes: the server exits to restart, the next start has the old admin, the worker restarts too", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "nas-restore-proc-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const old = createTestApp();
  cleanups.push(() => old.cleanup());
  old.createAdmin("alice");
  const backup = backupDatabase(old.db, dataPaths(dataDir).backups, new Date("2026-11-20T03:00:00Z"));

  const port = await freePort();
  const web = await start("app/main.ts", dataDir, port);
  const worker = await start("app/worker.ts", dataDir, port);
  // The worker is up once it has run its first daily backup job, which writes nothing: this box has no administrator yet.
  const deadline = Date.now() + 20_000;
  const backupJobDone = () => {
    const db = new Database(join(dataDir, "db.sqlite"), { readonly: true });
    try {
      return db.query<{ n: number }, []>("select count(*) as n from jobs where kind = 'db.backup' and status = 'done'").get()!.n > 0;
    } catch {
      return false;
    } finally {
      db.close();
    }
  };
  while (!backupJobDone()) {
    if (Date.now() > deadline) throw new Error("the worker did not start");
    await Bun.sleep(100);
  }
  expect(listBackups(dataPaths(dataDir).backups).map((b) => b.name)).toEqual([backup.name]);
  expect(await (await fetch(`${web.origin}/healthz`)).json()).toMatchObject({ setupDone: false });

  const page = await fetch(`${web.origin}/setup`);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
  const res = await fetch(`${web.origin}/setup/restore`, {
    method: "POST",
    headers: { cookie, origin: web.origin, "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ name: backup.name, _csrf: csrf }).toString(),
  });
  expect(res.status).toBe(200);
  expect(await web.proc.exited).toBe(RESTART_EXIT_CODE);

  // systemd (Restart=on-failure) starts it again: the staged backup goes in before the database opens.
  const again = await start("app/main.ts", dataDir, port);
  expect(await (await fetch(`${again.origin}/healthz`)).json()).toMatchObject({ setupDone: true });
  expect((await fetch(`${again.origin}/setup`, { redirect: "manual" })).headers.get("location")).toBe("/login");
  // The worker had the replaced file open: it notices and exits to be restarted onto the restored database.
  expect(await worker.proc.exited).toBe(RESTART_EXIT_CODE);
}, 60_000);
