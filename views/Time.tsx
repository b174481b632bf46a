import { formatAgo, formatWhen } from "./format";

/** A time in the box's time zone; `relative` shows "2 h ago" with the full time on hover. */
export function Time({ at, relative }: { at: Date | number | null | undefined; relative?: boolean }) {
  if (at === null || at === undefined) return <span>never</span>;
  const d = new Date(at);
  return relative ? (
    <time datetime={d.toISOString()} title={formatWhen(d)} safe>
      {formatAgo(d)}
    </time>
  ) : (
    <time datetime={d.toISOString()} safe>
      {formatWhen(d)}
    </time>
  );
}
