// Formatting for every view: plain functions, no I/O. Sizes in decimal units (kB, MB, GB), as OS file managers show them.

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

export const formatRate = (bytesPerSec: number | null | undefined) => (bytesPerSec === null || bytesPerSec === undefined ? "—" : `${formatBytes(bytesPerSec)}/s`);

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

export const formatWhen = (d: Date | number | null | undefined) =>
  d === null || d === undefined ? "never" : new Date(d).toISOString().replace("T", " ").slice(0, 16) + " UTC";

export const formatCount = (n: number | null | undefined) => (n === null || n === undefined ? "—" : n.toLocaleString("en"));

export const formatDate = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ");
