// Suite part 6: the database under a killed writer, and a database that fails its check at start.
// SIGKILL during write bursts (WAL, synchronous=FULL): reopened, every acknowledged row is there and the file passes
// integrity_check. A database that fails quick_check when the web process opens it is reported on the dashboard as a
// critical alert naming the newest backup that passes its own check, and Dashboard → Backups offers to restore it.
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb, startCheckProblems, writeTransaction } from "../../app/platform/db/client";
import { createTestApp, type TestApp } from "../support/app";
import { ROOT, SOAK } from "../support/processes";

const dirs: string[] = [];
let t: TestApp | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "nas-power-"));
  dirs.push(d);
  return d;
};

const ROUNDS = SOAK ? 20 : 5;

test(`${ROUNDS} writers killed with -9 mid-burst: every acknowledged row survives, integrity_check ok`, async () => {
  const path = join(tempDir(), "db.sqlite");
  openDb(path, { log: () => {} }).$client.close();
  const acknowledged: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const writer = Bun.spawn(["bun", "test/support/write-burst.ts", path, `r${round}`], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    let text = "";
    const reading = (async () => {
      for await (const chunk of writer.stdout) text += new TextDecoder().decode(chunk);
    })();
    // Wait until it writes, then kill it at a random moment of its bursts.
    for (let i = 0; i < 200 && !text.includes("\n"); i++) await Bun.sleep(25);
    await Bun.sleep(Math.random() * 400);
    writer.kill("SIGKILL");
    await writer.exited;
    await reading;
    // Only whole lines were acknowledged (a line cut by the kill was not printed in full).
    acknowledged.push(...text.split("\n").slice(0, -1));
  }
  expect(acknowledged.length).toBeGreaterThan(ROUNDS);
  const db = openDb(path, { log: () => {} });
  expect(startCheckProblems(db)).toEqual([]);
  expect(db.$client.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
  const stored = new Set(
    db.$client
      .query<{ object_id: string }, []>("SELECT object_id FROM audit_log WHERE action = 'reliability.burst'")
      .all()
      .map((r) => r.object_id),
  );
  expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  db.$client.close();
  console.log(`power loss: ${ROUNDS} writers killed, ${acknowledged.length} acknowledged rows, 0 lost`);
}, 300_000);

test("a database that fails quick_check at start: a critical alert on the dashboard, and the newest good backup offered", async () => {
  const dataDir = tempDir();
  // A box with an admin, two backups (the newer one damaged), and many audit rows.
  const first = createTestApp({ config: { dataDir } });
  const admin = first.createAdmin("ada");
  mkdirSync(join(dataDir, "backups"));
  writeTransaction(first.db, () => {
    for (let i = 0; i < 3000; i++) first.services.audit.record({ action: "filler", objectId: String(i), ok: true, detail: "y".repeat(100) });
  });
  first.db.$client.exec(`VACUUM INTO '${join(dataDir, "backups", "db-20260101-030000.sqlite")}'`);
  first.db.$client.exec(`VACUUM INTO '${join(dataDir, "backups", "db-20260102-030000.sqlite")}'`);
  scribble(join(dataDir, "backups", "db-20260102-030000.sqlite"), leafPageOf(first.db.$client, "audit_log"));
  const page = leafPageOf(first.db.$client, "audit_log");
  first.db.$client.close();
  // Damage one page of the live database while the box is off.
  scribble(join(dataDir, "db.sqlite"), page);

  t = createTestApp({ config: { dataDir } });
  expect(startCheckProblems(t.db).length).toBeGreaterThan(0);
  const h = t.signIn(admin);
  const overview = await (await t.request("/dashboard", { headers: h })).text();
  expect(overview).toContain("failed its integrity check at start");
  expect(overview).toContain("db-20260101-030000.sqlite");
  const backups = await (await t.request("/dashboard/backups", { headers: h })).text();
  expect(backups).toContain('id="restore-offer"');
  expect(backups).toContain("db-20260101-030000.sqlite");
  let restarted = 0;
  // The same data dir, with a restart the test records: restoring stages the good backup for the next start.
  t.db.$client.close();
  t = createTestApp({ config: { dataDir }, deps: { requestRestart: () => restarted++ } });
  const res = await t.request("/dashboard/backups/restore", { method: "POST", headers: t.signIn(admin) });
  expect(res.status).toBe(303);
  expect(restarted).toBe(1);
  expect(existsSync(join(dataDir, "db.sqlite.restore"))).toBe(true);
  const staged = new Database(join(dataDir, "db.sqlite.restore"), { readonly: true });
  expect(staged.query<{ quick_check: string }, []>("PRAGMA quick_check").get()).toEqual({ quick_check: "ok" });
  staged.close();
}, 60_000);

/** A page of `table` that holds rows (not its root): damaging it leaves the rest of the database readable. */
function leafPageOf(db: Database, table: string): number {
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const pages = db.query<{ pageno: number }, [string]>("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno").all(table);
  return pages[Math.floor(pages.length / 2)]!.pageno;
}

/** Overwrites the middle of page `page` (4 KiB pages) with garbage. */
function scribble(path: string, page: number) {
  const fd = openSync(path, "r+");
  writeSync(fd, new Uint8Array(512).fill(0xa5), 0, 512, (page - 1) * 4096 + 8);
  closeSync(fd);
}
