import { and, eq, isNull, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { albumItems, albumShares, albums, files, folderShares, shareLinks, uploads } from "../db/schema";

/**
 * Every query the access policy asks: who owns an object and what grants reach it (folder shares on it or a folder
 * above it, album shares, share links). One statement per question however many ids it is about: the ids travel as
 * one JSON array (`json_each`), so the statement is the same for 1 id or 5,000. Nothing is cached: a removed share or
 * a revoked link is read as gone by the next call. Nothing here decides: app/access/policy.ts does.
 */
export function createAccessRepo(db: Db) {
  const among = (column: AnyColumn, ids: readonly string[]) => sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
  /** A link that still opens: not revoked, not expired. */
  const liveLink = (linkId: string, now: Date) =>
    and(eq(shareLinks.id, linkId), isNull(shareLinks.revokedAt), or(isNull(shareLinks.expiresAt), sql`${shareLinks.expiresAt} > ${now.getTime()}`));
  // Drizzle names a column without its table in a one-table select ("id"); inside a subquery that would mean the
  // subquery's own column. The outer row's id is therefore always written out in full.
  const fileId = sql.raw(`"files"."id"`);
  /** The folders from an item up to its Drive's root, the item included (a recursive walk over parent ids). */
  const upFrom = (id: SQL | AnyColumn) =>
    sql`WITH RECURSIVE up(id, parent_id) AS (SELECT f.id, f.parent_id FROM files f WHERE f.id = ${id}
      UNION ALL SELECT p.id, p.parent_id FROM files p JOIN up ON p.id = up.parent_id)`;

  return {
    /**
     * Drive items for a person: each row with the best folder share `userId` holds on it or a folder above it
     * (2 write, 1 read, 0 none; not walked for the person's own items) and whether it is itself a shared folder.
     */
    filesForUser: (userId: string, ids: readonly string[]) =>
      db
        .select({
          file: files,
          shared: sql<number>`CASE WHEN ${files.userId} = ${userId} THEN 0 ELSE coalesce((${upFrom(fileId)}
            SELECT max(CASE s.access WHEN 'write' THEN 2 ELSE 1 END) FROM up JOIN folder_shares s ON s.folder_id = up.id AND s.grantee_id = ${userId}), 0) END`,
          sharedRoot: sql<number>`EXISTS (SELECT 1 FROM folder_shares s WHERE s.folder_id = ${fileId} AND s.grantee_id = ${userId})`,
        })
        .from(files)
        .where(among(files.id, ids))
        .all(),
    /**
     * Drive items as a link visitor finds them: the live link's row (none once revoked or expired), joined to each
     * item with whether it lies under the link's root (the root included, both out of the trash).
     */
    filesForLink: (linkId: string, now: Date, ids: readonly string[]) =>
      db
        .select({
          link: shareLinks,
          file: files,
          inside: sql<number>`${files.trashedAt} IS NULL AND EXISTS (SELECT 1 FROM files r WHERE r.id = ${shareLinks.fileId} AND r.trashed_at IS NULL)
            AND EXISTS (${upFrom(files.id)} SELECT 1 FROM up WHERE up.id = ${shareLinks.fileId})`,
        })
        .from(shareLinks)
        .leftJoin(files, among(files.id, ids))
        .where(liveLink(linkId, now))
        .all(),

    /** Albums with the share `userId` holds on each ("view", "contribute" or null). */
    albumsForUser: (userId: string, ids: readonly string[]) =>
      db
        .select({ album: albums, shared: albumShares.access })
        .from(albums)
        .leftJoin(albumShares, and(eq(albumShares.albumId, albums.id), eq(albumShares.granteeId, userId)))
        .where(among(albums.id, ids))
        .all(),
    /** Albums as a link visitor finds them: the live link's row, joined to each album with whether the link shares it. */
    albumsForLink: (linkId: string, now: Date, ids: readonly string[]) =>
      db
        .select({ link: shareLinks, album: albums, linked: sql<number>`${albums.id} = ${shareLinks.albumId} AND ${albums.userId} = ${shareLinks.userId}` })
        .from(shareLinks)
        .leftJoin(albums, among(albums.id, ids))
        .where(liveLink(linkId, now))
        .all(),
    /**
     * Drive files as items of one album: who added each (their content is in the album), the album's owner and the
     * share `userId` holds on it. A file whose content is not in the album has no row.
     */
    albumItems: (userId: string, albumId: string, fileIds: readonly string[]) =>
      db
        .select({ id: files.id, addedBy: albumItems.userId, ownerId: albums.userId, shared: albumShares.access })
        .from(files)
        .innerJoin(albumItems, and(eq(albumItems.albumId, albumId), eq(albumItems.userId, files.userId), eq(albumItems.sha256, files.sha256)))
        .innerJoin(albums, eq(albums.id, albumItems.albumId))
        .leftJoin(albumShares, and(eq(albumShares.albumId, albums.id), eq(albumShares.granteeId, userId)))
        .where(among(files.id, fileIds))
        .all(),

    links: (ids: readonly string[]) => db.select().from(shareLinks).where(among(shareLinks.id, ids)).all(),
    folderShares: (ids: readonly string[]) => db.select().from(folderShares).where(among(folderShares.id, ids)).all(),
    albumShares: (ids: readonly string[]) => db.select().from(albumShares).where(among(albumShares.id, ids)).all(),
    uploads: (ids: readonly string[]) => db.select().from(uploads).where(among(uploads.id, ids)).all(),

    /** Folders shared with `userId` (their "Shared with me"), live or not. */
    sharedFolderIds: (userId: string) =>
      db
        .select({ id: folderShares.folderId })
        .from(folderShares)
        .where(eq(folderShares.granteeId, userId))
        .all()
        .map((r) => r.id),
    /** Albums shared with `userId`. */
    sharedAlbumIds: (userId: string) =>
      db
        .select({ id: albumShares.albumId })
        .from(albumShares)
        .where(eq(albumShares.granteeId, userId))
        .all()
        .map((r) => r.id),

    /**
     * An item and the folders above it (unordered), each marked when `userId` holds a folder share on it, or when
     * it is the root of the live link `linkId`.
     */
    chain: (id: string, mark: { userId: string } | { linkId: string; now: Date }) => {
      const marked =
        "userId" in mark
          ? sql<number>`EXISTS (SELECT 1 FROM folder_shares s WHERE s.folder_id = ${fileId} AND s.grantee_id = ${mark.userId})`
          : sql<number>`${fileId} IN (${db.select({ id: shareLinks.fileId }).from(shareLinks).where(liveLink(mark.linkId, mark.now))})`;
      return db
        .select({ file: files, marked })
        .from(files)
        .where(sql`${files.id} IN (${upFrom(sql`${id}`)} SELECT id FROM up)`)
        .all();
    },
  };
}

export type AccessRepo = ReturnType<typeof createAccessRepo>;
