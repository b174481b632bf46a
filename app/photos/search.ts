// What a person types into Photos' search, as a filter over their library.
import { foldPlaceName } from "../media/model";
import { citiesNamed } from "../media/place-names";
import type { KnownPlace, SearchFilter } from "./repo";

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

const LEVELS = { l: "localities", c: "cities", r: "regions", k: "countries" } as const;

/**
 * The places of this user's photos whose name at some level (locality, city, region, country, or another name the
 * pipeline stored for it: "Deutschland") is the words, folded: "reykjavik" finds Reykjavík, "NEW YORK" the state.
 * Words that name no stored place may be a city's other name (GeoNames: "München", "Lisboa", "Мюнхен"), which finds
 * that city's photos. Returns the stored names per level, to filter on (each level is an indexed column).
 */
export function matchPlace(words: string, known: KnownPlace[]): Pick<SearchFilter, "localities" | "cities" | "regions" | "countries"> {
  const folded = foldPlaceName(words);
  if (!folded) return {};
  const out: Record<(typeof LEVELS)[keyof typeof LEVELS], Set<string>> = { localities: new Set(), cities: new Set(), regions: new Set(), countries: new Set() };
  for (const p of known) {
    for (const [tag, level] of Object.entries(LEVELS) as [keyof typeof LEVELS, (typeof LEVELS)[keyof typeof LEVELS]][]) {
      const stored = { l: p.locality, c: p.city, r: p.region, k: p.country }[tag];
      if (stored && p.names.includes(`|${tag}:${folded}|`)) out[level].add(stored);
    }
  }
  if (Object.values(out).every((v) => v.size === 0)) {
    for (const other of citiesNamed(folded)) {
      for (const p of known) if (p.city === other.city && p.country === other.country) out.cities.add(p.city);
    }
  }
  return Object.fromEntries(
    Object.entries(out)
      .filter(([, v]) => v.size > 0)
      .map(([k, v]) => [k, [...v].sort()]),
  );
}

/**
 * Words → filter: a year ("2019"), a month and year ("July 2021", "jul 2021"), a media type ("videos", "photos"),
 * a place of this user's photos at any level (see `matchPlace`), and whatever is left matches camera, file name and
 * album name.
 */
export function parseSearch(q: string, known: KnownPlace[]): SearchFilter {
  const filter: SearchFilter = {};
  let rest = q.trim().replace(/\s+/g, " ");
  const monthYear = /\b([a-z]{3,9})\.? (\d{4})\b/i.exec(rest);
  const monthIndex = monthYear ? MONTHS.findIndex((m) => m.startsWith(monthYear[1]!.toLowerCase()) && monthYear[1]!.length >= 3) : -1;
  if (monthYear && monthIndex >= 0) {
    const y = Number(monthYear[2]);
    filter.from = Date.UTC(y, monthIndex, 1);
    filter.to = Date.UTC(y, monthIndex + 1, 1);
    rest = rest.replace(monthYear[0], " ");
  } else {
    const year = /\b(1[89]\d\d|2\d\d\d)\b/.exec(rest);
    if (year) {
      filter.from = Date.UTC(Number(year[1]), 0, 1);
      filter.to = Date.UTC(Number(year[1]) + 1, 0, 1);
      rest = rest.replace(year[0], " ");
    }
  }
  const kind = /\b(videos?|photos?|pictures?|images?)\b/i.exec(rest);
  if (kind) {
    filter.mediaKind = kind[1]!.toLowerCase().startsWith("video") ? "video" : "photo";
    rest = rest.replace(kind[0], " ");
  }
  rest = rest.trim().replace(/\s+/g, " ");
  if (rest) {
    const places = matchPlace(rest, known);
    if (Object.keys(places).length) Object.assign(filter, places);
    else filter.text = rest;
  }
  return filter;
}
