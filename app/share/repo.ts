import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { files, shareLinks, users, type ShareLink } from "../db/schema";

/** Every SQL statement of share links. Nothing here decides who may see a link: the service does. */
export function createShareRepo(db: Db) {
  const listed = () =>
    db.select({ link: shareLinks, targetName: files.name, targetKind: files.kind, targetTrashed: files.trashedAt, owner: users.username })
      .from(shareLinks).leftJoin(files, eq(files.id, shareLinks.fileId)).innerJoin(users, eq(users.id, shareLinks.userId));
  return {
    insert: (row: typeof shareLinks.$inferInsert) => db.insert(shareLinks).values(row).returning().get(),
    byId: (id: string) => db.select().from(shareLinks).where(eq(shareLinks.id, id)).get(),
    byTokenHash: (tokenHash: string) => db.select().from(shareLinks).where(eq(shareLinks.tokenHash, tokenHash)).get(),
    ofUser: (userId: string) => listed().where(eq(shareLinks.userId, userId)).orderBy(desc(shareLinks.createdAt)).all(),
    all: () => listed().orderBy(desc(shareLinks.createdAt)).all(),
    revoke: (id: string, at: Date) => db.update(shareLinks).set({ revokedAt: at }).where(eq(shareLinks.id, id)).returning().get(),
    countView: (id: string) => db.update(shareLinks).set({ views: sql`${shareLinks.views} + 1` }).where(eq(shareLinks.id, id)).run(),
  };
}

export type ShareRepo = ReturnType<typeof createShareRepo>;
export type ListedLink = ReturnType<ShareRepo["all"]>[number];
export type { ShareLink };
