import { desc, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../platform/db/client";
import { albumShares, albums, files, folderShares, shareLinks, users, type ShareLink } from "../platform/db/schema";

/** Every SQL statement of share links, folder shares and album shares. Who may see or end them: app/access decides. */
const grantee = alias(users, "grantee");

export function createShareRepo(db: Db) {
  const listed = () =>
    db
      .select({
        link: shareLinks,
        targetName: sql<string | null>`coalesce(${files.name}, ${albums.name})`,
        targetKind: sql<"file" | "folder" | "album" | null>`coalesce(${files.kind}, CASE WHEN ${albums.id} IS NOT NULL THEN 'album' END)`,
        targetTrashed: files.trashedAt,
        owner: users.username,
      })
      .from(shareLinks)
      .leftJoin(files, eq(files.id, shareLinks.fileId))
      .leftJoin(albums, eq(albums.id, shareLinks.albumId))
      .innerJoin(users, eq(users.id, shareLinks.userId));
  return {
    /** A new link, numbered the largest + 1 in the same statement (writes are serialised: no two get one number). */
    insert: (row: Omit<typeof shareLinks.$inferInsert, "seq">) =>
      db
        .insert(shareLinks)
        .values({ ...row, seq: sql`(SELECT coalesce(max(${shareLinks.seq}), 0) + 1 FROM ${shareLinks})` })
        .returning()
        .get(),
    byId: (id: string) => db.select().from(shareLinks).where(eq(shareLinks.id, id)).get(),
    idByNumber: (seq: number) => db.select({ id: shareLinks.id }).from(shareLinks).where(eq(shareLinks.seq, seq)).get()?.id,
    /** A link's password and expiry, as its owner changes them (undefined: unchanged). */
    update: (id: string, set: { passwordHash?: string | null; expiresAt?: Date | null }) =>
      db.update(shareLinks).set(set).where(eq(shareLinks.id, id)).returning().get(),
    byTokenHash: (tokenHash: string) => db.select().from(shareLinks).where(eq(shareLinks.tokenHash, tokenHash)).get(),
    ofUser: (userId: string) => listed().where(eq(shareLinks.userId, userId)).orderBy(desc(shareLinks.createdAt)).all(),
    all: () => listed().orderBy(desc(shareLinks.createdAt)).all(),
    revoke: (id: string, at: Date) => db.update(shareLinks).set({ revokedAt: at }).where(eq(shareLinks.id, id)).returning().get(),
    countView: (id: string) =>
      db
        .update(shareLinks)
        .set({ views: sql`${shareLinks.views} + 1` })
        .where(eq(shareLinks.id, id))
        .run(),

    /** Adds a folder share, or changes its access when that person already has one on that folder. */
    upsertGrant: (row: typeof folderShares.$inferInsert) =>
      db
        .insert(folderShares)
        .values(row)
        .onConflictDoUpdate({ target: [folderShares.folderId, folderShares.granteeId], set: { access: row.access } })
        .returning()
        .get(),
    grantById: (id: string) => db.select().from(folderShares).where(eq(folderShares.id, id)).get(),
    deleteGrant: (id: string) => db.delete(folderShares).where(eq(folderShares.id, id)).run(),
    /** Folder shares with the folder's name and both people, an owner's or (no argument) all of them. */
    grants: (ownerId?: string) =>
      db
        .select({ grant: folderShares, folderName: files.name, owner: users.username, grantee: grantee.username })
        .from(folderShares)
        .leftJoin(files, eq(files.id, folderShares.folderId))
        .innerJoin(users, eq(users.id, folderShares.ownerId))
        .innerJoin(grantee, eq(grantee.id, folderShares.granteeId))
        .where(ownerId ? eq(folderShares.ownerId, ownerId) : undefined)
        .orderBy(desc(folderShares.createdAt))
        .all(),
    /** Adds an album share, or changes its access when that person already has one on that album. */
    upsertAlbumGrant: (row: typeof albumShares.$inferInsert) =>
      db
        .insert(albumShares)
        .values(row)
        .onConflictDoUpdate({ target: [albumShares.albumId, albumShares.granteeId], set: { access: row.access } })
        .returning()
        .get(),
    albumGrantById: (id: string) => db.select().from(albumShares).where(eq(albumShares.id, id)).get(),
    deleteAlbumGrant: (id: string) => db.delete(albumShares).where(eq(albumShares.id, id)).run(),
    /** Album shares with the album's name and both people, an owner's or (no argument) all of them. */
    albumGrants: (ownerId?: string) =>
      db
        .select({ grant: albumShares, albumName: albums.name, owner: users.username, grantee: grantee.username })
        .from(albumShares)
        .innerJoin(albums, eq(albums.id, albumShares.albumId))
        .innerJoin(users, eq(users.id, albumShares.ownerId))
        .innerJoin(grantee, eq(grantee.id, albumShares.granteeId))
        .where(ownerId ? eq(albumShares.ownerId, ownerId) : undefined)
        .orderBy(desc(albumShares.createdAt))
        .all(),
  };
}

export type ShareRepo = ReturnType<typeof createShareRepo>;
export type ListedLink = ReturnType<ShareRepo["all"]>[number];
export type ListedGrant = ReturnType<ShareRepo["grants"]>[number];
export type ListedAlbumGrant = ReturnType<ShareRepo["albumGrants"]>[number];
export type { ShareLink };
