import { formatAgo, formatWhen } from "./format";

/** A time in the box's time zone `tz` (the page's `page.timeZone`); `relative` shows "2 h ago" with the full time on hover. */
export function Time({ at, tz, relative }: { at: Date | number | null | undefined; tz: string; relative?: boolean }) {
  if (at === null || at === undefined) return <span>never</span>;
  const d = new Date(at);
  return relative ? (
    <time datetime={d.toISOString()} title={formatWhen(d, tz)} safe>
      {formatAgo(d)}
    </time>
  ) : (
    <time datetime={d.toISOString()} safe>
      {formatWhen(d, tz)}
    </time>
  );
}
