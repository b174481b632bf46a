import type { Clock } from "../clock";
import { tooManyRequests } from "../errors";

/** Counts hits per key in a fixed window (in memory: one web process answers every request that guesses). */
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
    /** Takes back one hit (an attempt that turned out right). */
    refund(key: string) {
      const entry = hits.get(key);
      if (entry && entry.count > 0) entry.count--;
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

/** A limiter and the key an attempt counts against (a link, an account, an address). */
export type Guard = readonly [RateLimiter, string];

/**
 * The one way to guard a secret (a link password, a passkey sign-in, a recovery code, an app password): the attempt
 * is counted on every key BEFORE the check runs, in one synchronous step (nothing can run between the look and the
 * count), so attempts arriving together are counted one by one and at most `limit` of them are ever checked, however
 * slow the check. A key at its limit: 429 with Retry-After, nothing counted. An attempt that turns out right gives its
 * count back (`succeeded`), so a person who gets it right is not held up by their own success.
 */
export function beginAttempt(guards: readonly Guard[], message: string): { succeeded: () => void } {
  const full = guards.filter(([limiter, key]) => limiter.blocked(key));
  if (full.length) throw tooManyRequests(message, Math.max(...full.map(([limiter, key]) => limiter.retryAfterSeconds(key))));
  for (const [limiter, key] of guards) limiter.hit(key);
  return { succeeded: () => guards.forEach(([limiter, key]) => limiter.refund(key)) };
}
