/**
 * Disks: after a clean power-off the host reads the boot disk (the data partition reaches the disk's end, its
 * filesystem was grown, the disk has its own partition UUIDs, SMART was read by the root worker: the database on the
 * data partition, read with debugfs). Then a second disk carrying the image is plugged in (boot 2): the box keeps its
 * own data filesystem and CA, and /dev/nas/* point at the boot disk only. The disk stays plugged in for the update
 * concern, which checks it was never written.
 */
import { spawnSync } from "bun";
import { Database } from "bun:sqlite";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { curlVerified, fetchCa, sshRun, waitForSsh } from "./clients";
import {
  type Concern,
  check,
  copyDataPartition,
  DISK_BYTES,
  diskFingerprint,
  image,
  type Partition,
  partitions,
  powerOff,
  serial,
  statusLine,
  waitForHttps,
  waitForSerial,
} from "./harness";

/** The smart.* jobs in /data/nasd/db.sqlite, copied out of the data partition's ext4 with debugfs (no mount, no root). */
function smartJobsOnDisk(work: string, disk: string, data: Partition | undefined) {
  if (!data) return [];
  const part = copyDataPartition(work, disk, data, "data-part.ext4");
  for (const f of ["db.sqlite", "db.sqlite-wal"]) spawnSync(["debugfs", "-R", `dump /nasd/${f} ${join(work, f)}`, part], { stderr: "ignore" });
  rmSync(part, { force: true });
  if (!existsSync(join(work, "db.sqlite"))) return [];
  const db = new Database(join(work, "db.sqlite")); // a copy: read-write so a leftover WAL can be read
  try {
    return db
      .query<{ kind: string; status: string; error: string | null }, []>("select kind, status, error from jobs where kind like 'smart.%' order by id")
      .all();
  } finally {
    db.close();
  }
}

export const disks: Concern = {
  name: "disks",
  needs: ["boot", "https", "dashboard"],
  async run(run) {
    const first = run.running("disks");
    const ca = run.ca!;
    check("boot 1: clean power-off", await powerOff(first));
    run.box = null;
    const data = partitions(run.disk).find((p) => p.name === "nasd-data");
    const dataEnd = data ? (data.start + data.size) * 512 : 0;
    const partitionBytes = (data?.size ?? 0) * 512;
    check(
      "GPT: the data partition reaches the end of the disk",
      data !== undefined && DISK_BYTES - dataEnd < 2 * 1024 ** 2,
      `ends ${((DISK_BYTES - dataEnd) / 1024).toFixed(0)} KiB before the end`,
    );
    // The image ships a 64 MiB data filesystem; grown, it fills (nearly all of) the grown partition.
    const dataBytes1 = run.dataBytes ?? 0;
    check(
      "the data filesystem was grown at first boot",
      partitionBytes > 1024 ** 3 && dataBytes1 > 0.95 * partitionBytes,
      `${(dataBytes1 / 1024 ** 2).toFixed(0)} MiB filesystem in a ${(partitionBytes / 1024 ** 2).toFixed(0)} MiB partition`,
    );
    const imageUuids = partitions(image).map((p) => p.uuid);
    check(
      "first boot gave the disk its own partition UUIDs (another disk with the image never matches root=PARTUUID=)",
      partitions(run.disk).every((p, i) => p.uuid !== imageUuids[i]),
    );

    // Who read SMART: the database the box wrote, read on the host after the clean power-off.
    const jobs = smartJobsOnDisk(run.work, run.disk, data);
    check(
      "SMART was read by the root worker's smart.refresh job (database on the data partition)",
      jobs.some((j) => j.kind === "smart.refresh" && j.status === "done") && jobs.every((j) => j.status !== "failed"),
      JSON.stringify(jobs),
    );

    // A second disk flashed with the same image (a USB stick made for another box) is plugged in from now on.
    const stick = join(run.work, "stick.img");
    spawnSync(["cp", "--sparse=always", image, stick]);
    spawnSync(["truncate", "-s", String(DISK_BYTES), stick]);
    run.secondDisk = { path: stick, before: diskFingerprint(stick) };

    console.log("boot 2: same disk, a second disk carrying the image plugged in");
    const second = await run.powerOn("2", { secondDisk: stick });
    const secondSeconds = await waitForHttps(second);
    check("boot 2: https /healthz answers 200", secondSeconds !== null, secondSeconds ? `${secondSeconds.toFixed(1)} s` : "timed out");
    if (secondSeconds === null) throw new Error(`boot 2: no https; serial log tail:\n${serial(second).slice(-4000)}`);
    run.secondBootSeconds = secondSeconds;
    const again = await fetchCa(second);
    check("the CA written to the data partition on boot 1 survives the reboot", again.sha256 === ca.sha256, again.sha256.slice(0, 16));
    const verified = curlVerified(second, ca.file, "/healthz");
    check("boot 2: TLS still verifies with the CA trusted on boot 1", verified.ok && verified.status === 200, verified.error);
    const status2 = await waitForSerial(second, statusLine);
    check(
      "boot 2: its own data filesystem (not the second disk's), / read-only",
      status2?.[1] === "ro" && Number(status2?.[2]) === dataBytes1,
      `data_bytes=${status2?.[2]}`,
    );
    await waitForSsh(second, run.sshKey);
    const mounts = sshRun(second, run.sshKey, "findmnt -n -o SOURCE /data; readlink -f /dev/nas/data /dev/nas/rootB; ls /dev/nas");
    check(
      "SSH as root with the key set in the dashboard; /dev/nas/* are partitions of the boot disk only",
      mounts.code === 0 && /^\/dev\/vda5\n\/dev\/vda5\n\/dev\/vda3\n/.test(mounts.out),
      `${mounts.out.replace(/\n/g, " ")}${mounts.err}`,
    );
    const units = sshRun(second, run.sshKey, "systemctl is-active nasd-web nasd-worker nasd-backup-worker nasd-storage-worker");
    const states = units.out.trim().split("\n");
    check(
      "boot 2: the web server and every worker run (web, media, backup, storage)",
      units.code === 0 && states.length === 4 && states.every((s) => s === "active"),
      states.join(" "),
    );
  },
};
