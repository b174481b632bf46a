/**
 * What a snapshot holds, named once: the backup (stage.ts) writes this tree and every restore (restore.ts, the
 * setup wizard's whole-box restore, the emergency kit's steps on a plain computer) reads it.
 *
 *   README.txt                       what this is and how to restore it
 *   database/db.sqlite               a consistent copy of the database (VACUUM INTO): accounts, passkeys, Drive's
 *                                    folders and names, albums, shares, settings, the backup targets
 *   settings/                        the files beside the database: system settings (host name, NTP, SSH), the
 *                                    instance secret, the backup targets' passwords and keys, the box's SSH key
 *   files/<username>/<Drive path>    every file in Drive by its real name (links to the content, so no space is used twice)
 *   media/thumbs/…, media/transcodes/…   Photos' thumbnails, previews and playable videos (optional)
 *
 * Files go by name rather than by content address so that a person with nothing but `restic` and the emergency kit
 * gets their folders back as they knew them.
 */
import type { Database } from "bun:sqlite";

export const TREE = {
  readme: "README.txt",
  database: "database",
  databaseFile: "database/db.sqlite",
  settings: "settings",
  files: "files",
  media: "media",
} as const;

/** A file of a snapshot's (or the live) database with its place in the tree. */
export type TreeFile = { id: string; userId: string; username: string; sha256: string; size: number; parentId: string; path: string };

/**
 * Every live Drive file with its path in the tree (`files/<username>/<folders>/<name>`), from any database of this
 * schema: the live one when backing up, a snapshot's when restoring from it. Names are unique among a folder's live
 * items and can hold no `/`, so the paths are too.
 */
export function treeFiles(db: Database, where: { userId?: string } = {}): TreeFile[] {
  const rows = db
    .query<Omit<TreeFile, "path"> & { folder: string; name: string }, [string | null]>(
      `WITH RECURSIVE folders(id, path) AS (
         SELECT id, '' FROM files WHERE parent_id IS NULL AND kind = 'folder'
         UNION ALL
         SELECT c.id, CASE WHEN p.path = '' THEN c.name ELSE p.path || '/' || c.name END
         FROM files c JOIN folders p ON c.parent_id = p.id
         WHERE c.kind = 'folder' AND c.trashed_at IS NULL
       )
       SELECT f.id AS id, f.user_id AS userId, u.username AS username, f.sha256 AS sha256, f.size AS size,
              f.parent_id AS parentId, p.path AS folder, f.name AS name
       FROM files f JOIN folders p ON f.parent_id = p.id JOIN users u ON u.id = f.user_id
       WHERE f.kind = 'file' AND f.trashed_at IS NULL AND f.sha256 IS NOT NULL AND (?1 IS NULL OR f.user_id = ?1)`,
    )
    .all(where.userId ?? null);
  return rows.map(({ folder, name, ...f }) => ({ ...f, path: `${TREE.files}/${f.username}/${folder ? `${folder}/` : ""}${name}` }));
}

/** restic's --include patterns match like shell globs: a name's own `*`, `?`, `[` and `\` are escaped. */
export const includePattern = (treePath: string) => `/${treePath.replace(/[\\*?[]/g, "\\$&")}`;
