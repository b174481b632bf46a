import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";

/** Appliance settings as key → JSON value (device name, time zone, registration policy…). */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
});

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    userId: text("user_id"),
    ip: text("ip"),
    action: text("action").notNull(),
    objectId: text("object_id"),
    ok: integer("ok", { mode: "boolean" }).notNull(),
    detail: text("detail"),
  },
  (t) => [index("audit_at").on(t.at), index("audit_user").on(t.userId)],
);

/** Work for the worker process (thumbnails, transcodes, imports, backups). */
export const jobs = sqliteTable(
  "jobs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind").notNull(),
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: ["queued", "running", "done", "failed"] })
      .notNull()
      .default("queued"),
    attempts: integer("attempts").notNull().default(0),
    progress: integer("progress").notNull().default(0),
    error: text("error"),
    runAfter: integer("run_after", { mode: "timestamp_ms" }).notNull(),
    lockedAt: integer("locked_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
  },
  // jobs_kind: "the last backup", "is a SMART check already queued" without scanning every photo job.
  (t) => [index("jobs_claim").on(t.status, t.runAfter), index("jobs_kind").on(t.kind, t.id)],
);

export type AuditEntry = typeof auditLog.$inferSelect;
export type Job = typeof jobs.$inferSelect;
