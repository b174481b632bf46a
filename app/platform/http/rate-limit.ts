import type { Clock } from "../clock";
/**
 * Fixed-window counters in memory, per key ("ip:1.2.3.4", "user:…"). The web process is the only
 * one that authenticates, and losing the counters on restart is acceptable.
 */
export function createRateLimiter(opts: { limit: number; windowMs: number; now: Clock }) {
  const now = () => opts.now().getTime();
  const hits = new Map<string, { count: number; resetAt: number }>();
  return {
    /** Counts a hit; true while the key is under its limit. */
    hit(key: string): boolean {
      const t = now();
      if (hits.size > 10_000) for (const [k, v] of hits) if (v.resetAt <= t) hits.delete(k);
      const entry = hits.get(key);
      if (!entry || entry.resetAt <= t) {
        hits.set(key, { count: 1, resetAt: t + opts.windowMs });
        return true;
      }
      entry.count++;
      return entry.count <= opts.limit;
    },
    blocked(key: string): boolean {
      const e = hits.get(key);
      return !!e && e.resetAt > now() && e.count >= opts.limit;
    },
    retryAfterSeconds(key: string): number {
      const e = hits.get(key);
      return e ? Math.max(1, Math.ceil((e.resetAt - now()) / 1000)) : 0;
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
