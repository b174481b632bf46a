// Trips: runs of days away from home, found in where and when a person's photos were taken ("Iceland, June 2023").
// Pure functions over per-day place counts (repo: memory-repo.ts placeDays), so they are tested on generated timelines.

const DAY = 86_400_000;

/**
 * Photos taken on one local day (the camera's clock: days since 1970) at one place. `lat`/`lng` are the mean of those
 * photos' positions, null for the photos without one (they still count towards the day's photos).
 */
export type PlaceDay = { day: number; city: string | null; country: string | null; lat: number | null; lng: number | null; n: number };

/** Where most of the person's photos are taken: a city, and the mean position of its photos. */
export type Home = { city: string; country: string | null; lat: number; lng: number };

export type Trip = {
  /** Stable while the trip's first day stays the same: "trip-2023-06-12" (hiding a memory stores it). */
  key: string;
  /** First and last day away (local days since 1970, inclusive). */
  from: number;
  to: number;
  /** "Iceland", "Iceland and Norway", or the cities of a trip inside the home country ("Porto and Braga"). */
  place: string;
  /** "June 2023", "June – July 2023", "December 2023 – January 2024". */
  dates: string;
  /** Photos on the trip's days that were not taken at home. */
  n: number;
  /** The home city, whose photos on the trip's days (the morning before leaving) are not the trip's. */
  homeCity: string;
};

/**
 * Further than this from home is away. A city's own suburbs and an afternoon at the coast are not; the next region
 * usually is (Google Photos and Immich do not say, so it is a choice: see the README).
 */
export const AWAY_KM = 100;
/** Days without a located photo (or without any photo) inside a trip: a day in a hotel does not end it. */
const MAX_GAP_DAYS = 2;
/** A night away at least: a day out is a day out, not a trip. */
const MIN_DAYS = 2;
const MIN_PHOTOS = 5;
/**
 * Longer away is living somewhere else (a move, a year abroad), not a trip: without a bound such a run was one
 * "trip" of years, whose photos (100k+ in the 200k bench library) were read at every Photos page.
 */
export const MAX_TRIP_DAYS = 31;

export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The city with the most photos (ties: the first by name, so the answer does not depend on row order); null when no photo has a place. */
export function homeOf(rows: PlaceDay[]): Home | null {
  const cities = new Map<string, { city: string; country: string | null; n: number; lat: number; lng: number }>();
  for (const r of rows) {
    if (r.city === null || r.lat === null || r.lng === null) continue;
    const id = `${r.city}\u0000${r.country ?? ""}`;
    const c = cities.get(id) ?? { city: r.city, country: r.country, n: 0, lat: 0, lng: 0 };
    c.lat += r.lat * r.n;
    c.lng += r.lng * r.n;
    c.n += r.n;
    cities.set(id, c);
  }
  const best = [...cities.values()].sort((a, b) => b.n - a.n || a.city.localeCompare(b.city))[0];
  return best ? { city: best.city, country: best.country, lat: best.lat / best.n, lng: best.lng / best.n } : null;
}

type Day = { day: number; far: number; near: number; unplaced: number; places: PlaceDay[] };

function daysOf(rows: PlaceDay[], home: Home): Day[] {
  const days = new Map<number, Day>();
  for (const r of rows) {
    const d = days.get(r.day) ?? { day: r.day, far: 0, near: 0, unplaced: 0, places: [] };
    if (r.lat === null || r.lng === null) d.unplaced += r.n;
    else if (distanceKm(r as { lat: number; lng: number }, home) > AWAY_KM) {
      d.far += r.n;
      d.places.push(r);
    } else d.near += r.n;
    days.set(r.day, d);
  }
  return [...days.values()].sort((a, b) => a.day - b.day);
}

const ranked = (counts: Map<string, number>) => [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
const listed = (names: string[]) => (names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`);

/** Abroad: its countries (most photos first, at most three); at home: its cities. */
function placeOf(days: Day[], home: Home): string {
  const countries = new Map<string, number>();
  const cities = new Map<string, number>();
  for (const p of days.flatMap((d) => d.places)) {
    if (p.country) countries.set(p.country, (countries.get(p.country) ?? 0) + p.n);
    if (p.city) cities.set(p.city, (cities.get(p.city) ?? 0) + p.n);
  }
  const byCountry = ranked(countries);
  const names = byCountry.length && (byCountry.length > 1 || byCountry[0] !== home.country) ? byCountry : ranked(cities);
  return names.length ? listed(names.slice(0, 3)) : "A trip";
}

const monthName = (d: Date) => d.toLocaleString("en-GB", { month: "long", timeZone: "UTC" });

/** "June 2023", "June – July 2023", "December 2023 – January 2024" (days are local days: read in UTC). */
export function tripDates(from: number, to: number): string {
  const a = new Date(from * DAY);
  const b = new Date(to * DAY);
  if (a.getUTCFullYear() !== b.getUTCFullYear()) return `${monthName(a)} ${a.getUTCFullYear()} – ${monthName(b)} ${b.getUTCFullYear()}`;
  if (a.getUTCMonth() !== b.getUTCMonth()) return `${monthName(a)} – ${monthName(b)} ${b.getUTCFullYear()}`;
  return `${monthName(a)} ${a.getUTCFullYear()}`;
}

export const dayKey = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/**
 * A day is away when most of its located photos were taken further than AWAY_KM from home, at home when most were
 * near it; a day with no located photo says nothing. A trip is a run of away days with no home day between and gaps
 * of at most MAX_GAP_DAYS, at least MIN_DAYS long with MIN_PHOTOS photos. No home (no photo has a place): no trips.
 * Oldest first.
 */
export function detectTrips(rows: PlaceDay[], home: Home | null): Trip[] {
  if (!home) return [];
  const trips: Trip[] = [];
  let run: Day[] = [];
  let between: Day[] = []; // days without a located photo after the run's last away day: inside if another follows
  const close = () => {
    const from = run[0]?.day;
    const to = run.at(-1)?.day;
    if (from !== undefined && to !== undefined && to - from + 1 >= MIN_DAYS && to - from + 1 <= MAX_TRIP_DAYS) {
      const n = run.reduce((s, d) => s + d.far + d.unplaced, 0);
      if (n >= MIN_PHOTOS) trips.push({ key: `trip-${dayKey(from)}`, from, to, place: placeOf(run, home), dates: tripDates(from, to), n, homeCity: home.city });
    }
    run = [];
    between = [];
  };
  for (const d of daysOf(rows, home)) {
    const last = run.at(-1);
    if (last && d.day - last.day - 1 > MAX_GAP_DAYS) close();
    if (d.far > d.near) {
      if (run.length) run.push(...between.splice(0));
      run.push(d);
    } else if (d.near > 0) close();
    else if (run.length) between.push(d);
  }
  close();
  return trips;
}
