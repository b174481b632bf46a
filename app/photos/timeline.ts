// The grids: the timeline, favourites, archive, an album's and search's, as months of days; memories.
import type { User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { album } from "./albums";
import { cached, type PhotosContext } from "./context";
import { stacked } from "./duplicates";
import type { GridItem, Source } from "./repo";
import { parseSearch } from "./search";
import { partnerItems, partnerLibrary, partnerSource, timelinePartners, type PartnerSource } from "./partners";

const DAY = 86_400_000;

export type MonthBucket = { key: string; year: number; month: number; n: number; days: { day: number; n: number }[] };

/** "2021-07" → the local-time range of that month. */
export function monthRange(key: string): { from: number; to: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  if (!m || month < 1 || month > 12) throw new AppError(400, "A month looks like 2021-07.");
  return { from: Date.UTC(year, month - 1, 1), to: Date.UTC(year, month, 1) };
}

function monthsOf(days: { day: number; n: number }[]): MonthBucket[] {
  const months: MonthBucket[] = [];
  for (const { day, n } of days) {
    const d = new Date(day * DAY);
    const key = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
    let last = months.at(-1);
    if (last?.key !== key) months.push((last = { key, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, n: 0, days: [] }));
    last.n += n;
    last.days.push({ day, n });
  }
  return months;
}

/** A grid's source from the URL: an album is the person's own (another's is a 404, one shared with them a 403). */
export function source(ctx: PhotosContext, user: User, name: string, param?: string): Source {
  if (name === "favourites") return { kind: "favourites" };
  if (name === "archive") return { kind: "archive" };
  if (name === "album") return { kind: "album", albumId: album(ctx, user, param ?? "").id };
  if (name === "search")
    return {
      kind: "search",
      search: parseSearch(
        param ?? "",
        cached(ctx, user, "places", () => ctx.repo.knownPlaces(user.id)),
        ctx.repo.personNames(user.id),
      ),
    };
  // Only the owner's own person: anyone else's id is a 404 (app/access).
  if (name === "person") return { kind: "person", personId: ctx.access.require(user, "person.own", [param ?? ""])[0]!.id };
  // A library shared with the person (app/access's partner.library): anyone else's id, or an ended share, is a 404.
  if (name === "partner") return partnerSource(partnerLibrary(ctx, user, param ?? ""));
  // The timeline: with the libraries of partners the person chose to see in it.
  return { kind: "timeline", withPartners: true };
}

/** A partner's day counts, cached with the owner's library (their version and Photos writes). */
const partnerDays = (ctx: PhotosContext, from: PartnerSource) => {
  const owner = ctx.userById(from.ownerId);
  return owner ? cached(ctx, owner, `partner-days:${JSON.stringify(from)}`, () => ctx.repo.dayCounts(owner.id, from)) : [];
};

/** The scrubber: months newest first with their day counts (sections are sized from these before they load). */
export function buckets(ctx: PhotosContext, user: User, from: Source): MonthBucket[] {
  if (from.kind === "partner") return monthsOf(partnerDays(ctx, from));
  const own = cached(ctx, user, `days:${JSON.stringify(from)}`, () => ctx.repo.dayCounts(user.id, from));
  const partners = from.kind === "timeline" && from.withPartners ? timelinePartners(ctx, user) : [];
  if (!partners.length) return cached(ctx, user, `buckets:${JSON.stringify(from)}`, () => monthsOf(own));
  // Partners' days join the person's own: one scrubber for the merged timeline.
  const days = new Map<number, number>();
  for (const { day, n } of [own, ...partners.map((p) => partnerDays(ctx, p))].flat()) days.set(day, (days.get(day) ?? 0) + n);
  return monthsOf([...days].map(([day, n]) => ({ day, n })).sort((a, b) => b.day - a.day));
}

export function month(ctx: PhotosContext, user: User, from: Source, key: string): GridItem[] {
  const { from: lo, to: hi } = monthRange(key);
  if (from.kind === "partner") return partnerItems(ctx, user, from, ctx.repo.itemsBetween(from.ownerId, from, lo, hi));
  // The timeline folds RAW+JPEG pairs and bursts into one tile (app/photos/duplicates.ts); other grids show each.
  let own: GridItem[];
  if (from.kind === "timeline") {
    const { items, facts } = ctx.repo.itemsWithStackFacts(user.id, from, lo, hi);
    own = stacked(items, facts);
  } else own = ctx.repo.itemsBetween(user.id, from, lo, hi);
  const partners = from.kind === "timeline" && from.withPartners ? timelinePartners(ctx, user) : [];
  if (!partners.length) return own;
  const theirs = partners.flatMap((p) => partnerItems(ctx, user, p, ctx.repo.itemsBetween(p.ownerId, p, lo, hi)));
  return [...own, ...theirs].sort((a, b) => b.local - a.local);
}

/** The newest photos and videos of the timeline (the start page's strip): from the newest months down. */
export function latest(ctx: PhotosContext, user: User, n: number): GridItem[] {
  const out: GridItem[] = [];
  for (const b of buckets(ctx, user, { kind: "timeline" })) {
    if (out.length >= n) break;
    out.push(...month(ctx, user, { kind: "timeline" }, b.key).slice(0, n - out.length));
  }
  return out;
}

/** "On this day": the same calendar day in earlier years (the box's today). */
export function memories(ctx: PhotosContext, user: User): GridItem[] {
  const t = ctx.now();
  return ctx.repo.onThisDay(user.id, t.getMonth() + 1, t.getDate(), t.getFullYear());
}

/** "On this day" (the same calendar day) or "a year ago this week" (the week around it, last year). */
export type MemoryGroup = { kind: "day" | "week"; year: number; city: string | null; items: GridItem[] };

/**
 * Memories as people tell them: one strip per year and city ("On this day · 2019 · Lisbon"), newest year first; when
 * last year has nothing on this very day, its week around it ("A year ago this week"). Only timeline photos: nothing
 * archived or in the trash.
 */
export function memoryGroups(ctx: PhotosContext, user: User): MemoryGroup[] {
  const groups: MemoryGroup[] = [];
  const add = (kind: MemoryGroup["kind"], items: GridItem[]) => {
    for (const item of items) {
      const year = new Date(item.local).getUTCFullYear();
      let group = groups.find((g) => g.kind === kind && g.year === year && g.city === item.city);
      if (!group) groups.push((group = { kind, year, city: item.city, items: [] }));
      group.items.push(item);
    }
  };
  add("day", memories(ctx, user));
  const t = ctx.now();
  const lastYear = t.getFullYear() - 1;
  if (!groups.some((g) => g.year === lastYear)) {
    const day = Date.UTC(lastYear, t.getMonth(), t.getDate());
    add("week", ctx.repo.itemsBetween(user.id, { kind: "timeline" }, day - 3 * DAY, day + 4 * DAY, 20));
  }
  return groups;
}
