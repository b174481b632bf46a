import { and, count, eq, lt, notInArray, sql } from "drizzle-orm";
import { writeTransaction, type Db } from "../platform/db/client";
import { blobs, jobs, media, type Media } from "../platform/db/schema";

export type MediaKind = Media["kind"];
export type MediaStatus = Media["status"];
export type MediaFacts = Partial<Omit<Media, "userId" | "sha256" | "kind" | "updatedAt">>;

/** Every query on the media table, plus the two job-table queries that are about media work. */
export function createMediaRepo(db: Db) {
  const raw = db.$client;
  return {
    transaction: <T>(fn: () => T): T => writeTransaction(raw, fn),
    get: (userId: string, sha256: string) =>
      db
        .select()
        .from(media)
        .where(and(eq(media.userId, userId), eq(media.sha256, sha256)))
        .get(),
    /** A new row in `queued`; false when the content already has one (a second copy of the same photo). */
    insertQueued: (userId: string, sha256: string, kind: MediaKind, at: Date) =>
      db.insert(media).values({ userId, sha256, kind, status: "queued", updatedAt: at }).onConflictDoNothing().returning({ kind: media.kind }).all().length > 0,
    setStatus: (userId: string, sha256: string, status: MediaStatus, at: Date, error: string | null = null) =>
      db
        .update(media)
        .set({ status, error, updatedAt: at })
        .where(and(eq(media.userId, userId), eq(media.sha256, sha256)))
        .run(),
    /** The pipeline's result; nothing when the content was purged meanwhile (the row went with the blob). */
    record: (userId: string, sha256: string, facts: MediaFacts, at: Date) =>
      db
        .update(media)
        .set({ ...facts, updatedAt: at })
        .where(and(eq(media.userId, userId), eq(media.sha256, sha256)))
        .returning({ kind: media.kind })
        .all().length > 0,
    /** One name of the content (any Drive file with it, in the trash or not): the pipeline reads dates from names. */
    nameOf: (userId: string, sha256: string) =>
      (raw.query("SELECT name FROM files WHERE user_id = ? AND sha256 = ? ORDER BY seq LIMIT 1").get(userId, sha256) as { name: string } | null)?.name ?? null,
    blobExists: (userId: string, sha256: string) =>
      !!db
        .select({ n: sql`1` })
        .from(blobs)
        .where(and(eq(blobs.userId, userId), eq(blobs.sha256, sha256)))
        .get(),
    /** One user's totals by status: the "processing N of M" indicator. */
    countsFor: (userId: string) => {
      const rows = db.select({ status: media.status, n: count() }).from(media).where(eq(media.userId, userId)).groupBy(media.status).all();
      return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<MediaStatus, number>>;
    },
    /** A person's contents the pipeline failed on, with its message and the first live Drive file showing each. */
    failuresFor: (userId: string, limit: number) =>
      raw
        .query(`SELECT m.sha256, m.error, f.id AS fileId, f.name FROM media m
          JOIN files f ON f.id = (SELECT g.id FROM files g WHERE g.user_id = m.user_id AND g.sha256 = m.sha256 AND g.trashed_at IS NULL ORDER BY g.seq LIMIT 1)
          WHERE m.user_id = ? AND m.status = 'failed' ORDER BY m.updated_at DESC LIMIT ?`)
        .all(userId, limit) as { sha256: string; error: string | null; fileId: string; name: string }[],
    /** Everyone's totals by status: the dashboard's jobs card. */
    countsAll: () => {
      const rows = db.select({ status: media.status, n: count() }).from(media).groupBy(media.status).all();
      return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<MediaStatus, number>>;
    },
    /** Finished rows made by an older pipeline (or all), back to `queued`; returns them so each gets a job. Rows
     *  still waiting for their job are left alone: that job will make them with the current pipeline. */
    requeueOlderThan: (version: number, at: Date) =>
      db
        .update(media)
        .set({ status: "queued", error: null, updatedAt: at })
        .where(and(lt(media.version, version), notInArray(media.status, ["queued", "processing"])))
        .returning({ userId: media.userId, sha256: media.sha256 })
        .all(),
    /** Live Photos: links this content with the other half (still ↔ MOV) carrying the same content identifier, if stored. */
    linkLivePair: (userId: string, sha256: string, contentId: string) =>
      writeTransaction(raw, () => {
        const other = db
          .select({ sha256: media.sha256 })
          .from(media)
          .where(and(eq(media.userId, userId), eq(media.contentId, contentId), sql`${media.sha256} <> ${sha256}`))
          .get();
        if (!other) return null;
        db.update(media)
          .set({ livePairSha256: other.sha256 })
          .where(and(eq(media.userId, userId), eq(media.sha256, sha256)))
          .run();
        db.update(media)
          .set({ livePairSha256: sha256 })
          .where(and(eq(media.userId, userId), eq(media.sha256, other.sha256)))
          .run();
        return other.sha256;
      }),
    /** Stored content that may be media and has no row: stored before the pipeline existed, or its job was lost. */
    contentWithoutRow: (after: { userId: string; sha256: string }, limit: number) =>
      raw
        .query<{ userId: string; sha256: string; mime: string; name: string | null }, [string, string, number]>(
          `SELECT b.user_id AS userId, b.sha256 AS sha256, b.mime AS mime,
           (SELECT f.name FROM files f WHERE f.user_id = b.user_id AND f.sha256 = b.sha256 LIMIT 1) AS name
         FROM blobs b LEFT JOIN media m ON m.user_id = b.user_id AND m.sha256 = b.sha256
         WHERE m.sha256 IS NULL AND (b.mime LIKE 'image/%' OR b.mime LIKE 'video/%' OR b.mime = 'application/octet-stream')
           AND (b.user_id, b.sha256) > (?, ?)
         ORDER BY b.user_id, b.sha256 LIMIT ?`,
        )
        .all(after.userId, after.sha256, limit),
    /** Drops queued work for content that is gone (a purge). A running job notices by itself. */
    cancelQueuedJobs: (userId: string, sha256: string) =>
      db
        .delete(jobs)
        .where(
          and(
            eq(jobs.kind, "media.process"),
            eq(jobs.status, "queued"),
            sql`json_extract(${jobs.payload}, '$.userId') = ${userId}`,
            sql`json_extract(${jobs.payload}, '$.sha256') = ${sha256}`,
          ),
        )
        .returning({ id: jobs.id })
        .all().length,
  };
}

export type MediaRepo = ReturnType<typeof createMediaRepo>;
