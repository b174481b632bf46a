import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The second-disk copy ("backup to a second disk"): one row (id 1) with the target the admin chose and the last
 * result. Progress lives on the job; this row is what the dashboard shows after the job is gone from view.
 */
export const diskCopy = sqliteTable("disk_copy", {
  id: integer("id").primaryKey(),
  /** A mounted directory on a disk other than the data disk; the copy goes to `<target>/nasd-copy`. */
  targetPath: text("target_path").notNull(),
  nightly: integer("nightly", { mode: "boolean" }).notNull().default(false),
  lastRunAt: integer("last_run_at", { mode: "timestamp_ms" }),
  lastOk: integer("last_ok", { mode: "boolean" }),
  /** One sentence: files copied/unchanged/moved to .trash and bytes, or the error. */
  lastSummary: text("last_summary"),
});

export type DiskCopyRow = typeof diskCopy.$inferSelect;
