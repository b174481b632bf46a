import { eq } from "drizzle-orm";
import { writeTransaction, type Db } from "../platform/db/client";
import { files, type Album, type DriveFile } from "../platform/db/schema";

/** A photo or video of an album as people it is shared with see it: whose it is and who added it. */
export type AlbumEntry = {
  id: string;
  userId: string;
  sha256: string;
  name: string;
  mime: string;
  size: number;
  addedBy: string;
  addedAt: number;
  width: number | null;
  height: number | null;
  takenAt: number | null;
};

// An album's items with the first live Drive file of each (its owner's), from the owner or a current member.
const ENTRY_SELECT = `SELECT e.id, e.user_id, e.sha256, e.name, e.mime, e.size, u.username AS added_by, a.added_at, m.width, m.height, m.taken_at
  FROM album_items a JOIN albums b ON b.id = a.album_id JOIN users u ON u.id = a.user_id
  JOIN files e ON e.id = (SELECT f.id FROM files f WHERE f.user_id = a.user_id AND f.sha256 = a.sha256 AND f.trashed_at IS NULL ORDER BY f.seq LIMIT 1)
  LEFT JOIN media m ON m.user_id = a.user_id AND m.sha256 = a.sha256
  WHERE a.album_id = ? AND (a.user_id = b.user_id OR EXISTS (SELECT 1 FROM album_shares s WHERE s.album_id = a.album_id AND s.grantee_id = a.user_id))`;
const toEntry = (r: Record<string, unknown>): AlbumEntry => ({
  id: r.id as string,
  userId: r.user_id as string,
  sha256: r.sha256 as string,
  name: r.name as string,
  mime: (r.mime as string | null) ?? "application/octet-stream",
  size: r.size as number,
  addedBy: r.added_by as string,
  addedAt: r.added_at as number,
  width: (r.width as number | null) ?? null,
  height: (r.height as number | null) ?? null,
  takenAt: (r.taken_at as number | null) ?? null,
});

/** Every SQL statement of albums and their items (`albums`, `album_items`). Nothing here decides who may see them. */
export function createAlbumRepo(db: Db) {
  const raw = db.$client;
  return {
    albums: (userId: string) =>
      raw
        .query(`SELECT b.id, b.name, b.cover_sha256 AS cover, (SELECT count(*) FROM album_items a WHERE a.album_id = b.id) AS n,
          (SELECT f.id FROM files f WHERE f.user_id = b.user_id AND f.trashed_at IS NULL AND f.sha256 = coalesce(b.cover_sha256,
            (SELECT a.sha256 FROM album_items a JOIN media m ON m.user_id = a.user_id AND m.sha256 = a.sha256 WHERE a.album_id = b.id ORDER BY m.taken_at DESC LIMIT 1)) LIMIT 1) AS cover_id
        FROM albums b WHERE b.user_id = ? ORDER BY b.name COLLATE NOCASE`)
        .all(userId) as { id: string; name: string; n: number; cover_id: string | null }[],
    album: (id: string) => {
      const r = raw.query("SELECT id, user_id, name, cover_sha256, created_at, updated_at FROM albums WHERE id = ?").get(id) as Record<string, unknown> | null;
      return r
        ? ({
            id: r.id,
            userId: r.user_id,
            name: r.name,
            coverSha256: r.cover_sha256,
            createdAt: new Date(r.created_at as number),
            updatedAt: new Date(r.updated_at as number),
          } as Album)
        : undefined;
    },
    insertAlbum: (a: Album) =>
      raw
        .query("INSERT INTO albums (id, user_id, name, cover_sha256, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
        .run(a.id, a.userId, a.name, a.coverSha256, a.createdAt.getTime(), a.updatedAt.getTime()),
    renameAlbum: (id: string, name: string, at: Date) => raw.query("UPDATE albums SET name = ?, updated_at = ? WHERE id = ?").run(name, at.getTime(), id),
    setCover: (id: string, sha256: string | null, at: Date) =>
      raw.query("UPDATE albums SET cover_sha256 = ?, updated_at = ? WHERE id = ?").run(sha256, at.getTime(), id),
    deleteAlbum: (id: string) => raw.query("DELETE FROM albums WHERE id = ?").run(id),
    addToAlbum(albumId: string, userId: string, shas: string[], at: Date) {
      const stmt = raw.query("INSERT OR IGNORE INTO album_items (album_id, user_id, sha256, added_at) VALUES (?, ?, ?, ?)");
      writeTransaction(raw, () => shas.forEach((s) => stmt.run(albumId, userId, s, at.getTime())));
    },
    removeFromAlbum(albumId: string, shas: string[]) {
      const stmt = raw.query("DELETE FROM album_items WHERE album_id = ? AND sha256 = ?");
      writeTransaction(raw, () => shas.forEach((s) => stmt.run(albumId, s)));
    },
    /**
     * Everyone's photos in an album, newest first: the owner's and those of people it is shared with (a contributor
     * whose share ended drops out at once). Each with the Drive file that shows it and who added it.
     */
    albumEntries: (albumId: string, limit = 5000): AlbumEntry[] =>
      (raw.query(`${ENTRY_SELECT} ORDER BY coalesce(m.taken_at, a.added_at) DESC, e.id LIMIT ?`).all(albumId, limit) as Record<string, unknown>[]).map(toEntry),
    /** One Drive file as an entry of an album, or null when that file's content is not in it. */
    albumEntry(albumId: string, fileId: string): AlbumEntry | null {
      const r = raw.query(`${ENTRY_SELECT} AND e.id = ?`).get(albumId, fileId) as Record<string, unknown> | null;
      return r ? toEntry(r) : null;
    },
    /** Albums by id with their owner's name and item count (the "Shared with me" list). */
    albumsByIds(ids: string[]) {
      if (!ids.length) return [];
      return raw
        .query(`SELECT b.id, b.name, u.username AS owner, (SELECT count(*) FROM album_items a WHERE a.album_id = b.id) AS n
          FROM albums b JOIN users u ON u.id = b.user_id WHERE b.id IN (${ids.map(() => "?").join(",")}) ORDER BY b.name COLLATE NOCASE`)
        .all(...ids) as { id: string; name: string; owner: string; n: number }[];
    },
    removeEntry: (albumId: string, userId: string, sha256: string) =>
      raw.query("DELETE FROM album_items WHERE album_id = ? AND user_id = ? AND sha256 = ?").run(albumId, userId, sha256),
    albumsOf: (userId: string, sha256: string) =>
      raw
        .query("SELECT b.id, b.name FROM album_items a JOIN albums b ON b.id = a.album_id WHERE a.user_id = ? AND a.sha256 = ? ORDER BY b.name")
        .all(userId, sha256) as { id: string; name: string }[],
    /** A Drive file row by id: an album entry's, to serve its content once the album was found viewable. */
    file: (id: string): DriveFile | undefined => db.select().from(files).where(eq(files.id, id)).get(),
    /**
     * Photos and videos anywhere under `folderIds` (live, newest taken first), with the owner's name: what a person's
     * Photos shows under "Shared with me" for the folders shared with them.
     */
    mediaUnder: (folderIds: string[], limit: number) =>
      raw
        .query(`WITH RECURSIVE tree(id) AS (SELECT r.id FROM files r WHERE r.id IN (SELECT value FROM json_each(?)) AND r.trashed_at IS NULL
            UNION SELECT f.id FROM files f JOIN tree ON f.parent_id = tree.id WHERE f.kind = 'folder' AND f.trashed_at IS NULL)
          SELECT f.id, f.name, f.mime, f.size, u.username AS owner, m.width, m.height,
            coalesce(m.taken_at + coalesce(m.taken_offset, 0) * 60000, f.updated_at) AS at
          FROM files f JOIN tree ON f.parent_id = tree.id JOIN users u ON u.id = f.user_id
            LEFT JOIN media m ON m.user_id = f.user_id AND m.sha256 = f.sha256
          WHERE f.kind = 'file' AND f.trashed_at IS NULL AND (f.mime LIKE 'image/%' OR f.mime LIKE 'video/%')
          ORDER BY at DESC LIMIT ?`)
        .all(JSON.stringify(folderIds), limit) as {
        id: string;
        name: string;
        mime: string;
        size: number;
        owner: string;
        width: number | null;
        height: number | null;
        /** When it was taken (the camera's local time as UTC fields), else when the file last changed. */
        at: number;
      }[],
  };
}

export type AlbumRepo = ReturnType<typeof createAlbumRepo>;
