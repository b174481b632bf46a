/**
 * The box's health as the pages show it: the disks (their last SMART reading with a status and its reason) and how
 * full each filesystem is. Reading SMART itself is disk-health.ts's: here it is only asked for, through `DiskChecks`.
 */
import { statfs } from "node:fs/promises";
import type { FilesystemUsage } from "../../hw/alerts";
import type { SelfTestKind } from "../../hw/smart";
import { describeExitStatus, type SmartResult } from "../../hw/smart-parse";
import { listFilesystems, type MountedFilesystem } from "../../hw/system";
import { SEVERITY_RANK } from "./alerts";
import { knownDiskRow, type DiskChecks } from "./disk-health";
import type { AlertRow, DashboardRepo, DiskHealthRow } from "./repo";

export type DiskStatus = "ok" | "warning" | "failing" | "unavailable";

export interface DiskSummary {
  device: string;
  subject: string;
  status: DiskStatus;
  /** Why the status is what it is: the worst alert, or why SMART is not available. */
  reason: string;
  report: SmartResult;
  /** smartctl's exit-status bits as sentences (empty when clean or not available). */
  exitNotes: string[];
  checkedAt: Date;
}

export interface StorageUsage extends FilesystemUsage {
  freeBytes: number;
  percent: number;
}

/** A disk's status from its reading and its open alerts: the worst one decides. */
function summarize(row: DiskHealthRow, alertRows: AlertRow[]): DiskSummary {
  const base = { device: row.device, subject: row.subject, report: row.report, checkedAt: row.checkedAt };
  if (!row.report.available) return { ...base, status: "unavailable", reason: row.report.reason, exitNotes: [] };
  const worst = alertRows
    .filter((a) => a.subject === row.subject && a.clearedAt === null && a.severity !== "info")
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity])[0];
  const status: DiskStatus = !worst ? "ok" : worst.severity === "critical" ? "failing" : "warning";
  const reason = worst?.message ?? (row.report.health === "passed" ? "SMART overall health: passed" : "SMART overall health not reported");
  return { ...base, status, reason, exitNotes: describeExitStatus(row.report.exit) };
}

const percentOf = (used: number, total: number) => (total ? Math.round((1000 * used) / total) / 10 : 0);

export function createHealth(ctx: {
  repo: DashboardRepo;
  /** SMART: read in this process, or queued for the root worker (the image). */
  disks: DiskChecks;
  dataDir: string;
  /** Writable filesystems of the machine (default: /proc/self/mounts); the one holding the data dir is "Data". */
  filesystems?: () => Promise<MountedFilesystem[]>;
}) {
  const { repo, dataDir } = ctx;
  const filesystems = ctx.filesystems ?? (() => listFilesystems());

  async function storage(): Promise<StorageUsage> {
    const s = await statfs(dataDir);
    const used = (s.blocks - s.bfree) * s.bsize;
    const free = s.bavail * s.bsize;
    // Like df: the percentage is of what users can fill (root-reserved blocks excluded).
    const total = used + free;
    return { mount: dataDir, label: "Data", totalBytes: total, usedBytes: used, freeBytes: free, percent: percentOf(used, total) };
  }

  /** Filesystems other than the data one (boot/system partitions), labelled for people. */
  async function otherFilesystems(): Promise<StorageUsage[]> {
    const all = await filesystems();
    const inside = (mount: string) => dataDir === mount || dataDir.startsWith(mount.endsWith("/") ? mount : `${mount}/`);
    const dataMount = all.filter((f) => inside(f.mount)).sort((a, b) => b.mount.length - a.mount.length)[0]?.mount;
    return all
      .filter((f) => f.mount !== dataMount)
      .map((f) => ({
        mount: f.mount,
        label: f.mount === "/" ? "System" : f.mount.startsWith("/boot") ? "Boot partition" : f.device,
        totalBytes: f.totalBytes,
        usedBytes: f.usedBytes,
        freeBytes: f.freeBytes,
        percent: percentOf(f.usedBytes, f.totalBytes),
      }));
  }

  return {
    storage,
    otherFilesystems,
    /** Every filesystem for the alert rules, the data one first and marked. */
    async filesystemsForRules() {
      const [data, others] = await Promise.all([storage(), otherFilesystems()]);
      return [{ ...data, label: "Data disk", isData: true }, ...others];
    },
    /** Every disk with its status, given the alert rows that decide it. */
    disks: (alertRows: AlertRow[]) => repo.disks().map((row) => summarize(row, alertRows)),
    /** One disk for its page; `checkPending` while a reading or self-test queued for the root worker waits. */
    disk(device: string, alertRows: AlertRow[]) {
      const row = knownDiskRow(repo, device);
      return { ...summarize(row, alertRows), checkPending: ctx.disks.pendingFor(row.device) };
    },
    /** The last full SMART check: null until the first one. */
    lastCheck: () => ctx.disks.state(),
    /** SMART for every disk (read now, or queued for the root worker). */
    readAll: () => ctx.disks.refreshAll(),
    /** Reads one known disk again, waking it: the admin asked for it. */
    readOne: async (device: string) => ctx.disks.refreshOne(knownDiskRow(repo, device).device),
    /** Starts the test (or queues it for the root worker); returns what to tell the admin. */
    startSelfTest: async (device: string, kind: SelfTestKind) => ctx.disks.startSelfTest(knownDiskRow(repo, device).device, kind),
  };
}
