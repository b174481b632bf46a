import { describe, expect, test } from "bun:test";
import {
  decodeExitStatus,
  decodeNvmeCriticalWarning,
  describeExitStatus,
  parseScan,
  parseSmartReport,
  type SmartReport,
  type SmartResult,
  type SmartUnavailable,
} from "./smart-parse";
import { smartFixture } from "./test-fixtures";

const fixture = smartFixture;

function report(name: string): SmartReport {
  const r: SmartResult = parseSmartReport(fixture(name));
  if (!r.available) throw new Error(`${name}: expected a report, got ${r.code}: ${r.reason}`);
  return r;
}
function notAvailable(name: string): SmartUnavailable {
  const r = parseSmartReport(fixture(name));
  if (r.available) throw new Error(`${name}: expected not-available`);
  return r;
}

describe("exit status bits", () => {
  test("0 is a clean run", () => {
    const e = decodeExitStatus(0);
    expect(Object.entries(e).filter(([k, v]) => k !== "raw" && v === true)).toEqual([]);
    expect(describeExitStatus(e)).toEqual([]);
  });

  test("each bit maps to its documented meaning", () => {
    const names = [
      "commandLineError",
      "deviceOpenFailed",
      "smartCommandFailed",
      "diskFailing",
      "prefailAtThreshold",
      "attributesAtThresholdInPast",
      "errorLogHasErrors",
      "selfTestLogHasErrors",
    ] as const;
    names.forEach((name, bit) => {
      const e = decodeExitStatus(1 << bit);
      for (const other of names) expect(e[other]).toBe(other === name);
      expect(e.noData).toBe(bit <= 1);
      expect(describeExitStatus(e)).toHaveLength(1);
    });
  });

  test("216 (the failing USB disk) is disk failing + prefail + error log + self-test log, and still has data", () => {
    const e = decodeExitStatus(216);
    expect(e).toMatchObject({
      diskFailing: true,
      prefailAtThreshold: true,
      errorLogHasErrors: true,
      selfTestLogHasErrors: true,
      commandLineError: false,
      deviceOpenFailed: false,
      smartCommandFailed: false,
      attributesAtThresholdInPast: false,
      noData: false,
    });
    expect(describeExitStatus(e)).toHaveLength(4);
  });

  test("a non-zero exit with only disk bits still yields a full report", () => {
    const json = JSON.parse(fixture("smart-ata.json"));
    json.smartctl.exit_status = 64;
    const r = parseSmartReport(JSON.stringify(json));
    expect(r.available).toBe(true);
    expect(r.exit?.errorLogHasErrors).toBe(true);
  });

  test("the process exit code is used when the JSON has no smartctl section", () => {
    const r = parseSmartReport(fixture("smart-scsi.json"), { processExitCode: 4 });
    expect(r.available && r.exit.smartCommandFailed).toBe(true);
  });
});

describe("ATA / SATA", () => {
  test("smart-ata.json: WD 14 TB HDD, healthy, self-test running", () => {
    const r = report("smart-ata.json");
    expect(r).toMatchObject({
      device: { name: "/dev/sdb", type: "sat", protocol: "ATA" },
      model: "WDC WD140EDFZ-11A0VA0",
      serial: "9RK1XXXX",
      firmware: "81.00A81",
      capacityBytes: 14000519643136,
      rotationRpm: 5400,
      health: "passed",
      temperatureC: 32,
      powerOnHours: 1730,
      powerCycles: 9,
      reallocatedSectors: 0,
      pendingSectors: 0,
      uncorrectableSectors: 0,
      nvme: null,
      scsi: null,
      errorLogCount: 0,
    });
    expect(r.exit.raw).toBe(0);
    expect(r.attributes).toHaveLength(18);
    expect(r.attributes.find((a) => a.id === 194)).toMatchObject({
      name: "Temperature_Celsius",
      value: 51,
      worst: 51,
      threshold: 0,
      raw: 32,
      rawText: "32 (Min/Max 24/38)",
      whenFailed: null,
    });
    expect(r.attributes.find((a) => a.id === 3)?.raw).toBe(380);
    expect(r.attributes.find((a) => a.id === 5)).toMatchObject({ prefailure: true, critical: true });
    expect(r.attributes.find((a) => a.id === 5)?.meaning).toContain("remapped");
    expect(r.attributes.find((a) => a.id === 22)?.meaning).toContain("Helium");
    expect(r.selfTest).toEqual({
      inProgress: true,
      remainingPercent: 10,
      text: "in progress, 10% remaining",
      shortMinutes: 2,
      longMinutes: 1479,
    });
    expect(r.selfTestLog).toHaveLength(21);
    expect(r.selfTestLog[0]).toEqual({ type: "Short offline", status: "Completed without error", passed: true, lifetimeHours: 1708, failingLba: null });
    expect(r.selfTestLog[4]).toMatchObject({ type: "Extended offline", lifetimeHours: 1624 });
  });

  test("smart-ata-full.json: Samsung 860 EVO SSD, -x extended self-test log", () => {
    const r = report("smart-ata-full.json");
    expect(r).toMatchObject({
      model: "Samsung SSD 860 EVO 500GB",
      family: "Samsung based SSDs",
      serial: "S3YZNB0KB00864E",
      capacityBytes: 500107862016,
      rotationRpm: 0,
      health: "passed",
      temperatureC: 36,
      powerOnHours: 14551,
      powerCycles: 13,
      reallocatedSectors: 0,
      pendingSectors: null, // no attribute 197 on this SSD
      uncorrectableSectors: 0, // from 187 since there is no 198
      errorLogCount: 0,
    });
    expect(r.attributes).toHaveLength(14);
    expect(r.attributes.find((a) => a.id === 177)).toMatchObject({ name: "Wear_Leveling_Count", value: 81, raw: 278 });
    expect(r.attributes.find((a) => a.id === 241)?.raw).toBe(64777770148);
    expect(r.selfTest).toMatchObject({ inProgress: false, remainingPercent: null, text: "completed without error", longMinutes: 85 });
    expect(r.selfTestLog).toHaveLength(19);
    expect(r.selfTestLog[0]?.lifetimeHours).toBe(14417);
    expect(r.selfTestLog.every((t) => t.passed)).toBe(true);
  });

  test("smart-ata-failed-scrutiny.json: Samsung 840, passed, 108 CRC errors, empty self-test log", () => {
    const r = report("smart-ata-failed-scrutiny.json");
    expect(r).toMatchObject({
      model: "Samsung SSD 840 Series",
      serial: "S14LNEACC02756X",
      health: "passed",
      temperatureC: 33,
      powerOnHours: 19497,
      powerCycles: 4169,
      reallocatedSectors: 0,
      uncorrectableSectors: 0,
    });
    expect(r.attributes.find((a) => a.id === 199)).toMatchObject({ name: "CRC_Error_Count", raw: 108, critical: false });
    expect(r.attributes.find((a) => a.id === 199)?.meaning).toContain("cable");
    expect(r.selfTestLog).toEqual([]);
  });

  test("smart-fail2.json: failing Hitachi behind a JMicron USB bridge", () => {
    const r = report("smart-fail2.json");
    expect(r).toMatchObject({
      device: { name: "/dev/sdc", type: "usbjmicron", protocol: "ATA" },
      model: "Hitachi HDS721050DLE630",
      serial: "MSK423Y20S3HBC",
      capacityBytes: 500107862016,
      health: "failed",
      temperatureC: 25,
      powerOnHours: 65592,
      powerCycles: 86,
      reallocatedSectors: 1975,
      pendingSectors: 8,
      uncorrectableSectors: 0,
      errorLogCount: 56,
    });
    expect(r.exit.raw).toBe(216);
    expect(r.exit.diskFailing).toBe(true);
    expect(r.attributes.find((a) => a.id === 5)).toMatchObject({ value: 1, worst: 1, threshold: 5, whenFailed: "now", raw: 1975 });
    expect(r.attributes.find((a) => a.id === 196)?.raw).toBe(3831);
    expect(r.selfTestLog).toHaveLength(21);
    expect(r.selfTestLog[2]).toEqual({
      type: "Extended offline",
      status: "Completed: read failure",
      passed: false,
      lifetimeHours: 4,
      failingLba: 104870168,
    });
    expect(r.selfTestLog.filter((t) => !t.passed)).toHaveLength(3);
  });

  test("smart-sat.json: attributes only (-A): health unknown, values from the attribute table", () => {
    const r = report("smart-sat.json");
    expect(r).toMatchObject({
      device: { name: "/dev/sdc", type: "sat", protocol: "ATA" },
      model: null,
      serial: null,
      capacityBytes: null,
      health: "unknown",
      temperatureC: 29,
      powerOnHours: 2725, // raw text "2725 (151 234 0)": the packed raw value 167031278144165 is not hours
      powerCycles: 354,
      reallocatedSectors: 0,
      pendingSectors: 0,
      uncorrectableSectors: 0,
      selfTest: null,
      selfTestLog: [],
      errorLogCount: null,
    });
    expect(r.attributes).toHaveLength(22);
    expect(r.attributes.find((a) => a.id === 196)).toMatchObject({ raw: 2111, rawText: "2111 (12437 0)" });
    expect(r.attributes.find((a) => a.id === 254)?.meaning).toBeNull();
  });
});

describe("NVMe", () => {
  test("smart-nvme.json: Intel 660p, healthy", () => {
    const r = report("smart-nvme.json");
    expect(r).toMatchObject({
      device: { name: "/dev/testfoobarpass", type: "nvme", protocol: "NVMe" },
      model: "INTEL SSDPEKNW010T8",
      serial: "BTNH93710FS91P0B",
      firmware: "002C",
      capacityBytes: 1024209543168,
      health: "passed",
      temperatureC: 36,
      powerOnHours: 2401,
      powerCycles: 266,
      reallocatedSectors: null,
      pendingSectors: null,
      uncorrectableSectors: null,
      attributes: [],
      nvme: {
        criticalWarning: 0,
        criticalWarnings: [],
        mediaErrors: 0,
        percentageUsed: 0,
        availableSpare: 100,
        availableSpareThreshold: 10,
        errorLogEntries: 0,
        unsafeShutdowns: 43,
      },
    });
  });

  test("smart-nvme-failed.json: Samsung 970 EVO, passed but 7 media errors", () => {
    const r = report("smart-nvme-failed.json");
    expect(r).toMatchObject({
      model: "Samsung SSD 970 EVO 500GB",
      serial: "S466NX0M776250H",
      capacityBytes: 500107862016,
      health: "passed",
      temperatureC: 35,
      powerOnHours: 12798,
      powerCycles: 25,
      nvme: { mediaErrors: 7, percentageUsed: 3, availableSpare: 99, errorLogEntries: 62, unsafeShutdowns: 10 },
    });
  });

  test("smartctl_info_nvme.json: -i only: identity, no health", () => {
    const r = report("smartctl_info_nvme.json");
    expect(r).toMatchObject({
      model: "KCD61LUL3T84",
      serial: "61Q0A05UT7B8",
      firmware: "8002",
      capacityBytes: 3840755982336,
      health: "unknown",
      temperatureC: null,
      nvme: null,
    });
  });

  test("an NVMe self-test in progress and its log (smartctl 7.3 layout)", () => {
    const json = JSON.parse(fixture("smart-nvme.json"));
    json.nvme_self_test_log = {
      current_self_test_operation: { value: 1, string: "Short self-test in progress" },
      current_self_test_completion_percent: 30,
      table: [
        {
          self_test_code: { value: 2, string: "Extended" },
          self_test_result: { value: 7, string: "Completed: failed segments" },
          power_on_hours: 2400,
          lba: 123,
        },
        { self_test_code: { value: 1, string: "Short" }, self_test_result: { value: 0, string: "Completed without error" }, power_on_hours: 2300 },
      ],
    };
    const r = parseSmartReport(JSON.stringify(json));
    if (!r.available) throw new Error("expected report");
    expect(r.selfTest).toMatchObject({ inProgress: true, remainingPercent: 70 });
    expect(r.selfTestLog).toEqual([
      { type: "Extended", status: "Completed: failed segments", passed: false, lifetimeHours: 2400, failingLba: 123 },
      { type: "Short", status: "Completed without error", passed: true, lifetimeHours: 2300, failingLba: null },
    ]);
  });

  test("critical warning bits are decoded", () => {
    expect(decodeNvmeCriticalWarning(0)).toEqual([]);
    expect(decodeNvmeCriticalWarning(0b1001)).toEqual(["available spare is below its threshold", "media is in read-only mode"]);
  });
});

describe("SCSI / SAS", () => {
  test("smart-scsi.json: Seagate SAS, grown defect list as reallocated", () => {
    const r = report("smart-scsi.json");
    expect(r).toMatchObject({
      device: { name: "/dev/sdg", type: "scsi", protocol: "SCSI" },
      model: "SEAGATE ST4000NM0043",
      serial: "Z1Z5DWJK0000XXXXXXXX",
      firmware: "MS03",
      capacityBytes: 4000787030016,
      rotationRpm: 7200,
      health: "passed",
      temperatureC: 34,
      powerOnHours: 43549,
      reallocatedSectors: 56,
      uncorrectableSectors: 0,
      attributes: [],
      scsi: { grownDefects: 56, uncorrectedReadErrors: 0, uncorrectedWriteErrors: 0, tripTemperatureC: 68 },
    });
    expect(r.exit.raw).toBe(0);
  });
});

describe("no SMART", () => {
  test("virtio-no-smart.json: unknown device type, exit 1, not a crash", () => {
    const r = notAvailable("virtio-no-smart.json");
    expect(r).toMatchObject({ device: "/dev/vda", code: "unknown-device-type", model: null });
    expect(r.exit).toMatchObject({ raw: 1, commandLineError: true, noData: true });
    expect(r.reason).toContain("no SMART");
  });

  test("smart-fail.json: open failed, exit 2, reason carries smartctl's message", () => {
    const r = notAvailable("smart-fail.json");
    expect(r).toMatchObject({ device: "/dev/sda", code: "open-failed" });
    expect(r.exit?.deviceOpenFailed).toBe(true);
    expect(r.reason).toContain("Open failed, Error=5");
  });

  test("an unknown USB bridge is recognised (so the caller can retry with -d sat)", () => {
    const text = JSON.stringify({
      smartctl: {
        argv: ["smartctl", "-x", "--json=c", "/dev/sdb"],
        messages: [
          { string: "/dev/sdb: Unknown USB bridge [0x152d:0x0578 (0x214)]", severity: "error" },
          { string: "Please specify device type with the -d option.", severity: "error" },
        ],
        exit_status: 1,
      },
    });
    expect(parseSmartReport(text)).toMatchObject({ available: false, device: "/dev/sdb", code: "unknown-usb-bridge" });
  });

  test("a device that answers but lacks SMART (smartctl 7.3 smart_support)", () => {
    const text = JSON.stringify({
      smartctl: { exit_status: 4 },
      device: { name: "/dev/sdd", type: "scsi", protocol: "SCSI" },
      model_name: "Generic STORAGE DEVICE",
      user_capacity: { bytes: 31914983424 },
      smart_support: { available: false },
    });
    expect(parseSmartReport(text)).toMatchObject({
      available: false,
      code: "no-smart",
      model: "Generic STORAGE DEVICE",
      capacityBytes: 31914983424,
    });
  });

  test("text that is not JSON is bad-output", () => {
    expect(parseSmartReport("smartctl 6.6 ...", { device: "/dev/sda", processExitCode: 1 })).toMatchObject({
      available: false,
      device: "/dev/sda",
      code: "bad-output",
    });
  });
});

describe("scan", () => {
  test("smartctl_scan_simple.json lists seven SCSI devices", () => {
    const devices = parseScan(fixture("smartctl_scan_simple.json"));
    expect(devices.map((d) => d.name)).toEqual(["/dev/sda", "/dev/sdb", "/dev/sdc", "/dev/sdd", "/dev/sde", "/dev/sdf", "/dev/sdg"]);
    expect(devices[0]).toEqual({ name: "/dev/sda", infoName: "/dev/sda", type: "scsi", protocol: "SCSI", openError: null });
  });

  test("smartctl_scan_nvme.json lists one NVMe controller", () => {
    expect(parseScan(fixture("smartctl_scan_nvme.json"))).toEqual([
      { name: "/dev/nvme0", infoName: "/dev/nvme0", type: "nvme", protocol: "NVMe", openError: null },
    ]);
  });

  test("scan-open-virtio.json (a VM with only virtio disks) lists nothing", () => {
    expect(parseScan(fixture("scan-open-virtio.json"))).toEqual([]);
  });
});
