import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../platform/db/client";
import { settings, users } from "../platform/db/schema";
import { backupFileName, DB_BACKUP_JOB, dbBackupHandler, listBackups, pruneBackups } from "./backups";
import { dashboardJobs, type DashboardJobPayloads } from "./jobs";
import { createJobRepo } from "../platform/queue/repo";
import { createJobQueue } from "../platform/queue/queue";
import { createJobRunner } from "../platform/queue/runner";
import { createScheduler } from "../platform/queue/scheduler";
import { createSettingsRepo } from "../settings/repo";
import { dataPaths } from "../platform/paths";
import { systemClock } from "../platform/clock";

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
    const queue = createJobQueue<DashboardJobPayloads>({ repo: createJobRepo(db), now: systemClock });
    const runner = createJobRunner({ queue, log: () => {}, handlers: { [DB_BACKUP_JOB]: dbBackupHandler({ db, dataDir, now: () => at }) } });
    const job = queue.enqueue(DB_BACKUP_JOB);

    expect(await runner.runOnce()).toBe(true);
    expect(queue.byId(job.id)?.status).toBe("done");
    const path = join(dataDir, "backups", "db-20260304-050607.sqlite");
    expect(readdirSync(dataPaths(dataDir).backups)).toEqual(["db-20260304-050607.sqlite"]);

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
    const queue = createJobQueue<DashboardJobPayloads>({ repo: createJobRepo(db), now: systemClock });
    const runner = createJobRunner({ queue, log: () => {}, handlers: { [DB_BACKUP_JOB]: dbBackupHandler({ db, dataDir, now: systemClock }) } });
    const job = queue.enqueue(DB_BACKUP_JOB);
    expect(await runner.runOnce()).toBe(true);
    expect(queue.byId(job.id)?.status).toBe("done");
    expect(listBackups(dataPaths(dataDir).backups)).toEqual([]);
  });

  test("a bad keepDays fails the job at once with the reason", async () => {
    const { dataDir, db } = tempDataDir();
    const queue = createJobQueue<DashboardJobPayloads>({ repo: createJobRepo(db), now: systemClock });
    // As the worker runs it: through the kind's declaration, whose schema checks the payload first.
    const { [DB_BACKUP_JOB]: backup } = dashboardJobs.handlers({ now: systemClock, db, dataDir, settings: createSettingsRepo(db) });
    const runner = createJobRunner({ queue, log: () => {}, handlers: { [DB_BACKUP_JOB]: backup } });
    const job = queue.enqueue(DB_BACKUP_JOB, { keepDays: "forever" as unknown as number });
    await runner.runOnce();
    expect(queue.byId(job.id)).toMatchObject({ status: "failed" });
    expect(queue.byId(job.id)?.error).toContain("keepDays");
    expect(existsSync(dataPaths(dataDir).backups)).toBe(false);
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

describe("the nightly backup", () => {
  test("the scheduler queues one backup a day with the admin's retention, and never a second while one is waiting", () => {
    const { db, dataDir } = tempDataDir();
    let t = new Date("2026-01-01T00:00:00Z").getTime();
    const now = () => new Date(t);
    const queue = createJobQueue<DashboardJobPayloads>({ repo: createJobRepo(db), now });
    const settings = createSettingsRepo(db);
    settings.set("backupKeepDays", 30);
    const payload = dashboardJobs.scheduled!({ db, dataDir, settings, now })[DB_BACKUP_JOB]!;
    const scheduler = createScheduler({ queue, periodic: [{ kind: DB_BACKUP_JOB, every: DAY, payload }], now });
    const queued = () => queue.recentOfKind(DB_BACKUP_JOB);

    scheduler.queueDue();
    const [first] = queued();
    expect(first).toMatchObject({ kind: DB_BACKUP_JOB, status: "queued", payload: { keepDays: 30 } });
    scheduler.queueDue();
    expect(queued()).toHaveLength(1);
    queue.claimNextJob([DB_BACKUP_JOB]);
    queue.finish(first!.id);
    t += DAY - 1;
    scheduler.queueDue();
    expect(queued()).toHaveLength(1);
    t += 1;
    scheduler.queueDue();
    expect(queued()[0]!.id).toBeGreaterThan(first!.id);
  });
});
