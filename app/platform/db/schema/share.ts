import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { albums } from "./photos";

/**
 * A public link to one file or folder of its owner, or to one of their Photos albums (`albumId`, then `fileId` is null). The token is shown once and kept only as its SHA-256;
 * the optional password is an argon2id hash (Bun.password). Revoked links stay listed (state "revoked").
 */
export const shareLinks = sqliteTable(
  "share_links",
  {
    id: text("id").primaryKey(),
    /**
     * A small number for the link (1, 2, 3…): Nextcloud's sharing API (app/dav/sharing.ts) names shares by number and
     * its apps parse the id as a 32-bit integer. Given on insert (the largest + 1); migration 0021 numbered older links.
     */
    seq: integer("seq"),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The shared root: a `files.id` of the owner. Everything served through the link lies under it. Null for an album link. */
    fileId: text("file_id"),
    /** An album link: only the photos and videos in this album are served. */
    albumId: text("album_id").references(() => albums.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    passwordHash: text("password_hash"),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    /** Off: "view only" (previews and inline playback, no original download, no zip). */
    allowDownload: integer("allow_download", { mode: "boolean" }).notNull().default(true),
    /** Off by default: EXIF/GPS is removed from JPEG originals, and other photos with a location are not served. */
    allowMetadata: integer("allow_metadata", { mode: "boolean" }).notNull().default(false),
    /** A drop box (folders only): visitors upload into the folder and see nothing of it. */
    allowUpload: integer("allow_upload", { mode: "boolean" }).notNull().default(false),
    views: integer("views").notNull().default(0),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("share_links_user").on(t.userId), index("share_links_file").on(t.fileId), uniqueIndex("share_links_seq").on(t.seq)],
);

export type ShareLink = typeof shareLinks.$inferSelect;

/**
 * A folder of its owner shared with another user of the box, read or read-write. Drive's `can()` reads these on
 * every request, so deleting a row ends the access at once, for open sessions and app tokens alike.
 */
export const folderShares = sqliteTable(
  "folder_shares",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    folderId: text("folder_id").notNull(),
    granteeId: text("grantee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    access: text("access", { enum: ["read", "write"] }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("folder_shares_folder_grantee").on(t.folderId, t.granteeId), index("folder_shares_grantee").on(t.granteeId)],
);

export type FolderShare = typeof folderShares.$inferSelect;

/**
 * A Photos album shared with another user of the box: "view" sees everyone's photos in it, "contribute" also adds
 * their own. Read on every request, so deleting the row ends the access at once.
 */
export const albumShares = sqliteTable(
  "album_shares",
  {
    id: text("id").primaryKey(),
    albumId: text("album_id")
      .notNull()
      .references(() => albums.id, { onDelete: "cascade" }),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    granteeId: text("grantee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    access: text("access", { enum: ["view", "contribute"] }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("album_shares_album_grantee").on(t.albumId, t.granteeId), index("album_shares_grantee").on(t.granteeId)],
);

export type AlbumShare = typeof albumShares.$inferSelect;
