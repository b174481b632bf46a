// Other names of the cities Photos names (GeoNames' alternate names: "München", "Lisboa", "Мюнхен"), for search.
// Read by the web process only when a search finds no place under its stored names; never by the pipeline, whose
// rows keep one name per level (a city's sixty names on every photo row would cost more than the photos' metadata).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { APP_ROOT } from "../platform/paths";

const FILE = join(APP_ROOT, "app/media/data/geonames-city-names.txt");
const englishNames = new Intl.DisplayNames(["en"], { type: "region" });

/**
 * The cities a folded name is another name of, as the pipeline stores them (GeoNames' name, the country's English
 * name): "munchen" → [{ city: "Munich", country: "Germany" }]. Empty for a name that is no city's other name.
 * The file (a line per city, scripts/city-names.ts) is read and searched as text on each call and not kept: about a
 * millisecond per call, where a map of its 54,000 names would keep ≈ 27 MB in the web process (measured).
 */
export function citiesNamed(folded: string): { city: string; country: string }[] {
  if (!folded || folded.includes("|") || folded.includes("\n")) return [];
  // Searched as bytes (UTF-8), never decoded whole: only the lines that match become strings.
  const bytes = readFileSync(FILE);
  const needle = Buffer.from(`|${folded}|`);
  const found: { city: string; country: string }[] = [];
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    const start = bytes.lastIndexOf(0x0a, at) + 1;
    const [code, city] = bytes.toString("utf8", start, bytes.indexOf(0x09, start)).split("|") as [string, string];
    found.push({ city, country: englishNames.of(code) ?? code });
  }
  return found;
}
