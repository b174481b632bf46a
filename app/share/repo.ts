import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { files, folderShares, shareLinks, users, type ShareLink } from "../db/schema";

/** Every SQL statement of share links. Nothing here decides who may see a link: the service does. */
const grantee = alias(users, "grantee");

export function createShareRepo(db: Db) {
  const listed = () =>
    db
      .select({ link: shareLinks, targetName: files.name, targetKind: files.kind, targetTrashed: files.trashedAt, owner: users.username })
      .from(shareLinks)
      .leftJoin(files, eq(files.id, shareLinks.fileId))
      .innerJoin(users, eq(users.id, shareLinks.userId));
  return {
    insert: (row: typeof shareLinks.$inferInsert) => db.insert(shareLinks).values(row).returning().get(),
    byId: (id: string) => db.select().from(shareLinks).where(eq(shareLinks.id, id)).get(),
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
    /** The best access `granteeId` has on any of `folderIds` ("write" beats "read"), or null. */
    bestAccess(granteeId: string, folderIds: string[]): "read" | "write" | null {
      if (!folderIds.length) return null;
      const rows = db
        .select({ access: folderShares.access })
        .from(folderShares)
        .where(and(eq(folderShares.granteeId, granteeId), inArray(folderShares.folderId, folderIds)))
        .all();
      return rows.some((r) => r.access === "write") ? "write" : rows.length ? "read" : null;
    },
    folderIdsFor: (granteeId: string) =>
      db
        .select({ id: folderShares.folderId })
        .from(folderShares)
        .where(eq(folderShares.granteeId, granteeId))
        .all()
        .map((r) => r.id),
  };
}

export type ShareRepo = ReturnType<typeof createShareRepo>;
export type ListedLink = ReturnType<ShareRepo["all"]>[number];
export type ListedGrant = ReturnType<ShareRepo["grants"]>[number];
export type { ShareLink };
