// Every statement on `photo_edits` (app/platform/db/schema/photo-edits.ts). Callers pass the owner's id; nothing here
// decides who may edit (the access policy's `file.edit` does, in edits.ts).
import { writeTransaction, type Db } from "../../platform/db/client";
import type { PhotoEdit } from "../../platform/db/schema";
import type { EditParams } from "./params";

type Row = Record<string, unknown>;
const toEdit = (r: Row): PhotoEdit => ({
  userId: r.user_id as string,
  sha256: r.sha256 as string,
  params: r.params as string,
  editedBy: r.edited_by as string,
  editedAt: new Date(r.edited_at as number),
  revision: r.revision as number,
  renderedRevision: r.rendered_revision as number | null,
  width: r.width as number | null,
  height: r.height as number | null,
  thumbhash: r.thumbhash as string | null,
  error: r.error as string | null,
});

export function createEditRepo(db: Db) {
  const raw = db.$client;
  return {
    transaction: <T>(fn: () => T): T => writeTransaction(raw, fn),
    get(userId: string, sha256: string): PhotoEdit | undefined {
      const r = raw.query("SELECT * FROM photo_edits WHERE user_id = ? AND sha256 = ?").get(userId, sha256) as Row | null;
      return r ? toEdit(r) : undefined;
    },
    /** Stores a save: a new revision (the render job renders it), the last error forgotten. Returns the revision. */
    save(userId: string, sha256: string, params: EditParams, editedBy: string, at: Date): number {
      const r = raw
        .query(
          `INSERT INTO photo_edits (user_id, sha256, params, edited_by, edited_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (user_id, sha256) DO UPDATE SET params = excluded.params, edited_by = excluded.edited_by,
             edited_at = excluded.edited_at, revision = revision + 1, error = NULL
           RETURNING revision`,
        )
        .get(userId, sha256, JSON.stringify(params), editedBy, at.getTime()) as { revision: number };
      return r.revision;
    },
    remove: (userId: string, sha256: string) => raw.query("DELETE FROM photo_edits WHERE user_id = ? AND sha256 = ?").run(userId, sha256).changes > 0,
    /** The render of `revision` is on disk; false when a newer save or a revert came meanwhile. */
    rendered(userId: string, sha256: string, revision: number, r: { width: number; height: number; thumbhash: string }): boolean {
      return (
        raw
          .query(
            "UPDATE photo_edits SET rendered_revision = revision, width = ?, height = ?, thumbhash = ?, error = NULL WHERE user_id = ? AND sha256 = ? AND revision = ?",
          )
          .run(r.width, r.height, r.thumbhash, userId, sha256, revision).changes > 0
      );
    },
    /** Every rendered edit (photos.edit.check looks for their files). */
    renderedAll: () =>
      raw.query("SELECT user_id AS userId, sha256 FROM photo_edits WHERE rendered_revision IS NOT NULL").all() as { userId: string; sha256: string }[],
    /** The original could not be decoded: the edit is kept with the reason; nothing rendered shows. */
    failed(userId: string, sha256: string, revision: number, error: string) {
      raw
        .query(
          "UPDATE photo_edits SET rendered_revision = NULL, width = NULL, height = NULL, thumbhash = NULL, error = ? WHERE user_id = ? AND sha256 = ? AND revision = ?",
        )
        .run(error, userId, sha256, revision);
    },
    /** The original's upright size as the pipeline recorded it. */
    sizeOf: (userId: string, sha256: string) =>
      (raw.query("SELECT coalesce(width, 0) AS width, coalesce(height, 0) AS height FROM media WHERE user_id = ? AND sha256 = ?").get(userId, sha256) as {
        width: number;
        height: number;
      } | null) ?? { width: 0, height: 0 },
    /** The pipeline's kind and state of the content (the media feature's table, read only). */
    mediaOf: (userId: string, sha256: string) =>
      raw.query("SELECT kind, status, error FROM media WHERE user_id = ? AND sha256 = ?").get(userId, sha256) as {
        kind: "image" | "raw" | "video";
        status: string;
        error: string | null;
      } | null,
  };
}

export type EditRepo = ReturnType<typeof createEditRepo>;
