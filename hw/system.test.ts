import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CommandNotFoundError } from "./run";
import { createSystemSampler, decodeThrottled, listBlockDevices, listFilesystems, listVideoDevices, parseThrottled } from "./system";
import { fakeRunner } from "./testing";

function fakeRoot(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), "sysroot-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe("Raspberry Pi throttling", () => {
  test("0x50005: under-voltage and throttled now, both also since boot", () => {
    expect(decodeThrottled(0x50005)).toEqual({
      raw: 0x50005,
      underVoltageNow: true,
      frequencyCappedNow: false,
      throttledNow: true,
      softTempLimitNow: false,
      underVoltageOccurred: true,
      frequencyCappedOccurred: false,
      throttledOccurred: true,
      softTempLimitOccurred: false,
    });
  });

  test("0x80008 and 0x20002: soft temperature limit, frequency capping", () => {
    expect(decodeThrottled(0x80008)).toMatchObject({ softTempLimitNow: true, softTempLimitOccurred: true, underVoltageNow: false });
    expect(decodeThrottled(0x20002)).toMatchObject({ frequencyCappedNow: true, frequencyCappedOccurred: true, throttledNow: false });
    expect(Object.values(decodeThrottled(0)).filter((v) => v === true)).toEqual([]);
  });

  test("parses vcgencmd and sysfs formats", () => {
    expect(parseThrottled("throttled=0x50005\n")).toBe(0x50005);
    expect(parseThrottled("50000")).toBe(0x50000);
    expect(parseThrottled("0")).toBe(0);
    expect(parseThrottled('error=1 error_msg="Command not registered"')).toBeNull();
  });
});

describe("sampler on a fake Pi", () => {
  const piRoot = () =>
    fakeRoot({
      "sys/class/thermal/thermal_zone0/type": "cpu-thermal\n",
      "sys/class/thermal/thermal_zone0/temp": "61835\n",
      "sys/class/hwmon/hwmon1/name": "drivetemp\n",
      "sys/class/hwmon/hwmon1/temp1_input": "38000\n",
      "sys/devices/platform/soc/soc:firmware/get_throttled": "50005\n",
      "proc/device-tree/model": "Raspberry Pi 4 Model B Rev 1.5\0",
      "etc/os-release": 'NAME="Debian GNU/Linux"\nIMAGE_VERSION="2026.11.1"\n',
    });

  test("temperatures from sysfs, CPU temperature from the SoC zone, throttling from the firmware file", async () => {
    const fake = fakeRunner(() => new Error("vcgencmd must not run when sysfs has the value"));
    const s = await createSystemSampler({ root: piRoot(), run: fake.run, now: () => 1000 }).sample();
    expect(s.at).toBe(1000);
    expect(s.temperatures).toEqual([
      { label: "cpu-thermal", celsius: 61.8 },
      { label: "drivetemp temp1", celsius: 38 },
    ]);
    expect(s.cpuTemperatureC).toBe(61.8);
    expect(s.throttling).toMatchObject({ raw: 0x50005, underVoltageNow: true, throttledNow: true });
    expect(fake.calls).toEqual([]);
  });

  test("info reads the board model and the image version", async () => {
    const info = await createSystemSampler({ root: piRoot() }).info();
    expect(info.boardModel).toBe("Raspberry Pi 4 Model B Rev 1.5");
    expect(info.imageVersion).toBe("2026.11.1");
  });

  test("without the sysfs file, vcgencmd is asked, then cached for 30 s", async () => {
    let t = 0;
    const fake = fakeRunner(() => ({ stdout: "throttled=0x0\n" }));
    const sampler = createSystemSampler({ root: fakeRoot({}), run: fake.run, now: () => t });
    expect((await sampler.sample()).throttling).toMatchObject({ raw: 0, underVoltageNow: false });
    t = 10_000;
    await sampler.sample();
    expect(fake.calls).toEqual([["vcgencmd", "get_throttled"]]);
    t = 40_000;
    await sampler.sample();
    expect(fake.calls).toHaveLength(2);
  });

  test("a machine without vcgencmd has no throttling and stops asking", async () => {
    const fake = fakeRunner(() => new CommandNotFoundError("vcgencmd", "ENOENT"));
    let t = 0;
    const sampler = createSystemSampler({ root: fakeRoot({}), run: fake.run, now: () => (t += 60_000) });
    expect((await sampler.sample()).throttling).toBeNull();
    expect((await sampler.sample()).throttling).toBeNull();
    expect(fake.calls).toHaveLength(1);
  });
});

describe("CPU and network from /proc and /sys", () => {
  test("per-core load and throughput come from the deltas between two samples", async () => {
    const root = fakeRoot({
      "proc/stat": "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 400 0 0 0 0 0 0\nintr 1\n",
      "sys/class/net/eth0/operstate": "up\n",
      "sys/class/net/eth0/statistics/rx_bytes": "1000\n",
      "sys/class/net/eth0/statistics/tx_bytes": "500\n",
      "sys/class/net/lo/operstate": "unknown\n",
    });
    let t = 0;
    const sampler = createSystemSampler({ root, now: () => t, run: fakeRunner(() => ({ code: 1 })).run });
    const first = await sampler.sample();
    expect(first.cpu.percent).toBe(20); // since boot: 200 busy of 1000
    expect(first.network).toEqual([{ name: "eth0", up: true, rxBytes: 1000, txBytes: 500, rxBytesPerSec: null, txBytesPerSec: null }]);

    // cpu0 fully busy for 100 ticks, cpu1 idle for 100 ticks; eth0 received 10 kB and sent 2 kB in 2 s.
    writeFileSync(join(root, "proc/stat"), "cpu  200 0 100 900 0 0 0 0 0 0\ncpu0 150 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 500 0 0 0 0 0 0\n");
    writeFileSync(join(root, "sys/class/net/eth0/statistics/rx_bytes"), "11000\n");
    writeFileSync(join(root, "sys/class/net/eth0/statistics/tx_bytes"), "2500\n");
    t = 2000;
    const second = await sampler.sample();
    expect(second.cpu.percent).toBe(50);
    expect(second.cpu.perCore).toEqual([100, 0]);
    expect(second.network[0]).toMatchObject({ rxBytesPerSec: 5000, txBytesPerSec: 1000 });
  });
});

describe("sampler on this machine", () => {
  test("reports real CPU, memory, network and uptime", async () => {
    const sampler = createSystemSampler();
    await sampler.sample();
    const s = await sampler.sample();
    expect(s.cpu.perCore.length).toBeGreaterThan(0);
    expect(s.cpu.percent).toBeGreaterThanOrEqual(0);
    expect(s.cpu.percent).toBeLessThanOrEqual(100);
    expect(s.memory.totalBytes).toBeGreaterThan(s.memory.usedBytes);
    expect(s.memory.percent).toBeGreaterThan(0);
    expect(s.uptimeSeconds).toBeGreaterThan(0);
    expect(s.network.find((n) => n.name === "lo")).toBeUndefined();
    const info = await sampler.info();
    expect(info.cpuModel.length).toBeGreaterThan(0);
    expect(info.cores).toBeGreaterThan(0);
    expect(info.os.kernel.length).toBeGreaterThan(0);
  });
});

describe("block devices", () => {
  test("whole disks from /sys/block, without loop/zram/dm layers or empty readers", async () => {
    const root = fakeRoot({
      "sys/block/sda/size": "27344764928\n",
      "sys/block/sda/removable": "0\n",
      "sys/block/sda/device/model": "WDC WD140EDFZ-11\n",
      "sys/block/mmcblk0/size": "62333952\n",
      "sys/block/mmcblk0/removable": "0\n",
      "sys/block/mmcblk0/device/name": "SN64G\n",
      "sys/block/sdb/size": "0\n",
      "sys/block/loop0/size": "100\n",
      "sys/block/zram0/size": "100\n",
      "sys/block/dm-0/size": "100\n",
    });
    expect(await listBlockDevices(root)).toEqual([
      { path: "/dev/mmcblk0", sizeBytes: 62333952 * 512, removable: false, model: "SN64G" },
      { path: "/dev/sda", sizeBytes: 27344764928 * 512, removable: false, model: "WDC WD140EDFZ-11" },
    ]);
  });

  test("this machine has at least one disk", async () => {
    expect((await listBlockDevices()).length).toBeGreaterThan(0);
  });
});

describe("video acceleration", () => {
  test("DRM render nodes by driver and V4L2 codec devices, not cameras", async () => {
    const root = fakeRoot({
      "sys/class/drm/renderD128/device/uevent": "DRIVER=i915\nPCI_CLASS=30000\n",
      "sys/class/drm/card0/device/uevent": "DRIVER=i915\n",
      "sys/class/video4linux/video10/name": "bcm2835-codec-decode\n",
      "sys/class/video4linux/video11/name": "bcm2835-codec-encode\n",
      "sys/class/video4linux/video0/name": "USB Camera\n",
    });
    expect(await listVideoDevices(root)).toEqual([
      { path: "/dev/dri/renderD128", name: "i915" },
      { path: "/dev/video10", name: "bcm2835-codec-decode" },
      { path: "/dev/video11", name: "bcm2835-codec-encode" },
    ]);
    expect(await listVideoDevices(fakeRoot({}))).toEqual([]);
  });
});

describe("filesystems", () => {
  test("writable block-device mounts once each, with df-style usage; read-only and virtual ones skipped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mnt point-"));
    const escaped = dir.replace(/ /g, "\\040");
    const root = fakeRoot({
      "proc/self/mounts": [
        "/dev/mmcblk0p2 / squashfs ro,relatime 0 0",
        `/dev/sda1 ${escaped} ext4 rw,relatime 0 0`,
        `/dev/sda1 ${escaped}/bind ext4 rw,relatime 0 0`,
        "tmpfs /run tmpfs rw 0 0",
        "/dev/sdz1 /does/not/exist ext4 rw 0 0",
      ].join("\n"),
    });
    const [fs, ...rest] = await listFilesystems(root);
    expect(rest).toEqual([]);
    expect(fs).toMatchObject({ device: "/dev/sda1", mount: dir, type: "ext4" });
    expect(fs!.totalBytes).toBe(fs!.usedBytes + fs!.freeBytes);
    expect(fs!.usedBytes).toBeGreaterThan(0);
  });
});
