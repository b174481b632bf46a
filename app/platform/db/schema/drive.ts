import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";

/**
 * Stored content, addressed by SHA-256 and deduplicated per user: one row (and one file on disk at
 * `<data>/users/<userId>/blobs/<aa>/<bb>/<sha256>`) however many `files` rows point at it.
 */
export const blobs = sqliteTable(
  "blobs",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
    /** Sniffed from the content (file-type), falling back to the extension. */
    mime: text("mime").notNull(),
    refcount: integer("refcount").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.sha256] })],
);

/**
 * One row per user-visible item (folder or file). Every user has one root folder (parentId null, name "").
 * Photos and Sharing hang off `files.id`; the search index (files_fts) follows this table by triggers.
 */
export const files = sqliteTable(
  "files",
  {
    /** Stable integer key for the FTS5 external-content index. */
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    parentId: text("parent_id"),
    kind: text("kind", { enum: ["folder", "file"] }).notNull(),
    name: text("name").notNull(),
    sha256: text("sha256"),
    size: integer("size").notNull().default(0),
    mime: text("mime"),
    starred: integer("starred", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    /** Set on a trashed item and all its descendants; `trashRootId` names the item the user deleted. */
    trashedAt: integer("trashed_at", { mode: "timestamp_ms" }),
    trashRootId: text("trash_root_id"),
    /** Folder names from the root to the original parent, so restore can recreate missing parents. */
    trashedFromPath: text("trashed_from_path", { mode: "json" }).$type<string[]>(),
    /** Who added it, when not the owner (a user writing into a folder shared with them); null: the owner. */
    createdBy: text("created_by"),
  },
  (t) => [
    uniqueIndex("files_live_name").on(t.parentId, t.name).where(sql`trashed_at IS NULL`),
    // Listing indexes: one per sort order, live rows only, so the first page of a huge folder is an index walk.
    index("files_list").on(t.parentId, t.kind, t.name).where(sql`trashed_at IS NULL`),
    index("files_list_updated").on(t.parentId, t.kind, t.updatedAt).where(sql`trashed_at IS NULL`),
    index("files_list_size").on(t.parentId, t.kind, t.size).where(sql`trashed_at IS NULL`),
    index("files_user_recent").on(t.userId, t.updatedAt),
    index("files_user_trash").on(t.userId, t.trashedAt),
    index("files_user_starred").on(t.userId, t.starred),
    index("files_blob").on(t.userId, t.sha256),
  ],
);

/** Resumable (tus) uploads in progress: who owns each and where it will land. */
export const uploads = sqliteTable(
  "uploads",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    parentId: text("parent_id").notNull(),
    name: text("name").notNull(),
    length: integer("length").notNull(),
    onConflict: text("on_conflict", { enum: ["rename", "replace"] }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("uploads_user").on(t.userId)],
);

export type Blob = typeof blobs.$inferSelect;
export type DriveFile = typeof files.$inferSelect;
export type Upload = typeof uploads.$inferSelect;
