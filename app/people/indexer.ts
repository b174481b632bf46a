// `bun app/people/indexer.ts`: the indexer child. Started by the worker's pool (pool.ts) with an IPC channel, it takes
// one photo at a time — the path of the pipeline's 1440-px preview and where its face crops go — and answers with its
// faces and objects. The models (≈ 250 MB with the wasm heap) live here, never in the worker or the web process; the
// pool replaces the child after a few hundred photos or above a memory ceiling, so nothing it leaks stays.
import { detect } from "./detect";
import type { Detection } from "./model";

export type IndexRequest = { id: number; preview: string; crops: string };
export type IndexAnswer = { id: number; rss: number } & ({ ok: true; detection: Detection } | { ok: false; error: string });

// Under Bun the heap grows by ≈ 0.7 MB a photo unless collected (≈ 400 → 860 MB over 680 photos; issue 25).
const GC_EVERY = 30;
// …and faster after the child sat idle (its first photos after the bench's in-process round): 17–23 MB a photo, from
// 230 to 935 MB before the 30th photo's collection, all of it given back by it. Collected as soon as it passes this
// (52 ms a collection; measured: ≤ 387 MB, 6 collections in 60 photos), under the pool's 420 MB ceiling.
const GC_ABOVE_BYTES = 380 * 1024 ** 2;
let done = 0;
let queue = Promise.resolve();

if (import.meta.main) {
  process.on("message", (message: IndexRequest) => {
    // One photo at a time: the models are single-threaded, a second photo would only wait for the first.
    queue = queue.then(async () => {
      let answer: IndexAnswer;
      try {
        const detection = await detect(message.preview, (i) => `${message.crops}${i}.webp`);
        answer = { id: message.id, ok: true, detection, rss: 0 };
      } catch (e) {
        answer = { id: message.id, ok: false, error: (e as Error).message, rss: 0 };
      }
      if (++done % GC_EVERY === 0 || process.memoryUsage().rss > GC_ABOVE_BYTES) Bun.gc(true);
      answer.rss = process.memoryUsage().rss;
      process.send?.(answer);
    });
  });
  process.send?.({ ready: true });
  // The worker went away (kill -9): nothing would ever ask again.
  process.on("disconnect", () => process.exit(0));
}
