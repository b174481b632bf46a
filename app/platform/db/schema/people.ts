import { sqliteTable, text, integer, real, blob, index, primaryKey, foreignKey } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { blobs } from "./drive";

/**
 * Which contents the People indexer has looked at, with which models: a row of an older `version` is indexed again.
 * Like every People table it belongs to the content's owner and goes with the blob (a purge).
 */
export const peopleIndex = sqliteTable(
  "people_index",
  {
    userId: text("user_id").notNull(),
    sha256: text("sha256").notNull(),
    version: text("version").notNull(),
    /** done, or failed with `error` (a photo the models cannot read: not tried again until the version changes). */
    status: text("status", { enum: ["done", "failed"] }).notNull(),
    error: text("error"),
    indexedAt: integer("indexed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.sha256] }),
    foreignKey({ columns: [t.userId, t.sha256], foreignColumns: [blobs.userId, blobs.sha256] }).onDelete("cascade"),
    index("people_index_version").on(t.version),
  ],
);

/**
 * A person of one user's library: faces grouped by the clustering (people/cluster.ts) or by the owner. `centroid` is
 * the normalised mean of its faces' embeddings (Float32, 1024). A named person is never merged automatically.
 */
export const people = sqliteTable(
  "people",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name"),
    hidden: integer("hidden", { mode: "boolean" }).notNull().default(false),
    /** The face the owner chose for the People page (else the best-scored one). */
    coverFaceId: integer("cover_face_id"),
    centroid: blob("centroid", { mode: "buffer" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("people_user_name").on(t.userId, t.name)],
);

/**
 * A face found in a content: its box (fractions of the picture), scores and embedding (1024 numbers quantised to
 * int8 with `scale`, 1 KB), and its person: set by the clustering (`auto`) or by the owner (`manual`), or none yet.
 */
export const faces = sqliteTable(
  "faces",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id").notNull(),
    sha256: text("sha256").notNull(),
    /** Its crop is `<sha256>-face<idx>.webp` beside the pipeline's thumbnails. */
    idx: integer("idx").notNull(),
    x: real("x").notNull(),
    y: real("y").notNull(),
    w: real("w").notNull(),
    h: real("h").notNull(),
    score: real("score").notNull(),
    landmarks: real("landmarks").notNull(),
    embedding: blob("embedding", { mode: "buffer" }).notNull(),
    scale: real("scale").notNull(),
    personId: text("person_id").references(() => people.id, { onDelete: "set null" }),
    assigned: text("assigned", { enum: ["auto", "manual"] }),
    /** The owner said "not this person": the clustering never puts it back there. */
    rejectedPersonId: text("rejected_person_id"),
  },
  (t) => [
    foreignKey({ columns: [t.userId, t.sha256], foreignColumns: [blobs.userId, blobs.sha256] }).onDelete("cascade"),
    index("faces_content").on(t.userId, t.sha256),
    // The People page's counts and a person's photos (covering), and the waiting faces (person_id null).
    index("faces_person").on(t.userId, t.personId, t.sha256),
  ],
);

/** An object in a content: a COCO label, its score (stored from 0.2; search asks for more) and its box. */
export const photoObjects = sqliteTable(
  "photo_objects",
  {
    userId: text("user_id").notNull(),
    sha256: text("sha256").notNull(),
    label: text("label").notNull(),
    score: real("score").notNull(),
    x: real("x").notNull(),
    y: real("y").notNull(),
    w: real("w").notNull(),
    h: real("h").notNull(),
  },
  (t) => [
    foreignKey({ columns: [t.userId, t.sha256], foreignColumns: [blobs.userId, blobs.sha256] }).onDelete("cascade"),
    index("photo_objects_label").on(t.userId, t.label, t.score),
    index("photo_objects_content").on(t.userId, t.sha256),
  ],
);

export type Person = typeof people.$inferSelect;
export type Face = typeof faces.$inferSelect;
export type PhotoObject = typeof photoObjects.$inferSelect;
