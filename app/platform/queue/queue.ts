import type { Job } from "../db/schema";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { JobRepo } from "./repo";

/** Waiting or being worked on: a second request for the same work adds nothing. */
export const isPending = (job: Job | undefined): boolean => job?.status === "queued" || job?.status === "running";

/**
 * The one retry rule. An error a person can act on (an `AppError` below 500: a bad payload, a refused disk, a
 * bundle that is gone, a missing program) fails the job at once with its sentence: trying again cannot fix it.
 * Everything else (a timeout, a busy or full disk, a crash, an `AppError` of 500 and above) is retried with backoff.
 */
export const isPermanent = (error: unknown): boolean => error instanceof AppError && error.status < 500;

export type JobContext = {
  /** 0–100; also tells the queue the worker is alive, so a long job is not reclaimed as stuck. */
  progress: (percent: number) => void;
  log: (message: string) => void;
  /** Aborted when the worker must stop now; handlers that spawn processes should kill them. */
  signal: AbortSignal;
};
/** Kind → payload: the app's is `JobPayloads` (app/jobs.ts, from the features' declarations); a feature's own is `PayloadsOf` its kinds. */
export type PayloadMap = { [kind: string]: object };
export type TypedJob<P extends PayloadMap = PayloadMap, K extends keyof P = keyof P> = JobOf<K, P[K]>;
/** A job row with its kind and payload typed. */
export type JobOf<K, Payload> = Omit<Job, "kind" | "payload"> & { kind: K; payload: Payload };
/** Runs one job of kind `K`; typed by that kind's payload only, so a feature's handler fits any map that has the kind. */
export type JobHandler<K extends keyof P = string, P extends PayloadMap = PayloadMap> = HandlerOf<K, P[K]>;
export type HandlerOf<K, Payload> = (job: JobOf<K, Payload>, ctx: JobContext) => Promise<void>;
/** One lane: a handler for each of its kinds. */
export type JobHandlers<K extends keyof P = string, P extends PayloadMap = PayloadMap> = { readonly [Q in K]: HandlerOf<Q, P[Q]> };
/** The payload may be left out when every field of it is optional. */
type EnqueueArgs<T> = {} extends T ? [payload?: T, runAfter?: Date] : [payload: T, runAfter?: Date];
/** For the queue's own tests: any kind, any payload. */
export type UntypedPayloads = Record<string, Record<string, unknown>>;

export const DEFAULT_MAX_ATTEMPTS = 5;
/** 30 s, 1 min, 2 min, 4 min … capped at an hour. */
export const defaultBackoffMs = (attempt: number) => Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3600_000);

export const errorText = (e: unknown) => (e instanceof Error ? e.message || e.name : String(e)).slice(0, 2000);

export function createJobQueue<P extends PayloadMap>(deps: { repo: JobRepo; now: Clock; maxAttempts?: number; backoffMs?: (attempt: number) => number }) {
  const { repo } = deps;
  const { now } = deps;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoffMs = deps.backoffMs ?? defaultBackoffMs;

  return {
    maxAttempts,
    enqueue<K extends keyof P & string>(kind: K, ...[payload, runAfter]: EnqueueArgs<P[K]>): TypedJob<P, K> {
      if (!kind) throw new Error("A job needs a kind.");
      const at = now();
      return repo.insert(kind, (payload ?? {}) as Record<string, unknown>, runAfter ?? at, at) as TypedJob<P, K>;
    },
    /** The oldest due job among `kinds`, now `running` and owned by the caller; undefined when none is due. */
    claimNextJob: (kinds: readonly string[]) => repo.claimNext(kinds, now()),
    progress: (id: number, percent: number) => repo.setProgress(id, Math.max(0, Math.min(100, Math.round(percent))), now()),
    finish: (id: number) => repo.markDone(id, now()),
    /** Records the error; the job runs again after a backoff unless it used up its attempts or the error is permanent (`isPermanent`). */
    fail(job: Pick<Job, "id" | "attempts">, error: unknown): "retry" | "failed" {
      const message = errorText(error);
      if (isPermanent(error) || job.attempts >= maxAttempts) {
        repo.markFailed(job.id, message, now());
        return "failed";
      }
      repo.requeue(job.id, message, new Date(now().getTime() + backoffMs(job.attempts)));
      return "retry";
    },
    /** Puts a job back without a delay, e.g. when the worker is told to stop in the middle of it. */
    release: (job: Pick<Job, "id">, reason: string) => repo.requeue(job.id, reason, now()),
    /** Puts a job back without counting the attempt: the disk was full, the job itself did not fail. */
    postpone: (job: Pick<Job, "id">, reason: string) => repo.giveBack(job.id, reason, now()),
    reclaimStale: (staleMs: number) => repo.reclaimStale(new Date(now().getTime() - staleMs), maxAttempts, now()),
    /**
     * At worker start: every `running` job of these kinds was left by this worker's previous life (one worker
     * process runs a given kind), so it goes back to the queue now rather than after the stale timeout.
     */
    reclaimLeftRunning: (kinds: readonly string[]) => repo.reclaimStale(new Date(now().getTime() + 1), maxAttempts, now(), kinds),
    counts: () => repo.counts(),
    active: () => repo.active(),
    failedSince: (since: Date) => repo.failedSince(since),
    byId: (id: number) => repo.byId(id),
    lastOfKind: (kind: string) => repo.lastOfKind(kind),
    recentOfKind: (kind: string, limit = 20) => repo.recentOfKind(kind, limit),
    /** A periodic kind keeps only its newest finished run (the scheduler calls this when it queues the next). */
    forgetDoneBefore: (kind: string, id: number) => repo.forgetDoneBefore(kind, id),
    /** Keeps the table small: done jobs for a week, failed ones (and their errors) for a month. Returns how many went. */
    pruneFinished: () => repo.pruneFinished(new Date(now().getTime() - 7 * 86_400_000), new Date(now().getTime() - 30 * 86_400_000)),
  };
}

export type JobQueue<P extends PayloadMap = PayloadMap> = ReturnType<typeof createJobQueue<P>>;
