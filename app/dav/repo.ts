import { and, eq, gt, inArray, lte } from "drizzle-orm";
import { type Db, writeTransaction } from "../platform/db/client";
import { davFolderVersions, davLocks, davProperties, deviceUploads, type DavLock, type DeviceUpload } from "../platform/db/schema";

/** Every SQL statement of WebDAV: dead properties, locks, folder versions (ETags) and devices' uploads. */
export function createDavRepo(db: Db) {
  const raw = db.$client;
  const chunks = <T>(ids: string[], fn: (part: string[]) => T[]): T[] => {
    const out: T[] = [];
    for (let i = 0; i < ids.length; i += 500) out.push(...fn(ids.slice(i, i + 500)));
    return out;
  };
  return {
    transaction: <T>(fn: () => T): T => writeTransaction(db, fn),

    /** Folder id → version, for the folders asked (a folder nothing was ever added to has none: version 0). */
    folderVersions(ids: string[]): Map<string, number> {
      const rows = chunks(ids, (part) => db.select().from(davFolderVersions).where(inArray(davFolderVersions.folderId, part)).all());
      return new Map(rows.map((r) => [r.folderId, r.version]));
    },

    properties: (fileIds: string[]) => chunks(fileIds, (part) => db.select().from(davProperties).where(inArray(davProperties.fileId, part)).all()),
    setProperty: (fileId: string, namespace: string, name: string, value: string) =>
      db
        .insert(davProperties)
        .values({ fileId, namespace, name, value })
        .onConflictDoUpdate({ target: [davProperties.fileId, davProperties.namespace, davProperties.name], set: { value } })
        .run(),
    removeProperty: (fileId: string, namespace: string, name: string) =>
      db
        .delete(davProperties)
        .where(and(eq(davProperties.fileId, fileId), eq(davProperties.namespace, namespace), eq(davProperties.name, name)))
        .run(),
    /**
     * The dead properties of `fromId` onto `toId`, and for a copied folder those of everything inside it onto its
     * copy: the two trees are walked side by side, an item paired with the copy's child of the same name (a copy keeps
     * the names; trashed items were not copied).
     */
    copyProperties(fromId: string, toId: string) {
      raw
        .query(
          `WITH RECURSIVE pairs(src, dst) AS (
             SELECT ?1, ?2
             UNION ALL
             SELECT s.id, d.id FROM pairs p
               JOIN files s ON s.parent_id = p.src AND s.trashed_at IS NULL
               JOIN files d ON d.parent_id = p.dst AND d.trashed_at IS NULL AND d.name = s.name
           )
           INSERT OR REPLACE INTO dav_properties (file_id, namespace, name, value)
             SELECT pairs.dst, p.namespace, p.name, p.value FROM pairs JOIN dav_properties p ON p.file_id = pairs.src`,
        )
        .run(fromId, toId);
    },

    insertLock: (lock: DavLock) => db.insert(davLocks).values(lock).run(),
    lock: (token: string, now: Date) =>
      db
        .select()
        .from(davLocks)
        .where(and(eq(davLocks.token, token), gt(davLocks.expiresAt, now)))
        .get(),
    /** Live locks held on any of `fileIds`. */
    locksOn: (fileIds: string[], now: Date) =>
      chunks(fileIds, (part) =>
        db
          .select()
          .from(davLocks)
          .where(and(inArray(davLocks.fileId, part), gt(davLocks.expiresAt, now)))
          .all(),
      ),
    /** Every live lock (there are few: a lock lives minutes), for checks on a whole subtree. */
    allLocks: (now: Date) => db.select().from(davLocks).where(gt(davLocks.expiresAt, now)).all(),
    refreshLock: (token: string, timeoutSeconds: number, expiresAt: Date) =>
      db.update(davLocks).set({ timeoutSeconds, expiresAt }).where(eq(davLocks.token, token)).run(),
    deleteLock: (token: string) => db.delete(davLocks).where(eq(davLocks.token, token)).run(),
    deleteLocksOn: (fileId: string) => db.delete(davLocks).where(eq(davLocks.fileId, fileId)).run(),
    deleteExpiredLocks: (now: Date) => db.delete(davLocks).where(lte(davLocks.expiresAt, now)).run(),

    recordUpload: (row: Omit<DeviceUpload, "id">) => db.insert(deviceUploads).values(row).run(),
    /** A device's counts since `since`: photos and videos, their bytes. */
    uploadCounts(deviceId: string, since: Date) {
      return raw
        .query(
          `SELECT coalesce(sum(kind = 'photo'), 0) AS photos, coalesce(sum(kind = 'video'), 0) AS videos, coalesce(sum(kind = 'other'), 0) AS others,
                  coalesce(sum(size), 0) AS bytes, max(at) AS lastAt, count(DISTINCT at / 86400000) AS days
           FROM device_uploads WHERE device_id = ? AND at >= ?`,
        )
        .get(deviceId, since.getTime()) as { photos: number; videos: number; others: number; bytes: number; lastAt: number | null; days: number };
    },
    /** The newest capture time among the photos and videos a device sent (from the media pipeline's rows). */
    newestCapture(deviceId: string) {
      const row = raw
        .query(`SELECT max(m.taken_at) AS takenAt FROM device_uploads d JOIN media m ON m.user_id = d.owner_id AND m.sha256 = d.sha256 WHERE d.device_id = ?`)
        .get(deviceId) as { takenAt: number | null };
      return row.takenAt === null ? null : new Date(row.takenAt);
    },
  };
}

export type DavRepo = ReturnType<typeof createDavRepo>;
