import { and, asc, desc, eq, gte, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { alerts, diskHealth, systemSamples, type AlertRow, type DiskHealthRow, type SystemSampleRow } from "../platform/db/schema";
import type { Alert } from "../../hw/alerts";

/** Every query of the dashboard: samples, alerts, cached disk health. */
export function createDashboardRepo(db: Db) {
  // Prepared once: the dashboard's live cards and charts read these every few seconds.
  const samplesSince = db
    .select()
    .from(systemSamples)
    .where(gte(systemSamples.at, sql.placeholder("since")))
    .orderBy(asc(systemSamples.at))
    .prepare();
  const openAlerts = db.select().from(alerts).where(isNull(alerts.clearedAt)).prepare();
  return {
    insertSample: (row: SystemSampleRow) => db.insert(systemSamples).values(row).onConflictDoNothing().run(),
    samplesSince: (since: Date): SystemSampleRow[] => samplesSince.all({ since: since.getTime() }),
    pruneSamples: (before: Date) => db.delete(systemSamples).where(lt(systemSamples.at, before)).run(),

    openAlerts: (): AlertRow[] => openAlerts.all(),
    /** Open alerts and those cleared after `clearedSince`, newest first. */
    listAlerts: (clearedSince: Date) =>
      db
        .select()
        .from(alerts)
        .where(or(isNull(alerts.clearedAt), gte(alerts.clearedAt, clearedSince)))
        .orderBy(desc(alerts.lastSeenAt), desc(alerts.id))
        .limit(200)
        .all(),
    alertById: (id: number) => db.select().from(alerts).where(eq(alerts.id, id)).get(),
    insertAlert: (a: Alert, at: Date) =>
      db
        .insert(alerts)
        .values({ ...a, firstSeenAt: at, lastSeenAt: at })
        .returning()
        .get(),
    /** `reopen`: the alert got worse (or the event happened again), so it goes back on the banner. */
    refreshAlert: (id: number, a: Pick<Alert, "severity" | "message">, at: Date, reopen: boolean) =>
      db
        .update(alerts)
        .set({ severity: a.severity, message: a.message, lastSeenAt: at, ...(reopen ? { acknowledgedAt: null, acknowledgedBy: null, notifiedAt: null } : {}) })
        .where(eq(alerts.id, id))
        .run(),
    clearAlerts: (ids: number[], at: Date) => {
      if (ids.length) db.update(alerts).set({ clearedAt: at }).where(inArray(alerts.id, ids)).run();
    },
    /** Open, unacknowledged warnings and critical alerts the webhook has not accepted yet, oldest first. */
    toNotify: () =>
      db
        .select()
        .from(alerts)
        .where(and(isNull(alerts.clearedAt), isNull(alerts.acknowledgedAt), isNull(alerts.notifiedAt), inArray(alerts.severity, ["warning", "critical"])))
        .orderBy(asc(alerts.id))
        .limit(50)
        .all(),
    markNotified: (id: number, at: Date) => db.update(alerts).set({ notifiedAt: at }).where(eq(alerts.id, id)).run(),
    acknowledge: (id: number, userId: string, at: Date) =>
      db
        .update(alerts)
        .set({ acknowledgedAt: at, acknowledgedBy: userId })
        .where(and(eq(alerts.id, id), isNull(alerts.acknowledgedAt)))
        .returning()
        .get(),

    disks: (): DiskHealthRow[] => db.select().from(diskHealth).orderBy(asc(diskHealth.device)).all(),
    disk: (device: string) => db.select().from(diskHealth).where(eq(diskHealth.device, device)).get(),
    countersFor: (subject: string) =>
      db.select({ counters: diskHealth.counters }).from(diskHealth).where(eq(diskHealth.subject, subject)).get()?.counters ?? null,
    saveDisk: (row: DiskHealthRow) => db.insert(diskHealth).values(row).onConflictDoUpdate({ target: diskHealth.device, set: row }).run(),
    /** Devices that vanished from the scan (unplugged USB disks). */
    forgetDisksExcept: (devices: string[]) => {
      const gone = db
        .select({ device: diskHealth.device })
        .from(diskHealth)
        .all()
        .map((r) => r.device)
        .filter((d) => !devices.includes(d));
      if (gone.length) db.delete(diskHealth).where(inArray(diskHealth.device, gone)).run();
    },
  };
}

export type DashboardRepo = ReturnType<typeof createDashboardRepo>;
export type { AlertRow, DiskHealthRow, SystemSampleRow };
