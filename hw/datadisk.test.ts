import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "./run";
import {
  applyStorageAtBoot,
  assertFormattable,
  confirmationFor,
  copyDataToDisk,
  listDisks,
  parseLsblk,
  readStorageState,
  StorageError,
  storageStatePath,
} from "./datadisk";
import { sha256File, walkTree } from "./files";
import { fakeRunner } from "./testing";

const lsblkFixture = JSON.stringify({
  blockdevices: [
    {
      name: "mmcblk0",
      path: "/dev/mmcblk0",
      type: "disk",
      size: 31_914_983_424,
      model: null,
      serial: "0x1234",
      rm: false,
      ro: false,
      children: [
        { name: "mmcblk0p1", path: "/dev/mmcblk0p1", type: "part", size: 268_435_456, label: "BOOT", fstype: "vfat", mountpoints: ["/boot/firmware"] },
        { name: "mmcblk0p2", path: "/dev/mmcblk0p2", type: "part", size: 4_294_967_296, label: "rootfs", fstype: "ext4", mountpoints: ["/"] },
        { name: "mmcblk0p3", path: "/dev/mmcblk0p3", type: "part", size: 27_000_000_000, label: "data", fstype: "ext4", mountpoints: ["/data"] },
      ],
    },
    {
      name: "sda",
      path: "/dev/sda",
      type: "disk",
      size: 2_000_398_934_016,
      model: "WDC WD20EFRX-68E",
      serial: "WD-1",
      rm: false,
      ro: false,
      children: [{ name: "sda1", path: "/dev/sda1", type: "part", size: 2_000_397_868_544, label: "photos", fstype: "ntfs", mountpoints: [null] }],
    },
    { name: "sdb", path: "/dev/sdb", type: "disk", size: 0, model: "Card reader", rm: true, ro: false },
    { name: "zram0", path: "/dev/zram0", type: "disk", size: 1_000_000, mountpoints: ["[SWAP]"] },
    { name: "loop3", path: "/dev/loop3", type: "loop", size: 1_000_000 },
  ],
});

describe("listing disks", () => {
  test("whole disks with partitions; the boot disk carries the reason; empty readers, zram and loops are left out", () => {
    const disks = parseLsblk(lsblkFixture);
    expect(disks.map((d) => d.name)).toEqual(["mmcblk0", "sda"]);
    const [sd, hdd] = disks as [ReturnType<typeof parseLsblk>[number], ReturnType<typeof parseLsblk>[number]];
    expect(sd.systemReason).toContain("mounted at /boot/firmware");
    expect(hdd.systemReason).toBeNull();
    expect(hdd.partitions[0]).toMatchObject({ path: "/dev/sda1", label: "photos", fsType: "ntfs", mountpoints: [] });
    expect(parseLsblk(lsblkFixture, { includeLoop: true }).map((d) => d.name)).toContain("loop3");
  });

  test("refuses the boot disk even with the right confirmation, and a wrong confirmation on a free disk", () => {
    const [sd, hdd] = parseLsblk(lsblkFixture);
    expect(() => assertFormattable(sd!, "mmcblk0")).toThrow(/holds the running system/);
    expect(confirmationFor(hdd!)).toBe("WDC WD20EFRX-68E");
    expect(() => assertFormattable(hdd!, "sdc")).toThrow(/confirmation does not match/);
    expect(() => assertFormattable(hdd!, "")).toThrow(StorageError);
    expect(() => assertFormattable(hdd!, " wdc wd20efrx-68e ")).not.toThrow();
  });

  test("copyDataToDisk refuses the boot disk and a wrong confirmation before running any destructive command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nas-refuse-"));
    try {
      const fake = fakeRunner((argv) =>
        argv[0] === "lsblk" ? { stdout: lsblkFixture } : argv[0] === "blkid" ? { code: 2 } : new Error(`must not run ${argv[0]}`),
      );
      const deps = { run: fake.run, dataDir: join(dir, "nasd") };
      await expect(copyDataToDisk(deps, { device: "/dev/mmcblk0", confirm: "mmcblk0" })).rejects.toThrow(/holds the running system/);
      await expect(copyDataToDisk(deps, { device: "/dev/sda", confirm: "WDC" })).rejects.toThrow(/confirmation does not match/);
      await expect(copyDataToDisk(deps, { device: "/dev/sdz", confirm: "sdz" })).rejects.toThrow(/not attached/);
      expect(fake.calls.map((c) => c[0]).filter((c) => c !== "lsblk" && c !== "blkid")).toEqual([]);
      expect(existsSync(storageStatePath(deps.dataDir))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// On real loop devices (root only). CI runs as root on the same kind of machine, so these run there.

const loopReason: string | null = (() => {
  if (process.getuid?.() !== 0) return "not root";
  const probe = Bun.spawnSync(["losetup", "-f"], { stderr: "pipe" });
  if (probe.exitCode !== 0) return `losetup -f failed: ${probe.stderr.toString().trim()}`;
  for (const tool of ["sfdisk", "mkfs.ext4", "wipefs", "blkid", "partx", "findmnt"]) {
    if (Bun.spawnSync(["sh", "-c", `command -v ${tool}`]).exitCode !== 0) return `${tool} is not installed`;
  }
  return null;
})();
if (loopReason) console.log(`SKIPPED: hw/datadisk loop-device tests: ${loopReason}`);

type Env = { dir: string; dataDir: string; loop: string; mounts: string[] };
let env: Env | null = null;

afterEach(() => {
  if (!env) return;
  // Innermost first: the bind mount over the data dir, then the disk.
  for (const m of [env.dataDir, join(env.dir, "data-disk")]) {
    while (Bun.spawnSync(["findmnt", "--mountpoint", m]).exitCode === 0) Bun.spawnSync(["umount", m]);
  }
  Bun.spawnSync(["losetup", "-d", env.loop]);
  rmSync(env.dir, { recursive: true, force: true });
  env = null;
});

function setUp(): Env {
  const dir = mkdtempSync(join(tmpdir(), "nas-storage-"));
  const img = join(dir, "disk.img");
  writeFileSync(img, "");
  Bun.spawnSync(["truncate", "-s", "96M", img]);
  const loop = Bun.spawnSync(["losetup", "-f", "--show", "-P", img]).stdout.toString().trim();
  if (!loop.startsWith("/dev/loop")) throw new Error(`losetup gave ${loop}`);
  const dataDir = join(dir, "nasd");
  env = { dir, dataDir, loop, mounts: [] };
  // A small data dir: blobs in nested folders, an empty file, and a SQLite database in WAL mode with rows.
  mkdirSync(join(dataDir, "users/u1/blobs/ab/cd"), { recursive: true });
  writeFileSync(join(dataDir, "users/u1/blobs/ab/cd/abcd1"), Buffer.alloc(300_000, 7));
  writeFileSync(join(dataDir, "users/u1/blobs/ab/cd/abcd2"), "hello");
  writeFileSync(join(dataDir, "users/u1/empty"), "");
  for (let i = 0; i < 20; i++) writeFileSync(join(dataDir, `users/u1/blobs/ab/f${i}`), `file ${i}\n`.repeat(i + 1));
  // Owned by the service user on the box: the copy made as root must keep owners and modes.
  chownSync(join(dataDir, "users/u1/blobs/ab/cd/abcd2"), 4321, 4321);
  chownSync(join(dataDir, "users/u1"), 4321, 4321);
  chmodSync(join(dataDir, "users/u1/empty"), 0o640);
  symlinkSync("blobs/ab/f1", join(dataDir, "users/u1/link"));
  const db = new Database(join(dataDir, "db.sqlite"));
  db.exec("PRAGMA journal_mode = WAL; create table t (id integer primary key, v text); insert into t (v) values ('one'), ('two');");
  db.close();
  return env;
}

/** sha256 of every file under root, by relative path. */
function snapshot(root: string) {
  return Object.fromEntries(
    walkTree(root)
      .filter((e) => e.kind === "file")
      .map((e) => [e.rel, sha256File(join(root, e.rel))]),
  );
}

const move = (e: Env, extra: Partial<Parameters<typeof copyDataToDisk>[0]> = {}) =>
  copyDataToDisk({ run: runCommand, dataDir: e.dataDir, includeLoop: true, ...extra }, { device: e.loop, confirm: e.loop.replace("/dev/", "") });

describe.skipIf(loopReason !== null)("moving the data dir onto a loop device", () => {
  test("format (GPT + ext4 nas-data), copy with verification, switch at boot, bind-mount: every byte and the database arrive", async () => {
    const e = setUp();
    const before = snapshot(e.dataDir);
    const state = await move(e);
    expect(state.state).toBe("copied");
    const [disk] = await listDisks(runCommand, { includeLoop: true, devices: [e.loop] });
    expect(disk!.partitions).toHaveLength(1);
    expect(disk!.partitions[0]).toMatchObject({ label: "nas-data", partLabel: "nas-data", fsType: "ext4", uuid: state.uuid });
    expect(snapshot(e.dataDir)).toEqual(before); // the old copy is untouched

    // Written after phase 1 (the services kept running): the boot-time pass must carry it over.
    appendFileSync(join(e.dataDir, "users/u1/blobs/ab/cd/abcd2"), " world");
    rmSync(join(e.dataDir, "users/u1/blobs/ab/f3")); // deleted after phase 1: must not come back
    const db = new Database(join(e.dataDir, "db.sqlite"));
    db.exec("insert into t (v) values ('after phase 1')");
    db.close();
    const latest = snapshot(e.dataDir);

    const outcome = await applyStorageAtBoot({ run: runCommand, dataDir: e.dataDir });
    expect(outcome.action).toBe("mounted");
    expect(readStorageState(storageStatePath(e.dataDir))!.state).toBe("active");
    // The data dir path now shows the disk's copy.
    const source = Bun.spawnSync(["findmnt", "-n", "-o", "SOURCE", "--mountpoint", e.dataDir]).stdout.toString();
    expect(source).toContain(e.loop);
    expect(snapshot(e.dataDir)).toEqual(latest);
    expect(statSync(join(e.dataDir, "users/u1/blobs/ab/cd/abcd2")).uid).toBe(4321);
    expect(statSync(join(e.dataDir, "users/u1")).gid).toBe(4321);
    expect(statSync(join(e.dataDir, "users/u1/empty")).mode & 0o777).toBe(0o640);
    expect(readlinkSync(join(e.dataDir, "users/u1/link"))).toBe("blobs/ab/f1");
    const moved = new Database(join(e.dataDir, "db.sqlite"), { readonly: true });
    expect(moved.query("pragma integrity_check").get()).toEqual({ integrity_check: "ok" });
    expect(moved.query("select v from t order by id").all()).toEqual([{ v: "one" }, { v: "two" }, { v: "after phase 1" }]);
    moved.close();

    // The next boot only mounts.
    const onDisk = snapshot(e.dataDir);
    Bun.spawnSync(["umount", e.dataDir]);
    Bun.spawnSync(["umount", join(e.dir, "data-disk")]);
    expect(Bun.spawnSync(["findmnt", "--mountpoint", e.dataDir]).exitCode).not.toBe(0);
    expect((await applyStorageAtBoot({ run: runCommand, dataDir: e.dataDir })).action).toBe("mounted");
    expect(snapshot(e.dataDir)).toEqual(onDisk);
  });

  test("a crash in the middle of the copy keeps the old data in use and whole; the next run resumes and completes", async () => {
    const e = setUp();
    const before = snapshot(e.dataDir);
    await expect(
      move(e, {
        afterFile: (_rel, i) => {
          if (i === 7) throw new Error("power cut");
        },
      }),
    ).rejects.toThrow("power cut");
    expect(readStorageState(storageStatePath(e.dataDir))!.state).toBe("copying");
    // A reboot now: the boot side keeps the old data.
    const atBoot = await applyStorageAtBoot({ run: runCommand, dataDir: e.dataDir });
    expect(atBoot.action).toBe("kept-old");
    expect(Bun.spawnSync(["findmnt", "--mountpoint", e.dataDir]).exitCode).not.toBe(0);
    expect(snapshot(e.dataDir)).toEqual(before);

    // The job runs again (the worker reclaims it): it resumes without formatting and skips what is already there.
    let copiedAgain = 0;
    const state = await move(e, { afterFile: () => void copiedAgain++ });
    expect(state.state).toBe("copied");
    expect(copiedAgain).toBe(Object.keys(before).length);
    expect(snapshot(join(e.dir, "data-disk/nasd.partial"))).toEqual(before);
  });

  test("a crash during the switch at boot keeps the old data; the next boot finishes it", async () => {
    const e = setUp();
    await move(e);
    writeFileSync(join(e.dataDir, "users/u1/new-after-copy"), "late");
    const latest = snapshot(e.dataDir);
    const failed = await applyStorageAtBoot({
      run: runCommand,
      dataDir: e.dataDir,
      afterFile: (rel) => {
        if (rel.includes("new-after-copy")) throw new Error("power cut");
      },
    });
    expect(failed.action).toBe("kept-old");
    expect(readStorageState(storageStatePath(e.dataDir))!.state).toBe("copied");
    expect(snapshot(e.dataDir)).toEqual(latest);
    const ok = await applyStorageAtBoot({ run: runCommand, dataDir: e.dataDir });
    expect(ok.action).toBe("mounted");
    expect(snapshot(e.dataDir)).toEqual(latest);
    expect(readFileSync(join(e.dataDir, "users/u1/new-after-copy"), "utf8")).toBe("late");
  });

  test("a file written while phase 1 runs (the live database) does not fail the copy; the switch carries the new bytes", async () => {
    const e = setUp();
    const live = "users/u1/blobs/ab/cd/abcd1";
    const state = await move(e, {
      afterFile: (rel) => {
        if (rel === live) appendFileSync(join(e.dataDir, live), "written by the web process");
      },
    });
    expect(state.state).toBe("copied");
    const latest = snapshot(e.dataDir);
    expect((await applyStorageAtBoot({ run: runCommand, dataDir: e.dataDir })).action).toBe("mounted");
    expect(snapshot(e.dataDir)).toEqual(latest);
  });

  test("refuses a wrong confirmation for a real loop device and leaves it unformatted", async () => {
    const e = setUp();
    await expect(copyDataToDisk({ run: runCommand, dataDir: e.dataDir, includeLoop: true }, { device: e.loop, confirm: "sda" })).rejects.toThrow(
      /confirmation does not match/,
    );
    const [disk] = await listDisks(runCommand, { includeLoop: true, devices: [e.loop] });
    expect(disk!.partitions).toHaveLength(0);
  });
});
