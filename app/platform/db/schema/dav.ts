import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { appTokens, users } from "./accounts";
import { files } from "./drive";

/** WebDAV dead properties (PROPPATCH): one row per property of a Drive item, its value kept as XML. */
export const davProperties = sqliteTable(
  "dav_properties",
  {
    fileId: text("file_id")
      .notNull()
      .references(() => files.id, { onDelete: "cascade" }),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    /** The property element's content, serialised with its namespace declarations. */
    value: text("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.namespace, t.name] })],
);

/** WebDAV locks (RFC 4918 class 2), held on a Drive item by id so they follow it whichever path names it. */
export const davLocks = sqliteTable(
  "dav_locks",
  {
    token: text("token").primaryKey(),
    fileId: text("file_id")
      .notNull()
      .references(() => files.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    scope: text("scope", { enum: ["exclusive", "shared"] }).notNull(),
    depth: text("depth", { enum: ["0", "infinity"] }).notNull(),
    /** The client's `<owner>` element, returned as sent. */
    owner: text("owner"),
    /** The URL the lock was taken on, for `<lockroot>`. */
    root: text("root").notNull(),
    timeoutSeconds: integer("timeout_seconds").notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("dav_locks_file").on(t.fileId)],
);

/**
 * A number per folder that grows whenever anything below it changes (kept by triggers on `files`, migration 0013):
 * the folder's WebDAV ETag, so sync clients descend only into folders that changed.
 */
export const davFolderVersions = sqliteTable("dav_folder_versions", {
  folderId: text("folder_id").primaryKey(),
  version: integer("version").notNull(),
});

/** Every file a device (an app password) uploaded: the device's backup status is counted from these rows. */
export const deviceUploads = sqliteTable(
  "device_uploads",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deviceId: text("device_id")
      .notNull()
      .references(() => appTokens.id, { onDelete: "cascade" }),
    /** The content's owner (the folder's owner: a shared folder's owner when uploaded into one) and the content. */
    ownerId: text("owner_id").notNull(),
    fileId: text("file_id").notNull(),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
    kind: text("kind", { enum: ["photo", "video", "other"] }).notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("device_uploads_device_at").on(t.deviceId, t.at)],
);

export type DavLock = typeof davLocks.$inferSelect;
export type DeviceUpload = typeof deviceUploads.$inferSelect;
