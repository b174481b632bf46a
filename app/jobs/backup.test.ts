import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../db/client";
import { settings, users } from "../db/schema";
import { backupDir, backupFileName, DB_BACKUP_JOB, dbBackupHandler, listBackups, pruneBackups, scheduleDbBackup } from "./backup";
import { createJobRepo } from "../platform/queue/repo";
import { createJobQueue } from "../platform/queue/queue";
import { createJobRunner } from "../platform/queue/runner";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function tempDataDir(opts: { admin?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "nas-backup-"));
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  if (opts.admin !== false)
    db.insert(users).values({ id: "u1", username: "alice", displayName: "Alice", role: "admin", webauthnUserId: "w1", createdAt: new Date() }).run();
  cleanups.push(() => {
    db.$client.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { dataDir, db };
}

const DAY = 24 * 3600_000;

describe("db.backup", () => {
  test("the worker writes a backup that opens, passes integrity_check and holds the data", async () => {
    const { dataDir, db } = tempDataDir();
    db.insert(settings).values({ key: "deviceName", value: "backup-test" }).run();
    const at = new Date("2026-03-04T05:06:07Z");
    const queue = createJobQueue({ repo: createJobRepo(db) });
    const runner = createJobRunner({ queue, log: () => {}, handlers: { [DB_BACKUP_JOB]: dbBackupHandler({ db, dataDir, now: () => at }) } });
    const job = queue.enqueue(DB_BACKUP_JOB);

    expect(await runner.runOnce()).toBe(true);
    expect(queue.byId(job.id)?.status).toBe("done");
    const path = join(dataDir, "backups", "db-20260304-050607.sqlite");
    expect(readdirSync(backupDir(dataDir))).toEqual(["db-20260304-050607.sqlite"]);

    const copy = new Database(path, { readonly: true });
    try {
      expect(copy.query("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
      expect(copy.query("select value from settings where key = 'deviceName'").get()).toEqual({ value: JSON.stringify("backup-test") });
      expect(copy.query("select count(*) as n from jobs").get()).toEqual({ n: 1 });
    } finally {
      copy.close();
    }
  });

  test("a box with no administrator yet (setup not finished) is not backed up", async () => {
    const { dataDir, db } = tempDataDir({ admin: false });
    const queue = createJobQueue({ repo: createJobRepo(db) });
    const runner = createJobRunner({ queue, log: () => {}, handlers: { [DB_BACKUP_JOB]: dbBackupHandler({ db, dataDir }) } });
    const job = queue.enqueue(DB_BACKUP_JOB);
    expect(await runner.runOnce()).toBe(true);
    expect(queue.byId(job.id)?.status).toBe("done");
    expect(listBackups(backupDir(dataDir))).toEqual([]);
  });

  test("a bad keepDays fails the job at once with the reason", async () => {
    const { dataDir, db } = tempDataDir();
    const queue = createJobQueue({ repo: createJobRepo(db) });
    const runner = createJobRunner({ queue, log: () => {}, handlers: { [DB_BACKUP_JOB]: dbBackupHandler({ db, dataDir }) } });
    const job = queue.enqueue(DB_BACKUP_JOB, { keepDays: "forever" as unknown as number });
    await runner.runOnce();
    expect(queue.byId(job.id)).toMatchObject({ status: "failed" });
    expect(queue.byId(job.id)?.error).toContain("keepDays");
    expect(existsSync(backupDir(dataDir))).toBe(false);
  });
});

describe("pruneBackups", () => {
  test("removes backups older than keepDays but always keeps the newest three, and ignores other files", () => {
    const dir = mkdtempSync(join(tmpdir(), "nas-prune-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(dir, { recursive: true });
    const now = new Date("2026-06-30T12:00:00Z");
    const ages = [0, 1, 5, 13, 15, 40];
    for (const days of ages) writeFileSync(join(dir, backupFileName(new Date(now.getTime() - days * DAY))), "x");
    writeFileSync(join(dir, "notes.txt"), "keep me");
    writeFileSync(join(dir, "db-20200101-000000.sqlite.partial"), "half");

    const removed = pruneBackups(dir, now, 14);
    expect(removed.sort()).toEqual([backupFileName(new Date(now.getTime() - 40 * DAY)), backupFileName(new Date(now.getTime() - 15 * DAY))].sort());
    expect(listBackups(dir).map((b) => b.name)).toEqual([0, 1, 5, 13].map((d) => backupFileName(new Date(now.getTime() - d * DAY))));
    expect(existsSync(join(dir, "notes.txt"))).toBe(true);

    // A clock that jumped years ahead still leaves the newest three.
    pruneBackups(dir, new Date("2030-01-01T00:00:00Z"), 14);
    expect(listBackups(dir).length).toBe(3);
  });
});

describe("scheduleDbBackup", () => {
  test("queues one backup a day and never a second while one is waiting", () => {
    const { db } = tempDataDir();
    let t = new Date("2026-01-01T00:00:00Z").getTime();
    const queue = createJobQueue({ repo: createJobRepo(db), now: () => new Date(t) });
    const first = scheduleDbBackup(queue, new Date(t), 30);
    expect(first?.payload).toEqual({ keepDays: 30 });
    expect(first?.kind).toBe(DB_BACKUP_JOB);
    expect(scheduleDbBackup(queue, new Date(t))).toBeNull();
    queue.claimNextJob([DB_BACKUP_JOB]);
    queue.finish(first!.id);
    t += DAY - 1;
    expect(scheduleDbBackup(queue, new Date(t))).toBeNull();
    t += 1;
    expect(scheduleDbBackup(queue, new Date(t))?.id).toBeGreaterThan(first!.id);
  });
});
