import { log as logger } from "../log";
import type { Clock } from "../clock";
import { isDiskFull } from "../errors";
import { isPending, type JobQueue, type PayloadMap } from "./queue";

/** A kind the worker queues on its own: every `every` ms after the last one, with what `payload` says (null: not now). */
export type Periodic = {
  kind: string;
  every: number;
  payload: () => object | null;
  /** Also due once when this scheduler starts (after a boot: the slots after a rollback), however recent the last run. */
  atStart?: boolean;
};

const HOUR = 3600_000;
/** How often to look again at a kind whose last run is due but still waiting (e.g. the web process is down). */
const PENDING_RECHECK_MS = 5_000;

/**
 * The only scheduler (README.md): periodic work is a job like any other, queued by the worker when it is due and
 * run by whichever process runs its lane. A kind's next run is due `every` after the last one of its kind (queued
 * by the schedule or by a person: "Back up now" moves the next nightly backup), never while one is still waiting,
 * and at start when it never ran (or, for an `atStart` kind, at every start). Its `run_after` keeps the rhythm (no drift); after a long stop it runs once,
 * not once per missed period. When a kind's next run is queued its earlier done runs are forgotten (a minute
 * sample would otherwise leave 10,000 rows a week; failures stay, they are alerts), and finished jobs are pruned
 * hourly.
 */
export function createScheduler(deps: {
  queue: JobQueue<PayloadMap>;
  periodic: readonly Periodic[];
  now: Clock;
  log?: (message: string) => void;
  /** The longest sleep: a setting that turns a kind on (the nightly copy) is seen within it. */
  maxSleepMs?: number;
}) {
  const { queue } = deps;
  const { now } = deps;
  const log = deps.log ?? ((m: string) => logger.info(m));
  const maxSleepMs = deps.maxSleepMs ?? 60_000;
  let lastPrune = Number.NEGATIVE_INFINITY;
  let stopping = false;
  let wake: (() => void) | null = null;
  let loop: Promise<void> | null = null;
  /** The `atStart` kinds not yet queued since this scheduler started. */
  const startPending = new Set(deps.periodic.filter((p) => p.atStart).map((p) => p.kind));
  let diskFull = false;

  /** Queues every periodic kind that is due; returns how long to sleep before looking again. */
  function queueDue(): number {
    const t = now().getTime();
    if (t - lastPrune >= HOUR) {
      lastPrune = t;
      queue.pruneFinished();
    }
    let sleep = maxSleepMs;
    for (const p of deps.periodic) {
      const last = queue.lastOfKind(p.kind);
      const due = last && !startPending.has(p.kind) ? last.runAfter.getTime() + p.every : t;
      if (isPending(last)) {
        startPending.delete(p.kind);
        sleep = Math.min(sleep, Math.max(due - t, PENDING_RECHECK_MS));
        continue;
      }
      if (due > t) {
        sleep = Math.min(sleep, due - t);
        continue;
      }
      const payload = p.payload();
      if (payload === null) continue;
      // On time (or nearly): keep the rhythm. Missed by a whole period or more (the worker was stopped): start afresh.
      startPending.delete(p.kind);
      const job = queue.enqueue(p.kind, payload, new Date(t - due < p.every ? due : t));
      queue.forgetDoneBefore(p.kind, job.id);
      sleep = Math.min(sleep, p.every);
    }
    return Math.max(0, sleep);
  }

  return {
    queueDue,
    /** Runs until `stop()`. */
    run(): Promise<void> {
      loop ??= (async () => {
        while (!stopping) {
          let sleep: number;
          try {
            sleep = queueDue();
            diskFull = false;
          } catch (e) {
            // The database itself failed (busy, disk full): log, wait, try again. A full disk is said once.
            if (!isDiskFull(e) || !diskFull) log(`scheduler: ${e instanceof Error ? e.message : String(e)}`);
            diskFull = isDiskFull(e);
            sleep = diskFull ? maxSleepMs : Math.min(PENDING_RECHECK_MS, maxSleepMs);
          }
          if (stopping) break;
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, sleep);
          });
          wake = null;
        }
      })();
      return loop;
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}
