/**
 * Alerts: the rules of hw/alerts.ts on the latest readings, one open row per (code, subject), the admin's banner
 * and acknowledgements, and the webhook that hands new warnings to the admin's phone (notify.ts).
 */
import { log } from "../platform/log";
import { evaluateAlerts, summarizeHealth, type Alert, type AlertThresholds, type FilesystemUsage } from "../../hw/alerts";
import type { SystemSample } from "../../hw/system";
import type { User } from "../platform/db/schema";
import { AppError, notFound } from "../platform/errors";
import type { JobQueue } from "../platform/queue/queue";
import { alertKey } from "./disk-health";
import { postAlert } from "./notify";
import type { AlertRow, DashboardRepo } from "./repo";

/** The last attempt to hand an alert to the admin's webhook. */
export type WebhookDelivery = { at: Date; ok: boolean; detail: string };

const DAY = 24 * 3600_000;
/** Alerts about an event (not a state) stay open until someone acknowledges them. */
const EVENT_CODES = new Set<string>(["sectors-rising", "database-check"]);
export const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

/** What the admin banner shows: unacknowledged warnings and critical alerts, worst first. */
export const forBanner = (rows: AlertRow[]) =>
  rows
    .filter((a) => a.clearedAt === null && a.acknowledgedAt === null && a.severity !== "info")
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.lastSeenAt.getTime() - a.lastSeenAt.getTime());

export function createAlerts(ctx: {
  repo: DashboardRepo;
  jobs: Pick<JobQueue, "failedSince">;
  now: () => Date;
  thresholds?: Partial<AlertThresholds>;
  /** What the rules read besides the stored SMART readings: the machine now, and its filesystems (the data one marked). */
  latest: { sample: () => Promise<SystemSample>; filesystems: () => Promise<(FilesystemUsage & { isData?: boolean })[]> };
  /** The admin's alert webhook (a setting) and the name the notices carry; none: alerts only show on the pages. */
  webhook?: () => string | null;
  deviceName?: () => string;
  fetch?: typeof fetch;
  /** What other features' rules find now (a silent phone: app/dav/devices.ts; offsite backups and the scrub: app/backup); cleared like the rest. */
  more?: () => Alert[];
}) {
  const { repo, now } = ctx;
  let lastDelivery: WebhookDelivery | null = null;
  let delivery: Promise<void> | null = null;
  const deviceName = () => ctx.deviceName?.() ?? "nas";

  /** Sends what `toNotify` lists, oldest first; stops at the first failure (tried again at the next check). */
  async function sendPending(url: string) {
    for (const alert of repo.toNotify()) {
      try {
        await postAlert(url, alert, deviceName(), ctx.fetch);
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
  function deliver(): Promise<void> {
    const url = ctx.webhook?.();
    if (!url) return Promise.resolve();
    // Never rejects: a database error while recording a delivery is logged, the next check tries again.
    delivery ??= sendPending(url)
      .catch((e) => log.error("alert webhook failed", e))
      .finally(() => (delivery = null));
    return delivery;
  }

  /** Brings the alerts table in line with what the rules found: new ones open, changed ones refresh, gone ones clear. */
  function sync(evaluated: Alert[], at: Date) {
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

  return {
    /** Evaluates every rule on the latest readings (`sample`, or a live one), syncs the table, sends what is new. */
    async check(sample?: SystemSample) {
      const at = now();
      const disks = repo.disks().map((row) => ({ report: row.report, previous: null }));
      const evaluated = evaluateAlerts({
        disks,
        system: sample ?? (await ctx.latest.sample()),
        filesystems: await ctx.latest.filesystems(),
        failedJobs: ctx.jobs.failedSince(new Date(at.getTime() - DAY)),
        thresholds: ctx.thresholds,
      }).concat(ctx.more?.() ?? []);
      sync(evaluated, at);
      void deliver();
      return evaluated;
    },
    deliver,
    /** The webhook setting and how the last delivery went, for the alerts page. */
    webhook: () => ({ url: ctx.webhook?.() ?? null, lastDelivery }),
    /** "Send a test": a made-up warning straight to the webhook, so the admin sees it arrive. */
    async sendTest(): Promise<WebhookDelivery> {
      const url = ctx.webhook?.();
      if (!url) throw new AppError(409, "Set an address to send alerts to first.");
      const notice = {
        severity: "warning" as const,
        code: "test",
        subject: "test",
        message: "This is a test alert from your NAS. Real alerts arrive like this.",
      };
      try {
        await postAlert(url, notice, deviceName(), ctx.fetch);
        return (lastDelivery = { at: now(), ok: true, detail: notice.message });
      } catch (e) {
        return (lastDelivery = { at: now(), ok: false, detail: (e as Error).message });
      }
    },

    /** Opens an alert found outside the rules (the database's check at start), unless the same one is open. */
    raise(alert: Alert) {
      if (repo.openAlerts().some((a) => alertKey(a) === alertKey(alert) && a.message === alert.message)) return;
      repo.insertAlert(alert, now());
      void deliver();
    },
    /** Unacknowledged warnings and critical alerts, for the admin banner. */
    banner: () => forBanner(repo.openAlerts()),
    /** Green, amber or red with its reason, from the open alerts (the start page's health line). */
    health: () => summarizeHealth(repo.openAlerts()),
    /** Open alerts worst first, then those resolved in the last week. */
    list: () =>
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
  };
}
