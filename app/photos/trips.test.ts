// Trips from generated timelines: a home where most photos are taken, runs of days away from it. The pure detection
// on per-day place rows, then the same through real SQLite (memory-repo's placeDays): local days by the camera's
// offset, nothing archived or in the trash, photos without a place.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../platform/db/client";
import { createMemoryRepo } from "./memory-repo";
import { AWAY_KM, detectTrips, distanceKm, homeOf, tripDates, type PlaceDay } from "./trips";

const DAY = 86_400_000;
type Place = { city: string; country: string; lat: number; lng: number };
const LISBON: Place = { city: "Lisbon", country: "Portugal", lat: 38.72, lng: -9.14 };
const SINTRA: Place = { city: "Sintra", country: "Portugal", lat: 38.8, lng: -9.38 };
const PORTO: Place = { city: "Porto", country: "Portugal", lat: 41.15, lng: -8.61 };
const REYKJAVIK: Place = { city: "Reykjavík", country: "Iceland", lat: 64.15, lng: -21.94 };
const AKUREYRI: Place = { city: "Akureyri", country: "Iceland", lat: 65.68, lng: -18.09 };
const OSLO: Place = { city: "Oslo", country: "Norway", lat: 59.91, lng: 10.75 };
const NEW_YORK: Place = { city: "New York City", country: "United States", lat: 40.71, lng: -74.0 };

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;
const iso = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);

/** A generated timeline: `n` photos on each day from `from` to `to` at `place` (null: photos without a position). */
function days(from: string, to: string, place: Place | null, n = 3): PlaceDay[] {
  const rows: PlaceDay[] = [];
  for (let d = day(from); d <= day(to); d++)
    rows.push(
      place
        ? { day: d, city: place.city, country: place.country, lat: place.lat, lng: place.lng, n }
        : { day: d, city: null, country: null, lat: null, lng: null, n },
    );
  return rows;
}
/** Two years at home, a few photos every third day: the background every trip below happens in. */
const life = () => [...days("2022-01-01", "2024-12-31", LISBON, 1)].filter((r) => r.day % 3 === 0);
const without = (rows: PlaceDay[], from: string, to: string) => rows.filter((r) => r.day < day(from) || r.day > day(to));
const found = (rows: PlaceDay[]) => detectTrips(rows, homeOf(rows)).map((t) => ({ from: iso(t.from), to: iso(t.to), place: t.place, dates: t.dates, n: t.n }));

test("the distances the rules rest on", () => {
  expect(distanceKm(LISBON, SINTRA)).toBeLessThan(AWAY_KM);
  expect(distanceKm(LISBON, PORTO)).toBeGreaterThan(AWAY_KM);
  expect(Math.round(distanceKm(LISBON, NEW_YORK))).toBeGreaterThan(5000);
});

test("home is the city with most photos; a week in Iceland is one trip named by its country and month", () => {
  const rows = [
    ...without(life(), "2023-06-10", "2023-06-18"),
    ...days("2023-06-12", "2023-06-15", REYKJAVIK),
    ...days("2023-06-16", "2023-06-17", AKUREYRI, 5),
  ];
  expect(homeOf(rows)).toMatchObject({ city: "Lisbon", country: "Portugal" });
  expect(found(rows)).toEqual([{ from: "2023-06-12", to: "2023-06-17", place: "Iceland", dates: "June 2023", n: 22 }]);
  expect(detectTrips(rows, homeOf(rows))[0]!.key).toBe("trip-2023-06-12");
});

test("home unknown: no photo has a place, so nothing is away and there are no trips", () => {
  const rows = days("2023-01-01", "2023-12-31", null, 4);
  expect(homeOf(rows)).toBeNull();
  expect(detectTrips(rows, null)).toEqual([]);
  expect(found(rows)).toEqual([]);
});

test("photos without a place inside a trip keep it whole and count; at its edges they are not the trip's", () => {
  const rows = [
    ...without(life(), "2023-06-08", "2023-06-20"),
    ...days("2023-06-09", "2023-06-11", null, 2), // before leaving: no position, not away
    ...days("2023-06-12", "2023-06-13", REYKJAVIK),
    ...days("2023-06-14", "2023-06-14", null, 4), // a day with the camera's GPS off
    // 15 June: no photo at all
    ...days("2023-06-16", "2023-06-17", AKUREYRI),
    ...days("2023-06-18", "2023-06-19", null, 2), // home again, no position
  ];
  expect(found(rows)).toEqual([{ from: "2023-06-12", to: "2023-06-17", place: "Iceland", dates: "June 2023", n: 16 }]);
});

test("a trip across the year's end is named by both months and years", () => {
  const rows = [...without(life(), "2023-12-20", "2024-01-10"), ...days("2023-12-28", "2024-01-03", OSLO)];
  expect(found(rows)).toEqual([{ from: "2023-12-28", to: "2024-01-03", place: "Norway", dates: "December 2023 – January 2024", n: 21 }]);
  expect(tripDates(day("2023-06-28"), day("2023-07-02"))).toBe("June – July 2023");
});

test("inside the home country a trip is named by its cities; several countries by the ones with most photos", () => {
  const rows = [
    ...without(life(), "2023-03-01", "2023-10-31"),
    ...days("2023-03-10", "2023-03-12", PORTO),
    ...days("2023-09-01", "2023-09-03", REYKJAVIK, 4),
    ...days("2023-09-04", "2023-09-05", OSLO, 2),
  ];
  expect(found(rows).map((t) => [t.place, t.dates])).toEqual([
    ["Porto", "March 2023"],
    ["Iceland and Norway", "September 2023"],
  ]);
});

test("not trips: a day out, a town near home, a few photos; a day at home or four empty days split two trips", () => {
  const base = without(life(), "2023-04-01", "2023-05-31");
  expect(found([...base, ...days("2023-04-05", "2023-04-05", PORTO, 30)])).toEqual([]); // one day
  expect(found([...base, ...days("2023-04-05", "2023-04-09", SINTRA, 10)])).toEqual([]); // 22 km away
  expect(found([...base, ...days("2023-04-05", "2023-04-06", PORTO, 2)])).toEqual([]); // 4 photos
  const homeBetween = [
    ...base,
    ...days("2023-04-05", "2023-04-07", PORTO),
    ...days("2023-04-08", "2023-04-08", LISBON),
    ...days("2023-04-09", "2023-04-11", PORTO),
  ];
  expect(found(homeBetween).map((t) => [t.from, t.to])).toEqual([
    ["2023-04-05", "2023-04-07"],
    ["2023-04-09", "2023-04-11"],
  ]);
  const longGap = [...base, ...days("2023-05-01", "2023-05-03", OSLO), ...days("2023-05-07", "2023-05-09", OSLO)];
  expect(found(longGap).map((t) => [t.from, t.to])).toEqual([
    ["2023-05-01", "2023-05-03"],
    ["2023-05-07", "2023-05-09"],
  ]);
});

test("not a trip: more than a month away is living there (a move); a month is still a trip", () => {
  const moved = [...without(life(), "2024-06-01", "2024-12-31"), ...days("2024-06-01", "2024-12-31", PORTO, 1).filter((r) => r.day % 3 === 0)];
  // Lisbon stays home (more photos), and the seven months in Porto since are no trip of seven months.
  expect(homeOf(moved)).toMatchObject({ city: "Lisbon" });
  expect(found(moved)).toEqual([]);
  const month = [...without(life(), "2023-08-01", "2023-08-31"), ...days("2023-08-01", "2023-08-31", OSLO, 1)];
  expect(found(month)).toEqual([{ from: "2023-08-01", to: "2023-08-31", place: "Norway", dates: "August 2023", n: 31 }]);
  const longer = [...without(life(), "2023-08-01", "2023-09-01"), ...days("2023-08-01", "2023-09-01", OSLO, 1)];
  expect(found(longer)).toEqual([]);
});

test("the day of leaving is away when most of its located photos are; its photos at home are not the trip's", () => {
  const rows = [
    ...without(life(), "2023-08-01", "2023-08-10"),
    ...days("2023-08-03", "2023-08-03", LISBON, 2),
    ...days("2023-08-03", "2023-08-05", NEW_YORK, 4),
    ...days("2023-08-06", "2023-08-06", LISBON, 6),
  ];
  expect(found(rows)).toEqual([{ from: "2023-08-03", to: "2023-08-05", place: "United States", dates: "August 2023", n: 12 }]);
});

// Through SQLite: the repo groups by the camera's local day (taken_at + offset), leaves out archived and trashed
// photos and the hidden half of a Live Photo.
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

test("local days by each photo's offset (a New Year's Eve in New York stays in December); archived and trashed photos are not counted", () => {
  const dir = mkdtempSync(join(tmpdir(), "trips-"));
  dirs.push(dir);
  const db = openDb(join(dir, "db.sqlite"));
  const raw = db.$client;
  raw.run("INSERT INTO users (id, username, display_name, webauthn_user_id, created_at) VALUES ('u', 'ann', 'Ann', 'w', 0)");
  let n = 0;
  /** A processed photo taken at `local` (the camera's clock) with the camera's `offset` in minutes. */
  const photo = (local: string, offset: number, place: Place | null, opts: { archived?: boolean; trashed?: boolean } = {}) => {
    const sha = (n++).toString(16).padStart(64, "0");
    const takenAt = Date.parse(`${local}Z`) - offset * 60_000;
    raw.run("INSERT INTO blobs (user_id, sha256, size, mime, refcount, created_at) VALUES ('u', ?, 1, 'image/jpeg', 1, 0)", [sha]);
    raw.run("INSERT INTO files (id, user_id, kind, name, sha256, created_at, updated_at, trashed_at) VALUES (?, 'u', 'file', ?, ?, 0, 0, ?)", [
      `f${n}`,
      `IMG_${n}.jpg`,
      sha,
      opts.trashed ? 1 : null,
    ]);
    raw.run(
      `INSERT INTO media (user_id, sha256, kind, status, version, taken_at, taken_offset, latitude, longitude, city, country, updated_at)
       VALUES ('u', ?, 'image', 'done', 1, ?, ?, ?, ?, ?, ?, 0)`,
      [sha, takenAt, offset, place?.lat ?? null, place?.lng ?? null, place?.city ?? null, place?.country ?? null],
    );
    if (opts.archived) raw.run("INSERT INTO photo_flags (user_id, sha256, archived) VALUES ('u', ?, 1)", [sha]);
  };
  for (let d = 1; d <= 20; d++) photo(`2023-12-${String(d).padStart(2, "0")}T12:00:00`, 60, LISBON);
  // New York, 27–31 December, evenings: 22:00 at UTC−5 is the next day in UTC.
  for (let d = 27; d <= 31; d++) photo(`2023-12-${d}T22:00:00`, -300, NEW_YORK);
  photo("2023-12-29T10:00:00", -300, null); // no position, inside the trip
  photo("2024-01-02T12:00:00", 60, LISBON); // home again
  photo("2024-01-03T12:00:00", 60, LISBON);
  // Not the timeline's: an archived and a trashed photo in Oslo make no trip of their own.
  photo("2024-02-10T12:00:00", 60, OSLO, { archived: true });
  photo("2024-02-11T12:00:00", 60, OSLO, { trashed: true });
  photo("2024-02-12T12:00:00", 60, OSLO, { archived: true });

  const rows = createMemoryRepo(db).placeDays("u");
  expect(rows.reduce((s, r) => s + r.n, 0)).toBe(20 + 5 + 1 + 2);
  expect(rows.some((r) => r.city === "Oslo")).toBe(false);
  const nye = rows.find((r) => r.day === day("2023-12-31") && r.city === "New York City");
  expect(nye).toMatchObject({ n: 1, country: "United States" });
  expect(rows.find((r) => r.day === day("2023-12-29") && r.lat === null)).toMatchObject({ n: 1, city: null });
  const trips = detectTrips(rows, homeOf(rows));
  expect(trips.map((t) => ({ from: iso(t.from), to: iso(t.to), place: t.place, dates: t.dates, n: t.n }))).toEqual([
    { from: "2023-12-27", to: "2023-12-31", place: "United States", dates: "December 2023", n: 6 },
  ]);
  db.$client.close();
});
