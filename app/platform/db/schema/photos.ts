import { sqliteTable, text, integer, index, primaryKey, foreignKey, uniqueIndex } from "drizzle-orm/sqlite-core";
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

/**
 * Partner sharing: `ownerId` shares their whole Photos library with `partnerId` (everything, or only what was taken
 * from `fromLocal` on, optionally photos only). The access policy reads it on every request (`partner.library`,
 * `partner.photo`), so deleting the row ends the access at once. `inTimeline` is the partner's choice: the owner's
 * photos in the partner's own timeline, or only on the partner page.
 */
export const partnerShares = sqliteTable(
  "partner_shares",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    partnerId: text("partner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The first local day shared (the camera's clock as UTC milliseconds, like the timeline's days); null: everything. */
    fromLocal: integer("from_local"),
    /** Photos only: the owner's videos stay theirs. */
    photosOnly: integer("photos_only", { mode: "boolean" }).notNull().default(false),
    inTimeline: integer("in_timeline", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("partner_shares_pair").on(t.ownerId, t.partnerId), index("partner_shares_partner").on(t.partnerId)],
);

export type PartnerShare = typeof partnerShares.$inferSelect;
