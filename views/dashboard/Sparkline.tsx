/**
 * A small line chart rendered on the server as inline SVG (no script, no style attribute: the CSP forbids both).
 * Gaps (null values) break the line instead of drawing it to zero.
 */
export function Sparkline(p: { values: (number | null)[]; max?: number; label: string; tone?: "cpu" | "mem" | "temp" | "net" }) {
  const w = 120;
  const h = 32;
  const finite = p.values.filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(p.max ?? 0, ...finite, 1);
  const step = p.values.length > 1 ? w / (p.values.length - 1) : w;
  const segments: string[] = [];
  let current: string[] = [];
  p.values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (current.length) segments.push(current.join(" "));
      current = [];
      return;
    }
    const x = (i * step).toFixed(1);
    const y = (h - 1 - (Math.max(0, v) / max) * (h - 2)).toFixed(1);
    current.push(`${x},${y}`);
  });
  if (current.length) segments.push(current.join(" "));
  // Text inside a stretched SVG would be distorted, so an empty chart is a line of text instead.
  if (segments.length === 0)
    return (
      <p class="spark-empty muted small" role="img" aria-label={p.label}>
        No samples yet: one is recorded each minute.
      </p>
    );
  return (
    <svg class={`spark spark-${p.tone ?? "cpu"}`} viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-label={p.label}>
      <line class="spark-base" x1="0" y1={String(h - 0.5)} x2={String(w)} y2={String(h - 0.5)} vector-effect="non-scaling-stroke" />
      {segments.map((points) =>
        points.includes(" ") ? (
          <polyline points={points} vector-effect="non-scaling-stroke" />
        ) : (
          <circle cx={points.split(",")[0]} cy={points.split(",")[1]} r="1.5" />
        ),
      )}
    </svg>
  );
}

/** Averages `values` into at most `buckets` points (a day of minutes → 144 ten-minute points). */
export function downsample(values: (number | null)[], buckets: number): (number | null)[] {
  if (values.length <= buckets) return values;
  const size = values.length / buckets;
  const out: (number | null)[] = [];
  for (let b = 0; b < buckets; b++) {
    const slice = values.slice(Math.floor(b * size), Math.floor((b + 1) * size)).filter((v): v is number => v !== null);
    out.push(slice.length ? slice.reduce((s, v) => s + v, 0) / slice.length : null);
  }
  return out;
}

/** A horizontal usage bar as SVG (a width attribute, not a style), with its text beside it. */
export function UsageBar(p: { percent: number; label: string }) {
  const pct = Math.max(0, Math.min(100, p.percent));
  const tone = pct >= 97 ? "bad" : pct > 90 ? "warn" : "ok";
  return (
    <svg class={`usage-bar usage-${tone}`} viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label={p.label}>
      <rect class="usage-track" x="0" y="0" width="100" height="8" rx="2" />
      <rect class="usage-fill" x="0" y="0" width={pct.toFixed(1)} height="8" rx="2" />
    </svg>
  );
}
