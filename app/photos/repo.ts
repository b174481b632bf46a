import { and, eq } from "drizzle-orm";
import { writeTransaction, type Db } from "../platform/db/client";
import { media } from "../platform/db/schema";
import { OBJECT_MIN_SEARCH_SCORE } from "../people/model";
import { duplicateQueries } from "./duplicates-repo";
import type { StackFacts } from "./duplicates";

/** What narrows a grid: the timeline, Favourites, Archive, one album, or a parsed search. */
export type Source =
  | { kind: "timeline"; withPartners?: boolean }
  | { kind: "favourites" }
  | { kind: "archive" }
  | { kind: "album"; albumId: string }
  | { kind: "search"; search: SearchFilter }
  /** A person's photos (People: app/people), the owner's person only (the policy's `person.own`). */
  | { kind: "person"; personId: string }
  /** A library shared with the viewer (app/photos/partners.ts): its owner's timeline within the share's limits. */
  | { kind: "partner"; ownerId: string; from: number | null; photosOnly: boolean };

/** A search already parsed by the service: every present part must match. */
export type SearchFilter = {
  from?: number;
  to?: number;
  mediaKind?: "video" | "photo";
  /** Stored place names that matched the words, per level (any level matches). */
  localities?: string[];
  cities?: string[];
  regions?: string[];
  countries?: string[];
  /** Words matched against camera, file name and album name. */
  text?: string;
  /** People (ids) who must all be in the photo: their names were typed. */
  people?: string[];
  /** A thing (a COCO label) seen in the photo with at least the search confidence (app/people/model.ts). */
  labels?: string[];
};

export type GridItem = {
  id: string;
  sha256: string;
  kind: "image" | "raw" | "video";
  width: number;
  height: number;
  /** Local capture time as milliseconds (UTC clock fields = the camera's local time). */
  local: number;
  durationMs: number | null;
  thumbhash: string | null;
  favourite: boolean;
  playback: "original" | "remux" | "transcode" | null;
  mime: string;
  /** The city it was taken in (memories group by it). */
  city: string | null;
  /** A Live Photo's still: the Drive file id of its short video, and how that video plays. */
  liveId: string | null;
  livePlayback: "original" | "remux" | "transcode" | null;
  /** The rendered revision of the photo's edit (app/photos/edit), null when unedited: sizes and placeholder are the edit's. */
  edit: number | null;
  /** A partner's photo (app/photos/partners.ts): its owner's name. */
  owner?: string;
  /** A stack's members in time order, this cover among them (RAW+JPEG, a burst: app/photos/duplicates.ts); timeline only. */
  stack?: GridItem[];
};

export type PlaceCount = { city: string; region: string | null; country: string | null; n: number };
/** One distinct place of a user's photos with its folded names per level (what search matches). */
export type KnownPlace = { locality: string | null; city: string | null; region: string | null; country: string | null; names: string };
export type GpsPoint = { sha256: string; lat: number; lng: number };

const DAY = 86_400_000;
export const LOCAL = "(m.taken_at + coalesce(m.taken_offset, 0) * 60000)";
// A content shows in Photos when processed, has a time, is not the hidden video half of a Live Photo, and at least
// one Drive file with it is out of the trash.
export const SHOWN = `m.user_id = $u AND m.status = 'done' AND m.taken_at IS NOT NULL AND NOT (m.kind = 'video' AND m.live_pair_sha256 IS NOT NULL)`;
const VISIBLE = `${SHOWN}
  AND EXISTS (SELECT 1 FROM files f WHERE f.user_id = m.user_id AND f.sha256 = m.sha256 AND f.trashed_at IS NULL)`;
// Contents out of the timeline although processed: every Drive copy in the trash, or archived. Usually few.
export const HIDDEN = `SELECT f.sha256 FROM files f INDEXED BY files_user_trash WHERE f.user_id = $u AND f.trashed_at IS NOT NULL AND f.sha256 IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM files g WHERE g.user_id = f.user_id AND g.sha256 = f.sha256 AND g.trashed_at IS NULL)
  UNION SELECT p.sha256 FROM photo_flags p WHERE p.user_id = $u AND p.archived = 1`;
const FLAG = (col: string) => `EXISTS (SELECT 1 FROM photo_flags p WHERE p.user_id = m.user_id AND p.sha256 = m.sha256 AND p.${col} = 1)`;

type Params = Record<string, string | number | null>;

function whereOf(userId: string, source: Source, base = VISIBLE): { sql: string; params: Params } {
  const params: Params = { $u: userId };
  const parts = [base];
  switch (source.kind) {
    case "timeline":
      parts.push(`NOT ${FLAG("archived")}`);
      break;
    // Small sets drive the lookup (IN over their table, then the media primary key), not a walk of every row.
    case "favourites":
      parts.push("m.sha256 IN (SELECT p.sha256 FROM photo_flags p WHERE p.user_id = $u AND p.favourite = 1)");
      break;
    case "archive":
      parts.push("m.sha256 IN (SELECT p.sha256 FROM photo_flags p WHERE p.user_id = $u AND p.archived = 1)");
      break;
    case "album":
      params.$album = source.albumId;
      parts.push("m.sha256 IN (SELECT a.sha256 FROM album_items a WHERE a.album_id = $album AND a.user_id = $u)");
      break;
    case "partner":
      parts.push(`NOT ${FLAG("archived")}`);
      if (source.from !== null) {
        params.$from = source.from;
        parts.push(`m.taken_at >= $from - ${DAY} AND ${LOCAL} >= $from`);
      }
      if (source.photosOnly) parts.push("m.kind <> 'video'");
      break;
    case "person":
      params.$person = source.personId;
      parts.push("m.sha256 IN (SELECT f.sha256 FROM faces f WHERE f.user_id = $u AND f.person_id = $person)");
      break;
    case "search": {
      const s = source.search;
      s.people?.forEach((id, i) => {
        params[`$p${i}`] = id;
        parts.push(`m.sha256 IN (SELECT f.sha256 FROM faces f WHERE f.user_id = $u AND f.person_id = $p${i})`);
      });
      if (s.labels?.length) {
        s.labels.forEach((l, i) => (params[`$l${i}`] = l));
        params.$score = OBJECT_MIN_SEARCH_SCORE;
        parts.push(
          `m.sha256 IN (SELECT o.sha256 FROM photo_objects o WHERE o.user_id = $u AND o.label IN (${s.labels.map((_, i) => `$l${i}`).join(", ")}) AND o.score >= $score)`,
        );
      }
      if (s.from !== undefined && s.to !== undefined) {
        params.$from = s.from;
        params.$to = s.to;
        parts.push(`m.taken_at >= $from - ${DAY} AND m.taken_at < $to + ${DAY} AND ${LOCAL} >= $from AND ${LOCAL} < $to`);
      }
      if (s.mediaKind) parts.push(s.mediaKind === "video" ? "m.kind = 'video'" : "m.kind <> 'video'");
      // Each list is an IN over its own index (user_id, locality / city / region / country).
      const inList = (col: string, names: string[] | undefined, tag: string) => {
        if (!names?.length) return "";
        names.forEach((n, i) => (params[`$${tag}${i}`] = n));
        return `m.${col} IN (${names.map((_, i) => `$${tag}${i}`).join(", ")})`;
      };
      const placeParts = [
        inList("locality", s.localities, "l"),
        inList("city", s.cities, "c"),
        inList("region", s.regions, "r"),
        inList("country", s.countries, "k"),
      ].filter(Boolean);
      if (placeParts.length) parts.push(`(${placeParts.join(" OR ")})`);
      if (s.text) {
        params.$like = `%${s.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        parts.push(`(m.model LIKE $like ESCAPE '\\' OR m.make LIKE $like ESCAPE '\\' OR m.lens LIKE $like ESCAPE '\\'
          OR EXISTS (SELECT 1 FROM files f WHERE f.user_id = m.user_id AND f.sha256 = m.sha256 AND f.trashed_at IS NULL AND f.name LIKE $like ESCAPE '\\')
          OR EXISTS (SELECT 1 FROM album_items a JOIN albums b ON b.id = a.album_id WHERE a.user_id = m.user_id AND a.sha256 = m.sha256 AND b.name LIKE $like ESCAPE '\\'))`);
      }
      break;
    }
  }
  return { sql: parts.join(" AND "), params };
}

const baseItem = (r: Record<string, unknown>): GridItem => ({
  id: r.file_id as string,
  sha256: r.sha256 as string,
  kind: r.kind as GridItem["kind"],
  width: (r.width as number | null) ?? 1,
  height: (r.height as number | null) ?? 1,
  local: r.local as number,
  durationMs: r.duration_ms as number | null,
  thumbhash: r.thumbhash as string | null,
  favourite: !!r.favourite,
  playback: r.playback as GridItem["playback"],
  city: (r.city as string | null) ?? null,
  liveId: (r.live_id as string | null) ?? null,
  livePlayback: (r.live_playback as GridItem["playback"]) ?? null,
  mime: (r.mime as string | null) ?? "",
  edit: null,
});
/** An edited photo (ITEM_COLUMNS' `edit`: revision, size, placeholder) is laid out and painted as edited. */
function toItem(r: Record<string, unknown>): GridItem {
  const e = r.edit ? (JSON.parse(r.edit as string) as [number, number, number, string | null]) : null;
  const item = baseItem(r);
  return e ? { ...item, edit: e[0], width: e[1], height: e[2], thumbhash: e[3] } : item;
}

const LIVE_FILE = (what: string) =>
  `(SELECT ${what} FROM files f WHERE f.user_id = m.user_id AND f.sha256 = m.sha256 AND f.trashed_at IS NULL ORDER BY f.seq LIMIT 1) AS file_id`;
const itemColumns = (file: string) => `m.sha256, m.kind, m.width, m.height, ${LOCAL} AS local, m.duration_ms, m.thumbhash, m.city,
  ${file},
  ${FLAG("favourite")} AS favourite, m.playback,
  (SELECT f.id FROM files f WHERE m.kind <> 'video' AND f.user_id = m.user_id AND f.sha256 = m.live_pair_sha256 AND f.trashed_at IS NULL LIMIT 1) AS live_id,
  (SELECT v.playback FROM media v WHERE m.kind <> 'video' AND v.user_id = m.user_id AND v.sha256 = m.live_pair_sha256) AS live_playback,
  (SELECT b.mime FROM blobs b WHERE b.user_id = m.user_id AND b.sha256 = m.sha256) AS mime,
  (SELECT json_array(e.rendered_revision, e.width, e.height, e.thumbhash) FROM photo_edits e
    WHERE e.user_id = m.user_id AND e.sha256 = m.sha256 AND e.rendered_revision IS NOT NULL) AS edit`;
const ITEM_COLUMNS = itemColumns(LIVE_FILE("f.id"));
/** The item's columns with stack facts: `file_id` is [id, name, parent] of the same live file. */
const STACK_COLUMNS = `${itemColumns(LIVE_FILE("json_array(f.id, f.name, f.parent_id)"))}, m.make, m.model, m.phash, m.taken_at`;

/**
 * One local-time range of a grid, newest first, with the given columns. The live-file lookup that names each tile's
 * Drive id is also the "not in the trash" check.
 */
const betweenOf = (raw: Db["$client"]) => (userId: string, source: Source, from: number, to: number, limit: number, columns: string) => {
  const w = whereOf(userId, source, SHOWN);
  return raw
    .query(
      `SELECT * FROM (SELECT ${columns} FROM media m INDEXED BY media_timeline
        WHERE m.user_id = $u AND m.taken_at >= $lo - ${DAY} AND m.taken_at < $hi + ${DAY} AND ${LOCAL} >= $lo AND ${LOCAL} < $hi AND ${w.sql}
        ORDER BY m.taken_at DESC) WHERE file_id IS NOT NULL LIMIT $limit`,
    )
    .all({ ...w.params, $lo: from, $hi: to, $limit: limit } as never) as Record<string, unknown>[];
};

/** Every SQL statement of Photos. Callers pass the owner's id; nothing here decides authorization. */
export function createPhotosRepo(db: Db) {
  const raw = db.$client;
  const all = (sql: string, params: Params) => raw.query(sql).all(params as never) as Record<string, unknown>[];
  const between = betweenOf(raw);

  return {
    transaction: <T>(fn: () => T): T => writeTransaction(raw, fn),
    ...duplicateQueries(raw),
    /** The pipeline's facts about one content (read only: the media feature writes them). */
    mediaRow: (userId: string, sha256: string) =>
      db
        .select()
        .from(media)
        .where(and(eq(media.userId, userId), eq(media.sha256, sha256)))
        .get(),
    /** Items per local day (day number since 1970), newest first: the scrubber and section heights come from this. */
    dayCounts(userId: string, source: Source): { day: number; n: number }[] {
      // The timeline is the shown rows' day counts (kept by triggers in media_day_counts: a few thousand day rows
      // rather than a walk of 200k) minus the few hidden ones, instead of checking trash and archive for every row.
      if (source.kind === "timeline") {
        return all(
          `SELECT day, sum(n) AS n FROM (
            SELECT day, n FROM media_day_counts WHERE user_id = $u
            UNION ALL
            SELECT ${LOCAL} / ${DAY} AS day, -count(*) AS n FROM (${HIDDEN}) AS h CROSS JOIN media m
              WHERE m.user_id = $u AND m.sha256 = h.sha256 AND ${SHOWN} GROUP BY day)
          GROUP BY day HAVING sum(n) > 0 ORDER BY day DESC`,
          { $u: userId },
        ).map((r) => ({ day: r.day as number, n: r.n as number }));
      }
      const w = whereOf(userId, source);
      return all(`SELECT ${LOCAL} / ${DAY} AS day, count(*) AS n FROM media m WHERE ${w.sql} GROUP BY day ORDER BY day DESC`, w.params).map((r) => ({
        day: r.day as number,
        n: r.n as number,
      }));
    },
    /** Items whose local capture time is in [from, to), newest first. */
    itemsBetween(userId: string, source: Source, from: number, to: number, limit = -1): GridItem[] {
      return between(userId, source, from, to, limit, ITEM_COLUMNS).map(toItem);
    },
    /**
     * itemsBetween with what stacks are made of (duplicates.ts stacked), read in the same walk: the tile's file name
     * and folder from the live-file lookup it makes anyway, the camera and hash from the row. (A second statement
     * looking the month's files up again by id cost a third of the month's page.)
     */
    itemsWithStackFacts(userId: string, source: Source, from: number, to: number) {
      const rows = between(userId, source, from, to, -1, STACK_COLUMNS);
      const facts = new Map<string, StackFacts>();
      const items = rows.map((r) => {
        const [id, name, parentId] = JSON.parse(r.file_id as string) as [string, string, string | null];
        const item = toItem({ ...r, file_id: id });
        facts.set(id, {
          id,
          name,
          parentId,
          make: r.make as string | null,
          model: r.model as string | null,
          phash: r.phash as string | null,
          takenAt: r.taken_at as number,
        });
        return item;
      });
      return { items, facts };
    },
    /**
     * Changes whenever what a user's grids show can change outside Photos, from index lookups only (no count over
     * every row): the worker adding, finishing or requeueing a row (newest `updated_at`, rows still pending), Drive
     * trashing, restoring or purging (the trash's count and sum of keys; a purge empties trash rows), People indexing
     * a photo or its owner changing a person (people's newest change; faces' and objects' newest row: O(1)).
     */
    version: (userId: string) =>
      (
        raw
          .query(`SELECT (SELECT coalesce(max(updated_at), 0) FROM media WHERE user_id = $u)
        || ':' || (SELECT count(*) FROM media WHERE user_id = $u AND status IN ('queued', 'processing'))
        || ':' || (SELECT count(*) || ':' || total(seq) FROM files WHERE user_id = $u AND trashed_at IS NOT NULL)
        || ':' || (SELECT count(*) || ':' || coalesce(max(updated_at), 0) FROM people WHERE user_id = $u)
        || ':' || (SELECT coalesce(max(id), 0) FROM faces) || ':' || (SELECT coalesce(max(rowid), 0) FROM photo_objects) AS v`)
          .get({ $u: userId } as never) as { v: string }
      ).v,
    /** The names the owner gave their people (search recognises them; People's own table, read only here). */
    personNames: (userId: string) =>
      raw.query("SELECT id, name FROM people WHERE user_id = ? AND name IS NOT NULL").all(userId) as { id: string; name: string }[],
    /** The people the owner has not hidden in one of their photos (the info panel; People's table, read only here). */
    peopleIn: (userId: string, sha256: string) =>
      raw
        .query(
          `SELECT DISTINCT p.id, p.name FROM faces f JOIN people p ON p.id = f.person_id WHERE f.user_id = ? AND f.sha256 = ? AND p.hidden = 0 ORDER BY p.name IS NULL, p.name`,
        )
        .all(userId, sha256) as { id: string; name: string | null }[],
    /** The distinct places of a user's photos with their folded names (search recognises them). */
    knownPlaces: (userId: string): KnownPlace[] =>
      raw
        .query(
          `SELECT DISTINCT locality, city, region, country, coalesce(place_names, '|c:' || lower(city) || '|k:' || lower(country) || '|') AS names
          FROM media WHERE user_id = ? AND city IS NOT NULL`,
        )
        .all(userId) as KnownPlace[],
    /** Processed rows of a user (an index count): the map's cached clusters are rebuilt when it changes. */
    doneCount: (userId: string) => (raw.query("SELECT count(*) AS n FROM media WHERE user_id = ? AND status = 'done'").get(userId) as { n: number }).n,
    /** The cities of a user's visible photos with counts, most photos first (the map's offline places list). */
    places: (userId: string): PlaceCount[] =>
      raw
        .query(
          `SELECT m.city, max(m.region) AS region, m.country, count(*) AS n FROM media m WHERE ${VISIBLE} AND m.city IS NOT NULL
          GROUP BY m.city, m.country ORDER BY n DESC, m.city`,
        )
        .all({ $u: userId } as never) as PlaceCount[],
    /** Every located visible item of one user (the map's cluster index is built from these). */
    gpsPoints: (userId: string): GpsPoint[] =>
      raw
        .query(`SELECT m.sha256, m.latitude AS lat, m.longitude AS lng FROM media m WHERE ${VISIBLE} AND m.latitude IS NOT NULL AND m.longitude IS NOT NULL`)
        .all({ $u: userId } as never) as GpsPoint[],
    /** Grid items for given contents (a map cluster's leaves), newest first. */
    itemsFor(userId: string, shas: string[]): GridItem[] {
      if (shas.length === 0) return [];
      const params: Params = { $u: userId };
      shas.forEach((s, i) => (params[`$s${i}`] = s));
      return all(
        `SELECT ${ITEM_COLUMNS} FROM media m WHERE ${VISIBLE} AND m.sha256 IN (${shas.map((_, i) => `$s${i}`).join(",")}) ORDER BY m.taken_at DESC`,
        params,
      ).map(toItem);
    },
    /** Whether the content has a rendered edit (app/photos/edit's table, read only here). */
    edited: (userId: string, sha256: string) =>
      raw.query("SELECT 1 FROM photo_edits WHERE user_id = ? AND sha256 = ? AND rendered_revision IS NOT NULL").get(userId, sha256) !== null,
    flags: (userId: string, sha256: string) =>
      (raw.query("SELECT favourite, archived FROM photo_flags WHERE user_id = ? AND sha256 = ?").get(userId, sha256) as {
        favourite: number;
        archived: number;
      } | null) ?? { favourite: 0, archived: 0 },
    setFlag(userId: string, shas: string[], flag: "favourite" | "archived", on: boolean) {
      const stmt = raw.query(
        `INSERT INTO photo_flags (user_id, sha256, ${flag}) VALUES (?, ?, ?) ON CONFLICT (user_id, sha256) DO UPDATE SET ${flag} = excluded.${flag}`,
      );
      writeTransaction(raw, () => shas.forEach((s) => stmt.run(userId, s, on ? 1 : 0)));
    },
    /** Same-day items of earlier years: one small index range per year. */
    onThisDay(userId: string, month: number, day: number, beforeYear: number, years = 30): GridItem[] {
      const out: GridItem[] = [];
      for (let y = beforeYear - 1; y >= beforeYear - years; y--) {
        const from = Date.UTC(y, month - 1, day);
        if (new Date(from).getUTCDate() !== day) continue;
        out.push(...this.itemsBetween(userId, { kind: "timeline" }, from, from + DAY, 20));
      }
      return out;
    },
  };
}

export type PhotosRepo = ReturnType<typeof createPhotosRepo>;
