import { isDiskFull } from "../errors";
import { log as logger } from "../log";
import { bookkeeping } from "../space";
import type { Job } from "../db/schema";
import { errorText, type JobContext, type JobHandler, type JobHandlers, type JobQueue, type PayloadMap, type TypedJob } from "./queue";

/** A job that reports the same progress still says it is alive this often (well under the 15 minutes of `staleMs`). */
const HEARTBEAT_MS = 60_000;

/**
 * The worker loop: claim a job, run its handler, record the outcome, repeat. A handler that throws (or rejects,
 * or throws a non-Error) is recorded on its job and the loop goes on; only `stop()` ends it.
 */
export function createJobRunner<P extends PayloadMap>(deps: {
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
  /** While the disk is full: how long the loop waits before looking again (doubling up to a minute). */
  let diskFullWait = 0;

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
        // The same percent is written again after a while: progress is the heartbeat that keeps a long job (a
        // backup sitting at 37 % while a large video uploads) from looking stuck and being reclaimed.
        if (t - lastWrite < (p === lastPercent ? HEARTBEAT_MS : progressEveryMs)) return;
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
      if (isDiskFull(e)) {
        // Not the job's fault: it goes back to the queue without using an attempt (once the queue itself can be
        // written again: until then it is owed), and the loop backs off.
        owed.push(job);
        giveBackOwed();
        throw e;
      }
      const outcome = queue.fail(job, e);
      log(`job ${job.id} ${job.kind} attempt ${job.attempts}: ${errorText(e)} (${outcome === "retry" ? "will retry" : "failed"})`);
      return;
    }
    queue.finish(job.id);
  }

  /** Jobs a full disk stopped, not yet back in the queue (writing that needs the disk too). */
  const owed: Job[] = [];
  function giveBackOwed() {
    while (owed.length) {
      const job = owed[0]!;
      let back = false;
      bookkeeping(() => {
        queue.postpone(job, "waiting: the disk is full");
        back = true;
      });
      if (!back) return;
      owed.shift();
    }
  }

  /** Claims and runs one due job; false when there was none. */
  async function runOnce(): Promise<boolean> {
    giveBackOwed();
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
            if (ran && diskFullWait) {
              log("space is back: working again");
              diskFullWait = 0;
            }
          } catch (e) {
            if (isDiskFull(e)) {
              // A full disk: said once, then the loop waits longer each time instead of failing every second.
              if (!diskFullWait) log("the disk is full: waiting for space before running more jobs");
              diskFullWait = Math.min(60_000, Math.max(pollMs, diskFullWait * 2));
            } else {
              // The database itself failed (busy): log, wait, try again.
              log(`worker loop: ${errorText(e)}`);
            }
          }
          if ((!ran || diskFullWait) && !stopping)
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, diskFullWait || pollMs);
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
