/**
 * The image test's machine: the flashed disk, qemu power-ons (OVMF → GRUB → kernel → squashfs root, TCG), the serial
 * console, power buttons and power cuts, the disk read from the host, and the check() every concern reports through.
 * One `ImageRun` is shared by the concerns (os/tests/image/*.ts), which image.e2e.ts runs in order on the same disk.
 */
import { spawn, spawnSync, type Subprocess } from "bun";
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import type { TestBundles } from "./bundles";

export const repo = resolve(import.meta.dir, "../../..");
export const image = process.env.IMAGE ?? join(repo, "out/nas-x86_64.img");
export const DISK_BYTES = 4 * 1024 ** 3;
export const BOOT_TIMEOUT_MS = Number(process.env.BOOT_TIMEOUT_S ?? 300) * 1000;
export const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
export const OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";
/** The box's RAM: 1.5 GB by default; `make image-memory` boots it with 1 GB (QEMU_MEMORY_MB=1024). */
export const MEMORY_MB = Number(process.env.QEMU_MEMORY_MB ?? 1536);

export const results = { passed: 0, failed: 0 };
export function check(name: string, ok: boolean, detail = "") {
  if (ok) results.passed++;
  else results.failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export type Boot = {
  qemu: Subprocess;
  serialLog: string;
  monitor: string;
  https: number;
  http: number;
  ssh: number;
  /** The port other boxes back up to (BACKUP_HOST_PORT=8000 in nasd-web.service), forwarded here. */
  backupHost: number;
  startedAt: number;
};

/** What is plugged in besides the boot disk: a second disk carrying the image, a blank disk for backups. */
export type PlugIn = { secondDisk?: string; backupDisk?: string };

/** Power on. `-no-reboot`: a reboot of the guest ends qemu, and the test powers it on again (same disk, same firmware variables). */
async function boot(work: string, disk: string, label: string, opts: PlugIn = {}): Promise<Boot> {
  const https = await freePort();
  const http = await freePort();
  const sshPort = await freePort();
  const backupHost = await freePort();
  const serialLog = join(work, `serial-${label}.log`);
  const monitor = join(work, `monitor-${label}.sock`);
  const startedAt = performance.now();
  const qemu = spawn(
    [
      // A box with one disk and one network port: no default CD drive, no network boot ROM.
      "qemu-system-x86_64",
      "-nodefaults",
      "-accel",
      "tcg",
      "-machine",
      "q35",
      "-cpu",
      "max",
      "-smp",
      "2",
      "-m",
      String(MEMORY_MB),
      "-drive",
      `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`,
      "-drive",
      `if=pflash,format=raw,file=${join(work, "OVMF_VARS.fd")}`,
      "-drive",
      `if=none,id=disk,file=${disk},format=raw`,
      "-device",
      "virtio-blk-pci,drive=disk,bootindex=0",
      // restrict=on: the guest reaches nothing beyond qemu's own DHCP; only these forwards come in.
      // A USB stick flashed with the same image, plugged in as a second disk.
      ...(opts.secondDisk ? ["-drive", `if=none,id=disk2,file=${opts.secondDisk},format=raw`, "-device", "virtio-blk-pci,drive=disk2"] : []),
      // A blank disk for backups; its serial names it in the guest (/dev/disk/by-id/virtio-nas-backup).
      ...(opts.backupDisk
        ? ["-drive", `if=none,id=backup,file=${opts.backupDisk},format=raw`, "-device", "virtio-blk-pci,drive=backup,serial=nas-backup"]
        : []),
      "-netdev",
      `user,id=lan,restrict=on,hostfwd=tcp:127.0.0.1:${https}-:443,hostfwd=tcp:127.0.0.1:${http}-:80,hostfwd=tcp:127.0.0.1:${sshPort}-:22,hostfwd=tcp:127.0.0.1:${backupHost}-:8000`,
      "-device",
      "virtio-net-pci,netdev=lan,romfile=",
      "-display",
      "none",
      "-serial",
      `file:${serialLog}`,
      "-monitor",
      `unix:${monitor},server,nowait`,
      "-no-reboot",
    ],
    { stdout: "inherit", stderr: "inherit" },
  );
  return { qemu, serialLog, monitor, https, http, ssh: sshPort, backupHost, startedAt };
}

export const serial = (b: Boot) => (existsSync(b.serialLog) ? readFileSync(b.serialLog, "latin1") : "");

/** The console line nas-console-banner.service prints on every boot. */
export const statusLine =
  /nas-status: root=(\w+) data_bytes=(\d+) web=(\w+) storage=(\w+) storage_worker=(\w+) power=(\w+) slot=(\S+) image=(\S+) watchdog=(\S+)/;

/** Seconds from power-on until GET https://…/healthz answers 200 (certificate not yet trusted). */
export async function waitForHttps(b: Boot): Promise<number | null> {
  while (performance.now() - b.startedAt < BOOT_TIMEOUT_MS) {
    if (b.qemu.exitCode !== null) return null;
    try {
      const res = await fetch(`https://127.0.0.1:${b.https}/healthz`, {
        tls: { rejectUnauthorized: false },
        signal: AbortSignal.timeout(5000),
      });
      if (res.status === 200) return (performance.now() - b.startedAt) / 1000;
    } catch {}
    await sleep(1000);
  }
  return null;
}

export async function waitForSerial(b: Boot, pattern: RegExp, ms = 60_000): Promise<RegExpMatchArray | null> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const match = serial(b).match(pattern);
    if (match) return match;
    await sleep(1000);
  }
  return null;
}

export async function powerOff(b: Boot): Promise<boolean> {
  // The ACPI power button, as a person pressing it: systemd-logind shuts the box down cleanly.
  const socket = await Bun.connect({ unix: b.monitor, socket: { data() {} } });
  socket.write("system_powerdown\n");
  const deadline = performance.now() + 180_000;
  while (b.qemu.exitCode === null && performance.now() < deadline) await sleep(1000);
  socket.end();
  if (b.qemu.exitCode === null) {
    b.qemu.kill(9);
    await b.qemu.exited;
    return false;
  }
  return true;
}

/** Power cut: qemu killed, nothing flushed or shut down. */
export async function pullPlug(b: Boot) {
  b.qemu.kill(9);
  await b.qemu.exited;
}

/** Waits for the guest to reboot (qemu ends under -no-reboot); false when it is still running after `ms`. */
export async function waitForExit(b: Boot, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (b.qemu.exitCode === null && performance.now() < until) await sleep(1000);
  return b.qemu.exitCode !== null;
}

export type Partition = { name: string; start: number; size: number; uuid: string };

export function partitions(disk: string): Partition[] {
  const out = spawnSync(["sfdisk", "--json", disk]);
  return JSON.parse(out.stdout.toString()).partitiontable.partitions;
}

/** The data partition copied out of the disk image into `work/name` (sparse), for debugfs to read without mounting. */
export function copyDataPartition(work: string, disk: string, data: { start: number; size: number }, name: string) {
  const part = join(work, name);
  const iflag = "iflag=skip_bytes,count_bytes";
  spawnSync(["dd", `if=${disk}`, `of=${part}`, "bs=1M", iflag, `skip=${data.start * 512}`, `count=${data.size * 512}`, "conv=sparse", "status=none"]);
  return part;
}

/** The GPT and the bytes of the state and data partitions of a disk: what the box must never touch on a second disk. */
export function diskFingerprint(disk: string) {
  const parts = partitions(disk);
  const hash = createHash("sha256").update(JSON.stringify(parts));
  const fd = openSync(disk, "r");
  try {
    for (const p of parts.filter((p) => p.name === "nasd-state" || p.name === "nasd-data")) {
      const buf = Buffer.alloc(p.size * 512);
      readSync(fd, buf, 0, buf.length, p.start * 512);
      hash.update(buf);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** The CA the box made on its first boot, as fetched over plain http and written to `file` (PEM) for curl and Chromium. */
export type TrustedCa = { der: Buffer; sha256: string; file: string };

/** What the concerns share: the disk, the running box, what earlier concerns set up, and lines for the summary. */
export type ImageRun = {
  work: string;
  /** The flashed boot disk, powered on again after each reboot. */
  disk: string;
  /** The admin's SSH key (its public half is set in Settings → System by the dashboard concern). */
  sshKey: string;
  /** The power-on running now; each concern leaves it running or sets it to null after a power-off. */
  box: Boot | null;
  powerOn: (label: string, opts?: PlugIn) => Promise<Boot>;
  /** The running box, or an error naming the concern that needed one. */
  running: (concern: string) => Boot;
  ca?: TrustedCa;
  /** The update bundles (made before the first power-on when the update concern runs). */
  bundles?: TestBundles;
  /** An app token of the admin (`nas token create` over SSH), made when a concern first signs in with one. */
  token?: string;
  /** A second disk carrying the image (plugged in by the disks concern) and its fingerprint before. */
  secondDisk?: { path: string; before: string };
  /** Filled by the concerns that boot the box, printed at the end. */
  firstBootSeconds?: number;
  secondBootSeconds?: number;
  /** The data filesystem's size after the first boot grew it (console status line). */
  dataBytes?: number;
  timings: string[];
};

/** A part of the image test. `needs`: the concerns that must have run before it (image.e2e.ts adds them when one is asked for). */
export type Concern = {
  name: string;
  needs: string[];
  /** Work done before the first power-on (e.g. the update bundles), only when this concern runs. */
  prepare?: (run: ImageRun) => void;
  run: (run: ImageRun) => Promise<void>;
};

/** A run on a fresh copy of OVMF's variables in `work`; every qemu it starts is killed when the process exits. */
export function imageRun(work: string, disk: string, sshKey: string): ImageRun & { stopAll: () => void } {
  const boots: Boot[] = [];
  const run: ImageRun & { stopAll: () => void } = {
    work,
    disk,
    sshKey,
    box: null,
    timings: [],
    async powerOn(label, opts = {}) {
      const b = await boot(work, disk, label, opts);
      boots.push(b);
      run.box = b;
      return b;
    },
    running(concern) {
      if (!run.box || run.box.qemu.exitCode !== null) throw new Error(`${concern}: the box is not running`);
      return run.box;
    },
    stopAll: () => boots.forEach((b) => b.qemu.exitCode === null && b.qemu.kill(9)),
  };
  return run;
}
