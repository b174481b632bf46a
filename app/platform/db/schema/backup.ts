import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** What a restic backup run reported at its end (its `--json` summary), shown as "what changed". */
export type BackupSummary = {
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dataAdded: number;
  totalFiles: number;
  totalBytes: number;
  durationSeconds: number;
  snapshotId: string;
};

/** A run in progress, for the status card: which step, and restic's own counts while it backs up. */
export type BackupProgress = {
  step: "preparing" | "backing up" | "pruning" | "checking" | "restoring";
  startedAt: number;
  percent: number;
  filesDone?: number;
  totalFiles?: number;
  bytesDone?: number;
  totalBytes?: number;
};

/** The last "Test connection": reached or not, whether a repository is there, and whether the password opens it. */
export type BackupTest = {
  at: number;
  ok: boolean;
  message: string;
  repository: "none" | "exists" | "opened" | "unknown";
  /** SFTP: the server's host key, kept after the first connection (trust on first use, shown to the admin). */
  hostKey?: string;
};

/**
 * Offsite backup targets (app/backup): where restic keeps this box's encrypted repository, what to back up, when,
 * for how long, and the last results. The repository password and any credentials are never in this table: they
 * are files under `<data>/backup/targets/<id>/` (0600), handed to restic by file or environment.
 */
export const backupTargets = sqliteTable("backup_targets", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  kind: text("kind", { enum: ["local", "sftp", "rest", "s3", "rclone"] }).notNull(),
  /** The repository as restic names it, without any secret: a path, sftp:user@host:/path, rest:https://host:port/id/, s3:…, rclone:… */
  location: text("location").notNull(),
  /** SFTP's port (restic's sftp URL has none); 22 otherwise unused. */
  port: integer("port"),
  /** setup: the wizard is not finished (no backup runs); active; paused; restore: a source the setup wizard restores a whole box from. */
  state: text("state", { enum: ["setup", "active", "paused", "restore"] }).notNull(),
  test: text("test", { mode: "json" }).$type<BackupTest>(),
  passwordSetAt: integer("password_set_at", { mode: "timestamp_ms" }),
  /** The emergency kit was opened (printable page or download), then confirmed saved: only then does a backup run. */
  kitShownAt: integer("kit_shown_at", { mode: "timestamp_ms" }),
  kitConfirmedAt: integer("kit_confirmed_at", { mode: "timestamp_ms" }),
  /** Photos' thumbnails, previews and playable videos too (they can be rebuilt, but that takes hours on a Pi). */
  includeMedia: integer("include_media", { mode: "boolean" }).notNull().default(false),
  /** The local hour (the box's time zone) the nightly backup starts after. */
  hour: integer("hour").notNull().default(2),
  /** restic --limit-upload, KiB/s; null: no limit. */
  limitUploadKiB: integer("limit_upload_kib"),
  /** restic under nice and ionice (idle): the box stays responsive while it backs up. */
  lowPriority: integer("low_priority", { mode: "boolean" }).notNull().default(true),
  /** Retention after the first 24 hours (all kept): daily snapshots for this many days, weekly for weeks, monthly for months (null: forever). */
  keepDaily: integer("keep_daily").notNull().default(31),
  keepWeekly: integer("keep_weekly").notNull().default(52),
  keepMonthly: integer("keep_monthly"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),

  lastRunAt: integer("last_run_at", { mode: "timestamp_ms" }),
  lastSuccessAt: integer("last_success_at", { mode: "timestamp_ms" }),
  /** The last run's failure in one sentence (null after a success). */
  lastError: text("last_error"),
  /** Failed runs since the last success: the next try waits longer each time. */
  failures: integer("failures").notNull().default(0),
  lastSummary: text("last_summary", { mode: "json" }).$type<BackupSummary>(),
  snapshotCount: integer("snapshot_count"),
  /** The repository's size on the target (restic stats, raw data). */
  repoBytes: integer("repo_bytes"),
  lastForgetAt: integer("last_forget_at", { mode: "timestamp_ms" }),
  /** Why retention did not run (a host box that keeps everything); null when it ran. */
  forgetNote: text("forget_note"),
  checkedAt: integer("checked_at", { mode: "timestamp_ms" }),
  checkOk: integer("check_ok", { mode: "boolean" }),
  checkDetail: text("check_detail"),
  /** The slice of the data the last monthly check read (n of 12); the next check reads the next one. */
  checkSlice: integer("check_slice").notNull().default(0),
  /** A lock another machine holds on the repository: left alone and reported. */
  lockNote: text("lock_note"),
  running: text("running", { mode: "json" }).$type<BackupProgress>(),
});

/** The snapshots of each target as restic listed them after the last run: the restore page browses them by date. */
export const backupSnapshots = sqliteTable(
  "backup_snapshots",
  {
    targetId: text("target_id")
      .notNull()
      .references(() => backupTargets.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    time: integer("time", { mode: "timestamp_ms" }).notNull(),
    hostname: text("hostname").notNull(),
  },
  (t) => [primaryKey({ columns: [t.targetId, t.id] }), index("backup_snapshots_time").on(t.targetId, t.time)],
);

/**
 * Boxes this box hosts backups for (box-to-box): each writes to its own append-only repository under
 * `<data>/backup/guests/<id>/` through restic's REST protocol, within the quota the admin set. Only the pairing
 * token's SHA-256 is stored; the data is encrypted with a password this box never sees.
 */
export const backupGuests = sqliteTable("backup_guests", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull(),
  quotaBytes: integer("quota_bytes").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }),
  /** Until then the guest may also delete (restic forget --prune); append-only otherwise. */
  pruneUntil: integer("prune_until", { mode: "timestamp_ms" }),
});

/**
 * The scrub (app/backup/scrub.ts): one row (id 1) with where the current pass is, so it resumes after a restart,
 * and the last finished pass.
 */
export const scrubState = sqliteTable("scrub_state", {
  id: integer("id").primaryKey(),
  passStartedAt: integer("pass_started_at", { mode: "timestamp_ms" }),
  /** The last blob checked in this pass (ordered by owner, then SHA-256); null: the pass starts at the beginning. */
  cursorUser: text("cursor_user"),
  cursorSha256: text("cursor_sha256"),
  bytesDone: integer("bytes_done").notNull().default(0),
  blobsDone: integer("blobs_done").notNull().default(0),
  /** Stored bytes when the pass started: the pass's 100 %. */
  totalBytes: integer("total_bytes").notNull().default(0),
  lastPassAt: integer("last_pass_at", { mode: "timestamp_ms" }),
  lastPassBlobs: integer("last_pass_blobs"),
  lastPassBytes: integer("last_pass_bytes"),
  lastPassSeconds: integer("last_pass_seconds"),
});

/** A blob whose content no longer matches its SHA-256 address (or is gone), and what was done about it. */
export const scrubFindings = sqliteTable(
  "scrub_findings",
  {
    userId: text("user_id").notNull(),
    sha256: text("sha256").notNull(),
    problem: text("problem", { enum: ["damaged", "missing"] }).notNull(),
    state: text("state", { enum: ["open", "repaired", "unrepairable"] }).notNull(),
    foundAt: integer("found_at", { mode: "timestamp_ms" }).notNull(),
    /** Where the good content came from: "the second disk", "backup “USB disk” of 2026-12-01". */
    repairedFrom: text("repaired_from"),
    repairedAt: integer("repaired_at", { mode: "timestamp_ms" }),
    detail: text("detail"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.sha256] }), index("scrub_findings_state").on(t.state)],
);

export type BackupTarget = typeof backupTargets.$inferSelect;
export type BackupSnapshot = typeof backupSnapshots.$inferSelect;
export type BackupGuest = typeof backupGuests.$inferSelect;
export type ScrubState = typeof scrubState.$inferSelect;
export type ScrubFinding = typeof scrubFindings.$inferSelect;
