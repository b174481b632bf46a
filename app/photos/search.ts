// What a person types into Photos' search, as a filter over their library.
import type { SearchFilter } from "./repo";

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/**
 * Words → filter: a year ("2019"), a month and year ("July 2021", "jul 2021"), a media type ("videos", "photos"),
 * a known place name (exact city or country of this user's photos), and whatever is left matches camera, file
 * name and album name.
 */
export function parseSearch(q: string, known: { cities: string[]; countries: string[] }): SearchFilter {
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
    const lower = rest.toLowerCase();
    const cities = known.cities.filter((p) => p.toLowerCase() === lower);
    const countries = known.countries.filter((p) => p.toLowerCase() === lower);
    if (cities.length) filter.cities = cities;
    if (countries.length) filter.countries = countries;
    if (!cities.length && !countries.length) filter.text = rest;
  }
  return filter;
}
