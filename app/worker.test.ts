import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "./db/client";
import { users } from "./db/schema";
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
