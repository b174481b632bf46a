// Memories: "On this day" and "A year ago this week" (timeline.ts memoryGroups), trips (trips.ts) and last month's
// highlights, each a story of the timeline's photos (never archived or in the trash) under a stable key a person can
// hide. Computed on request from the timeline (trips kept for a few minutes); only the hidden keys are stored.
import type { User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import type { PhotosContext } from "./context";
import type { GridItem } from "./repo";
import { memoryGroups, monthRange } from "./timeline";
import { dayKey, detectTrips, homeOf, type Trip } from "./trips";

const DAY = 86_400_000;
/** Slides in a trip's or a month's story: its favourites, then photos spread evenly over its days. */
const STORY_SIZE = 40;
const TRIPS_KEEP_MS = 5 * 60_000;
/** A month with fewer photos than this has no highlights to pick. */
const MONTH_MIN = 5;

export type MemoryKind = "day" | "week" | "trip" | "month";
export type Memory = {
  key: string;
  kind: MemoryKind;
  /** "On this day", "A year ago this week", "Iceland", "Highlights of November". */
  title: string;
  /** "2019 · Lisbon", "Porto", "June 2023", "2026". */
  subtitle: string;
  /** The story's photos, oldest first (a card shows the first). */
  items: GridItem[];
  hidden: boolean;
};

/** A key's path part: "lisbon", "sao-paulo"; a name with no Latin letters keeps a short hash of itself. */
export function placeSlug(city: string | null): string {
  if (!city) return "";
  const slug = city
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
  return slug || `p${Bun.hash(city).toString(36)}`;
}

const KEY = /^(day|week|trip|month)-(\d{4}-\d{2}-\d{2})(?:-([a-z0-9-]{1,64}))?$/;
const oldestFirst = (items: GridItem[]) => [...items].sort((a, b) => a.local - b.local);

/** At most `n`: the favourites first, then photos at even steps through the rest (so every part of the time shows). */
export function highlights(items: GridItem[], n = STORY_SIZE): GridItem[] {
  if (items.length <= n) return oldestFirst(items);
  const favourites = oldestFirst(items.filter((i) => i.favourite)).slice(0, n);
  const rest = oldestFirst(items.filter((i) => !i.favourite));
  const step = rest.length / (n - favourites.length);
  const picked = Array.from({ length: n - favourites.length }, (_, i) => rest[Math.floor(i * step + step / 2)]!);
  return oldestFirst([...favourites, ...picked]);
}

/**
 * The person's trips, oldest first: home and runs of days away from it, from the timeline's places per day. Reading
 * every photo's place takes ≈ 1 s for 200k photos on a busy machine, so trips are kept while the library is unchanged,
 * and after a change for TRIPS_KEEP_MS (or until Photos itself archives something) rather than redone at each upload;
 * a trip's photos are always read fresh.
 */
export function trips(ctx: PhotosContext, user: User): Trip[] {
  const writes = ctx.localWrites.get(user.id) ?? 0;
  const version = ctx.repo.version(user.id);
  const kept = ctx.trips.get(user.id);
  // An unchanged library keeps its trips however old (the timeline's first visit of the day need not find them again).
  if (kept && kept.writes === writes && (kept.version === version || ctx.now().getTime() - kept.at < TRIPS_KEEP_MS)) return kept.trips;
  const rows = ctx.memories.placeDays(user.id);
  const found = detectTrips(rows, homeOf(rows));
  ctx.trips.set(user.id, { at: ctx.now().getTime(), writes, version, trips: found });
  return found;
}

const tripItems = (ctx: PhotosContext, user: User, trip: Trip) =>
  ctx.repo.itemsBetween(user.id, { kind: "timeline" }, trip.from * DAY, (trip.to + 1) * DAY).filter((i) => i.city !== trip.homeCity);

function tripMemory(ctx: PhotosContext, user: User, trip: Trip, hidden: Set<string>): Memory {
  return { key: trip.key, kind: "trip", title: trip.place, subtitle: trip.dates, items: highlights(tripItems(ctx, user, trip)), hidden: hidden.has(trip.key) };
}

function monthMemory(ctx: PhotosContext, user: User, key: string, hidden: Set<string>): Memory | null {
  const { from, to } = monthRange(key);
  const items = ctx.repo.itemsBetween(user.id, { kind: "timeline" }, from, to);
  if (items.length < MONTH_MIN) return null;
  const d = new Date(from);
  const id = `month-${dayKey(from / DAY)}`;
  return {
    key: id,
    kind: "month",
    title: `Highlights of ${d.toLocaleString("en-GB", { month: "long", timeZone: "UTC" })}`,
    subtitle: String(d.getUTCFullYear()),
    items: highlights(items),
    hidden: hidden.has(id),
  };
}

/** The month before the box's today, as "2026-11". */
function lastMonth(ctx: PhotosContext): string {
  const t = ctx.now();
  const d = new Date(Date.UTC(t.getFullYear(), t.getMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** Today's memories (the box's today): "On this day" per year and city, or last year's week. */
function todays(ctx: PhotosContext, user: User, hidden: Set<string>): Memory[] {
  const t = ctx.now();
  return memoryGroups(ctx, user).map((g) => {
    const day = dayKey(Date.UTC(g.year, t.getMonth(), t.getDate()) / DAY);
    const key = [g.kind, day, placeSlug(g.city)].filter(Boolean).join("-");
    const title = g.kind === "week" ? "A year ago this week" : "On this day";
    const subtitle = [g.kind === "day" ? String(g.year) : null, g.city].filter(Boolean).join(" · ");
    return { key, kind: g.kind, title, subtitle, items: oldestFirst(g.items), hidden: hidden.has(key) };
  });
}

export type MemoryList = { today: Memory[]; month: Memory | null; trips: Memory[] };

/** Every memory of the person now, hidden ones marked: today's, last month's highlights, every trip (newest first). */
export function memoryList(ctx: PhotosContext, user: User): MemoryList {
  const hidden = ctx.memories.hidden(user.id);
  return {
    today: todays(ctx, user, hidden),
    month: monthMemory(ctx, user, lastMonth(ctx), hidden),
    trips: trips(ctx, user)
      .toReversed()
      .map((trip) => tripMemory(ctx, user, trip, hidden)),
  };
}

/**
 * The memories the timeline offers now, none hidden: today's, last month's highlights, and trips that began within
 * two weeks of today in an earlier year or ended in the last month.
 */
export function featuredMemories(ctx: PhotosContext, user: User): Memory[] {
  const t = ctx.now();
  const today = Date.UTC(t.getFullYear(), t.getMonth(), t.getDate()) / DAY;
  const hidden = ctx.memories.hidden(user.id);
  const seasonal = trips(ctx, user)
    .toReversed()
    .filter((trip) => {
      const start = new Date(trip.from * DAY);
      const thisYear = Date.UTC(t.getFullYear(), start.getUTCMonth(), start.getUTCDate()) / DAY;
      return (start.getUTCFullYear() < t.getFullYear() && Math.abs(thisYear - today) <= 14) || (trip.to < today && today - trip.to <= 31);
    })
    .filter((trip) => !hidden.has(trip.key))
    .map((trip) => tripMemory(ctx, user, trip, hidden));
  const month = monthMemory(ctx, user, lastMonth(ctx), hidden);
  return [...todays(ctx, user, hidden), ...(month ? [month] : []), ...seasonal].filter((m) => !m.hidden && m.items.length > 0);
}

/** One memory by its key, whenever it is asked for (a story's URL keeps working after its day); a 404 when it has no photos. */
export function memory(ctx: PhotosContext, user: User, key: string): Memory {
  const m = KEY.exec(key);
  const gone = () => new AppError(404, "This memory has no photos now.");
  if (!m) throw gone();
  const [, kind, date, slug = ""] = m;
  const day = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(day)) throw gone();
  const hidden = ctx.memories.hidden(user.id);
  let found: Memory | null = null;
  if (kind === "trip") {
    const trip = trips(ctx, user).find((t) => t.key === key);
    found = trip ? tripMemory(ctx, user, trip, hidden) : null;
  } else if (kind === "month") {
    found = date?.endsWith("-01") ? monthMemory(ctx, user, date.slice(0, 7), hidden) : null;
  } else {
    const [from, to] = kind === "day" ? [day, day + DAY] : [day - 3 * DAY, day + 4 * DAY];
    const items = ctx.repo.itemsBetween(user.id, { kind: "timeline" }, from, to).filter((i) => placeSlug(i.city) === slug);
    const city = items[0]?.city ?? null;
    const year = new Date(day).getUTCFullYear();
    found = {
      key,
      kind: kind as "day" | "week",
      title: kind === "week" ? "A year ago this week" : "On this day",
      subtitle: [kind === "day" ? String(year) : null, city].filter(Boolean).join(" · "),
      items: highlights(items),
      hidden: hidden.has(key),
    };
  }
  if (!found || found.items.length === 0) throw gone();
  return found;
}

/** Hides a memory from the timeline and the memories page, or shows it again (only a memory the person has). */
export function setMemoryHidden(ctx: PhotosContext, user: User, key: string, hide: boolean): Memory {
  const m = memory(ctx, user, key);
  if (hide) ctx.memories.hide(user.id, key, ctx.now());
  else ctx.memories.show(user.id, key);
  return { ...m, hidden: hide };
}
