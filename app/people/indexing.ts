// The `people.index` handler (worker): every processed photo not yet indexed by the current models goes through an
// indexer child (pool.ts) — its 1440-px preview, never the original — and its faces and objects are stored and the
// faces placed (people.ts). State is per photo (people_index), so a killed worker resumes where it stopped and a new
// model version re-indexes everything, keeping names.
import { availableParallelism, totalmem } from "node:os";
import { existsSync } from "node:fs";
import type { Db } from "../platform/db/client";
import { dataPaths } from "../platform/paths";
import type { JobHandler } from "../platform/queue/queue";
import { createBusyGauge, type BusyGauge } from "./busy";
import { overlap } from "./cluster";
import { ENABLED_SETTING, INDEXER_STATE_SETTING, MEMORY_PER_CHILD, MIN_MEMORY_BYTES, MODEL_VERSION, OPTED_OUT_SETTING, type IndexerState } from "./model";
import { placeFaces } from "./people";
import { createIndexerPool, type IndexerPool } from "./pool";
import { createPeopleRepo, type StoredFace } from "./repo";
import { facesPrefix } from "./paths";

/** The admin's choice, or on when the box has the memory for it (`MIN_MEMORY_BYTES`). */
export function peopleEnabled(settings: { get: <T>(key: string) => T | undefined }, memory = totalmem()): boolean {
  return settings.get<boolean>(ENABLED_SETTING) ?? memory >= MIN_MEMORY_BYTES;
}

/** Resolves after `ms`, or at once when the job is stopped (the loop then ends). */
const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });

/**
 * One child per spare core (the web process and the other lanes keep one), and at most one per `MEMORY_PER_CHILD` of
 * RAM: a child holds 330–385 MB (bench/people.ts), so a 2 GB Pi 4 runs one, not three.
 */
export const indexerChildren = (cores = availableParallelism(), memory = totalmem()) => Math.max(1, Math.min(cores - 1, Math.floor(memory / MEMORY_PER_CHILD)));

/** A re-indexed face keeps the person of the old face its box overlaps most (half or more): names survive a model change. */
function inherit(old: StoredFace[], box: readonly number[]): StoredFace | undefined {
  let best: { f: StoredFace; o: number } | undefined;
  for (const f of old) {
    const o = overlap(f.box, box);
    if (o >= 0.5 && (!best || o > best.o)) best = { f, o };
  }
  if (best) old.splice(old.indexOf(best.f), 1);
  return best?.f;
}

export function createPeopleIndexing(deps: {
  db: Db;
  dataDir: string;
  now: () => Date;
  settings: { get: <T>(key: string) => T | undefined; set: (key: string, value: unknown) => unknown };
  /** Tests pass a smaller pool; the worker `indexerChildren()`. */
  pool?: () => IndexerPool;
  batch?: number;
  /** Other work's share of the processor (%) above which indexing waits (NAS_PEOPLE_PAUSE_ABOVE); 0: never. */
  pauseAbove?: number;
  /** How busy the box is (tests give their own); by default the kernel's counters, the indexer children left out. */
  busy?: (children: () => number[]) => BusyGauge;
  /** The first look at how busy the box is spans this long; while busy, it looks again this often (ms). */
  lookMs?: number;
}) {
  const repo = createPeopleRepo(deps.db);
  const paths = dataPaths(deps.dataDir);
  const batch = deps.batch ?? 16;
  const lookMs = deps.lookMs ?? 10_000;
  // NAS_PEOPLE_PAUSE_ABOVE=0 without a gauge of the caller's: nothing to look at, so no first look to wait for.
  const watching = deps.busy !== undefined || (deps.pauseAbove ?? 50) > 0;
  const gaugeOf = deps.busy ?? ((children: () => number[]) => createBusyGauge({ abovePercent: deps.pauseAbove ?? 50, children }));
  /** What the dashboard shows beside the progress; written when it changes, not per photo. */
  let state: IndexerState = { paused: null };
  const setState = (next: IndexerState) => {
    if (next.paused === state.paused) return;
    state = next;
    deps.settings.set(INDEXER_STATE_SETTING, { ...next, at: deps.now().getTime() });
  };

  /** One photo through the child; its result stored (or its failure recorded) in one transaction. */
  async function indexOne(pool: IndexerPool, userId: string, sha256: string) {
    const preview = paths.derivatives(userId, sha256).preview;
    const at = deps.now().getTime();
    if (!existsSync(preview)) return repo.markFailed(userId, sha256, MODEL_VERSION, "The photo has no preview.", at);
    let detection;
    try {
      detection = await pool.index(preview, facesPrefix(deps.dataDir, userId, sha256));
    } catch (e) {
      // Unreadable, too slow or it killed its child: not tried again with these models (a hostile file stays out).
      return repo.markFailed(userId, sha256, MODEL_VERSION, (e as Error).message, at);
    }
    repo.transaction(() => {
      if (!repo.blobExists(userId, sha256)) return;
      const old = repo.facesOf(userId, sha256);
      const faces = detection.faces.map((f) => ({ ...f, inherit: inherit(old, f.box) }));
      const ids = repo.replace(userId, sha256, faces, detection.objects, MODEL_VERSION, at);
      placeFaces(
        repo,
        userId,
        ids.filter((_, i) => !faces[i]!.inherit?.personId),
        at,
      );
    });
  }

  const handler: JobHandler<"people.index", { "people.index": object }> = async (_job, ctx) => {
    if (!peopleEnabled(deps.settings)) return ctx.log("People is off: nothing indexed");
    const optedOut = () => deps.settings.get<string[]>(OPTED_OUT_SETTING) ?? [];
    if (!repo.pending(MODEL_VERSION, 1, optedOut()).length) return;
    const start = repo.progress(MODEL_VERSION, optedOut());
    const todo = Math.max(1, start.total - start.indexed);
    // Children are started for the first batch and ended while the box is busy (each holds ≈ 330 MB of models and
    // heap): a pause then costs no memory, and the next batch starts new ones. The state is per photo, so they pick up
    // where the last ones stopped, as after a kill -9.
    let pool: IndexerPool | undefined;
    const stats = { peakRss: 0, started: 0 };
    const endPool = () => {
      if (!pool) return;
      pool.close();
      stats.peakRss = Math.max(stats.peakRss, pool.stats.peakRss);
      stats.started += pool.stats.started;
      pool = undefined;
    };
    const gauge = gaugeOf(() => pool?.pids() ?? []);
    let done = 0;
    let waited = 0;
    try {
      // The first look spans a moment before any photo: a job that starts on a busy box waits before its first batch.
      gauge.check();
      if (watching) await pause(lookMs, ctx.signal);
      for (;;) {
        // Stopping (SIGTERM) or switched off: what is stored stays, the next job goes on from there.
        if (ctx.signal.aborted) throw new Error("interrupted");
        if (!peopleEnabled(deps.settings)) break;
        // Busy serving (or with other work): nothing is indexed until a look finds the box quiet again.
        const busy = gauge.check();
        setState({ paused: busy });
        if (busy) {
          waited += 1;
          endPool();
          await pause(lookMs, ctx.signal);
          continue;
        }
        const rows = repo.pending(MODEL_VERSION, batch, optedOut());
        if (!rows.length) break;
        const current = (pool ??= deps.pool?.() ?? createIndexerPool({ size: indexerChildren() }));
        await Promise.all(rows.map((r) => indexOne(current, r.userId, r.sha256)));
        done += rows.length;
        ctx.progress(Math.min(99, (100 * done) / todo));
      }
    } finally {
      endPool();
      setState({ paused: null });
    }
    if (waited) ctx.log(`waited ${waited} times for a busy box`);
    ctx.log(`indexed ${done} photos (indexer peak ${Math.round(stats.peakRss / 1024 ** 2)} MB, ${stats.started} children)`);
  };
  return { handler, repo };
}
