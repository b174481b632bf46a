import { describe, expect, test } from "bun:test";
import { countersOf, evaluateAlerts, summarizeHealth, type Alert } from "./alerts";
import { parseSmartReport, type SmartReport } from "./smart-parse";
import { decodeThrottled, type SystemSample } from "./system";
import { smartFixture } from "./test-fixtures";

// biome-ignore lint/suspicious/noExplicitAny: tests patch the fixture JSON freely
function report(name: string, patch: (json: Record<string, any>) => void = () => {}): SmartReport {
  const json = JSON.parse(smartFixture(name));
  patch(json);
  const r = parseSmartReport(JSON.stringify(json));
  if (!r.available) throw new Error(`${name} did not parse`);
  return r;
}
const codes = (alerts: Alert[]) => alerts.map((a) => `${a.severity}:${a.code}`);

function sample(patch: Partial<SystemSample> = {}): SystemSample {
  return {
    at: 0,
    cpu: { percent: 3, perCore: [3, 3], load1: 0.1, load5: 0.1, load15: 0.1 },
    memory: { totalBytes: 4e9, usedBytes: 1e9, availableBytes: 3e9, percent: 25, swapTotalBytes: 0, swapUsedBytes: 0 },
    cpuTemperatureC: 45,
    temperatures: [],
    throttling: null,
    network: [],
    uptimeSeconds: 100,
    ...patch,
  };
}

describe("disk rules on the fixtures", () => {
  test("healthy disks raise nothing", () => {
    for (const name of ["smart-ata.json", "smart-ata-full.json", "smart-nvme.json"]) {
      expect(evaluateAlerts({ disks: [{ report: report(name) }] })).toEqual([]);
    }
  });

  test("the failing USB Hitachi (smart-fail2.json): failing and bad sectors (its old failed self-tests add nothing)", () => {
    const alerts = evaluateAlerts({ disks: [{ report: report("smart-fail2.json") }] });
    expect(codes(alerts)).toEqual(["critical:smart-failing", "warning:bad-sectors"]);
    expect(alerts[0]).toEqual({
      severity: "critical",
      code: "smart-failing",
      subject: "disk:MSK423Y20S3HBC",
      message: "/dev/sdc (Hitachi HDS721050DLE630) reports SMART health FAILING: copy its data elsewhere and replace the disk.",
    });
    expect(alerts[1]?.message).toContain("8 pending sectors");
  });

  test("the NVMe that passes SMART but has 7 media errors (smart-nvme-failed.json) raises an alert", () => {
    const alerts = evaluateAlerts({ disks: [{ report: report("smart-nvme-failed.json") }] });
    expect(codes(alerts)).toEqual(["warning:nvme-media-errors"]);
    expect(alerts[0]?.message).toBe("/dev/nvme0 (Samsung SSD 970 EVO 500GB) logged 7 media errors (data the SSD could not read back); check your backups.");
    expect(summarizeHealth(alerts).level).toBe("amber");
  });

  test("the SAS disk's 56 grown defects are information while they do not grow", () => {
    const alerts = evaluateAlerts({
      disks: [{ report: report("smart-scsi.json"), previous: { reallocatedSectors: 56, pendingSectors: null, uncorrectableSectors: 0, mediaErrors: null } }],
    });
    expect(alerts).toEqual([
      {
        severity: "info",
        code: "reallocated-sectors",
        subject: "disk:Z1Z5DWJK0000XXXXXXXX",
        message: "/dev/sdg (SEAGATE ST4000NM0043) has remapped 56 bad sectors; watch whether the number grows.",
      },
    ]);
    expect(summarizeHealth(alerts).level).toBe("green");
  });

  test("reallocated and pending sectors rising since the previous check", () => {
    const before = report("smart-ata.json");
    const after = report("smart-ata.json", (j) => {
      const attrs = j.ata_smart_attributes.table as { id: number; raw: { value: number; string: string } }[];
      attrs.find((a) => a.id === 5)!.raw = { value: 12, string: "12" };
      attrs.find((a) => a.id === 197)!.raw = { value: 3, string: "3" };
    });
    const alerts = evaluateAlerts({ disks: [{ report: after, previous: countersOf(before) }] });
    expect(codes(alerts)).toEqual(["warning:sectors-rising", "warning:bad-sectors"]);
    expect(alerts[0]?.message).toBe(
      "/dev/sdb (WDC WD140EDFZ-11A0VA0): reallocated sectors 0 → 12, pending sectors 0 → 3 since the last check; the surface is degrading.",
    );
    expect(alerts[0]?.subject).toBe("disk:9RK1XXXX");
  });

  test("NVMe media errors rising count as rising", () => {
    const r = report("smart-nvme-failed.json");
    const alerts = evaluateAlerts({ disks: [{ report: r, previous: { ...countersOf(r), mediaErrors: 5 } }] });
    expect(alerts.find((a) => a.code === "sectors-rising")?.message).toContain("media errors 5 → 7");
  });

  test("a prefail attribute below threshold while overall health still passes", () => {
    const r = report("smart-fail2.json", (j) => {
      j.smart_status.passed = true;
      j.smartctl.exit_status = 0;
    });
    expect(codes(evaluateAlerts({ disks: [{ report: r }] }))).toContain("critical:smart-attribute-failing");
  });

  test("temperature limits differ for spinning disks and SSDs", () => {
    const hot = (name: string, c: number) => report(name, (j) => (j.temperature = { current: c }));
    expect(codes(evaluateAlerts({ disks: [{ report: hot("smart-ata.json", 52) }] }))).toEqual(["warning:disk-temperature"]);
    expect(codes(evaluateAlerts({ disks: [{ report: hot("smart-ata.json", 61) }] }))).toEqual(["critical:disk-temperature"]);
    expect(codes(evaluateAlerts({ disks: [{ report: hot("smart-ata-full.json", 52) }] }))).toEqual([]);
    expect(codes(evaluateAlerts({ disks: [{ report: hot("smart-nvme.json", 72) }] }))).toEqual(["warning:disk-temperature"]);
  });

  test("NVMe critical warning and wear", () => {
    const r = report("smart-nvme.json", (j) => {
      j.nvme_smart_health_information_log.critical_warning = 1;
      j.nvme_smart_health_information_log.percentage_used = 95;
    });
    const alerts = evaluateAlerts({ disks: [{ report: r }] });
    expect(codes(alerts)).toEqual(["critical:nvme-critical-warning", "warning:ssd-worn"]);
    expect(alerts[0]?.message).toContain("available spare is below its threshold");
  });

  test("a last self-test that failed", () => {
    const r = report("smart-fail2.json", (j) => j.ata_smart_self_test_log.standard.table.splice(0, 2));
    expect(evaluateAlerts({ disks: [{ report: r }] }).find((a) => a.code === "selftest-failed")).toMatchObject({
      severity: "warning",
      message: '/dev/sdc (Hitachi HDS721050DLE630): the last self-test (Extended offline) ended with "Completed: read failure".',
    });
  });

  test("disks without SMART raise nothing", () => {
    const virtio = parseSmartReport(smartFixture("virtio-no-smart.json"));
    expect(evaluateAlerts({ disks: [{ report: virtio }] })).toEqual([]);
  });
});

describe("system rules", () => {
  test("Pi under-voltage now is critical, since boot is a warning; throttling likewise", () => {
    expect(codes(evaluateAlerts({ system: sample({ throttling: decodeThrottled(0x50005) }) }))).toEqual(["critical:pi-undervoltage", "warning:pi-throttled"]);
    expect(codes(evaluateAlerts({ system: sample({ throttling: decodeThrottled(0x50000) }) }))).toEqual(["warning:pi-undervoltage", "info:pi-throttled"]);
    expect(evaluateAlerts({ system: sample({ throttling: decodeThrottled(0) }) })).toEqual([]);
  });

  test("CPU temperature", () => {
    expect(codes(evaluateAlerts({ system: sample({ cpuTemperatureC: 82 }) }))).toEqual(["warning:cpu-temperature"]);
    expect(codes(evaluateAlerts({ system: sample({ cpuTemperatureC: 91 }) }))).toEqual(["critical:cpu-temperature"]);
    expect(evaluateAlerts({ system: sample({ cpuTemperatureC: null }) })).toEqual([]);
  });
});

describe("storage and jobs", () => {
  test("a data disk over 90 % full", () => {
    const fs = (used: number) => ({ mount: "/data", label: "Data disk", totalBytes: 1000e9, usedBytes: used, isData: true });
    expect(evaluateAlerts({ filesystems: [fs(900e9)] })).toEqual([]);
    expect(evaluateAlerts({ filesystems: [fs(930e9)] })).toEqual([
      {
        severity: "warning",
        code: "storage-full",
        subject: "fs:/data",
        message: "Data disk (/data) is 93 % full, 70.0 GB free: empty the trash or add a disk.",
      },
    ]);
    expect(codes(evaluateAlerts({ filesystems: [fs(980e9)] }))).toEqual(["critical:storage-full"]);
  });

  test("failed jobs are grouped per kind", () => {
    const alerts = evaluateAlerts({
      failedJobs: [
        { id: 1, kind: "thumbnail", error: "bad jpeg" },
        { id: 2, kind: "thumbnail", error: "unsupported HEIC" },
        { id: 3, kind: "transcode", error: null },
      ],
    });
    expect(alerts).toEqual([
      { severity: "warning", code: "jobs-failed", subject: "jobs:thumbnail", message: "2 thumbnail jobs failed; last error: unsupported HEIC." },
      { severity: "warning", code: "jobs-failed", subject: "jobs:transcode", message: "1 transcode job failed." },
    ]);
  });
});

describe("health summary", () => {
  test("green, amber, red with the reason", () => {
    expect(summarizeHealth([])).toEqual({ level: "green", reason: "The system and its disks are healthy." });
    const alerts = evaluateAlerts({
      disks: [{ report: report("smart-fail2.json") }, { report: report("smart-nvme-failed.json") }],
      system: sample({ throttling: decodeThrottled(0x50005) }),
    });
    const summary = summarizeHealth(alerts);
    expect(summary.level).toBe("red");
    expect(summary.reason).toStartWith("/dev/sdc (Hitachi HDS721050DLE630) reports SMART health FAILING");
    expect(summary.reason).toEndWith("(+1 more)");
    expect(summarizeHealth([{ severity: "info", message: "x" }]).level).toBe("green");
  });
});
