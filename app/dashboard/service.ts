/**
 * The dashboard: its capabilities built over one explicit context, and the view-model of its pages (`live`,
 * `overview`). Each capability is its own module: samples.ts (live and minute samples), health.ts (disks and
 * filesystems), alerts.ts (rules, banner, webhook), backups.ts, power.ts and quotas.ts.
 */
import type { Clock } from "../platform/clock";
import type { Alert, AlertThresholds } from "../../hw/alerts";
import type { MountedFilesystem, SystemSampler } from "../../hw/system";
import type { User } from "../platform/db/schema";
import type { MediaOverview } from "../media/service";
import type { PeopleOverview } from "../people/service";
import type { JobQueue } from "../platform/queue/queue";
import { DEFAULT_BACKUP_KEEP_DAYS } from "../settings/service";
import { createAlerts, forBanner } from "./alerts";
import { createBackups } from "./backups";
import type { DiskChecks } from "./disk-health";
import { createHealth } from "./health";
import type { DashboardJobPayloads } from "./jobs";
import { createPower, type PowerControl } from "./power";
import { createQuotas } from "./quotas";
import type { DashboardRepo } from "./repo";
import { createSamples } from "./samples";

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
  /** Face and object indexing (app/people): how far, and why it waits; null when People is off. */
  people?: () => PeopleOverview | null;
  dataDir: string;
  /** Writable filesystems of the machine (default: /proc/self/mounts); the one holding the data dir is "Data". */
  filesystems?: () => Promise<MountedFilesystem[]>;
  listUsers: () => User[];
  /** Stores a person's quota from the admin's GB text (empty: unlimited); throws for bad input or an unknown user. */
  setQuota: (userId: string, gigabytes: string) => unknown;
  usedBytes: (userId: string) => number;
  now: Clock;
  thresholds?: Partial<AlertThresholds>;
  /** Days of nightly backups to keep (a setting; default: the settings' default). */
  backupKeepDays?: () => number;
  /** The admin's alert webhook (a setting) and the name the notices carry; none: alerts only show on the pages. */
  alertWebhook?: () => string | null;
  deviceName?: () => string;
  fetch?: typeof fetch;
  /** Alerts other features raise from their own rules (devices, offsite backups, the scrub; app/dashboard/alerts.ts `more`). */
  moreAlerts?: () => Alert[];
  /** This process's CPU time (µs, user + system) and resident memory; default: Bun's process counters. */
  processUsage?: () => { cpuMicros: number; rssBytes: number };
}

export function createDashboardService(deps: DashboardDeps) {
  const { repo, jobs } = deps;
  const { now } = deps;
  const samples = createSamples({ repo, liveSampler: deps.liveSampler, minuteSampler: deps.minuteSampler, now, processUsage: deps.processUsage });
  const health = createHealth({ repo, disks: deps.disks, dataDir: deps.dataDir, filesystems: deps.filesystems });
  const alerts = createAlerts({
    repo,
    jobs,
    now,
    thresholds: deps.thresholds,
    latest: { sample: samples.liveSample, filesystems: health.filesystemsForRules },
    webhook: deps.alertWebhook,
    deviceName: deps.deviceName,
    fetch: deps.fetch,
    more: deps.moreAlerts,
  });
  const backups = createBackups({ jobs, dataDir: deps.dataDir, keepDays: deps.backupKeepDays ?? (() => DEFAULT_BACKUP_KEEP_DAYS) });
  const power = createPower(deps.power);
  const quotas = createQuotas(deps);

  /** What the live cards (#live, polled every 5 s) show: no disks, no filesystems, no stored SMART reports parsed. */
  async function live() {
    const [sample, info] = await Promise.all([samples.liveSample(), samples.info()]);
    return {
      sample,
      info,
      health: alerts.health(),
      jobs: { counts: jobs.counts(), active: jobs.active(), media: deps.media?.() ?? null, people: deps.people?.() ?? null },
      self: samples.self(),
    };
  }

  return {
    samples,
    health,
    alerts,
    backups,
    power,
    quotas,
    live,

    /** The overview page: the live cards, storage, the banner, every disk, the last SMART check, power. */
    async overview() {
      const [current, storage, otherFilesystems] = await Promise.all([live(), health.storage(), health.otherFilesystems()]);
      const alertRows = repo.listAlerts(now());
      return {
        ...current,
        storage,
        otherFilesystems,
        banner: forBanner(alertRows.filter((a) => a.clearedAt === null)),
        disks: health.disks(alertRows),
        /** The last full SMART check: null until the first one. */
        diskCheck: health.lastCheck(),
        power: power.availability(),
      };
    },
    /** One disk for its page. */
    disk: (device: string) => health.disk(device, repo.listAlerts(now())),

    /** Once a minute (the `dashboard.sample` job, due at `dueAt`): a sample for the charts, then the alert rules on it. */
    async recordMinute(dueAt?: Date) {
      await alerts.check(await samples.recordMinute(dueAt));
    },
    /** SMART for every disk (hourly: the `dashboard.disk-check` job, and on "Check disks now"), then the alert rules. */
    async checkDisks() {
      await health.readAll();
      await alerts.check();
    },
    /** Reads one disk now, waking it ("Read SMART now"), then the alert rules. */
    async checkDisk(device: string) {
      await health.readOne(device);
      await alerts.check();
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
