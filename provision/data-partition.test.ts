/**
 * provision/data-partition.sh on a real disk: a loop device with a GPT whose last partition holds the
 * image's 64 MiB data filesystem, as a flashed disk looks on first boot.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const script = resolve(import.meta.dir, "data-partition.sh");
// Root with loop devices that show their partitions (losetup -P); some containers have loop devices without.
// CI runs on a full VM as root; `make image-test` also re-makes a damaged data filesystem on first boot.
const loopReason = (() => {
  if (process.getuid?.() !== 0) return "not root";
  const dir = mkdtempSync(join(tmpdir(), "nas-loop-probe-"));
  try {
    const img = join(dir, "probe.img");
    Bun.spawnSync(["truncate", "-s", "8M", img]);
    Bun.spawnSync(["sfdisk", "-q", img], { stdin: Buffer.from("label: gpt\nsize=2MiB\n") });
    const loop = Bun.spawnSync(["losetup", "-f", "--show", "-P", img], { stderr: "pipe" });
    const dev = loop.stdout.toString().trim();
    if (!dev.startsWith("/dev/loop")) return `losetup failed: ${loop.stderr.toString().trim()}`;
    const partitions = existsSync(`/sys/class/block/${dev.slice(5)}p1`);
    Bun.spawnSync(["losetup", "-d", dev]);
    return partitions ? null : "loop devices here show no partitions (losetup -P)";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();
if (loopReason) console.log(`SKIPPED: data-partition.sh loop-device tests: ${loopReason}`);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

// Test machines may have no udev (containers): the script's `udevadm settle` then has nothing to wait for.
const stubs = mkdtempSync(join(tmpdir(), "nas-stubs-"));
if (!Bun.which("udevadm")) {
  writeFileSync(join(stubs, "udevadm"), "#!/bin/sh\nexit 0\n");
  chmodSync(join(stubs, "udevadm"), 0o755);
}
function sh(argv: string[]) {
  const proc = Bun.spawnSync(argv, { stderr: "pipe", env: { ...process.env, PATH: `${process.env.PATH}:${stubs}` } });
  return { code: proc.exitCode, out: proc.stdout.toString(), err: proc.stderr.toString() };
}

/** A 512 MiB disk: a 16 MiB partition, then the 64 MiB data partition; the rest is free (a larger disk than the image). */
function flashedDisk(): { disk: string; data: string } {
  const dir = mkdtempSync(join(tmpdir(), "nas-datapart-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const img = join(dir, "disk.img");
  sh(["truncate", "-s", "200M", img]);
  const layout = "label: gpt\nsize=16MiB, name=nasd-esp\nsize=64MiB, name=nasd-data\n";
  const part = Bun.spawnSync(["sfdisk", "-q", img], { stdin: Buffer.from(layout) });
  if (part.exitCode !== 0) throw new Error("sfdisk failed");
  sh(["truncate", "-s", "512M", img]);
  const disk = sh(["losetup", "-f", "--show", "-P", img]).out.trim();
  cleanups.push(() => sh(["losetup", "-d", disk]));
  return { disk, data: `${disk}p2` };
}
const sizeBytes = (dev: string) => Number(sh(["blockdev", "--getsize64", dev]).out.trim());
const fsBytes = (dev: string) => {
  const head = sh(["dumpe2fs", "-h", dev]).out;
  return Number(head.match(/^Block count:\s+(\d+)/m)?.[1]) * Number(head.match(/^Block size:\s+(\d+)/m)?.[1]);
};

describe.skipIf(loopReason !== null)("data-partition.sh on a loop device", () => {
  test("first boot: grows the partition to the end of the disk and the filesystem into it, new partition UUIDs", () => {
    const { disk, data } = flashedDisk();
    expect(sh(["mkfs.ext4", "-q", "-L", "data", data]).code).toBe(0);
    const uuids = () => JSON.parse(sh(["sfdisk", "--json", disk]).out).partitiontable.partitions.map((p: { uuid: string }) => p.uuid);
    const before = uuids();
    const run = sh([script, data]);
    expect(run.code).toBe(0);
    expect(sizeBytes(data)).toBeGreaterThan(400 * 1024 ** 2);
    // Its own partition UUIDs: another disk flashed with the image no longer matches root=PARTUUID=.
    expect(uuids().every((uuid: string, i: number) => uuid !== before[i])).toBe(true);
    expect(fsBytes(data)).toBeGreaterThan(sizeBytes(data) - 8 * 1024 ** 2);
  });

  test("first boot with an unrepairable data filesystem (power cut while the image was written): made again, then grown", () => {
    const { data } = flashedDisk();
    sh(["dd", "if=/dev/urandom", `of=${data}`, "bs=1M", "count=4", "status=none"]);
    const run = sh([script, data]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("making it again");
    expect(sh(["e2fsck", "-n", data]).code).toBe(0);
    expect(fsBytes(data)).toBeGreaterThan(400 * 1024 ** 2);
  });

  test("a grown data filesystem that e2fsck cannot repair is never re-made (it may hold the owner's files)", () => {
    const { data } = flashedDisk();
    sh(["mkfs.ext4", "-q", "-L", "data", data]);
    expect(sh([script, data]).code).toBe(0);
    sh(["dd", "if=/dev/urandom", `of=${data}`, "bs=1M", "count=4", "status=none"]);
    const run = sh([script, data]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/cannot fix/);
  });
});
