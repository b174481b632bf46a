/**
 * System statistics for the dashboard: static facts (CPU model, OS, interfaces) read once, and a cheap sample
 * (load, memory, temperatures, throughput, Pi throttling) taken every few seconds by the web process.
 */
import { readdir, readFile, statfs } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { CommandNotFoundError, runCommand, type Runner } from "./run";

export interface SystemInfo {
  hostname: string;
  cpuModel: string;
  cores: number;
  arch: string;
  os: { distro: string; release: string; kernel: string };
  /** IMAGE_VERSION from /etc/os-release when the appliance image sets it. */
  imageVersion: string | null;
  /** "Raspberry Pi 4 Model B Rev 1.5" from the device tree, null elsewhere. */
  boardModel: string | null;
  /** Hardware video codecs the worker could use: DRM render nodes (VAAPI/QSV) and V4L2 memory-to-memory codecs (Pi). */
  videoAcceleration: VideoDevice[];
  totalMemoryBytes: number;
  interfaces: NetworkInterfaceInfo[];
}

export interface NetworkInterfaceInfo {
  name: string;
  mac: string | null;
  ipv4: string | null;
  ipv6: string | null;
  /** Link speed in Mbit/s when the driver reports it. */
  speedMbps: number | null;
  type: string;
}

export interface VideoDevice {
  path: string;
  /** Driver or V4L2 card name: "i915", "bcm2835-codec-decode"… */
  name: string;
}

export interface PiThrottling {
  raw: number;
  underVoltageNow: boolean;
  frequencyCappedNow: boolean;
  throttledNow: boolean;
  softTempLimitNow: boolean;
  underVoltageOccurred: boolean;
  frequencyCappedOccurred: boolean;
  throttledOccurred: boolean;
  softTempLimitOccurred: boolean;
}

export interface SystemSample {
  at: number;
  cpu: { percent: number; perCore: number[]; load1: number; load5: number; load15: number };
  memory: { totalBytes: number; usedBytes: number; availableBytes: number; percent: number; swapTotalBytes: number; swapUsedBytes: number };
  /** Hottest CPU/SoC sensor, °C; null when the machine exposes none (most VMs). */
  cpuTemperatureC: number | null;
  temperatures: { label: string; celsius: number }[];
  throttling: PiThrottling | null;
  network: { name: string; up: boolean; rxBytes: number; txBytes: number; rxBytesPerSec: number | null; txBytesPerSec: number | null }[];
  uptimeSeconds: number;
}

/** Decodes `vcgencmd get_throttled` (Raspberry Pi firmware): bits 0-3 now, bits 16-19 since boot. */
export function decodeThrottled(raw: number): PiThrottling {
  const bit = (n: number) => (raw & (1 << n)) !== 0;
  return {
    raw,
    underVoltageNow: bit(0),
    frequencyCappedNow: bit(1),
    throttledNow: bit(2),
    softTempLimitNow: bit(3),
    underVoltageOccurred: bit(16),
    frequencyCappedOccurred: bit(17),
    throttledOccurred: bit(18),
    softTempLimitOccurred: bit(19),
  };
}

/** Parses "throttled=0x50005" (vcgencmd) or "50005" (the firmware's sysfs file, hex without prefix). */
export function parseThrottled(text: string): number | null {
  const m = text.trim().match(/^(?:throttled=)?(?:0x)?([0-9a-f]+)$/i);
  return m ? parseInt(m[1]!, 16) : null;
}

export interface SamplerDeps {
  run?: Runner;
  /** Root of /sys, /proc and /etc for tests (a temp dir with the same layout); "/" on a real machine. */
  root?: string;
  now?: () => number;
}

export interface SystemSampler {
  info(): Promise<SystemInfo>;
  sample(): Promise<SystemSample>;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const readText = (path: string) =>
  readFile(path, "utf8").then(
    (s) => s.replace(/\0/g, "").trim(),
    () => null,
  );

// Thermal zones that are the CPU/SoC on common boards (x86 pkg temp, Pi's cpu-thermal, Rockchip soc-thermal…).
const CPU_SENSOR = /cpu|soc|x86_pkg|coretemp|k10temp|zenpower|package|tctl|acpitz/i;

// Temperatures straight from sysfs: systeminformation's cpuTemperature() spawns three shells per call
// (measured ~6 ms CPU each time), too much for a sample every few seconds on a Pi.
async function readTemperatures(path: (p: string) => string) {
  const out: { label: string; celsius: number }[] = [];
  const zones = await readdir(path("sys/class/thermal")).catch(() => [] as string[]);
  for (const zone of zones.filter((z) => z.startsWith("thermal_zone")).sort()) {
    const [type, temp] = await Promise.all([readText(path(`sys/class/thermal/${zone}/type`)), readText(path(`sys/class/thermal/${zone}/temp`))]);
    const milli = Number(temp);
    if (temp && Number.isFinite(milli)) out.push({ label: type || zone, celsius: Math.round(milli / 100) / 10 });
  }
  const hwmons = await readdir(path("sys/class/hwmon")).catch(() => [] as string[]);
  for (const hwmon of hwmons.sort()) {
    const dir = path(`sys/class/hwmon/${hwmon}`);
    const name = (await readText(join(dir, "name"))) ?? hwmon;
    const inputs = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^temp\d+_input$/.test(f)).sort();
    for (const input of inputs) {
      const milli = Number(await readText(join(dir, input)));
      if (!Number.isFinite(milli)) continue;
      const label = (await readText(join(dir, input.replace("_input", "_label")))) ?? input.replace("_input", "");
      out.push({ label: `${name} ${label}`, celsius: Math.round(milli / 100) / 10 });
    }
  }
  return out;
}

/** /proc/meminfo in kB; without it (not Linux) the totals Node knows. */
async function readMemory(path: (p: string) => string) {
  const text = await readText(path("proc/meminfo"));
  const kb = (key: string) => Number(text?.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN) * 1024;
  const total = kb("MemTotal");
  if (!Number.isFinite(total)) return { total: os.totalmem(), available: os.freemem(), swaptotal: 0, swapused: 0 };
  const available = Number.isFinite(kb("MemAvailable")) ? kb("MemAvailable") : kb("MemFree");
  const swaptotal = kb("SwapTotal") || 0;
  return { total, available, swaptotal, swapused: swaptotal - (kb("SwapFree") || 0) };
}

export function createSystemSampler(deps: SamplerDeps = {}): SystemSampler {
  const run = deps.run ?? runCommand;
  const root = deps.root ?? "/";
  const now = deps.now ?? Date.now;
  const path = (p: string) => join(root, p);
  let vcgencmd: "unknown" | "present" | "absent" = "unknown";
  let throttleCache: { at: number; value: PiThrottling | null } | null = null;

  // CPU load and network counters from /proc and /sys too: systeminformation's currentLoad() and networkStats()
  // shell out to `cat` on every call.
  let lastCpu: { total: number; idle: number }[] | null = null;
  async function readCpu() {
    const stat = (await readText(path("proc/stat"))) ?? "";
    const counters = stat
      .split("\n")
      .filter((l) => /^cpu\d* /.test(l))
      .map((l) => {
        // user nice system idle iowait irq softirq steal (guest time is already inside user)
        const f = l.trim().split(/\s+/).slice(1, 9).map(Number);
        const idle = (f[3] ?? 0) + (f[4] ?? 0);
        return { total: f.reduce((a, b) => a + b, 0), idle };
      });
    const previous = lastCpu;
    lastCpu = counters;
    const busy = counters.map((c, i) => {
      const p = previous?.[i] ?? { total: 0, idle: 0 };
      const dt = c.total - p.total;
      return dt > 0 ? round1((100 * (dt - (c.idle - p.idle))) / dt) : 0;
    });
    return { percent: busy[0] ?? 0, perCore: busy.slice(1) };
  }

  let lastNet: { at: number; bytes: Map<string, { rx: number; tx: number }> } | null = null;
  async function readNetwork(): Promise<SystemSample["network"]> {
    const at = now();
    const names = (await readdir(path("sys/class/net")).catch(() => [] as string[])).filter((n) => n !== "lo").sort();
    const rows = await Promise.all(
      names.map(async (name) => {
        const dir = path(`sys/class/net/${name}`);
        const [state, rx, tx] = await Promise.all([
          readText(join(dir, "operstate")),
          readText(join(dir, "statistics/rx_bytes")),
          readText(join(dir, "statistics/tx_bytes")),
        ]);
        return { name, up: state === "up", rxBytes: Number(rx) || 0, txBytes: Number(tx) || 0 };
      }),
    );
    const previous = lastNet;
    lastNet = { at, bytes: new Map(rows.map((r) => [r.name, { rx: r.rxBytes, tx: r.txBytes }])) };
    const seconds = previous ? (at - previous.at) / 1000 : 0;
    return rows.map((r) => {
      const p = previous?.bytes.get(r.name);
      const rate = (cur: number, old: number | undefined) => (old !== undefined && seconds > 0 && cur >= old ? Math.round((cur - old) / seconds) : null);
      return { ...r, rxBytesPerSec: rate(r.rxBytes, p?.rx), txBytesPerSec: rate(r.txBytes, p?.tx) };
    });
  }

  async function readThrottling(): Promise<PiThrottling | null> {
    const sysfs = await readText(path("sys/devices/platform/soc/soc:firmware/get_throttled"));
    if (sysfs !== null) {
      const raw = parseThrottled(sysfs);
      return raw === null ? null : decodeThrottled(raw);
    }
    if (vcgencmd === "absent") return null;
    // Older Pi kernels have no sysfs file: ask the firmware through vcgencmd, at most twice a minute.
    if (throttleCache && now() - throttleCache.at < 30_000) return throttleCache.value;
    let value: PiThrottling | null = null;
    try {
      const res = await run(["vcgencmd", "get_throttled"], { timeoutMs: 2_000, maxOutputBytes: 1024 });
      vcgencmd = "present";
      const raw = res.code === 0 ? parseThrottled(res.stdout) : null;
      value = raw === null ? null : decodeThrottled(raw);
    } catch (err) {
      if (!(err instanceof CommandNotFoundError)) throw err;
      vcgencmd = "absent";
    }
    throttleCache = { at: now(), value };
    return value;
  }

  return {
    async info() {
      // systeminformation is only needed for these static facts: load it on first use, not with the web process.
      const { default: si } = await import("systeminformation");
      const [cpu, osInfo, ifaces, osRelease, board] = await Promise.all([
        si.cpu(),
        si.osInfo(),
        si.networkInterfaces(),
        readText(path("etc/os-release")),
        readText(path("proc/device-tree/model")),
      ]);
      const imageVersion = osRelease?.match(/^IMAGE_VERSION="?([^"\n]+)"?$/m)?.[1] ?? null;
      return {
        hostname: os.hostname(),
        cpuModel: [cpu.manufacturer, cpu.brand].filter(Boolean).join(" ") || os.cpus()[0]?.model || "unknown CPU",
        cores: cpu.cores || os.cpus().length,
        arch: os.arch(),
        os: { distro: osInfo.distro, release: osInfo.release, kernel: osInfo.kernel },
        imageVersion,
        boardModel: board || null,
        videoAcceleration: await listVideoDevices(root),
        totalMemoryBytes: os.totalmem(),
        interfaces: (Array.isArray(ifaces) ? ifaces : [ifaces])
          .filter((i) => !i.internal && !i.virtual)
          .map((i) => ({
            name: i.iface,
            mac: i.mac || null,
            ipv4: i.ip4 || null,
            ipv6: i.ip6 || null,
            speedMbps: i.speed && i.speed > 0 ? i.speed : null,
            type: i.type || "unknown",
          })),
      };
    },

    async sample() {
      const [cpu, mem, network, temperatures, throttling] = await Promise.all([
        readCpu(),
        readMemory(path),
        readNetwork(),
        readTemperatures(path),
        readThrottling(),
      ]);
      const [load1, load5, load15] = os.loadavg() as [number, number, number];
      const cpuTemps = temperatures.filter((t) => CPU_SENSOR.test(t.label));
      const hottest = (cpuTemps.length ? cpuTemps : temperatures).reduce<number | null>((max, t) => (max === null || t.celsius > max ? t.celsius : max), null);
      return {
        at: now(),
        cpu: { ...cpu, load1, load5, load15 },
        memory: {
          totalBytes: mem.total,
          // Page cache counts as free: "used" is what programs hold, as `free` shows it.
          usedBytes: mem.total - mem.available,
          availableBytes: mem.available,
          percent: mem.total ? round1((100 * (mem.total - mem.available)) / mem.total) : 0,
          swapTotalBytes: mem.swaptotal,
          swapUsedBytes: mem.swapused,
        },
        cpuTemperatureC: hottest,
        temperatures,
        throttling,
        network,
        uptimeSeconds: Math.round(os.uptime()),
      };
    },
  };
}

export interface BlockDevice {
  /** "/dev/sda", "/dev/mmcblk0", "/dev/vda" */
  path: string;
  sizeBytes: number;
  removable: boolean;
  model: string | null;
}

// Not disks: loop/ram/zram devices, device-mapper and md layers (their members are listed), optical drives.
const NOT_A_DISK = /^(loop|ram|zram|dm-|md|sr|nbd|fd)/;

/** Whole disks from /sys/block, so disks smartctl does not list (virtio, SD cards) still show up with a reason. */
export async function listBlockDevices(root = "/"): Promise<BlockDevice[]> {
  const names = await readdir(join(root, "sys/block")).catch(() => [] as string[]);
  const out: BlockDevice[] = [];
  for (const name of names.filter((n) => !NOT_A_DISK.test(n)).sort()) {
    const dir = join(root, "sys/block", name);
    const sectors = Number(await readText(join(dir, "size")));
    if (!sectors) continue; // an empty card reader
    const model = (await readText(join(dir, "device/model"))) || (await readText(join(dir, "device/name")));
    out.push({ path: `/dev/${name}`, sizeBytes: sectors * 512, removable: (await readText(join(dir, "removable"))) === "1", model: model || null });
  }
  return out;
}

/**
 * Video codec hardware visible to this machine: /dev/dri/renderD* (named by their DRM driver) and V4L2
 * memory-to-memory devices (the Pi's bcm2835-codec and its successors), from sysfs only.
 */
export async function listVideoDevices(root = "/"): Promise<VideoDevice[]> {
  const out: VideoDevice[] = [];
  for (const node of (await readdir(join(root, "sys/class/drm")).catch(() => [] as string[])).filter((n) => /^renderD\d+$/.test(n)).sort()) {
    const uevent = (await readText(join(root, "sys/class/drm", node, "device/uevent"))) ?? "";
    out.push({ path: `/dev/dri/${node}`, name: uevent.match(/^DRIVER=(.+)$/m)?.[1] ?? "GPU" });
  }
  for (const node of (await readdir(join(root, "sys/class/video4linux")).catch(() => [] as string[])).sort()) {
    const name = (await readText(join(root, "sys/class/video4linux", node, "name"))) ?? "";
    if (/codec|m2m|encoder|decoder|hevc|h264/i.test(name)) out.push({ path: `/dev/${node}`, name });
  }
  return out;
}

export interface MountedFilesystem {
  device: string;
  mount: string;
  type: string;
  totalBytes: number;
  usedBytes: number;
  /** What an unprivileged process can still write (root-reserved blocks excluded), as df shows it. */
  freeBytes: number;
}

/** Writable filesystems on block devices (/proc/self/mounts), with usage; read-only ones (squashfs root) cannot fill up. */
export async function listFilesystems(root = "/"): Promise<MountedFilesystem[]> {
  const mounts = (await readText(join(root, "proc/self/mounts"))) ?? "";
  const seen = new Set<string>();
  const out: MountedFilesystem[] = [];
  for (const line of mounts.split("\n")) {
    const [device, rawMount, type, options] = line.split(" ");
    if (!device?.startsWith("/dev/") || !rawMount || !type || !options) continue;
    if (options.split(",").includes("ro") || seen.has(device)) continue; // bind mounts repeat the device
    seen.add(device);
    // /proc/mounts escapes spaces and the like as octal (\040).
    const mount = rawMount.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    const s = await statfs(mount).catch(() => null);
    if (!s) continue;
    const used = (s.blocks - s.bfree) * s.bsize;
    const free = s.bavail * s.bsize;
    out.push({ device, mount, type, totalBytes: used + free, usedBytes: used, freeBytes: free });
  }
  return out;
}
