import { sqliteTable, text, integer, primaryKey, foreignKey } from "drizzle-orm/sqlite-core";
import { blobs } from "./drive";

/**
 * A photo's edit (app/photos/edit): the parameters, who saved them and when, one row per content like `photo_flags`
 * (every Drive copy shows the same edit). The original in Drive is never touched; revert deletes the row and the
 * rendered files. `revision` counts saves; `renderedRevision` is the save whose thumbnail, preview and full-size
 * JPEG the edit job wrote (null until the first render), with their size and placeholder. Gone with the blob.
 */
export const photoEdits = sqliteTable(
  "photo_edits",
  {
    userId: text("user_id").notNull(),
    sha256: text("sha256").notNull(),
    /** The edit's parameters as JSON (app/photos/edit/params.ts validates them). */
    params: text("params").notNull(),
    editedBy: text("edited_by").notNull(),
    editedAt: integer("edited_at", { mode: "timestamp_ms" }).notNull(),
    revision: integer("revision").notNull().default(1),
    renderedRevision: integer("rendered_revision"),
    /** The rendered picture's size (upright) and ThumbHash: the grid lays out and paints the edited photo. */
    width: integer("width"),
    height: integer("height"),
    thumbhash: text("thumbhash"),
    /** Why the last render failed (a damaged original): the edit is kept, the original's derivatives still show. */
    error: text("error"),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.sha256] }),
    foreignKey({ columns: [t.userId, t.sha256], foreignColumns: [blobs.userId, blobs.sha256] }).onDelete("cascade"),
  ],
);

export type PhotoEdit = typeof photoEdits.$inferSelect;
