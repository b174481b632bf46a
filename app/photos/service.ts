import { randomBytes } from "node:crypto";
import Supercluster from "supercluster";
import type { DriveFile, User } from "../db/schema";
import { AppError, notFound } from "../errors";
import type { DriveService } from "../drive/service";
import type { AlbumEntry, GridItem, PhotosRepo, SearchFilter, Source } from "./repo";

/** What a user may do with an album: its owner anything; people it is shared with view it, or also add to it. */
export type AlbumAccess = "owner" | "contribute" | "view";
export type PhotosDeps = {
  repo: PhotosRepo;
  drive: DriveService;
  /** Albums shared with users (app/share), read on every check so a removed share ends at once. */
  albumGrants?: { access: (userId: string, albumId: string) => "view" | "contribute" | null; albumIdsFor: (userId: string) => string[] };
  userById?: (id: string) => User | undefined;
  now?: () => Date;
};
const RANK: Record<AlbumAccess, number> = { view: 1, contribute: 2, owner: 3 };

export type MonthBucket = { key: string; year: number; month: number; n: number; days: { day: number; n: number }[] };
export type ClusterPoint = { lat: number; lng: number; n: number; cluster: number | null; item: GridItem | null };

const DAY = 86_400_000;
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const MAP_CACHE_MS = 60_000;
const newId = () => randomBytes(12).toString("base64url");

/** "2021-07" → the local-time range of that month. */
export function monthRange(key: string): { from: number; to: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  const year = Number(m?.[1]);
  const month = Number(m?.[2]);
  if (!m || month < 1 || month > 12) throw new AppError(400, "A month looks like 2021-07.");
  return { from: Date.UTC(year, month - 1, 1), to: Date.UTC(year, month, 1) };
}

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

/** Photos' rules over the media rows: what a user sees, their marks and albums, the map. */
export function createPhotosService(deps: PhotosDeps) {
  const { repo, drive } = deps;
  const now = deps.now ?? (() => new Date());
  const maps = new Map<string, { at: number; done: number; index: Supercluster<{ sha256: string }> }>();
  // Per-user results keyed by the data's version (repo.version) plus Photos' own writes (flags, albums): a scrubber
  // over 200k rows is a full index walk, and it only changes when the library does.
  const results = new Map<string, { version: string; values: Map<string, unknown> }>();
  const localWrites = new Map<string, number>();
  const touched = (user: User) => {
    localWrites.set(user.id, (localWrites.get(user.id) ?? 0) + 1);
    maps.delete(user.id);
  };
  function cached<T>(user: User, key: string, compute: () => T): T {
    const version = `${repo.version(user.id)}:${localWrites.get(user.id) ?? 0}`;
    let entry = results.get(user.id);
    if (entry?.version !== version) results.set(user.id, (entry = { version, values: new Map() }));
    if (!entry.values.has(key)) {
      if (entry.values.size >= 64) entry.values.delete(entry.values.keys().next().value!);
      entry.values.set(key, compute());
    }
    return entry.values.get(key) as T;
  }

  /** Drive decides access: another user's file id is a 404 here exactly as in Drive. */
  function contentOf(user: User, id: string): DriveFile & { sha256: string } {
    const file = drive.itemFor(user, id, "file.read");
    if (file.kind !== "file" || !file.sha256 || !repo.mediaRow(user.id, file.sha256)) throw notFound("This photo");
    return file as DriveFile & { sha256: string };
  }
  const contentsOf = (user: User, ids: string[]) => [...new Set(ids.map((id) => contentOf(user, id).sha256))];

  /** The album if `user` has at least `need` on it; an album one cannot see is a 404, one only viewed a 403 for changes. */
  function albumFor(user: User, id: string, need: AlbumAccess = "owner") {
    const album = repo.album(id);
    const has: AlbumAccess | null = !album ? null : album.userId === user.id ? "owner" : (deps.albumGrants?.access(user.id, album.id) ?? null);
    if (!album || !has) throw notFound("This album");
    if (RANK[has] < RANK[need])
      throw new AppError(403, need === "owner" ? "Only the album's owner can do this." : "This album is shared with you to view only.");
    return { ...album, access: has };
  }
  /** An entry of an album `user` can see, by Drive file id: anything else (another photo of the same owner too) is a 404. */
  function entryOf(user: User, albumId: string, fileId: string): AlbumEntry {
    const entry = repo.albumEntry(albumFor(user, albumId, "view").id, fileId);
    if (!entry) throw notFound("This photo");
    return entry;
  }
  function albumName(raw: string) {
    const name = raw.trim();
    if (!name || name.length > 200) throw new AppError(400, "An album name needs 1 to 200 characters.");
    return name;
  }
  function mapIndex(user: User) {
    const cached = maps.get(user.id);
    const done = repo.doneCount(user.id);
    if (cached && cached.done === done && now().getTime() - cached.at < MAP_CACHE_MS) return cached.index;
    const index = new Supercluster<{ sha256: string }>({ radius: 60, maxZoom: 17 });
    index.load(
      repo.gpsPoints(user.id).map((p) => ({ type: "Feature", properties: { sha256: p.sha256 }, geometry: { type: "Point", coordinates: [p.lng, p.lat] } })),
    );
    maps.set(user.id, { at: now().getTime(), done, index });
    return index;
  }

  return {
    /** A grid's source from the URL: album ids are checked against the owner (another user's album is a 404). */
    source(user: User, name: string, param?: string): Source {
      if (name === "favourites") return { kind: "favourites" };
      if (name === "archive") return { kind: "archive" };
      if (name === "album") return { kind: "album", albumId: albumFor(user, param ?? "").id };
      if (name === "search")
        return {
          kind: "search",
          search: parseSearch(
            param ?? "",
            cached(user, "places", () => repo.placeNames(user.id)),
          ),
        };
      return { kind: "timeline" };
    },
    /** The scrubber: months newest first with their day counts (sections are sized from these before they load). */
    buckets(user: User, source: Source): MonthBucket[] {
      return cached(user, `buckets:${JSON.stringify(source)}`, () => monthsOf(repo.dayCounts(user.id, source)));
    },
    month(user: User, source: Source, key: string): GridItem[] {
      const { from, to } = monthRange(key);
      return repo.itemsBetween(user.id, source, from, to);
    },
    /** The newest photos and videos of the timeline (the start page's strip): from the newest months down. */
    latest(user: User, n: number): GridItem[] {
      const out: GridItem[] = [];
      for (const b of this.buckets(user, { kind: "timeline" })) {
        if (out.length >= n) break;
        out.push(...this.month(user, { kind: "timeline" }, b.key).slice(0, n - out.length));
      }
      return out;
    },
    places: (user: User) => repo.places(user.id),
    /** "On this day": the same calendar day in earlier years (the box's today). */
    memories(user: User): GridItem[] {
      const t = now();
      return repo.onThisDay(user.id, t.getMonth() + 1, t.getDate(), t.getFullYear());
    },
    /** Everything the info panel shows about one file the user may read. */
    info(user: User, id: string) {
      const file = contentOf(user, id);
      const facts = repo.mediaRow(user.id, file.sha256)!;
      const flags = repo.flags(user.id, file.sha256);
      return {
        file,
        facts,
        favourite: !!flags.favourite,
        archived: !!flags.archived,
        path: [...repo.folderPath(file.parentId), file.name].join("/"),
        albums: repo.albumsOf(user.id, file.sha256),
      };
    },
    setFavourite(user: User, ids: string[], on: boolean) {
      repo.setFlag(user.id, contentsOf(user, ids), "favourite", on);
      touched(user);
    },
    setArchived(user: User, ids: string[], on: boolean) {
      repo.setFlag(user.id, contentsOf(user, ids), "archived", on);
      touched(user);
    },
    /** To Drive's trash (undo = restore); returns the ids trashed. */
    trash(user: User, ids: string[]) {
      ids.forEach((id) => contentOf(user, id));
      touched(user);
      return drive.moveToTrash(user, ids).map((f) => f.id);
    },
    restore(user: User, ids: string[]) {
      touched(user);
      return drive.restore(user, ids).map((f) => f.id);
    },
    albums: (user: User) => repo.albums(user.id),
    album: albumFor,
    createAlbum(user: User, rawName: string, ids: string[] = []) {
      const shas = contentsOf(user, ids);
      const at = now();
      const album = { id: newId(), userId: user.id, name: albumName(rawName), coverSha256: null, createdAt: at, updatedAt: at };
      repo.transaction(() => {
        repo.insertAlbum(album);
        repo.addToAlbum(album.id, user.id, shas, at);
      });
      touched(user);
      return album;
    },
    renameAlbum(user: User, id: string, rawName: string) {
      repo.renameAlbum(albumFor(user, id).id, albumName(rawName), now());
    },
    deleteAlbum(user: User, id: string) {
      repo.deleteAlbum(albumFor(user, id).id);
      touched(user);
    },
    /** The owner or a contributor adds their own photos; each shows as added by whoever added it. */
    addToAlbum(user: User, id: string, ids: string[]) {
      repo.addToAlbum(albumFor(user, id, "contribute").id, user.id, contentsOf(user, ids), now());
      touched(user);
    },
    /** Albums other people shared with `user`, with the owner's name. */
    sharedAlbums: (user: User) => repo.albumsByIds(deps.albumGrants?.albumIdsFor(user.id) ?? []),
    /** Albums shared with `user` to contribute to: the "Add to album" dialog offers them beside the user's own. */
    contributableAlbums: (user: User) =>
      repo.albumsByIds(deps.albumGrants?.albumIdsFor(user.id) ?? []).filter((a) => deps.albumGrants?.access(user.id, a.id) === "contribute"),
    /** Everyone's photos in an album `user` may view. */
    albumEntries: (user: User, id: string) => repo.albumEntries(albumFor(user, id, "view").id),
    /** The entries of an album by id, for a share link (the link service has checked the link). */
    linkedAlbumEntries: (albumId: string) => repo.albumEntries(albumId),
    /** An album row without an access check: only for a share link, which the link service has checked. */
    albumRow: (id: string) => repo.album(id),
    ownerName: (userId: string) => deps.userById?.(userId)?.username,
    linkedAlbumEntry: (albumId: string, fileId: string) => repo.albumEntry(albumId, fileId),
    entryOf,
    /**
     * Takes photos out of an album, never out of Drive: the owner removes anything, a contributor only what they added.
     * Ids are Drive file ids as the album lists them; one not in the album is a 404 and nothing is removed.
     */
    removeEntries(user: User, albumId: string, fileIds: string[]) {
      const album = albumFor(user, albumId, "contribute");
      const entries = fileIds.map((id) => entryOf(user, album.id, id));
      if (album.access !== "owner" && entries.some((e) => e.userId !== user.id))
        throw new AppError(403, "You can remove only the photos you added; the album's owner can remove any.");
      repo.transaction(() => entries.forEach((e) => repo.removeEntry(album.id, e.userId, e.sha256)));
      touched(user);
      return entries;
    },
    /** Where the bytes of an album entry are (its owner's blob). */
    entryContent(entry: AlbumEntry) {
      const owner = deps.userById?.(entry.userId);
      if (!owner) throw notFound("This photo");
      return deps.drive.content(owner, entry.id);
    },
    entryPreview(entry: AlbumEntry) {
      const owner = deps.userById?.(entry.userId);
      if (!owner) throw notFound("This photo");
      return deps.drive.previewImage(owner, entry.id);
    },
    removeFromAlbum(user: User, id: string, ids: string[]) {
      repo.removeFromAlbum(albumFor(user, id).id, contentsOf(user, ids));
      touched(user);
    },
    setCover(user: User, id: string, fileId: string) {
      repo.setCover(albumFor(user, id).id, contentOf(user, fileId).sha256, now());
    },
    /**
     * Clustered pins for a viewport (west, south, east, north) at a zoom. One index per user, kept while the count of
     * processed rows is unchanged and for at most a minute (a trash from Drive shows on the map within that minute).
     */
    clusters(user: User, bbox: [number, number, number, number], zoom: number): ClusterPoint[] {
      const index = mapIndex(user);
      const features = index.getClusters(bbox, Math.max(0, Math.min(20, Math.round(zoom))));
      const singles = features.filter((f) => !f.properties || !("cluster" in f.properties)).map((f) => (f.properties as { sha256: string }).sha256);
      const items = new Map(repo.itemsFor(user.id, singles).map((i) => [i.sha256, i]));
      return features.map((f) => {
        const [lng, lat] = f.geometry.coordinates as [number, number];
        const p = f.properties as { cluster?: boolean; cluster_id?: number; point_count?: number; sha256?: string };
        return p.cluster
          ? { lat, lng, n: p.point_count!, cluster: p.cluster_id!, item: null }
          : { lat, lng, n: 1, cluster: null, item: items.get(p.sha256!) ?? null };
      });
    },
    /** The photos under one cluster pin (newest first, at most `limit`). */
    clusterItems(user: User, clusterId: number, limit = 500): GridItem[] {
      let leaves: { properties: { sha256: string } }[];
      try {
        leaves = mapIndex(user).getLeaves(clusterId, limit) as never;
      } catch {
        throw notFound("This map cluster");
      }
      return repo.itemsFor(
        user.id,
        leaves.map((l) => l.properties.sha256),
      );
    },
  };
}

export type PhotosService = ReturnType<typeof createPhotosService>;
