import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { partnerShares, users, type PartnerShare } from "../platform/db/schema";

/** Partner sharing's SQL (`partner_shares`): a person's shares given and received. Nothing here decides who may see what. */
export function createPartnerRepo(db: Db) {
  return {
    /** The people `ownerId` shares their library with, by name. */
    given: (ownerId: string) =>
      db
        .select({ share: partnerShares, name: users.username })
        .from(partnerShares)
        .innerJoin(users, eq(users.id, partnerShares.partnerId))
        .where(eq(partnerShares.ownerId, ownerId))
        .orderBy(users.username)
        .all(),
    /** The people sharing their library with `partnerId`, by name. */
    received: (partnerId: string) =>
      db
        .select({ share: partnerShares, name: users.username })
        .from(partnerShares)
        .innerJoin(users, eq(users.id, partnerShares.ownerId))
        .where(eq(partnerShares.partnerId, partnerId))
        .orderBy(desc(partnerShares.inTimeline), users.username)
        .all(),
    /** Shares the library with a partner, or changes what an existing share covers (the partner's choice stays). */
    put: (row: PartnerShare) =>
      db
        .insert(partnerShares)
        .values(row)
        .onConflictDoUpdate({
          target: [partnerShares.ownerId, partnerShares.partnerId],
          set: { fromLocal: row.fromLocal, photosOnly: row.photosOnly },
        })
        .returning()
        .get(),
    /** Ends `ownerId`'s share with `partnerId`; the row ended, if there was one. */
    remove: (ownerId: string, partnerId: string) =>
      db
        .delete(partnerShares)
        .where(and(eq(partnerShares.ownerId, ownerId), eq(partnerShares.partnerId, partnerId)))
        .returning()
        .get(),
    setInTimeline: (id: string, on: boolean) => db.update(partnerShares).set({ inTimeline: on }).where(eq(partnerShares.id, id)).run(),
  };
}

export type PartnerRepo = ReturnType<typeof createPartnerRepo>;
