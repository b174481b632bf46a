import { and, asc, desc, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { writeTransaction, type Db } from "../platform/db/client";
import { blobs, files, uploads, users, type DriveFile, type Upload } from "../platform/db/schema";
import type { ListOptions } from "./model";

const fromRow = (r: Record<string, unknown>): DriveFile => ({
  seq: r.seq as number,
  id: r.id as string,
  userId: r.user_id as string,
  parentId: r.parent_id as string | null,
  kind: r.kind as DriveFile["kind"],
  name: r.name as string,
  sha256: r.sha256 as string | null,
  size: r.size as number,
  mime: r.mime as string | null,
  starred: !!r.starred,
  createdAt: new Date(r.created_at as number),
  updatedAt: new Date(r.updated_at as number),
  trashedAt: r.trashed_at == null ? null : new Date(r.trashed_at as number),
  trashRootId: r.trash_root_id as string | null,
  trashedFromPath: r.trashed_from_path == null ? null : JSON.parse(r.trashed_from_path as string),
  createdBy: (r.created_by as string | null) ?? null,
});
const descendantsSql = `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT f.id FROM files f JOIN sub ON f.parent_id = sub.id) SELECT id FROM sub`;

/** The folder tree: items, their listing, path, trash marks and search. */
function itemQueries(db: Db) {
  const raw = db.$client;

  return {
    transaction: <T>(fn: () => T): T => writeTransaction(raw, fn),
    user: (userId: string) => db.select().from(users).where(eq(users.id, userId)).get(),
    byId: (id: string) => db.select().from(files).where(eq(files.id, id)).get(),
    bySeq: (seq: number) => db.select().from(files).where(eq(files.seq, seq)).get(),
    // A root's name is "" and it is never trashed: saying so lets SQLite find it among the roots (files_live_name)
    // rather than walk every item the person has (files_user_recent), which cost 5 ms per request at 10,000 items.
    rootOf: (userId: string) =>
      db
        .select()
        .from(files)
        .where(and(eq(files.userId, userId), isNull(files.parentId), eq(files.name, ""), isNull(files.trashedAt)))
        .get(),
    insert: (row: typeof files.$inferInsert) => db.insert(files).values(row).returning().get(),
    update: (id: string, patch: Partial<typeof files.$inferInsert>) => db.update(files).set(patch).where(eq(files.id, id)).returning().get(),
    liveChild: (parentId: string, name: string) =>
      db
        .select()
        .from(files)
        .where(and(eq(files.parentId, parentId), eq(files.name, name), isNull(files.trashedAt)))
        .get(),
    /** Live names in a folder that start with `stem`, for picking "name (n).ext". */
    namesLike: (parentId: string, stem: string) =>
      (
        raw.query(`SELECT name FROM files WHERE parent_id = ? AND trashed_at IS NULL AND substr(name, 1, length(?)) = ?`).all(parentId, stem, stem) as {
          name: string;
        }[]
      ).map((r) => r.name),
    /**
     * Folders first, then files; one page plus whether more follow. No total count: counting a 100k-entry
     * folder costs more than the page itself. Each half walks its own partial index.
     */
    children(parentId: string, o: ListOptions): { items: DriveFile[]; hasMore: boolean } {
      const col = o.sort === "updated" ? "updated_at" : o.sort === "size" ? "size" : "name";
      const dir = o.desc ? "DESC" : "ASC";
      const page = (kind: string, offset: number, limit: number) =>
        limit <= 0
          ? []
          : (
              raw
                .query(`SELECT * FROM files WHERE parent_id = ? AND kind = ? AND trashed_at IS NULL ORDER BY ${col} ${dir}, seq ${dir} LIMIT ? OFFSET ?`)
                .all(parentId, kind, limit, offset) as Record<string, unknown>[]
            ).map(fromRow);
      const folders = page("folder", o.offset, o.limit + 1);
      let items = folders;
      if (folders.length <= o.limit) {
        const folderCount =
          o.offset === 0
            ? folders.length
            : (raw.query(`SELECT count(*) AS n FROM files WHERE parent_id = ? AND kind = 'folder' AND trashed_at IS NULL`).get(parentId) as { n: number }).n;
        items = [...folders, ...page("file", Math.max(0, o.offset - folderCount), o.limit + 1 - folders.length)];
      }
      return { items: items.slice(0, o.limit), hasMore: items.length > o.limit };
    },
    /**
     * Up to `limit` live children of one kind named after `after` ("" for the first page), by name. Keyset, not
     * OFFSET: a name is unique among a folder's live items, so each page starts where the last ended and the 20th
     * page of a 10,000-entry folder is the same index walk as the first.
     */
    childrenAfter: (parentId: string, kind: DriveFile["kind"], after: string, limit: number) =>
      (
        raw
          .query(`SELECT * FROM files WHERE parent_id = ? AND kind = ? AND trashed_at IS NULL AND name > ? ORDER BY name LIMIT ?`)
          .all(parentId, kind, after, limit) as Record<string, unknown>[]
      ).map(fromRow),
    /** Root → … → the item itself. */
    ancestors: (id: string) =>
      (
        raw
          .query(`WITH RECURSIVE up(id, parent_id, depth) AS (SELECT id, parent_id, 0 FROM files WHERE id = ? UNION ALL SELECT f.id, f.parent_id, up.depth + 1 FROM files f JOIN up ON f.id = up.parent_id)
        SELECT files.* FROM up JOIN files ON files.id = up.id ORDER BY up.depth DESC`)
          .all(id) as Record<string, unknown>[]
      ).map(fromRow),
    markTrashed(rootId: string, at: Date, fromPath: string[]) {
      raw.query(`UPDATE files SET trashed_at = ?, trash_root_id = ? WHERE trashed_at IS NULL AND id IN (${descendantsSql})`).run(at.getTime(), rootId, rootId);
      raw.query(`UPDATE files SET trashed_from_path = ? WHERE id = ?`).run(JSON.stringify(fromPath), rootId);
    },
    unmarkTrashed(rootId: string, parentId: string, name: string) {
      // Its free name first, while it is still trashed: live under its old name beside a live namesake, it would break
      // the one-live-name-per-folder index (a file replaced twice and then restored).
      raw.query(`UPDATE files SET parent_id = ?, name = ? WHERE id = ?`).run(parentId, name, rootId);
      raw.query(`UPDATE files SET trashed_at = NULL, trash_root_id = NULL, trashed_from_path = NULL WHERE trash_root_id = ?`).run(rootId);
    },
    /**
     * What purging a trashed item deletes: its subtree, minus items inside it that were trashed on their own
     * earlier. Those stay in the trash with a dangling parent, so restoring them recreates the path.
     */
    purgeSet: (rootId: string) =>
      (
        raw
          .query(`WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT f.id FROM files f JOIN sub ON f.parent_id = sub.id WHERE NOT (f.trash_root_id IS NOT NULL AND f.trash_root_id = f.id))
        SELECT files.* FROM sub JOIN files ON files.id = sub.id`)
          .all(rootId) as Record<string, unknown>[]
      ).map(fromRow),
    deleteRows: (ids: string[]) => {
      for (let i = 0; i < ids.length; i += 500)
        db.delete(files)
          .where(inArray(files.id, ids.slice(i, i + 500)))
          .run();
    },
    trashRoots: (userId: string) =>
      db
        .select()
        .from(files)
        .where(and(eq(files.userId, userId), isNotNull(files.trashedAt), sql`${files.trashRootId} = ${files.id}`))
        .orderBy(desc(files.trashedAt))
        .all(),
    expiredTrashRoots: (before: Date) =>
      db
        .select()
        .from(files)
        .where(and(sql`${files.trashedAt} < ${before.getTime()}`, sql`${files.trashRootId} = ${files.id}`))
        .all(),
    recent: (userId: string, limit: number) =>
      db
        .select()
        .from(files)
        .where(and(eq(files.userId, userId), eq(files.kind, "file"), isNull(files.trashedAt)))
        .orderBy(desc(files.updatedAt))
        .limit(limit)
        .all(),
    starred: (userId: string) =>
      db
        .select()
        .from(files)
        .where(and(eq(files.userId, userId), eq(files.starred, true), isNull(files.trashedAt)))
        .orderBy(asc(files.name))
        .all(),
    /** FTS5 prefix match over live names, newest first (rowid order keeps it cheap on huge result sets). */
    search: (userId: string, match: string, limit: number) =>
      (
        raw
          .query(
            `SELECT files.* FROM files_fts JOIN files ON files.seq = files_fts.rowid WHERE files_fts MATCH ? AND files.user_id = ? ORDER BY files_fts.rowid DESC LIMIT ?`,
          )
          .all(match, userId, limit) as Record<string, unknown>[]
      ).map(fromRow),
  };
}

/** Stored content (`blobs`: reference counts, quota use) and resumable uploads in progress (`uploads`). */
/** Inside a trashed folder (Nextcloud's apps browse the trash): what went to the trash with it. */
function trashedQueries(db: Db) {
  const raw = db.$client;
  return {
    /**
     * Up to `limit` children of a trashed folder that went to the trash with it (`rootId`, its trash root), named after
     * `after`, by name. Items trashed on their own before are their own trash entries, not listed here.
     */
    trashedChildrenAfter: (parentId: string, rootId: string, after: string, limit: number) =>
      (
        raw
          .query(`SELECT * FROM files WHERE parent_id = ? AND trash_root_id = ? AND name > ? ORDER BY name LIMIT ?`)
          .all(parentId, rootId, after, limit) as Record<string, unknown>[]
      ).map(fromRow),
    trashedChild: (parentId: string, rootId: string, name: string) => {
      const row = raw.query(`SELECT * FROM files WHERE parent_id = ? AND trash_root_id = ? AND name = ?`).get(parentId, rootId, name) as Record<
        string,
        unknown
      > | null;
      return row ? fromRow(row) : undefined;
    },
  };
}

function storageQueries(db: Db) {
  const raw = db.$client;
  return {
    blob: (userId: string, sha256: string) =>
      db
        .select()
        .from(blobs)
        .where(and(eq(blobs.userId, userId), eq(blobs.sha256, sha256)))
        .get(),
    addBlobRef(userId: string, sha256: string, size: number, mime: string, at: Date) {
      raw
        .query(`INSERT INTO blobs (user_id, sha256, size, mime, refcount, created_at) VALUES (?, ?, ?, ?, 1, ?)
        ON CONFLICT (user_id, sha256) DO UPDATE SET refcount = refcount + 1`)
        .run(userId, sha256, size, mime, at.getTime());
    },
    /** Returns true when that was the last reference (the row is gone; the caller removes the content). */
    dropBlobRef(userId: string, sha256: string): boolean {
      raw.query(`UPDATE blobs SET refcount = refcount - 1 WHERE user_id = ? AND sha256 = ?`).run(userId, sha256);
      const gone = raw.query(`DELETE FROM blobs WHERE user_id = ? AND sha256 = ? AND refcount <= 0 RETURNING sha256`).get(userId, sha256);
      return !!gone;
    },
    usedBytes: (userId: string) => (raw.query(`SELECT coalesce(sum(size), 0) AS n FROM blobs WHERE user_id = ?`).get(userId) as { n: number }).n,
    /** Bytes reserved by resumable uploads in progress into folders `userId` owns, whoever uploads them. */
    pendingUploadBytes: (userId: string) =>
      (raw.query(`SELECT coalesce(sum(u.length), 0) AS n FROM uploads u JOIN files f ON f.id = u.parent_id WHERE f.user_id = ?`).get(userId) as { n: number })
        .n,

    insertUpload: (row: Upload) => db.insert(uploads).values(row).run(),
    upload: (id: string) => db.select().from(uploads).where(eq(uploads.id, id)).get(),
    deleteUpload: (id: string) => db.delete(uploads).where(eq(uploads.id, id)).run(),
    uploadsBefore: (before: Date) => db.select().from(uploads).where(sql`${uploads.createdAt} < ${before.getTime()}`).all(),
  };
}

/** Every SQL statement of Drive. Callers pass the owner's id; nothing here decides authorization (app/access does). */
export function createDriveRepo(db: Db) {
  return { ...itemQueries(db), ...trashedQueries(db), ...storageQueries(db) };
}

export type DriveRepo = ReturnType<typeof createDriveRepo>;
