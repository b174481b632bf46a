import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { DiskCounters } from "../../../../hw/alerts";
import type { SmartResult } from "../../../../hw/smart-parse";
import { users } from "./accounts";

/** One row per minute (averaged from the live samples), kept 24 h, for the dashboard's charts. */
export const systemSamples = sqliteTable("system_samples", {
  at: integer("at", { mode: "timestamp_ms" }).primaryKey(),
  cpuPercent: real("cpu_percent").notNull(),
  memPercent: real("mem_percent").notNull(),
  cpuTempC: real("cpu_temp_c"),
  rxBytesPerSec: integer("rx_bytes_per_sec"),
  txBytesPerSec: integer("tx_bytes_per_sec"),
});

/**
 * Alerts raised by hw/alerts.ts rules. One open row per (code, subject): a rule that keeps firing updates it;
 * when the condition is gone the row gets `clearedAt`. Acknowledging hides it from the admin banner.
 */
export const alerts = sqliteTable(
  "alerts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    code: text("code").notNull(),
    subject: text("subject").notNull(),
    severity: text("severity", { enum: ["critical", "warning", "info"] }).notNull(),
    message: text("message").notNull(),
    firstSeenAt: integer("first_seen_at", { mode: "timestamp_ms" }).notNull(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    clearedAt: integer("cleared_at", { mode: "timestamp_ms" }),
    acknowledgedAt: integer("acknowledged_at", { mode: "timestamp_ms" }),
    acknowledgedBy: text("acknowledged_by").references(() => users.id, { onDelete: "set null" }),
    /** When the admin's alert webhook accepted it; cleared when the alert gets worse, so it is sent again. */
    notifiedAt: integer("notified_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("alerts_open_code_subject").on(t.code, t.subject).where(sql`cleared_at is null`), index("alerts_last_seen").on(t.lastSeenAt)],
);

/** The last SMART reading per device, so pages never wait for smartctl, and the counters rising-sector rules compare against. */
export const diskHealth = sqliteTable(
  "disk_health",
  {
    device: text("device").primaryKey(),
    /** "disk:<serial>" (hw/alerts diskSubject), or "disk:<device>" when no serial could be read. */
    subject: text("subject").notNull(),
    report: text("report", { mode: "json" }).$type<SmartResult>().notNull(),
    counters: text("counters", { mode: "json" }).$type<DiskCounters>(),
    checkedAt: integer("checked_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("disk_health_subject").on(t.subject)],
);

export type SystemSampleRow = typeof systemSamples.$inferSelect;
export type AlertRow = typeof alerts.$inferSelect;
export type DiskHealthRow = typeof diskHealth.$inferSelect;
