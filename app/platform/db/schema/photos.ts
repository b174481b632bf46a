import { sqliteTable, text, integer, index, primaryKey, foreignKey } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { blobs } from "./drive";

/**
 * Photos' own marks on a content (favourite, archived): per content like the `media` row, so every Drive copy of the
 * same photo shows the same state. Gone with the blob (a purge).
 */
export const photoFlags = sqliteTable(
  "photo_flags",
  {
    userId: text("user_id").notNull(),
    sha256: text("sha256").notNull(),
    favourite: integer("favourite", { mode: "boolean" }).notNull().default(false),
    /** Archived photos leave the timeline but stay in Drive, albums and search. */
    archived: integer("archived", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.sha256] }),
    foreignKey({ columns: [t.userId, t.sha256], foreignColumns: [blobs.userId, blobs.sha256] }).onDelete("cascade"),
  ],
);

/** A user's album; `coverSha256` is the chosen cover (else the newest photo in it). */
export const albums = sqliteTable(
  "albums",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    coverSha256: text("cover_sha256"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("albums_user").on(t.userId, t.name)],
);

/** Which contents an album holds (by content, like `media`), removed with the album or the content. */
export const albumItems = sqliteTable(
  "album_items",
  {
    albumId: text("album_id")
      .notNull()
      .references(() => albums.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    sha256: text("sha256").notNull(),
    addedAt: integer("added_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.albumId, t.sha256] }),
    foreignKey({ columns: [t.userId, t.sha256], foreignColumns: [blobs.userId, blobs.sha256] }).onDelete("cascade"),
    index("album_items_content").on(t.userId, t.sha256),
  ],
);

export type PhotoFlags = typeof photoFlags.$inferSelect;
export type Album = typeof albums.$inferSelect;
export type AlbumItem = typeof albumItems.$inferSelect;
