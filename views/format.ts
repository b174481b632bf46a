// Formatting for every view: plain functions, no I/O. Sizes in decimal units (kB, MB, GB), as OS file managers show them.
import Bowser from "bowser";

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export const formatRate = (bytesPerSec: number | null | undefined) =>
  bytesPerSec === null || bytesPerSec === undefined ? "—" : `${formatBytes(bytesPerSec)}/s`;

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min`;
}

export const formatHours = (hours: number | null) => (hours === null ? "—" : `${hours.toLocaleString("en")} h (${(hours / 24 / 365).toFixed(1)} years)`);

export const formatTemp = (c: number | null | undefined) => (c === null || c === undefined ? "—" : `${Math.round(c)} °C`);

// Times are shown in the box's time zone (Settings → Administration): each page has it in its chrome (`page.timeZone`).
const formatters = new Map<string, { local: Intl.DateTimeFormat; zone: Intl.DateTimeFormat }>();

function formattersFor(tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    f = {
      // sv-SE writes ISO-like "2026-11-30 14:05".
      local: new Intl.DateTimeFormat("sv-SE", {
        timeZone: tz,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }),
      zone: new Intl.DateTimeFormat("en-GB", { timeZone: tz, timeZoneName: "short" }),
    };
    formatters.set(tz, f);
  }
  return f;
}

/** "2026-11-30 14:05 CET": date and time in the time zone `tz`, with the zone's name. */
export const formatWhen = (d: Date | number | null | undefined, tz: string) => {
  if (d === null || d === undefined) return "never";
  const f = formattersFor(tz);
  const zone = f.zone.formatToParts(new Date(d)).find((p) => p.type === "timeZoneName")?.value ?? tz;
  return `${f.local.format(new Date(d))} ${zone}`;
};

/** "2 h ago", "in 3 days", "just now": for recent times where the distance says more than the clock. */
export function formatAgo(d: Date | number, now: Date | number = Date.now()): string {
  const s = Math.round((new Date(now).getTime() - new Date(d).getTime()) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return "just now";
  const [n, unit] =
    abs < 3600 ? [Math.round(abs / 60), "min"] : abs < 86400 ? [Math.round(abs / 3600), "h"] : [Math.round(abs / 86400), abs < 2 * 86400 ? "day" : "days"];
  return s >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

export const formatCount = (n: number | null | undefined) => (n === null || n === undefined ? "—" : n.toLocaleString("en"));

/** "2026-11-30 14:05" in the time zone `tz` (lists, where a zone name on every row is noise; pages say the zone once). */
export const formatDate = (d: Date, tz: string) => formattersFor(tz).local.format(d);

/** "Firefox on Windows" from a User-Agent header (bowser); whatever it cannot name is shown as the product token. */
export function describeBrowser(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown browser";
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  if (browser && os) return `${browser} on ${os}`;
  return browser || userAgent.split(/[/\s]/)[0]!.slice(0, 40) || "Unknown browser";
}

/** Midnight at the start of `ymd` ("2026-11-30") in the time zone `tz`, as an instant. */
export function startOfDay(ymd: string, tz: string): Date {
  const [y, m, d] = ymd.split("-").map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // The zone's offset at that moment: format the instant there and read it back as if it were UTC.
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    })
      .formatToParts(new Date(guess))
      .map((p) => [p.type, p.value]),
  );
  const shown = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return new Date(guess - (shown - guess));
}
