/**
 * Alert rules: pure functions from the latest readings (SMART reports, a system sample, filesystem usage,
 * failed jobs) to a list of alerts. Storing, de-duplicating and acknowledging them is the dashboard service's job.
 */
import type { SmartReport, SmartResult } from "./smart-parse";
import type { SystemSample } from "./system";

export type AlertSeverity = "critical" | "warning" | "info";

export type AlertCode =
  | "smart-failing"
  | "smart-attribute-failing"
  | "sectors-rising"
  | "bad-sectors"
  | "reallocated-sectors"
  | "nvme-media-errors"
  | "nvme-critical-warning"
  | "ssd-worn"
  | "selftest-failed"
  | "disk-temperature"
  | "cpu-temperature"
  | "pi-undervoltage"
  | "pi-throttled"
  | "storage-full"
  | "jobs-failed"
  // Raised by the backup feature from its own state (app/backup/service.ts), evaluated with the rules here.
  | "backup-failed"
  | "backup-overdue"
  | "backup-check-failed"
  | "backup-locked"
  | "scrub-damaged"
  | "scrub-repaired"
  // Raised by the web process when the database fails its quick_check at start (app/server.ts), not by a rule here.
  | "database-check"
  // A phone or computer that backed up almost daily and has sent nothing for days (the rule is app/dav/devices.ts).
  | "device-silent";

export interface Alert {
  severity: AlertSeverity;
  code: AlertCode;
  /** One sentence for the admin: what, on which thing, and what to do when there is something to do. */
  message: string;
  /** The thing the alert is about, stable across checks: "disk:<serial>", "system", "fs:/data", "jobs:<kind>". */
  subject: string;
}

/** The counters whose growth matters, remembered between checks per disk. */
export interface DiskCounters {
  reallocatedSectors: number | null;
  pendingSectors: number | null;
  uncorrectableSectors: number | null;
  mediaErrors: number | null;
}

export interface FilesystemUsage {
  mount: string;
  /** "Data disk", "System" … */
  label: string;
  totalBytes: number;
  usedBytes: number;
  /** The partition holding users' files: the advice is about the trash and adding a disk. */
  isData?: boolean;
}

export interface FailedJob {
  id: number;
  kind: string;
  error: string | null;
}

export interface AlertThresholds {
  hddWarnC: number;
  hddCriticalC: number;
  ssdWarnC: number;
  ssdCriticalC: number;
  cpuWarnC: number;
  cpuCriticalC: number;
  storageWarnPercent: number;
  storageCriticalPercent: number;
  ssdWornPercent: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  // Hard disks age faster above ~50 °C (Google's field study); SSD/NVMe controllers throttle around 70-80 °C.
  hddWarnC: 50,
  hddCriticalC: 60,
  ssdWarnC: 70,
  ssdCriticalC: 80,
  // The Pi firmware starts soft-throttling at 80 °C and hard-throttles at 85 °C.
  cpuWarnC: 80,
  cpuCriticalC: 90,
  storageWarnPercent: 90,
  storageCriticalPercent: 97,
  ssdWornPercent: 90,
};

export interface AlertInput {
  disks?: { report: SmartResult; previous?: DiskCounters | null }[];
  system?: SystemSample | null;
  filesystems?: FilesystemUsage[];
  failedJobs?: FailedJob[];
  thresholds?: Partial<AlertThresholds>;
}

export function countersOf(report: SmartReport): DiskCounters {
  return {
    reallocatedSectors: report.reallocatedSectors,
    pendingSectors: report.pendingSectors,
    uncorrectableSectors: report.uncorrectableSectors,
    mediaErrors: report.nvme?.mediaErrors ?? null,
  };
}

export function diskSubject(report: SmartReport): string {
  return `disk:${report.serial ?? report.device.name}`;
}

function diskLabel(r: SmartReport): string {
  return `${r.device.name}${r.model ? ` (${r.model})` : ""}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function diskAlerts(r: SmartReport, previous: DiskCounters | null | undefined, t: AlertThresholds): Alert[] {
  const out: Alert[] = [];
  const subject = diskSubject(r);
  const label = diskLabel(r);
  const add = (severity: AlertSeverity, code: AlertCode, message: string) => out.push({ severity, code, message, subject });

  if (r.health === "failed") {
    add("critical", "smart-failing", `${label} reports SMART health FAILING: copy its data elsewhere and replace the disk.`);
  } else {
    const failingNow = r.attributes.filter((a) => a.prefailure && a.whenFailed === "now");
    if (failingNow.length) {
      add(
        "critical",
        "smart-attribute-failing",
        `${label}: pre-failure attribute ${failingNow.map((a) => a.name).join(", ")} is below its threshold; the disk may fail soon.`,
      );
    }
  }

  const current = countersOf(r);
  if (previous) {
    const names: [keyof DiskCounters, string][] = [
      ["reallocatedSectors", "reallocated sectors"],
      ["pendingSectors", "pending sectors"],
      ["uncorrectableSectors", "uncorrectable sectors"],
      ["mediaErrors", "media errors"],
    ];
    const rising = names.flatMap(([key, name]) => {
      const before = previous[key];
      const now = current[key];
      return before !== null && now !== null && now > before ? [`${name} ${before} → ${now}`] : [];
    });
    if (rising.length) add("warning", "sectors-rising", `${label}: ${rising.join(", ")} since the last check; the surface is degrading.`);
  }
  const pending = r.pendingSectors ?? 0;
  const uncorrectable = r.uncorrectableSectors ?? 0;
  if (pending > 0 || uncorrectable > 0) {
    const parts = [pending > 0 ? plural(pending, "pending sector") : null, uncorrectable > 0 ? plural(uncorrectable, "uncorrectable sector") : null];
    add(
      "warning",
      "bad-sectors",
      `${label} has ${parts.filter(Boolean).join(" and ")}: some data could not be read. Run a long self-test and check your backups.`,
    );
  } else if ((r.reallocatedSectors ?? 0) > 0 && r.health !== "failed") {
    add("info", "reallocated-sectors", `${label} has remapped ${plural(r.reallocatedSectors ?? 0, "bad sector")}; watch whether the number grows.`);
  }

  if (r.nvme) {
    if (r.nvme.criticalWarning !== 0) {
      add(
        "critical",
        "nvme-critical-warning",
        `${label} raises an NVMe critical warning: ${r.nvme.criticalWarnings.join("; ") || `0x${r.nvme.criticalWarning.toString(16)}`}.`,
      );
    }
    if (r.nvme.mediaErrors > 0) {
      add(
        "warning",
        "nvme-media-errors",
        `${label} logged ${plural(r.nvme.mediaErrors, "media error")} (data the SSD could not read back); check your backups.`,
      );
    }
    if (r.nvme.percentageUsed >= t.ssdWornPercent) {
      add("warning", "ssd-worn", `${label} has used ${r.nvme.percentageUsed} % of its rated write endurance.`);
    }
  }

  const lastTest = r.selfTestLog[0];
  if (lastTest && !lastTest.passed) {
    add("warning", "selftest-failed", `${label}: the last self-test (${lastTest.type}) ended with "${lastTest.status}".`);
  } else if (r.exit.selfTestLogHasErrors && r.health !== "failed") {
    add("info", "selftest-failed", `${label}: its self-test log records failed tests.`);
  }

  if (r.temperatureC !== null) {
    const isSpinning = (r.rotationRpm ?? 0) > 0;
    const [warn, critical] = isSpinning ? [t.hddWarnC, t.hddCriticalC] : [t.ssdWarnC, t.ssdCriticalC];
    if (r.temperatureC >= warn) {
      add(r.temperatureC >= critical ? "critical" : "warning", "disk-temperature", `${label} is at ${r.temperatureC} °C (limit ${warn} °C): improve cooling.`);
    }
  }
  return out;
}

function systemAlerts(s: SystemSample, t: AlertThresholds): Alert[] {
  const out: Alert[] = [];
  const add = (severity: AlertSeverity, code: AlertCode, message: string) => out.push({ severity, code, message, subject: "system" });
  if (s.cpuTemperatureC !== null && s.cpuTemperatureC >= t.cpuWarnC) {
    add(
      s.cpuTemperatureC >= t.cpuCriticalC ? "critical" : "warning",
      "cpu-temperature",
      `The processor is at ${s.cpuTemperatureC} °C: check the fan and airflow.`,
    );
  }
  const th = s.throttling;
  if (th) {
    if (th.underVoltageNow) {
      add(
        "critical",
        "pi-undervoltage",
        "Under-voltage right now: the power supply is too weak. Disks may disconnect and data can be corrupted; use the official supply.",
      );
    } else if (th.underVoltageOccurred) {
      add("warning", "pi-undervoltage", "Under-voltage happened since the last boot: the power supply is marginal.");
    }
    if (th.throttledNow || th.frequencyCappedNow || th.softTempLimitNow) {
      add("warning", "pi-throttled", "The processor is being slowed down (throttled) by the firmware right now.");
    } else if (th.throttledOccurred || th.frequencyCappedOccurred || th.softTempLimitOccurred) {
      add("info", "pi-throttled", "The processor was throttled at some point since the last boot.");
    }
  }
  return out;
}

function storageAlerts(fs: FilesystemUsage, t: AlertThresholds): Alert[] {
  if (fs.totalBytes <= 0) return [];
  const percent = (100 * fs.usedBytes) / fs.totalBytes;
  if (percent <= t.storageWarnPercent) return [];
  const freeGb = Math.max(0, fs.totalBytes - fs.usedBytes) / 1e9;
  return [
    {
      severity: percent >= t.storageCriticalPercent ? "critical" : "warning",
      code: "storage-full",
      message: `${fs.label} (${fs.mount}) is ${Math.floor(percent)} % full, ${freeGb.toFixed(1)} GB free: ${fs.isData ? "empty the trash or add a disk" : "old logs or updates may need removing"}.`,
      subject: `fs:${fs.mount}`,
    },
  ];
}

function jobAlerts(jobs: FailedJob[]): Alert[] {
  const byKind = Map.groupBy(jobs, (j) => j.kind);
  return [...byKind].map(([kind, list]) => {
    const last = list[list.length - 1];
    return {
      severity: "warning" as const,
      code: "jobs-failed" as const,
      message: `${plural(list.length, `${kind} job`)} failed${last?.error ? `; last error: ${last.error.slice(0, 200)}` : ""}.`,
      subject: `jobs:${kind}`,
    };
  });
}

const SEVERITY_ORDER: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

/** Every rule over every input, most severe first. */
export function evaluateAlerts(input: AlertInput): Alert[] {
  const t = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  const alerts = [
    ...(input.disks ?? []).flatMap(({ report, previous }) => (report.available ? diskAlerts(report, previous, t) : [])),
    ...(input.system ? systemAlerts(input.system, t) : []),
    ...(input.filesystems ?? []).flatMap((fs) => storageAlerts(fs, t)),
    ...jobAlerts(input.failedJobs ?? []),
  ];
  return alerts.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

export type HealthLevel = "green" | "amber" | "red";

/** The overview's traffic light: red on any critical alert, amber on any warning, with the reason. */
export function summarizeHealth(alerts: readonly Pick<Alert, "severity" | "message">[]): { level: HealthLevel; reason: string } {
  const critical = alerts.filter((a) => a.severity === "critical");
  const warnings = alerts.filter((a) => a.severity === "warning");
  const more = (n: number) => (n > 1 ? ` (+${n - 1} more)` : "");
  if (critical.length) return { level: "red", reason: `${critical[0]!.message}${more(critical.length)}` };
  if (warnings.length) return { level: "amber", reason: `${warnings[0]!.message}${more(warnings.length)}` };
  return { level: "green", reason: "The system and its disks are healthy." };
}
