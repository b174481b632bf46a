import { and, eq, isNull, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { albumItems, albumShares, albums, davLocks, files, folderShares, media, partnerShares, people, shareLinks, uploads } from "../platform/db/schema";

/**
 * Every query the access policy asks: who owns an object and what grants reach it (folder shares on it or a folder
 * above it, album shares, share links). One statement per question however many ids it is about: the ids travel as
 * one JSON array (`json_each`), so the statement is the same for 1 id or 5,000, and each is prepared once (it runs on
 * every request; compiling it each time cost more than running it). Nothing is cached but the statements: a removed
 * share or a revoked link is read as gone by the next call. Nothing here decides: app/access/policy.ts does.
 */
export function createAccessRepo(db: Db) {
  const p = {
    ids: sql.placeholder("ids"),
    user: sql.placeholder("user"),
    link: sql.placeholder("link"),
    now: sql.placeholder("now"),
    album: sql.placeholder("album"),
    id: sql.placeholder("id"),
  };
  const among = (column: AnyColumn) => sql`${column} IN (SELECT value FROM json_each(${p.ids}))`;
  /** The link `link` while it still opens: not revoked, not expired at `now`. */
  const liveLink = and(eq(shareLinks.id, p.link), isNull(shareLinks.revokedAt), or(isNull(shareLinks.expiresAt), sql`${shareLinks.expiresAt} > ${p.now}`));
  // Drizzle names a column without its table in a one-table select ("id"); inside a subquery that would mean the
  // subquery's own column. The outer row's id is therefore always written out in full.
  const fileId = sql.raw(`"files"."id"`);
  /** The folders from an item up to its Drive's root, the item included (a recursive walk over parent ids). */
  const upFrom = (id: SQL | AnyColumn) =>
    sql`WITH RECURSIVE up(id, parent_id) AS (SELECT f.id, f.parent_id FROM files f WHERE f.id = ${id}
      UNION ALL SELECT p.id, p.parent_id FROM files p JOIN up ON p.id = up.parent_id)`;

  const statements = {
    // Drive items for a person: the best folder share they hold on each or a folder above it (2 write, 1 read, 0 none;
    // not walked for their own items) and whether it is itself a folder shared with them.
    filesForUser: db
      .select({
        file: files,
        shared: sql<number>`CASE WHEN ${files.userId} = ${p.user} THEN 0 ELSE coalesce((${upFrom(fileId)}
            SELECT max(CASE s.access WHEN 'write' THEN 2 ELSE 1 END) FROM up JOIN folder_shares s ON s.folder_id = up.id AND s.grantee_id = ${p.user}), 0) END`,
        sharedRoot: sql<number>`EXISTS (SELECT 1 FROM folder_shares s WHERE s.folder_id = ${fileId} AND s.grantee_id = ${p.user})`,
      })
      .from(files)
      .where(among(files.id))
      .prepare(),
    // Drive items as a link's visitor finds them: the live link's row (none once revoked or expired), joined to each item
    // with whether it lies under the link's root (the root included, both out of the trash).
    filesForLink: db
      .select({
        link: shareLinks,
        file: files,
        inside: sql<number>`${files.trashedAt} IS NULL AND EXISTS (SELECT 1 FROM files r WHERE r.id = ${shareLinks.fileId} AND r.trashed_at IS NULL)
            AND EXISTS (${upFrom(files.id)} SELECT 1 FROM up WHERE up.id = ${shareLinks.fileId})`,
      })
      .from(shareLinks)
      .leftJoin(files, among(files.id))
      .where(liveLink)
      .prepare(),
    albumsForUser: db
      .select({ album: albums, shared: albumShares.access })
      .from(albums)
      .leftJoin(albumShares, and(eq(albumShares.albumId, albums.id), eq(albumShares.granteeId, p.user)))
      .where(among(albums.id))
      .prepare(),
    albumsForLink: db
      .select({ link: shareLinks, album: albums, linked: sql<number>`${albums.id} = ${shareLinks.albumId} AND ${albums.userId} = ${shareLinks.userId}` })
      .from(shareLinks)
      .leftJoin(albums, among(albums.id))
      .where(liveLink)
      .prepare(),
    albumItems: db
      .select({ id: files.id, addedBy: albumItems.userId, ownerId: albums.userId, shared: albumShares.access })
      .from(files)
      .innerJoin(albumItems, and(eq(albumItems.albumId, p.album), eq(albumItems.userId, files.userId), eq(albumItems.sha256, files.sha256)))
      .innerJoin(albums, eq(albums.id, albumItems.albumId))
      .leftJoin(albumShares, and(eq(albumShares.albumId, albums.id), eq(albumShares.granteeId, p.user)))
      .where(among(files.id))
      .prepare(),
    links: db.select().from(shareLinks).where(among(shareLinks.id)).prepare(),
    folderShares: db.select().from(folderShares).where(among(folderShares.id)).prepare(),
    albumShares: db.select().from(albumShares).where(among(albumShares.id)).prepare(),
    uploads: db.select().from(uploads).where(among(uploads.id)).prepare(),
    locks: db.select().from(davLocks).where(among(davLocks.token)).prepare(),
    people: db.select({ id: people.id, userId: people.userId }).from(people).where(among(people.id)).prepare(),
    sharedFolderIds: db.select({ id: folderShares.folderId }).from(folderShares).where(eq(folderShares.granteeId, p.user)).prepare(),
    sharedAlbumIds: db.select({ id: albumShares.albumId }).from(albumShares).where(eq(albumShares.granteeId, p.user)).prepare(),
    // An item and the folders above it, each marked when the person holds a folder share on it...
    chainForUser: db
      .select({ file: files, marked: sql<number>`EXISTS (SELECT 1 FROM folder_shares s WHERE s.folder_id = ${fileId} AND s.grantee_id = ${p.user})` })
      .from(files)
      .where(sql`${files.id} IN (${upFrom(sql`${p.id}`)} SELECT id FROM up)`)
      .prepare(),
    // ...or when it is the root of the live link.
    chainForLink: db
      .select({ file: files, marked: sql<number>`${fileId} IN (${db.select({ id: shareLinks.fileId }).from(shareLinks).where(liveLink)})` })
      .from(files)
      .where(sql`${files.id} IN (${upFrom(sql`${p.id}`)} SELECT id FROM up)`)
      .prepare(),
  };
  const json = (ids: readonly string[]) => JSON.stringify(ids);
  // The facts of filesForUser without the items' rows, for `allowed` (a listing of 10,000 entries asks them of every
  // one): written for bun:sqlite directly, since mapping 10,000 rows through drizzle cost as much as the query.
  const fileLevels = db.$client.prepare<{ id: string; userId: string; trashedAt: number | null; shared: number; sharedRoot: number }, [string, string]>(
    `SELECT f.id AS id, f.user_id AS userId, f.trashed_at AS trashedAt,
       CASE WHEN f.user_id = ?2 THEN 0 ELSE coalesce((WITH RECURSIVE up(id, parent_id) AS (SELECT x.id, x.parent_id FROM files x WHERE x.id = f.id
         UNION ALL SELECT p.id, p.parent_id FROM files p JOIN up ON p.id = up.parent_id)
         SELECT max(CASE s.access WHEN 'write' THEN 2 ELSE 1 END) FROM up JOIN folder_shares s ON s.folder_id = up.id AND s.grantee_id = ?2), 0) END AS shared,
       EXISTS (SELECT 1 FROM folder_shares s WHERE s.folder_id = f.id AND s.grantee_id = ?2) AS sharedRoot
     FROM files f WHERE f.id IN (SELECT value FROM json_each(?1))`,
  );

  // The folder shares `userId` holds on the children of one folder (from the few shares granted to them, not the
  // many children): what can raise a child above its folder's level.
  const childShares = db.$client.prepare<{ id: string; access: "read" | "write" }, [string, string]>(
    `SELECT s.folder_id AS id, s.access AS access FROM folder_shares s JOIN files f ON f.id = s.folder_id WHERE s.grantee_id = ?2 AND f.parent_id = ?1`,
  );

  return {
    filesForUser: (userId: string, ids: readonly string[]) => statements.filesForUser.all({ user: userId, ids: json(ids) }),
    /** The shares `userId` holds on children of `folderId` (a subfolder shared with them on its own). */
    childSharesForUser: (userId: string, folderId: string) => childShares.all(folderId, userId),
    /** What filesForUser knows of each item (owner, best share above it, shared itself) without the item's row. */
    fileLevelsForUser: (userId: string, ids: readonly string[]) => fileLevels.all(json(ids), userId),
    filesForLink: (linkId: string, now: Date, ids: readonly string[]) => statements.filesForLink.all({ link: linkId, now: now.getTime(), ids: json(ids) }),
    /** Albums with the share `userId` holds on each ("view", "contribute" or null). */
    albumsForUser: (userId: string, ids: readonly string[]) => statements.albumsForUser.all({ user: userId, ids: json(ids) }),
    /** Albums as a link's visitor finds them: the live link's row, joined to each album with whether the link shares it. */
    albumsForLink: (linkId: string, now: Date, ids: readonly string[]) => statements.albumsForLink.all({ link: linkId, now: now.getTime(), ids: json(ids) }),
    /**
     * Drive files as items of one album: who added each (their content is in the album), the album's owner and the
     * share `userId` holds on it. A file whose content is not in the album has no row.
     */
    albumItems: (userId: string, albumId: string, fileIds: readonly string[]) =>
      statements.albumItems.all({ user: userId, album: albumId, ids: json(fileIds) }),
    ...partnerFacts(db),
    links: (ids: readonly string[]) => statements.links.all({ ids: json(ids) }),
    folderShares: (ids: readonly string[]) => statements.folderShares.all({ ids: json(ids) }),
    albumShares: (ids: readonly string[]) => statements.albumShares.all({ ids: json(ids) }),
    uploads: (ids: readonly string[]) => statements.uploads.all({ ids: json(ids) }),
    /** WebDAV locks by token (expired ones too: whether a lock still holds is WebDAV's to say, whose it is is ours). */
    locks: (tokens: readonly string[]) => statements.locks.all({ ids: json(tokens) }),
    /** People (app/people) and whose they are. */
    people: (ids: readonly string[]) => statements.people.all({ ids: json(ids) }),
    /** Folders shared with `userId` (their "Shared with me"), live or not. */
    sharedFolderIds: (userId: string) => statements.sharedFolderIds.all({ user: userId }).map((r) => r.id),
    /** Albums shared with `userId`. */
    sharedAlbumIds: (userId: string) => statements.sharedAlbumIds.all({ user: userId }).map((r) => r.id),
    /**
     * An item and the folders above it (unordered), each marked when `userId` holds a folder share on it, or when
     * it is the root of the live link `linkId`.
     */
    chain: (id: string, mark: { userId: string } | { linkId: string; now: Date }) =>
      "userId" in mark
        ? statements.chainForUser.all({ id, user: mark.userId })
        : statements.chainForLink.all({ id, link: mark.linkId, now: mark.now.getTime() }),
  };
}

/** Partner sharing's facts (partner_shares): the libraries shared with a person, and what each photo's owner shares. */
function partnerFacts(db: Db) {
  const p = { ids: sql.placeholder("ids"), user: sql.placeholder("user") };
  const among = (column: AnyColumn) => sql`${column} IN (SELECT value FROM json_each(${p.ids}))`;
  const json = (ids: readonly string[]) => JSON.stringify(ids);
  const statements = {
    // The libraries shared with a person, by their owners' ids.
    partnerLibraries: db
      .select()
      .from(partnerShares)
      .where(and(among(partnerShares.ownerId), eq(partnerShares.partnerId, p.user)))
      .prepare(),
    // Drive files with what partner sharing needs to know of each: the share its owner gave the person (if any) and
    // whether Photos shows the content (processed, dated, not a Live Photo's hidden video half, not archived).
    partnerPhotos: db
      .select({
        file: files,
        share: partnerShares,
        kind: media.kind,
        local: sql<number | null>`${media.takenAt} + coalesce(${media.takenOffset}, 0) * 60000`,
        shown: sql<number>`${media.status} = 'done' AND ${media.takenAt} IS NOT NULL AND NOT (${media.kind} = 'video' AND ${media.livePairSha256} IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM photo_flags fl WHERE fl.user_id = ${files.userId} AND fl.sha256 = ${files.sha256} AND fl.archived = 1)`,
      })
      .from(files)
      .leftJoin(media, and(eq(media.userId, files.userId), eq(media.sha256, files.sha256)))
      .leftJoin(partnerShares, and(eq(partnerShares.ownerId, files.userId), eq(partnerShares.partnerId, p.user)))
      .where(among(files.id))
      .prepare(),
  };
  return {
    /** The partner shares `userId` holds from the people `ownerIds` (their libraries shared with them). */
    partnerLibraries: (userId: string, ownerIds: readonly string[]) => statements.partnerLibraries.all({ user: userId, ids: json(ownerIds) }),
    /** Drive files with their owner's partner share to `userId`, kind, local time and whether Photos shows them. */
    partnerPhotos: (userId: string, ids: readonly string[]) => statements.partnerPhotos.all({ user: userId, ids: json(ids) }),
  };
}

export type AccessRepo = ReturnType<typeof createAccessRepo>;
