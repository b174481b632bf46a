// The SQL of duplicates and stacks (app/photos/duplicates.ts), part of Photos' repo. Callers pass the owner's id;
// every query keeps to that owner's files out of the trash.
import type { Database } from "bun:sqlite";
import type { PhotoFile } from "./duplicates";

const LOCAL = "(m.taken_at + coalesce(m.taken_offset, 0) * 60000)";

export function duplicateQueries(raw: Database) {
  const photoFiles = raw.query(
    `SELECT f.id, f.sha256, f.name, f.parent_id AS parentId, f.size, m.kind, m.width, m.height, m.phash, ${LOCAL} AS local, m.thumbhash
    FROM files f INDEXED BY files_user_trash JOIN media m ON m.user_id = f.user_id AND m.sha256 = f.sha256
    WHERE f.user_id = ? AND f.trashed_at IS NULL AND f.kind = 'file' AND m.status = 'done' AND m.taken_at IS NOT NULL
      AND NOT (m.kind = 'video' AND m.live_pair_sha256 IS NOT NULL)`,
  );
  const folder = raw.query("SELECT parent_id AS parentId, name FROM files WHERE id = ? AND user_id = ? AND kind = 'folder'");
  return {
    /** Every live photo or video file of one owner with its content's facts (a Live Photo's hidden video left out). */
    photoFiles: (userId: string) => photoFiles.all(userId) as PhotoFile[],
    /** Each folder's path from the owner's root ("Photos/2021/Lisbon"; "" for the root itself). */
    folderPaths(userId: string, ids: string[]): Map<string, string> {
      const out = new Map<string, string>();
      for (const id of ids) {
        const names: string[] = [];
        // The root folder (no parent) is not named; a chain is never deeper than Drive allows.
        for (let at: string | null = id, depth = 0; at && depth < 256; depth++) {
          const row = folder.get(at, userId) as { parentId: string | null; name: string } | null;
          if (!row?.parentId) break;
          names.unshift(row.name);
          at = row.parentId;
        }
        out.set(id, names.join("/"));
      }
      return out;
    },
  };
}
