import { describe, expect, test } from "bun:test";
import { CommandNotFoundError } from "./run";
import { createSmartReader } from "./smart";
import { smartFixture } from "./test-fixtures";
import { fakeRunner } from "./testing";

const missingBinary = () => new CommandNotFoundError("smartctl", "ENOENT");

describe("without smartctl", () => {
  test("the real runner with a missing binary gives not-installed results, never a throw", async () => {
    const smart = createSmartReader({ smartctl: "/nonexistent/bin/smartctl" });
    expect(await smart.scanDevices()).toEqual({
      available: false,
      code: "not-installed",
      reason: "smartctl is not installed (package smartmontools)",
    });
    expect(await smart.readSmartReport("/dev/sda")).toMatchObject({ available: false, device: "/dev/sda", code: "not-installed" });
    expect(await smart.startSelfTest("/dev/sda", "short")).toMatchObject({ started: false });
  });
});

describe("scanDevices", () => {
  test("runs --scan-open --json=c and parses the device list", async () => {
    const fake = fakeRunner(() => ({ stdout: smartFixture("smartctl_scan_nvme.json") }));
    const scan = await createSmartReader({ run: fake.run }).scanDevices();
    expect(fake.calls).toEqual([["smartctl", "--scan-open", "--json=c"]]);
    expect(scan).toEqual({
      available: true,
      devices: [{ name: "/dev/nvme0", infoName: "/dev/nvme0", type: "nvme", protocol: "NVMe", openError: null }],
    });
  });

  test("a VM with only virtio disks has no devices", async () => {
    const fake = fakeRunner(() => ({ stdout: smartFixture("scan-open-virtio.json") }));
    expect(await createSmartReader({ run: fake.run }).scanDevices()).toEqual({ available: true, devices: [] });
  });

  test("a timeout is reported", async () => {
    const fake = fakeRunner(() => ({ code: null, signal: "SIGTERM", timedOut: true }));
    expect(await createSmartReader({ run: fake.run }).scanDevices()).toMatchObject({ available: false, code: "timeout" });
  });
});

describe("readSmartReport", () => {
  test("passes -x, -n standby and the scanned -d type; a failing disk (exit 216) is a report, not an error", async () => {
    const fake = fakeRunner(() => ({ code: 216, stdout: smartFixture("smart-fail2.json") }));
    const r = await createSmartReader({ run: fake.run }).readSmartReport({
      name: "/dev/sdc",
      infoName: "/dev/sdc [USB JMicron]",
      type: "usbjmicron",
      protocol: "ATA",
      openError: null,
    });
    expect(fake.calls).toEqual([["smartctl", "-x", "--json=c", "-n", "standby", "-d", "usbjmicron", "/dev/sdc"]]);
    expect(r).toMatchObject({ available: true, health: "failed", reallocatedSectors: 1975 });
  });

  test("a command prefix (sudo rule) is put before the arguments", async () => {
    const fake = fakeRunner(() => ({ stdout: smartFixture("smart-ata.json") }));
    await createSmartReader({ run: fake.run, smartctl: ["sudo", "-n", "/usr/sbin/smartctl"] }).readSmartReport("/dev/sdb");
    expect(fake.calls).toEqual([["sudo", "-n", "/usr/sbin/smartctl", "-x", "--json=c", "-n", "standby", "/dev/sdb"]]);
  });

  test("wake: true reads a sleeping disk", async () => {
    const fake = fakeRunner(() => ({ stdout: smartFixture("smart-ata.json") }));
    await createSmartReader({ run: fake.run }).readSmartReport("/dev/sdb", { wake: true });
    expect(fake.calls).toEqual([["smartctl", "-x", "--json=c", "/dev/sdb"]]);
  });

  test("a disk in standby is reported as asleep", async () => {
    const standby = JSON.stringify({
      smartctl: {
        argv: ["smartctl", "-x", "--json=c", "-n", "standby", "/dev/sdb"],
        messages: [{ string: "Device is in STANDBY mode, exit(2)", severity: "information" }],
        exit_status: 2,
      },
    });
    const fake = fakeRunner(() => ({ code: 2, stdout: standby }));
    expect(await createSmartReader({ run: fake.run }).readSmartReport("/dev/sdb")).toMatchObject({ available: false, code: "asleep" });
  });

  test("an unknown USB bridge is retried with -d sat", async () => {
    const unknownBridge = JSON.stringify({
      smartctl: { messages: [{ string: "/dev/sdc: Unknown USB bridge [0x152d:0x0578 (0x214)]", severity: "error" }], exit_status: 1 },
    });
    const fake = fakeRunner((argv) => (argv.includes("sat") ? { stdout: smartFixture("smart-sat.json") } : { code: 1, stdout: unknownBridge }));
    const r = await createSmartReader({ run: fake.run }).readSmartReport("/dev/sdc");
    expect(fake.calls).toEqual([
      ["smartctl", "-x", "--json=c", "-n", "standby", "/dev/sdc"],
      ["smartctl", "-x", "--json=c", "-n", "standby", "-d", "sat", "/dev/sdc"],
    ]);
    expect(r).toMatchObject({ available: true, temperatureC: 29 });
  });

  test("a USB bridge without SAT pass-through stays not-available, with both reasons", async () => {
    const fake = fakeRunner((argv) =>
      argv.includes("sat")
        ? {
            code: 2,
            stdout: JSON.stringify({
              smartctl: { messages: [{ string: "Smartctl open device: /dev/sdc [SAT] failed: Operation not permitted", severity: "error" }], exit_status: 2 },
            }),
          }
        : {
            code: 1,
            stdout: JSON.stringify({ smartctl: { messages: [{ string: "/dev/sdc: Unknown USB bridge [0x0bda:0x9210]", severity: "error" }], exit_status: 1 } }),
          },
    );
    const r = await createSmartReader({ run: fake.run }).readSmartReport("/dev/sdc");
    expect(r).toMatchObject({ available: false, code: "unknown-usb-bridge" });
    expect(!r.available && r.reason).toContain("retried through the USB bridge with -d sat");
    expect(fake.calls).toHaveLength(2);
  });

  test("a USB enclosure seen as SCSI without SMART is retried with -d sat; an NVMe without SMART is not", async () => {
    const noSmart = (argv: readonly string[]) => ({
      code: 4,
      stdout: JSON.stringify({
        smartctl: { exit_status: 4 },
        device: { name: argv[argv.length - 1], type: "scsi", protocol: "SCSI" },
        smart_support: { available: false },
      }),
    });
    const usb = fakeRunner((argv) => (argv.includes("sat") ? { stdout: smartFixture("smart-ata.json") } : noSmart(argv)));
    const scsi = { name: "/dev/sdb", infoName: "/dev/sdb", type: "scsi", protocol: "SCSI" as const, openError: null };
    expect(await createSmartReader({ run: usb.run }).readSmartReport(scsi)).toMatchObject({ available: true, model: "WDC WD140EDFZ-11A0VA0" });
    expect(usb.calls[1]).toEqual(["smartctl", "-x", "--json=c", "-n", "standby", "-d", "sat", "/dev/sdb"]);

    const nvme = fakeRunner(noSmart);
    const r = await createSmartReader({ run: nvme.run }).readSmartReport({ ...scsi, name: "/dev/nvme0", type: "nvme", protocol: "NVMe" });
    expect(r).toMatchObject({ available: false, code: "no-smart" });
    expect(nvme.calls).toHaveLength(1);
  });

  test("a virtio disk (or SD card) is not-available with the reason, and not retried", async () => {
    const fake = fakeRunner(() => ({ code: 1, stdout: smartFixture("virtio-no-smart.json") }));
    const r = await createSmartReader({ run: fake.run }).readSmartReport("/dev/vda");
    expect(r).toMatchObject({ available: false, code: "unknown-device-type", device: "/dev/vda" });
    expect(fake.calls).toHaveLength(1);
  });

  test("refuses anything that is not a device path", async () => {
    const smart = createSmartReader({ run: fakeRunner(() => ({})).run });
    expect(smart.readSmartReport("-s")).rejects.toThrow("not a device path");
    expect(smart.readSmartReport("/dev/../etc/passwd")).rejects.toThrow("not a device path");
  });
});

describe("startSelfTest", () => {
  test("starts a short test", async () => {
    const ok = JSON.stringify({ smartctl: { exit_status: 0 }, ata_smart_data: { self_test: { polling_minutes: { short: 2 } } } });
    const fake = fakeRunner(() => ({ stdout: ok }));
    const r = await createSmartReader({ run: fake.run }).startSelfTest("/dev/sda", "short");
    expect(fake.calls).toEqual([["smartctl", "-t", "short", "--json=c", "/dev/sda"]]);
    expect(r).toEqual({ started: true, device: "/dev/sda", kind: "short", message: "short self-test started" });
  });

  test("a refused test (bit 2) is not started, with smartctl's message", async () => {
    const busy = JSON.stringify({
      smartctl: { messages: [{ string: "Can't start self-test without aborting current test (10% remaining)", severity: "error" }], exit_status: 4 },
    });
    const fake = fakeRunner(() => ({ code: 4, stdout: busy }));
    const r = await createSmartReader({ run: fake.run }).startSelfTest("/dev/sda", "long");
    expect(r).toEqual({ started: false, device: "/dev/sda", kind: "long", reason: "Can't start self-test without aborting current test (10% remaining)" });
  });

  test("a missing binary is not-started, not a throw", async () => {
    const fake = fakeRunner(missingBinary);
    expect(await createSmartReader({ run: fake.run }).startSelfTest("/dev/sda", "short")).toMatchObject({ started: false });
  });
});

describe.skipIf(!Bun.which("smartctl"))("this machine's smartctl", () => {
  test("--scan-open answers with a device list (empty on a VM with only virtio disks)", async () => {
    const scan = await createSmartReader().scanDevices();
    expect(scan.available).toBe(true);
  });

  test("a device that does not exist is open-failed", async () => {
    expect(await createSmartReader().readSmartReport("/dev/sdzz9")).toMatchObject({ available: false, code: "open-failed" });
  });
});
