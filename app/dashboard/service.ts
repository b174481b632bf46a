import { existsSync } from "node:fs";
import { statfs } from "node:fs/promises";
import { evaluateAlerts, summarizeHealth, type Alert, type AlertThresholds, type FilesystemUsage } from "../../hw/alerts";
import { runCommand, type Runner } from "../../hw/run";
import type { SelfTestKind } from "../../hw/smart";
import { describeExitStatus, type SmartResult } from "../../hw/smart-parse";
import { listFilesystems, type MountedFilesystem, type SystemInfo, type SystemSample, type SystemSampler } from "../../hw/system";
import type { User } from "../db/schema";
import { backupDir, DB_BACKUP_JOB, listBackups } from "./backups";
import { DEFAULT_BACKUP_KEEP_DAYS } from "../settings/service";
import { isPending, type JobQueue } from "../platform/queue/queue";
import type { DashboardJobPayloads } from "./jobs";
import type { MediaOverview } from "../media/service";
import { alertKey, knownDiskRow, type DiskChecks } from "./disk-health";
import { postAlert } from "./notify";
import type { AlertRow, DashboardRepo, DiskHealthRow } from "./repo";
import { AppError, notFound } from "../errors";

// ---------------------------------------------------------------------------------------------------------
// Power: reboot / shut down through systemd (logind decides whether the nasd user may).

export type PowerAction = "reboot" | "poweroff";
export type PowerAvailability = { available: true } | { available: false; reason: string };

export interface PowerControl {
  availability(): PowerAvailability;
  run(action: PowerAction): Promise<{ ok: boolean; message: string }>;
}

/**
 * Only on the appliance: the image's web unit sets NAS_APPLIANCE=1, and systemd must be PID 1. On a developer's
 * machine the buttons stay disabled, so a click in a test or a demo never reboots the host.
 */
export function systemdPower(deps: { run?: Runner; env?: Record<string, string | undefined>; systemdBooted?: () => boolean } = {}): PowerControl {
  const run = deps.run ?? runCommand;
  const env = deps.env ?? process.env;
  const systemdBooted = deps.systemdBooted ?? (() => existsSync("/run/systemd/system"));
  return {
    availability() {
      if (env.NAS_APPLIANCE !== "1")
        return {
          available: false,
          reason:
            "Restart and shut down work only on the NAS appliance itself. This copy of the software runs on another computer (for trying it out or development), so these buttons stay off and never switch that computer off.",
        };
      if (!systemdBooted())
        return { available: false, reason: "systemd is not running on this machine, so there is no safe way to reboot or shut down from here." };
      return { available: true };
    },
    async run(action) {
      const res = await run(["systemctl", action, "--no-wall"], { timeoutMs: 15_000 });
      if (res.code === 0) return { ok: true, message: action === "reboot" ? "Rebooting now…" : "Shutting down now…" };
      return { ok: false, message: `systemctl ${action} failed: ${res.stderr.trim() || `exit ${res.code}`}` };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------

export type SeriesPoint = { at: number; cpu: number; mem: number; temp: number | null; rx: number | null; tx: number | null };
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

export interface UserUsage {
  user: Pick<User, "id" | "username" | "displayName" | "role" | "quotaBytes">;
  usedBytes: number;
  percentOfQuota: number | null;
}

export interface DashboardDeps {
  repo: DashboardRepo;
  /** SMART: read in this process, or queued for the root worker (the image). */
  disks: DiskChecks;
  /** For the live cards (every few seconds while someone watches). */
  liveSampler: SystemSampler;
  /** A second sampler used once a minute, so the stored CPU% and throughput are averages over that minute. */
  minuteSampler: SystemSampler;
  power: PowerControl;
  jobs: JobQueue<DashboardJobPayloads>;
  /** The media pipeline's totals and the video encoder the worker chose (the jobs card). */
  media?: () => MediaOverview;
  dataDir: string;
  /** Writable filesystems of the machine (default: /proc/self/mounts); the one holding the data dir is "Data". */
  filesystems?: () => Promise<MountedFilesystem[]>;
  listUsers: () => User[];
  /** Stores a person's quota from the admin's GB text (empty: unlimited); throws for bad input or an unknown user. */
  setQuota: (userId: string, gigabytes: string) => unknown;
  usedBytes: (userId: string) => number;
  now?: () => Date;
  thresholds?: Partial<AlertThresholds>;
  /** Days of nightly backups to keep (a setting; default: the backup module's). */
  backupKeepDays?: () => number;
  /** The admin's alert webhook (a setting) and the name the notices carry; none: alerts only show on the pages. */
  alertWebhook?: () => string | null;
  deviceName?: () => string;
  fetch?: typeof fetch;
  /** This process's CPU time (µs, user + system) and resident memory; default: Bun's process counters. */
  processUsage?: () => { cpuMicros: number; rssBytes: number };
}

/** The last attempt to hand an alert to the admin's webhook. */
export type WebhookDelivery = { at: Date; ok: boolean; detail: string };

/** The web server's own footprint: memory now, and its share of one core over the last recorded minute. */
export type SelfUsage = { rssBytes: number; cpuPercentLastMinute: number | null };

const processCounters = () => {
  const cpu = process.cpuUsage();
  return { cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() };
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Samples for the live cards are reused for this long, so several open tabs cost one sample. */
const LIVE_SAMPLE_MAX_AGE_MS = 4_000;
/** Alerts about an event (not a state) stay open until someone acknowledges them. */
const EVENT_CODES = new Set<string>(["sectors-rising"]);
const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

/** What the admin banner shows: unacknowledged warnings and critical alerts, worst first. */
const forBanner = (rows: AlertRow[]) =>
  rows
    .filter((a) => a.clearedAt === null && a.acknowledgedAt === null && a.severity !== "info")
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.lastSeenAt.getTime() - a.lastSeenAt.getTime());

export function createDashboardService(deps: DashboardDeps) {
  const { repo } = deps;
  const now = deps.now ?? (() => new Date());
  let live: { at: number; sample: Promise<SystemSample> } | null = null;
  let info: { at: number; value: Promise<SystemInfo> } | null = null;
  const processUsage = deps.processUsage ?? processCounters;
  const keepDays = deps.backupKeepDays ?? (() => DEFAULT_BACKUP_KEEP_DAYS);
  let lastDelivery: WebhookDelivery | null = null;
  let delivery: Promise<void> | null = null;

  /** Sends what `toNotify` lists, oldest first; stops at the first failure (tried again at the next check). */
  async function sendPending(url: string) {
    for (const alert of repo.toNotify()) {
      try {
        await postAlert(url, alert, deps.deviceName?.() ?? "nas", deps.fetch);
      } catch (e) {
        lastDelivery = { at: now(), ok: false, detail: (e as Error).message };
        return;
      }
      repo.markNotified(alert.id, now());
      lastDelivery = { at: now(), ok: true, detail: alert.message };
    }
  }

  /**
   * Hands new warnings and critical alerts (and ones that got worse) to the admin's webhook, in the background: a
   * slow receiver never holds up a page. One run at a time; a receiver that is down loses nothing.
   */
  function deliverAlerts(): Promise<void> {
    const url = deps.alertWebhook?.();
    if (!url) return Promise.resolve();
    // Never rejects: a database error while recording a delivery is logged, the next check tries again.
    delivery ??= sendPending(url)
      .catch((e) => console.error("alert webhook:", e))
      .finally(() => (delivery = null));
    return delivery;
  }
  // CPU time at the previous minute sample, and the share of a core used since then (open tabs' polling included).
  let cpuMark: { at: number; cpuMicros: number } | null = null;
  let cpuPercentLastMinute: number | null = null;
  const filesystems = deps.filesystems ?? (() => listFilesystems());

  function liveSample(): Promise<SystemSample> {
    const t = now().getTime();
    if (!live || t - live.at > LIVE_SAMPLE_MAX_AGE_MS) live = { at: t, sample: deps.liveSampler.sample() };
    return live.sample;
  }

  async function storage(): Promise<StorageUsage> {
    const s = await statfs(deps.dataDir);
    const used = (s.blocks - s.bfree) * s.bsize;
    const free = s.bavail * s.bsize;
    // Like df: the percentage is of what users can fill (root-reserved blocks excluded).
    const total = used + free;
    return {
      mount: deps.dataDir,
      label: "Data",
      totalBytes: total,
      usedBytes: used,
      freeBytes: free,
      percent: total ? Math.round((1000 * used) / total) / 10 : 0,
    };
  }

  /** Filesystems other than the data one (boot/system partitions), labelled for people. */
  async function otherFilesystems(): Promise<StorageUsage[]> {
    const all = await filesystems();
    const inside = (mount: string) => deps.dataDir === mount || deps.dataDir.startsWith(mount.endsWith("/") ? mount : `${mount}/`);
    const dataMount = all.filter((f) => inside(f.mount)).sort((a, b) => b.mount.length - a.mount.length)[0]?.mount;
    return all
      .filter((f) => f.mount !== dataMount)
      .map((f) => ({
        mount: f.mount,
        label: f.mount === "/" ? "System" : f.mount.startsWith("/boot") ? "Boot partition" : f.device,
        totalBytes: f.totalBytes,
        usedBytes: f.usedBytes,
        freeBytes: f.freeBytes,
        percent: f.totalBytes ? Math.round((1000 * f.usedBytes) / f.totalBytes) / 10 : 0,
      }));
  }

  function diskSummaries(alertRows: AlertRow[]): DiskSummary[] {
    return repo.disks().map((row: DiskHealthRow) => {
      if (!row.report.available) {
        return {
          device: row.device,
          subject: row.subject,
          status: "unavailable",
          reason: row.report.reason,
          report: row.report,
          exitNotes: [],
          checkedAt: row.checkedAt,
        };
      }
      const mine = alertRows
        .filter((a) => a.subject === row.subject && a.clearedAt === null && a.severity !== "info")
        .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
      const worst = mine[0];
      const status: DiskStatus = !worst ? "ok" : worst.severity === "critical" ? "failing" : "warning";
      const reason = worst?.message ?? (row.report.health === "passed" ? "SMART overall health: passed" : "SMART overall health not reported");
      return {
        device: row.device,
        subject: row.subject,
        status,
        reason,
        report: row.report,
        exitNotes: describeExitStatus(row.report.exit),
        checkedAt: row.checkedAt,
      };
    });
  }

  /** Evaluates every rule on the latest readings and brings the alerts table in line. */
  async function checkAlerts(sample?: SystemSample) {
    const at = now();
    const disks = repo.disks().map((row) => ({ report: row.report, previous: null }));
    const [fs, others] = await Promise.all([storage(), otherFilesystems()]);
    const evaluated = evaluateAlerts({
      disks,
      system: sample ?? (await liveSample()),
      filesystems: [{ ...fs, label: "Data disk", isData: true }, ...others],
      failedJobs: deps.jobs.failedSince(new Date(at.getTime() - DAY)),
      thresholds: deps.thresholds,
    });
    syncAlerts(evaluated, at);
    void deliverAlerts();
    return evaluated;
  }

  function syncAlerts(evaluated: Alert[], at: Date) {
    const open = new Map(repo.openAlerts().map((a) => [alertKey(a), a]));
    const seen = new Set<string>();
    for (const a of evaluated) {
      const key = alertKey(a);
      if (seen.has(key)) continue;
      seen.add(key);
      const existing = open.get(key);
      if (!existing) repo.insertAlert(a, at);
      else repo.refreshAlert(existing.id, a, at, SEVERITY_RANK[a.severity] < SEVERITY_RANK[existing.severity]);
    }
    const stale = [...open.values()].filter((a) => !seen.has(alertKey(a)) && !(EVENT_CODES.has(a.code) && a.acknowledgedAt === null));
    repo.clearAlerts(
      stale.map((a) => a.id),
      at,
    );
  }

  const knownDisk = (device: string) => knownDiskRow(repo, device);

  return {
    liveSample,
    /** Static facts, re-read every 10 minutes (an address from DHCP can change). */
    info(): Promise<SystemInfo> {
      const t = now().getTime();
      if (!info || t - info.at > 10 * MINUTE) info = { at: t, value: deps.liveSampler.info() };
      return info.value;
    },
    storage,

    /** Once a minute (the `dashboard.sample` job): store a sample for the charts, drop what is older than a day, re-check the alerts. */
    async recordMinute() {
      const usage = processUsage();
      const t = now().getTime();
      // µs of CPU per ms of wall time is 0.1 % of one core; kept to two decimals.
      if (cpuMark && t > cpuMark.at) cpuPercentLastMinute = Math.round((10 * (usage.cpuMicros - cpuMark.cpuMicros)) / (t - cpuMark.at)) / 100;
      cpuMark = { at: t, cpuMicros: usage.cpuMicros };
      const sample = await deps.minuteSampler.sample();
      // Stamped, pruned and queried with the one injected clock (the sampler's own clock only times its deltas).
      const at = new Date(Math.floor(t / MINUTE) * MINUTE);
      const eth = sample.network.filter((n) => n.up);
      const sum = (k: "rxBytesPerSec" | "txBytesPerSec") => (eth.some((n) => n[k] !== null) ? eth.reduce((s, n) => s + (n[k] ?? 0), 0) : null);
      repo.insertSample({
        at,
        cpuPercent: sample.cpu.percent,
        memPercent: sample.memory.percent,
        cpuTempC: sample.cpuTemperatureC,
        rxBytesPerSec: sum("rxBytesPerSec"),
        txBytesPerSec: sum("txBytesPerSec"),
      });
      repo.pruneSamples(new Date(at.getTime() - DAY));
      await checkAlerts(sample);
    },

    /** SMART for every disk (hourly: the `dashboard.disk-check` job, and on "Check disks now"), then the alert rules on what is stored. */
    async refreshDisks() {
      await deps.disks.refreshAll();
      await checkAlerts();
    },

    checkAlerts,
    deliverAlerts,
    /** The webhook setting and how the last delivery went, for the alerts page. */
    webhook: () => ({ url: deps.alertWebhook?.() ?? null, lastDelivery }),
    /** "Send a test": a made-up warning straight to the webhook, so the admin sees it arrive. */
    async sendTestAlert(): Promise<WebhookDelivery> {
      const url = deps.alertWebhook?.();
      if (!url) throw new AppError(409, "Set an address to send alerts to first.");
      const notice = {
        severity: "warning" as const,
        code: "test",
        subject: "test",
        message: "This is a test alert from your NAS. Real alerts arrive like this.",
      };
      try {
        await postAlert(url, notice, deps.deviceName?.() ?? "nas", deps.fetch);
        return (lastDelivery = { at: now(), ok: true, detail: notice.message });
      } catch (e) {
        return (lastDelivery = { at: now(), ok: false, detail: (e as Error).message });
      }
    },

    /** What the live cards (#live, polled every 5 s) show: no disks, no filesystems, no stored SMART reports parsed. */
    async live() {
      const [sample, sysInfo] = await Promise.all([liveSample(), this.info()]);
      return {
        sample,
        info: sysInfo,
        health: summarizeHealth(repo.openAlerts()),
        jobs: { counts: deps.jobs.counts(), active: deps.jobs.active(), media: deps.media?.() ?? null },
        self: { rssBytes: processUsage().rssBytes, cpuPercentLastMinute } satisfies SelfUsage,
      };
    },

    async overview() {
      const [live, fs, others] = await Promise.all([this.live(), storage(), otherFilesystems()]);
      const alertRows = repo.listAlerts(now());
      return {
        ...live,
        storage: fs,
        otherFilesystems: others,
        banner: forBanner(alertRows.filter((a) => a.clearedAt === null)),
        disks: diskSummaries(alertRows),
        /** The last full SMART check: null until the first one (a few seconds after start). */
        diskCheck: deps.disks.state(),
        power: deps.power.availability(),
      };
    },

    series(range: "hour" | "day"): SeriesPoint[] {
      const since = new Date(now().getTime() - (range === "hour" ? HOUR : DAY));
      return repo
        .samplesSince(since)
        .map((r) => ({ at: r.at.getTime(), cpu: r.cpuPercent, mem: r.memPercent, temp: r.cpuTempC, rx: r.rxBytesPerSec, tx: r.txBytesPerSec }));
    },

    /** Unacknowledged warnings and critical alerts, for the admin banner. */
    bannerAlerts: () => forBanner(repo.openAlerts()),
    /** Green, amber or red with its reason, from the open alerts (the start page's health line). */
    health: () => summarizeHealth(repo.openAlerts()),
    /** Open alerts worst first, then those resolved in the last week. */
    alerts: () =>
      repo
        .listAlerts(new Date(now().getTime() - 7 * DAY))
        .sort(
          (a, b) =>
            Number(a.clearedAt !== null) - Number(b.clearedAt !== null) ||
            SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
            b.lastSeenAt.getTime() - a.lastSeenAt.getTime(),
        ),
    acknowledge(id: number, admin: User) {
      if (!repo.alertById(id)) throw notFound("This alert");
      repo.acknowledge(id, admin.id, now());
    },

    /** One disk for its page; `checkPending` while a reading or self-test queued for the root worker waits. */
    disk(device: string) {
      const row = knownDisk(device);
      const summary = diskSummaries(repo.listAlerts(now())).find((d) => d.device === row.device)!;
      return { ...summary, checkPending: deps.disks.pendingFor(row.device) };
    },
    /** Reads SMART now, waking the disk if needed: the admin asked for it. */
    async refreshDisk(device: string) {
      await deps.disks.refreshOne(knownDisk(device).device);
      await checkAlerts();
    },
    /** Starts the test (or queues it for the root worker); returns what to tell the admin. */
    startSelfTest: async (device: string, kind: SelfTestKind) => deps.disks.startSelfTest(knownDisk(device).device, kind),

    power: () => deps.power.availability(),
    async runPower(action: PowerAction) {
      const availability = deps.power.availability();
      if (!availability.available) throw new AppError(409, availability.reason);
      return deps.power.run(action);
    },

    backups() {
      const last = deps.jobs.lastOfKind(DB_BACKUP_JOB) ?? null;
      return { files: listBackups(backupDir(deps.dataDir)), lastJob: last, keepDays: keepDays() };
    },
    /** Queues a backup for the worker unless one is already waiting or running. */
    runBackupNow() {
      const last = deps.jobs.lastOfKind(DB_BACKUP_JOB);
      if (last && isPending(last)) return last;
      return deps.jobs.enqueue(DB_BACKUP_JOB, { keepDays: keepDays() });
    },

    setQuota: (userId: string, gigabytes: string) => deps.setQuota(userId, gigabytes),

    users(): UserUsage[] {
      return deps.listUsers().map((u) => {
        const usedBytes = deps.usedBytes(u.id);
        return {
          user: { id: u.id, username: u.username, displayName: u.displayName, role: u.role, quotaBytes: u.quotaBytes },
          usedBytes,
          percentOfQuota: u.quotaBytes ? Math.round((1000 * usedBytes) / u.quotaBytes) / 10 : null,
        };
      });
    },
    usage(user: User) {
      const usedBytes = deps.usedBytes(user.id);
      return { usedBytes, quotaBytes: user.quotaBytes, percentOfQuota: user.quotaBytes ? Math.round((1000 * usedBytes) / user.quotaBytes) / 10 : null };
    },

    /** Before this process's first minute sample (the `dashboard.sample` job): its CPU and throughput become deltas from now. */
    async primeMinute() {
      cpuMark = { at: now().getTime(), cpuMicros: processUsage().cpuMicros };
      await deps.minuteSampler.sample();
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
