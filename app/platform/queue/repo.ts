import { and, count, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobs, type Job } from "../db/schema";

export type JobStatus = Job["status"];
export type JobCounts = Record<JobStatus, number>;

/** Every query on the jobs table. The web process enqueues; worker processes claim, report and finish. */
export function createJobRepo(db: Db) {
  // Prepared once: the dashboard's live cards read these every few seconds.
  const countsByStatus = db.select({ status: jobs.status, n: count() }).from(jobs).groupBy(jobs.status).prepare();
  const activeJobs = db
    .select({ id: jobs.id, kind: jobs.kind, status: jobs.status, progress: jobs.progress, createdAt: jobs.createdAt })
    .from(jobs)
    .where(inArray(jobs.status, ["queued", "running"]))
    .orderBy(jobs.id)
    .limit(20)
    .prepare();
  return {
    insert: (kind: string, payload: Record<string, unknown>, runAfter: Date, at: Date) =>
      db.insert(jobs).values({ kind, payload, runAfter, createdAt: at }).returning().get(),

    byId: (id: number) => db.select().from(jobs).where(eq(jobs.id, id)).get(),

    /**
     * Takes the oldest due job of the given kinds in one statement. SQLite runs a write statement under the
     * database write lock, so two workers (two connections or two processes) can never take the same row.
     */
    claimNext: (kinds: readonly string[], at: Date): Job | undefined => {
      if (kinds.length === 0) return undefined;
      const next = db
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(eq(jobs.status, "queued"), sql`${jobs.runAfter} <= ${at.getTime()}`, inArray(jobs.kind, [...kinds])))
        .orderBy(jobs.id)
        .limit(1);
      return db
        .update(jobs)
        .set({ status: "running", lockedAt: at, attempts: sql`${jobs.attempts} + 1` })
        .where(and(eq(jobs.id, sql`(${next})`), eq(jobs.status, "queued")))
        .returning()
        .get();
    },

    /** Progress doubles as a heartbeat: a job that reports is not reclaimed as stuck. */
    setProgress: (id: number, progress: number, at: Date) =>
      db
        .update(jobs)
        .set({ progress, lockedAt: at })
        .where(and(eq(jobs.id, id), eq(jobs.status, "running")))
        .run(),

    markDone: (id: number, at: Date) =>
      db
        .update(jobs)
        .set({ status: "done", progress: 100, error: null, lockedAt: null, finishedAt: at })
        .where(and(eq(jobs.id, id), eq(jobs.status, "running")))
        .run(),

    requeue: (id: number, error: string, runAfter: Date) =>
      db
        .update(jobs)
        .set({ status: "queued", error, lockedAt: null, runAfter })
        .where(and(eq(jobs.id, id), eq(jobs.status, "running")))
        .run(),

    /** Back to the queue without using up an attempt: the job did not fail, the box could not run it (a full disk). */
    giveBack: (id: number, reason: string, at: Date) =>
      db
        .update(jobs)
        .set({ status: "queued", error: reason, lockedAt: null, runAfter: at, attempts: sql`max(${jobs.attempts} - 1, 0)` })
        .where(and(eq(jobs.id, id), eq(jobs.status, "running")))
        .run(),

    markFailed: (id: number, error: string, at: Date) =>
      db
        .update(jobs)
        .set({ status: "failed", error, lockedAt: null, finishedAt: at })
        .where(and(eq(jobs.id, id), eq(jobs.status, "running")))
        .run(),

    /**
     * Jobs left `running` by a worker that died: back to the queue, or failed once they used up their attempts
     * (a file that crashes the worker every time must not crash it forever).
     */
    reclaimStale: (lockedBefore: Date, maxAttempts: number, at: Date, kinds?: readonly string[]) =>
      db
        .update(jobs)
        .set({
          status: sql`case when ${jobs.attempts} >= ${maxAttempts} then 'failed' else 'queued' end`,
          error: sql`case when ${jobs.attempts} >= ${maxAttempts} then 'the worker stopped during every attempt' else 'the worker stopped during this job; retrying' end`,
          finishedAt: sql`case when ${jobs.attempts} >= ${maxAttempts} then ${at.getTime()} else null end`,
          lockedAt: null,
        })
        .where(and(eq(jobs.status, "running"), lt(jobs.lockedAt, lockedBefore), kinds ? inArray(jobs.kind, [...kinds]) : undefined))
        .returning({ id: jobs.id, status: jobs.status })
        .all(),

    counts: (): JobCounts => {
      const rows = countsByStatus.all();
      const out: JobCounts = { queued: 0, running: 0, done: 0, failed: 0 };
      for (const r of rows) out[r.status] = r.n;
      return out;
    },

    /** What the dashboard's jobs card shows: the next 20 queued or running. */
    active: () => activeJobs.all(),
    failedSince: (since: Date) =>
      db
        .select({ id: jobs.id, kind: jobs.kind, error: jobs.error })
        .from(jobs)
        .where(and(eq(jobs.status, "failed"), gte(jobs.finishedAt, since)))
        .orderBy(jobs.id)
        .limit(500)
        .all(),

    lastOfKind: (kind: string) => db.select().from(jobs).where(eq(jobs.kind, kind)).orderBy(sql`${jobs.id} desc`).limit(1).get(),
    /** Forgets finished jobs: done ones finished before `doneBefore`, failed ones before `failedBefore`. */
    pruneFinished: (doneBefore: Date, failedBefore: Date) =>
      db
        .delete(jobs)
        .where(or(and(eq(jobs.status, "done"), lt(jobs.finishedAt, doneBefore)), and(eq(jobs.status, "failed"), lt(jobs.finishedAt, failedBefore))))
        .returning({ id: jobs.id })
        .all().length,
    /** A periodic kind keeps only its newest finished run: older done ones go when the next is queued. */
    forgetDoneBefore: (kind: string, id: number) =>
      db
        .delete(jobs)
        .where(and(eq(jobs.kind, kind), eq(jobs.status, "done"), lt(jobs.id, id)))
        .run(),
    /** The newest jobs of a kind, newest first. */
    recentOfKind: (kind: string, limit: number) => db.select().from(jobs).where(eq(jobs.kind, kind)).orderBy(sql`${jobs.id} desc`).limit(limit).all(),
  };
}

export type JobRepo = ReturnType<typeof createJobRepo>;
