// The `people.index` handler (worker): every processed photo not yet indexed by the current models goes through an
// indexer child (pool.ts) — its 1440-px preview, never the original — and its faces and objects are stored and the
// faces placed (people.ts). State is per photo (people_index), so a killed worker resumes where it stopped and a new
// model version re-indexes everything, keeping names.
import { availableParallelism, totalmem } from "node:os";
import { existsSync } from "node:fs";
import type { Db } from "../platform/db/client";
import { dataPaths } from "../platform/paths";
import type { JobHandler } from "../platform/queue/queue";
import { overlap } from "./cluster";
import { ENABLED_SETTING, MIN_MEMORY_BYTES, MODEL_VERSION, OPTED_OUT_SETTING } from "./model";
import { placeFaces } from "./people";
import { createIndexerPool, type IndexerPool } from "./pool";
import { createPeopleRepo, type StoredFace } from "./repo";
import { facesPrefix } from "./paths";

/** The admin's choice, or on when the box has the memory for it (`MIN_MEMORY_BYTES`). */
export function peopleEnabled(settings: { get: <T>(key: string) => T | undefined }, memory = totalmem()): boolean {
  return settings.get<boolean>(ENABLED_SETTING) ?? memory >= MIN_MEMORY_BYTES;
}

/** One child per spare core: the web process and the other lanes keep one. */
export const spareCores = () => Math.max(1, availableParallelism() - 1);

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
  settings: { get: <T>(key: string) => T | undefined };
  /** Tests pass a smaller pool; the worker one child per spare core. */
  pool?: () => IndexerPool;
  batch?: number;
}) {
  const repo = createPeopleRepo(deps.db);
  const paths = dataPaths(deps.dataDir);
  const batch = deps.batch ?? 16;

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
    const pool = deps.pool?.() ?? createIndexerPool({ size: spareCores() });
    let done = 0;
    try {
      for (;;) {
        // Stopping (SIGTERM) or switched off: what is stored stays, the next job goes on from there.
        if (ctx.signal.aborted) throw new Error("interrupted");
        if (!peopleEnabled(deps.settings)) break;
        const rows = repo.pending(MODEL_VERSION, batch, optedOut());
        if (!rows.length) break;
        await Promise.all(rows.map((r) => indexOne(pool, r.userId, r.sha256)));
        done += rows.length;
        ctx.progress(Math.min(99, (100 * done) / todo));
      }
    } finally {
      pool.close();
    }
    ctx.log(`indexed ${done} photos (indexer peak ${Math.round(pool.stats.peakRss / 1024 ** 2)} MB, ${pool.stats.started} children)`);
  };
  return { handler, repo };
}
