// `media.hash-backfill` (jobs.ts): perceptual hashes (Photos' duplicates and stacks, app/photos/duplicates.ts) for
// photos processed before the pipeline made them. Each hash is written as it is made, so a run that is stopped
// (kill -9, shutdown) loses nothing: the next starts from the rows still without one. The preview (1440 px, the pipeline's own decode of the original, as a JPEG) is hashed in the
// imaging process (app/media/imaging.ts), so the worker loads no decoder; a preview's hash is within 3 bits of
// the hash the pipeline takes from the same pixels before encoding them (app/photos/duplicates.test.ts measures it).
import { existsSync } from "node:fs";
import type { Clock } from "../platform/clock";
import type { Db } from "../platform/db/client";
import { dataPaths } from "../platform/paths";
import type { JobHandler } from "../platform/queue/queue";
import { createImagingClient, type ImagingClient } from "./imaging";
import { MediaFileError } from "./image";
import type { MediaJobPayloads } from "./jobs";

/** At most this many per run (≈ 10–20 ms each): the housekeeping lane is shared; the next run goes on. */
export const BACKFILL_BATCH = 3000;

type Row = { userId: string; sha256: string };

export function createHashBackfill(deps: { db: Db; dataDir: string; now: Clock; imaging?: ImagingClient; batch?: number }) {
  const raw = deps.db.$client;
  const paths = dataPaths(deps.dataDir);
  const batch = deps.batch ?? BACKFILL_BATCH;
  // A preview that cannot be hashed (missing, damaged) is passed over in this run and tried again in the next.
  const pending = raw.query(`SELECT user_id AS userId, sha256 FROM media WHERE phash IS NULL AND status = 'done' AND kind IN ('image', 'raw') LIMIT ?`);
  // updated_at moves: Photos' cached duplicate groups are keyed by the library's version (its newest updated_at).
  const store = raw.query("UPDATE media SET phash = ?, updated_at = ? WHERE user_id = ? AND sha256 = ? AND phash IS NULL");

  /** Hashes up to `batch` photos; returns how many got a hash. */
  async function run(signal?: AbortSignal, progress?: (percent: number) => void): Promise<number> {
    const rows = pending.all(batch) as Row[];
    if (rows.length === 0) return 0;
    const imaging = deps.imaging ?? createImagingClient();
    let done = 0;
    try {
      for (const [i, row] of rows.entries()) {
        if (signal?.aborted) break;
        const preview = paths.derivatives(row.userId, row.sha256).preview;
        if (!existsSync(preview)) continue;
        try {
          store.run(await imaging.phash(preview), deps.now().getTime(), row.userId, row.sha256);
          done++;
        } catch (e) {
          if (!(e instanceof MediaFileError)) throw e;
        }
        if (i % 50 === 0) progress?.(Math.round((i / rows.length) * 100));
      }
    } finally {
      if (!deps.imaging) imaging.stop();
    }
    return done;
  }

  const handler: JobHandler<"media.hash-backfill", MediaJobPayloads> = async (_job, ctx) => {
    const n = await run(ctx.signal, ctx.progress);
    if (n) ctx.log(`made the perceptual hash of ${n} photos`);
  };
  return { handler, run };
}
