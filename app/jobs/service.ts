import type { Job } from "../platform/db/schema";
import type { JobPayloads } from "./kinds";
import type { JobRepo } from "./repo";
import { log as logger } from "../platform/log";
import type { Clock } from "../platform/clock";

/** Waiting or being worked on: a second request for the same work adds nothing. */
export const isPending = (job: Job | undefined): boolean => job?.status === "queued" || job?.status === "running";

/** Thrown by a handler when retrying cannot help (a corrupt file, a bad payload): the job fails at once. */
export class PermanentJobError extends Error {}

export type JobContext = {
  /** 0–100; also tells the queue the worker is alive, so a long job is not reclaimed as stuck. */
  progress: (percent: number) => void;
  log: (message: string) => void;
  /** Aborted when the worker must stop now; handlers that spawn processes should kill them. */
  signal: AbortSignal;
};
/** Kind → payload. The app's is `JobPayloads`; the queue's own tests use free-form kinds. */
export type PayloadMap = { [kind: string]: object };
export type TypedJob<P extends PayloadMap = JobPayloads, K extends keyof P = keyof P> = Omit<Job, "kind" | "payload"> & { kind: K; payload: P[K] };
export type JobHandler<K extends keyof P = keyof JobPayloads, P extends PayloadMap = JobPayloads> = (job: TypedJob<P, K>, ctx: JobContext) => Promise<void>;
/** One worker lane: a handler for each of its kinds. */
export type JobHandlers<K extends keyof P = keyof JobPayloads, P extends PayloadMap = JobPayloads> = { readonly [Q in K]: JobHandler<Q, P> };
/** The payload may be left out when every field of it is optional. */
type EnqueueArgs<T> = {} extends T ? [payload?: T, runAfter?: Date] : [payload: T, runAfter?: Date];
/** For the queue's own tests: any kind, any payload. */
export type UntypedPayloads = Record<string, Record<string, unknown>>;

export const DEFAULT_MAX_ATTEMPTS = 5;
/** 30 s, 1 min, 2 min, 4 min … capped at an hour. */
export const defaultBackoffMs = (attempt: number) => Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3600_000);

const errorText = (e: unknown) => (e instanceof Error ? e.message || e.name : String(e)).slice(0, 2000);

export function createJobQueue<P extends PayloadMap = JobPayloads>(deps: {
  repo: JobRepo;
  now: Clock;
  maxAttempts?: number;
  backoffMs?: (attempt: number) => number;
}) {
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
    /** Records the error; the job runs again after a backoff unless it used up its attempts or the error is permanent. */
    fail(job: Job, error: unknown): "retry" | "failed" {
      const message = errorText(error);
      if (error instanceof PermanentJobError || job.attempts >= maxAttempts) {
        repo.markFailed(job.id, message, now());
        return "failed";
      }
      repo.requeue(job.id, message, new Date(now().getTime() + backoffMs(job.attempts)));
      return "retry";
    },
    /** Puts a job back without a delay, e.g. when the worker is told to stop in the middle of it. */
    release: (job: Job, reason: string) => repo.requeue(job.id, reason, now()),
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
    /** Keeps the table small: done jobs for a week, failed ones (and their errors) for a month. Returns how many went. */
    pruneFinished: () => repo.pruneFinished(new Date(now().getTime() - 7 * 86_400_000), new Date(now().getTime() - 30 * 86_400_000)),
  };
}

export type JobQueue<P extends PayloadMap = JobPayloads> = ReturnType<typeof createJobQueue<P>>;

/**
 * The worker loop: claim a job, run its handler, record the outcome, repeat. A handler that throws (or rejects,
 * or throws a non-Error) is recorded on its job and the loop goes on; only `stop()` ends it.
 */
export function createJobRunner<P extends PayloadMap = JobPayloads>(deps: {
  queue: JobQueue<P>;
  handlers: Partial<JobHandlers<keyof P, P>>;
  log?: (message: string) => void;
  /** Wait between polls when nothing is due. */
  pollMs?: number;
  /** A `running` job whose worker has not reported for this long is taken back. */
  staleMs?: number;
  /** Minimum wait between two progress writes (each is an fsync). */
  progressEveryMs?: number;
}) {
  const { queue, handlers } = deps;
  const log = deps.log ?? ((m: string) => logger.info(m));
  const pollMs = deps.pollMs ?? 1000;
  const staleMs = deps.staleMs ?? 15 * 60_000;
  const progressEveryMs = deps.progressEveryMs ?? 1000;
  const kinds = Object.keys(handlers);

  let stopping = false;
  let abort = new AbortController();
  let wake: (() => void) | null = null;
  let loop: Promise<void> | null = null;
  let lastReclaim = 0;

  function reclaim() {
    lastReclaim = Date.now();
    for (const r of queue.reclaimStale(staleMs)) log(`job ${r.id}: its worker stopped mid-job; now ${r.status}`);
  }

  async function runJob(job: Job) {
    const handler = handlers[job.kind as keyof P] as JobHandler<keyof P, P>;
    const signal = abort.signal;
    let lastWrite = 0;
    let lastPercent = -1;
    const ctx: JobContext = {
      progress(percent) {
        const p = Math.round(percent);
        const t = Date.now();
        if (p === lastPercent || t - lastWrite < progressEveryMs) return;
        lastWrite = t;
        lastPercent = p;
        queue.progress(job.id, p);
      },
      log: (m) => log(`job ${job.id} ${job.kind}: ${m}`),
      signal,
    };
    try {
      await handler(job as TypedJob<P>, ctx);
    } catch (e) {
      if (signal.aborted) {
        queue.release(job, "interrupted by shutdown");
        log(`job ${job.id} ${job.kind}: interrupted by shutdown, queued again`);
        return;
      }
      const outcome = queue.fail(job, e);
      log(`job ${job.id} ${job.kind} attempt ${job.attempts}: ${errorText(e)} (${outcome === "retry" ? "will retry" : "failed"})`);
      return;
    }
    queue.finish(job.id);
  }

  /** Claims and runs one due job; false when there was none. */
  async function runOnce(): Promise<boolean> {
    const job = queue.claimNextJob(kinds);
    if (!job) return false;
    await runJob(job);
    return true;
  }

  return {
    kinds,
    runOnce,
    /** Runs until `stop()`; resolves once the current job, if any, has been recorded. */
    run(): Promise<void> {
      loop ??= (async () => {
        while (!stopping) {
          let ran = false;
          try {
            // At start (lastReclaim = 0), then once a minute.
            if (Date.now() - lastReclaim > Math.min(staleMs, 60_000)) reclaim();
            ran = await runOnce();
          } catch (e) {
            // The database itself failed (busy, disk full): log, wait, try again.
            log(`worker loop: ${errorText(e)}`);
          }
          if (!ran && !stopping)
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, pollMs);
            });
          wake = null;
        }
      })();
      return loop;
    },
    /** Graceful: no new job is claimed; resolves when the current one has finished. */
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
    /** Tells the running handler to give up now; its job goes back to the queue. */
    abortCurrent() {
      abort.abort();
      abort = new AbortController();
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
