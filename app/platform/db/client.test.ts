import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP_ROOT } from "../paths";
import { BUSY_TIMEOUT_MS, openDb, writeTransaction } from "./client";

const dirs: string[] = [];
const tempDb = () => {
  const d = mkdtempSync(join(tmpdir(), "nas-db-"));
  dirs.push(d);
  return join(d, "db.sqlite");
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

test("every connection gets WAL, synchronous=FULL, foreign keys and the migrated schema", () => {
  const db = openDb(tempDb(), { log: () => {} });
  const pragma = (name: string) => Object.values(db.$client.query(`PRAGMA ${name}`).get() as object)[0];
  expect(pragma("journal_mode")).toBe("wal");
  expect(pragma("synchronous")).toBe(2); // FULL
  expect(pragma("foreign_keys")).toBe(1);
  const tables = (db.$client.query("select name from sqlite_master where type='table'").all() as { name: string }[]).map((r) => r.name);
  expect(tables).toEqual(expect.arrayContaining(["users", "passkeys", "sessions", "app_tokens", "audit_log", "jobs", "settings"]));
  expect(() =>
    db.$client.run("insert into passkeys (id, user_id, public_key, device_type, name, created_at) values ('x', 'nobody', x'00', 'singleDevice', 'k', 0)"),
  ).toThrow(/FOREIGN KEY/);
  db.$client.close();
});

test("a damaged database file is reported clearly at start", () => {
  const path = tempDb();
  const db = openDb(path, { log: () => {} });
  db.$client.run("create table filler (x text)");
  db.$client.transaction(() => {
    for (let i = 0; i < 2000; i++) db.$client.run("insert into filler values (?)", [`row ${i} ${"x".repeat(100)}`]);
  })();
  db.$client.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.$client.close();
  // Scribble over pages in the middle of the file, as a failing SD card would.
  const size = statSync(path).size;
  const fd = openSync(path, "r+");
  writeSync(fd, Buffer.alloc(4096 * 3, 0x5a), 0, 4096 * 3, Math.floor(size / 2 / 4096) * 4096);
  closeSync(fd);

  const lines: string[] = [];
  try {
    openDb(path, { log: (m) => lines.push(m), migrate: false }).$client.close();
  } catch (e) {
    lines.push(`threw: ${(e as Error).message}`);
  }
  expect(lines.join("\n")).toMatch(/DATABASE CHECK FAILED|malformed/);
});

test("several processes opening a fresh database at once all start (first boot: web, worker, CLI)", async () => {
  const script = `import { openDb } from ${JSON.stringify(join(import.meta.dir, "client.ts"))};
    openDb(process.env.FRESH_DB!, { log: () => {} }).$client.close();`;
  for (let round = 0; round < 3; round++) {
    const path = tempDb();
    const procs = [0, 1, 2, 3].map(() => Bun.spawn(["bun", "-e", script], { env: { ...process.env, FRESH_DB: path }, stdout: "ignore", stderr: "pipe" }));
    const results = await Promise.all(procs.map(async (p) => ({ code: await p.exited, stderr: await new Response(p.stderr).text() })));
    for (const r of results) expect(r).toEqual({ code: 0, stderr: "" });
    const db = openDb(path, { log: () => {} });
    const tables = db.$client
      .query<{ name: string }, []>("select name from sqlite_master where type = 'table'")
      .all()
      .map((t) => t.name);
    db.$client.close();
    expect(tables).toEqual(expect.arrayContaining(["users", "jobs"]));
  }
});

test("a write transaction holds the write lock from its first statement: another connection's write waits for it", () => {
  const path = tempDb();
  const a = openDb(path, { log: () => {} });
  const b = openDb(path, { log: () => {} });
  b.$client.exec("PRAGMA busy_timeout = 0");
  let inside = "";
  writeTransaction(a, () => {
    a.$client.query("SELECT count(*) FROM users").get(); // a read first: a deferred BEGIN would not have the lock yet
    try {
      b.$client.exec("CREATE TABLE t (x)");
      inside = "b wrote";
    } catch (e) {
      inside = (e as { code?: string }).code ?? String(e);
    }
  });
  expect(inside).toBe("SQLITE_BUSY");
  expect(a.$client.query<{ timeout: number }, []>("PRAGMA busy_timeout").get()?.timeout).toBe(BUSY_TIMEOUT_MS);
  a.$client.close();
  b.$client.close();
});

test("every write transaction in the app goes through writeTransaction (BEGIN IMMEDIATE), in every process", async () => {
  const offenders: string[] = [];
  for await (const file of new Bun.Glob("{app,hw,provision}/**/*.{ts,tsx}").scan({ cwd: APP_ROOT })) {
    if (file.endsWith(".test.ts") || file === "app/platform/db/client.ts") continue;
    const text = await Bun.file(join(APP_ROOT, file)).text();
    // bun:sqlite's and drizzle's transaction() begin DEFERRED: a read then a write fails at once on another process's lock.
    if (/\.transaction\(|["'`]BEGIN\b(?! IMMEDIATE)/.test(text.replace(/writeTransaction\(|repo\.transaction\(|ctx\.repo\.transaction\(/g, "")))
      offenders.push(file);
  }
  expect(offenders).toEqual([]);
});
