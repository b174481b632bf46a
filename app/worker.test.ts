import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "./platform/db/client";
import { users } from "./platform/db/schema";
import { listBackups } from "./dashboard/backups";

const root = join(import.meta.dir, "..");
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function waitFor<T>(what: string, probe: () => T | undefined | null | false, limitMs = 20_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await Bun.sleep(50);
  }
}

test("the worker process takes its first daily backup and exits cleanly on SIGTERM", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "nas-worker-"));
  // A set-up box: one administrator (a box still in its wizard is not backed up).
  const seed = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  seed.insert(users).values({ id: "u1", username: "alice", displayName: "Alice", role: "admin", webauthnUserId: "w1", createdAt: new Date() }).run();
  seed.$client.close();
  const proc = Bun.spawn(["bun", "app/worker.ts", "--data-dir", dataDir], { cwd: root, stdout: "pipe", stderr: "pipe" });
  cleanups.push(() => {
    proc.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  const [backup] = await waitFor("a backup file", () => listBackups(join(dataDir, "backups")).length > 0 && listBackups(join(dataDir, "backups")));
  const db = new Database(join(dataDir, "db.sqlite"), { readonly: true });
  try {
    const job = await waitFor(
      "the job to be recorded",
      () => db.query<{ status: string }, []>("select status from jobs where kind = 'db.backup'").get()?.status === "done",
    );
    expect(job).toBe(true);
  } finally {
    db.close();
  }

  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
  const out = await new Response(proc.stdout).text();
  expect(out).toContain("nasd worker started");
  expect(out).toContain(`wrote ${backup!.name}`);
  expect(out).toContain("SIGTERM: finishing the current job");
  const copy = new Database(backup!.path, { readonly: true });
  try {
    expect(copy.query("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
  } finally {
    copy.close();
  }
});

/** Kind → status of every job in the data dir's database; empty while the worker is still creating or migrating it. */
function jobsIn(dataDir: string): Record<string, string> {
  if (!existsSync(join(dataDir, "db.sqlite"))) return {};
  const db = new Database(join(dataDir, "db.sqlite"), { readonly: true });
  try {
    db.run("pragma busy_timeout = 2000");
    const rows = db.query<{ kind: string; status: string }, []>("select kind, status from jobs order by id").all();
    return Object.fromEntries(rows.map((j) => [j.kind, j.status]));
  } catch (e) {
    if (/no such table/.test((e as Error).message)) return {};
    throw e;
  } finally {
    db.close();
  }
}

test("the worker is the scheduler: at start it queues every periodic kind, runs its own and leaves the web lane's to the web process", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "nas-worker-"));
  const proc = Bun.spawn(["bun", "app/worker.ts", "--data-dir", dataDir], { cwd: root, stdout: "pipe", stderr: "pipe" });
  cleanups.push(() => {
    proc.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });
  const housekeeping = ["auth.cleanup", "drive.trash-purge", "drive.uploads-sweep", "drive.import-scan", "media.backfill"];
  const jobs = await waitFor("the housekeeping kinds to run", () => {
    const all = jobsIn(dataDir);
    return housekeeping.every((k) => all[k] === "done") && all;
  });
  // Queued for the web process's lane, which is not running here: the worker never runs them itself.
  expect(jobs).toMatchObject({ "dashboard.sample": "queued", "dashboard.disk-check": "queued", "update.channel-check": "queued" });
  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
  expect(jobsIn(dataDir)).toMatchObject({ "dashboard.sample": "queued", "dashboard.disk-check": "queued", "update.channel-check": "queued" });
});

test("a worker limited by NAS_WORKER_KINDS runs and schedules only those kinds", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "nas-worker-"));
  const proc = Bun.spawn(["bun", "app/worker.ts", "--data-dir", dataDir], {
    cwd: root,
    env: { ...process.env, NAS_WORKER_KINDS: "db.backup,smart.refresh" },
    stdout: "pipe",
    stderr: "pipe",
  });
  cleanups.push(() => {
    proc.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });
  // The box is still in its wizard: the backup job runs and skips.
  await waitFor("the first backup job to run", () => jobsIn(dataDir)["db.backup"] === "done");
  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
  expect(jobsIn(dataDir)).toEqual({ "db.backup": "done" });
  expect(await new Response(proc.stdout).text()).toContain("handles db.backup, smart.refresh; schedules db.backup)");
});
