import { eq, sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { blobs, diskCopy, files, type DiskCopyRow } from "../platform/db/schema";

/** Every query of the storage pages: the second-disk copy row and the space each user's files take. */
export function createStorageRepo(db: Db) {
  return {
    diskCopy: (): DiskCopyRow | undefined => db.select().from(diskCopy).where(eq(diskCopy.id, 1)).get(),
    setDiskCopyTarget: (targetPath: string, nightly: boolean) =>
      db.insert(diskCopy).values({ id: 1, targetPath, nightly }).onConflictDoUpdate({ target: diskCopy.id, set: { targetPath, nightly } }).run(),
    recordDiskCopy: (at: Date, ok: boolean, summary: string) =>
      db.update(diskCopy).set({ lastRunAt: at, lastOk: ok, lastSummary: summary }).where(eq(diskCopy.id, 1)).run(),

    /**
     * Per user: bytes of stored blobs (what is on disk, deduplicated) and of trashed files whose blob no live file
     * uses (what emptying the trash would free).
     */
    spaceByUser: () =>
      db
        .select({
          userId: blobs.userId,
          blobBytes: sql<number>`coalesce(sum(${blobs.size}), 0)`,
          // Table-qualified by hand: inside the subquery drizzle's bare column names would bind to files.
          trashBytes: sql<number>`coalesce(sum(case when not exists (
          select 1 from ${files} f where f.user_id = "blobs"."user_id" and f.sha256 = "blobs"."sha256" and f.trashed_at is null
        ) then "blobs"."size" else 0 end), 0)`,
        })
        .from(blobs)
        .groupBy(blobs.userId)
        .all(),
  };
}

export type StorageRepo = ReturnType<typeof createStorageRepo>;
