import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256File, walkTree } from "../../hw/files";
import { openDb } from "../platform/db/client";
import { settings } from "../platform/db/schema";
import { createStorageRepo } from "./repo";
import { createJobRepo } from "../platform/queue/repo";
import { createJobQueue } from "../platform/queue/queue";
import { createJobRunner } from "../platform/queue/runner";

import { checkCopyTarget, diskCopyHandler, storageMoveHandler } from "./copy";
import { storageJobKinds, storageJobs, DISK_COPY_JOB, STORAGE_MOVE_JOB, type StorageJobPayloads } from "./jobs";
import { createScheduler } from "../platform/queue/scheduler";
import { fakeRunner } from "../../hw/testing";
import { systemClock } from "../platform/clock";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

// The copy must go to another filesystem than the data; /dev/shm is a tmpfs on these machines.
const otherFs = existsSync("/dev/shm") && statSync("/dev/shm").dev !== statSync(tmpdir()).dev ? "/dev/shm" : null;
if (!otherFs) console.log("SKIPPED: second-disk copy tests: no second filesystem (/dev/shm) to copy to");

function setUp(afterFile?: (rel: string, i: number) => void) {
  const dataDir = mkdtempSync(join(tmpdir(), "nas-copy-data-"));
  const target = mkdtempSync(join(otherFs!, "nas-copy-target-"));
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  cleanups.push(() => {
    db.$client.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
  });
  db.insert(settings).values({ key: "deviceName", value: "copy-test" }).run();
  for (let i = 0; i < 12; i++) {
    mkdirSync(join(dataDir, `users/u1/blobs/${i % 3}`), { recursive: true });
    writeFileSync(join(dataDir, `users/u1/blobs/${i % 3}/b${i}`), `blob ${i} `.repeat(1000 * (i + 1)));
  }
  const repo = createStorageRepo(db);
  repo.setDiskCopyTarget(target, false);
  const queue = createJobQueue<StorageJobPayloads>({ repo: createJobRepo(db), now: systemClock });
  let t = new Date("2026-11-27T01:00:00Z");
  const now = () => t;
  const runner = createJobRunner({
    queue,
    log: () => {},
    handlers: { [DISK_COPY_JOB]: diskCopyHandler({ db, dataDir, repo, now, afterFile: (rel, i) => afterFile?.(rel, i) }) },
  });
  return { dataDir, target, db, repo, queue, runner, copy: join(target, "nasd-copy"), later: () => (t = new Date(t.getTime() + 3600_000)) };
}

const filesOf = (root: string) =>
  Object.fromEntries(
    walkTree(root, (rel) => rel.startsWith("db.sqlite") || rel === ".trash" || rel.startsWith(".trash/"))
      .filter((e) => e.kind === "file")
      .map((e) => [e.rel, sha256File(join(root, e.rel))]),
  );

describe.skipIf(otherFs === null)("second-disk copy", () => {
  test("first copy: every file and a consistent database snapshot, not the upload temp files or preview cache; result recorded", async () => {
    const s = setUp();
    const original = filesOf(s.dataDir);
    mkdirSync(join(s.dataDir, "users/u1/tmp"), { recursive: true });
    writeFileSync(join(s.dataDir, "users/u1/tmp/upload-in-progress"), "partial");
    mkdirSync(join(s.dataDir, "users/u1/previews/ab"), { recursive: true });
    writeFileSync(join(s.dataDir, "users/u1/previews/ab/x.webp"), "cache");
    const job = s.queue.enqueue(DISK_COPY_JOB);
    await s.runner.runOnce();
    expect(s.queue.byId(job.id)?.status).toBe("done");
    expect(filesOf(s.copy)).toEqual(original);
    expect(Object.keys(filesOf(s.copy))).toHaveLength(12);
    const snap = new Database(join(s.copy, "db.sqlite"), { readonly: true });
    expect(snap.query("pragma integrity_check").get()).toEqual({ integrity_check: "ok" });
    expect(snap.query("select value from settings where key = 'deviceName'").get()).toEqual({ value: '"copy-test"' });
    snap.close();
    const row = s.repo.diskCopy()!;
    expect(row.lastOk).toBe(true);
    expect(row.lastSummary).toContain("12 files copied");
  });

  test("incremental: only changed and new files are copied; deletions go to .trash, not away", async () => {
    const s = setUp();
    s.queue.enqueue(DISK_COPY_JOB);
    await s.runner.runOnce();
    const untouched = statSync(join(s.copy, "users/u1/blobs/0/b0")).ino;

    writeFileSync(join(s.dataDir, "users/u1/blobs/1/b1"), "changed content");
    writeFileSync(join(s.dataDir, "users/u1/blobs/new"), "new file");
    rmSync(join(s.dataDir, "users/u1/blobs/2"), { recursive: true });
    // Same size, new mtime: copied again (size + mtime decide).
    utimesSync(join(s.dataDir, "users/u1/blobs/0/b3"), new Date(), new Date("2030-01-01"));
    s.later();
    s.queue.enqueue(DISK_COPY_JOB);
    await s.runner.runOnce();

    expect(filesOf(s.copy)).toEqual(filesOf(s.dataDir));
    expect(s.repo.diskCopy()!.lastSummary).toMatch(/^3 files copied .* 6 unchanged, 1 moved to \.trash/);
    expect(statSync(join(s.copy, "users/u1/blobs/0/b0")).ino).toBe(untouched);
    const trash = walkTree(join(s.copy, ".trash"))
      .filter((e) => e.kind === "file")
      .map((e) => e.rel.split("/").slice(1).join("/"));
    expect(trash.sort()).toEqual(["users/u1/blobs/2/b11", "users/u1/blobs/2/b2", "users/u1/blobs/2/b5", "users/u1/blobs/2/b8"]);
  });

  test("an interrupted copy is resumed: no half file under a final name, finished files are not copied again", async () => {
    let stopAt: number | null = 5;
    const copiedSecondRun: string[] = [];
    let second = false;
    const s = setUp((rel, i) => {
      if (second) copiedSecondRun.push(rel);
      if (stopAt !== null && i === stopAt) throw new Error("unplugged");
    });
    const first = s.queue.enqueue(DISK_COPY_JOB);
    await s.runner.runOnce();
    expect(s.queue.byId(first.id)?.status).toBe("queued"); // retried later
    expect(s.repo.diskCopy()!.lastOk).toBe(false);
    // Whatever is in the copy under a final name is complete.
    for (const [rel, hash] of Object.entries(filesOf(s.copy))) expect(hash).toBe(sha256File(join(s.dataDir, rel)));
    writeFileSync(join(s.copy, "users/u1/blobs/1/b4.nas-copy-tmp"), "half a file");

    stopAt = null;
    second = true;
    s.later();
    const again = s.queue.enqueue(DISK_COPY_JOB);
    await s.runner.runOnce();
    expect(s.queue.byId(again.id)?.status).toBe("done");
    expect(filesOf(s.copy)).toEqual(filesOf(s.dataDir));
    expect(existsSync(join(s.copy, "users/u1/blobs/1/b4.nas-copy-tmp"))).toBe(false);
    expect(s.repo.diskCopy()!.lastSummary).toMatch(/^7 files copied .* 5 unchanged/);
    expect(copiedSecondRun).toHaveLength(12);
  });

  test("a target that keeps coarse timestamps (FAT: 2 s) does not make every file look changed", async () => {
    const s = setUp();
    s.queue.enqueue(DISK_COPY_JOB);
    await s.runner.runOnce();
    for (const [rel] of Object.entries(filesOf(s.copy))) {
      const src = statSync(join(s.dataDir, rel)).mtimeMs;
      utimesSync(join(s.copy, rel), new Date(), new Date(Math.floor(src / 2000) * 2000)); // what FAT stores
    }
    s.later();
    s.queue.enqueue(DISK_COPY_JOB);
    await s.runner.runOnce();
    expect(s.repo.diskCopy()!.lastSummary).toMatch(/^0 files copied .* 12 unchanged/);
  });

  test("refuses a target on the data disk or inside the data directory", () => {
    const s = setUp();
    expect(() => checkCopyTarget(s.dataDir, join(s.dataDir, "users"))).toThrow(/inside the data directory/);
    const sibling = mkdtempSync(join(tmpdir(), "nas-same-disk-"));
    cleanups.push(() => rmSync(sibling, { recursive: true, force: true }));
    expect(() => checkCopyTarget(s.dataDir, sibling)).toThrow(/same disk/);
    expect(checkCopyTarget(s.dataDir, s.target)).toBe(s.target);
  });

  test("nightly: queued once a day only when enabled", () => {
    const s = setUp();
    let t = new Date("2026-11-27T02:00:00Z").getTime();
    const now = () => new Date(t);
    const queue = createJobQueue<StorageJobPayloads>({ repo: createJobRepo(s.db), now });
    const deps = { db: s.db, dataDir: s.dataDir, storageRepo: s.repo, includeLoop: false, run: fakeRunner(() => ({})).run, now };
    const payload = storageJobs.scheduled!(deps)[DISK_COPY_JOB]!;
    const scheduler = createScheduler({ queue, periodic: [{ kind: DISK_COPY_JOB, every: storageJobKinds[DISK_COPY_JOB].every, payload }], now });
    const copies = () => queue.recentOfKind(DISK_COPY_JOB);
    scheduler.queueDue();
    expect(copies()).toEqual([]); // the admin has not asked for nightly copies
    s.repo.setDiskCopyTarget(s.target, true);
    scheduler.queueDue();
    expect(copies()).toMatchObject([{ kind: DISK_COPY_JOB, status: "queued" }]);
    scheduler.queueDue();
    expect(copies()).toHaveLength(1); // one is waiting
    queue.finish(queue.claimNextJob([DISK_COPY_JOB])!.id);
    t += 3600_000;
    scheduler.queueDue();
    expect(copies()).toMatchObject([{ status: "done" }]);
    t += 23 * 3600_000;
    scheduler.queueDue();
    expect(copies()[0]).toMatchObject({ status: "queued" });
  });
});

describe("storage.move job", () => {
  test("a refused disk or confirmation fails the job at once (no retries) and formats nothing", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "nas-move-job-"));
    const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
    cleanups.push(() => {
      db.$client.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const lsblk = JSON.stringify({
      blockdevices: [
        {
          name: "sda",
          path: "/dev/sda",
          type: "disk",
          size: 1e12,
          model: "Disk",
          children: [{ name: "sda1", path: "/dev/sda1", type: "part", size: 1e12, fstype: "ext4", uuid: "u", mountpoints: ["/"] }],
        },
        { name: "sdb", path: "/dev/sdb", type: "disk", size: 1e12, model: "Spare" },
      ],
    });
    const fake = fakeRunner((argv) =>
      argv[0] === "lsblk" ? { stdout: lsblk } : argv[0] === "blkid" ? { code: 2 } : new Error(`must not run ${argv.join(" ")}`),
    );
    const queue = createJobQueue<StorageJobPayloads>({ repo: createJobRepo(db), now: systemClock });
    const runner = createJobRunner({
      queue,
      log: () => {},
      handlers: { [STORAGE_MOVE_JOB]: storageMoveHandler({ dataDir: join(dataDir, "nasd"), run: fake.run }) },
    });
    const boot = queue.enqueue(STORAGE_MOVE_JOB, { device: "/dev/sda", confirm: "Disk" });
    const wrong = queue.enqueue(STORAGE_MOVE_JOB, { device: "/dev/sdb", confirm: "sdc" });
    await runner.runOnce();
    await runner.runOnce();
    expect(queue.byId(boot.id)).toMatchObject({ status: "failed", attempts: 1 });
    expect(queue.byId(boot.id)?.error).toContain("holds the running system");
    expect(queue.byId(wrong.id)).toMatchObject({ status: "failed", attempts: 1 });
    expect(queue.byId(wrong.id)?.error).toContain("confirmation does not match");
    expect(fake.calls.every((c) => c[0] === "lsblk" || c[0] === "blkid")).toBe(true);
  });
});

// A USB disk formatted FAT is a likely second disk: 2 s timestamps, no owners, modes or symlinks.
const vfatReason =
  process.getuid?.() !== 0
    ? "not root"
    : Bun.spawnSync(["losetup", "-f"]).exitCode !== 0
      ? "no free loop device (losetup -f failed)"
      : Bun.spawnSync(["sh", "-c", "command -v mkfs.vfat"]).exitCode !== 0
        ? "mkfs.vfat is not installed (dosfstools)"
        : !/\bvfat\b/.test(readFileSync("/proc/filesystems", "utf8")) && Bun.spawnSync(["sh", "-c", "modprobe vfat"]).exitCode !== 0
          ? "this kernel has no vfat filesystem"
          : null;
if (vfatReason) console.log(`SKIPPED: second-disk copy onto a FAT loop device: ${vfatReason}`);

describe.skipIf(vfatReason !== null)("second-disk copy onto a FAT loop device", () => {
  test("first copy, then an unchanged run copies nothing, then only the changed file", async () => {
    const s = setUp();
    const work = mkdtempSync(join(tmpdir(), "nas-vfat-"));
    const img = join(work, "usb.img");
    Bun.spawnSync(["truncate", "-s", "64M", img]);
    const loop = Bun.spawnSync(["losetup", "-f", "--show", img]).stdout.toString().trim();
    const mnt = join(work, "mnt");
    mkdirSync(mnt);
    cleanups.push(() => {
      Bun.spawnSync(["umount", mnt]);
      Bun.spawnSync(["losetup", "-d", loop]);
      rmSync(work, { recursive: true, force: true });
    });
    expect(Bun.spawnSync(["mkfs.vfat", "-n", "USBCOPY", loop]).exitCode).toBe(0);
    expect(Bun.spawnSync(["mount", "-t", "vfat", loop, mnt]).exitCode).toBe(0);
    s.repo.setDiskCopyTarget(mnt, false);

    s.queue.enqueue(DISK_COPY_JOB);
    await s.runner.runOnce();
    expect(s.repo.diskCopy()).toMatchObject({ lastOk: true });
    expect(filesOf(join(mnt, "nasd-copy"))).toEqual(filesOf(s.dataDir));

    s.later();
    s.queue.enqueue(DISK_COPY_JOB);
    await s.runner.runOnce();
    expect(s.repo.diskCopy()!.lastSummary).toMatch(/^0 files copied .* 12 unchanged/);

    writeFileSync(join(s.dataDir, "users/u1/blobs/2/b5"), "new content of b5");
    s.later();
    s.queue.enqueue(DISK_COPY_JOB);
    await s.runner.runOnce();
    expect(s.repo.diskCopy()!.lastSummary).toMatch(/^1 files copied .* 11 unchanged/);
    expect(filesOf(join(mnt, "nasd-copy"))).toEqual(filesOf(s.dataDir));
  });
});
