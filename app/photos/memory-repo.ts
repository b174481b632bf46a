import type { Db } from "../platform/db/client";
import { HIDDEN, LOCAL, SHOWN } from "./repo";
import type { PlaceDay } from "./trips";

const DAY = 86_400_000;

/** Memories' SQL: where and when the timeline's photos were taken, per day, and the memories a person hid. */
export function createMemoryRepo(db: Db) {
  const raw = db.$client;
  return {
    /**
     * The timeline's photos (nothing archived or in the trash) per local day and place: the input of trip detection.
     * Located and unlocated photos of a day are separate rows; a city's position is the mean of its photos'.
     */
    placeDays(userId: string): PlaceDay[] {
      // As the scrubber's day counts: every shown row once, minus the (usually few) trashed or archived ones, instead
      // of a trash and archive lookup for each of 200k rows.
      const cols = `${LOCAL} / ${DAY} AS day, m.latitude IS NULL AS unplaced, m.city, m.country`;
      return raw
        .query(
          `SELECT day, city, country, CASE WHEN unplaced THEN NULL ELSE sum(lat) / sum(n) END AS lat, CASE WHEN unplaced THEN NULL ELSE sum(lng) / sum(n) END AS lng,
            sum(n) AS n FROM (
            SELECT ${cols}, count(*) AS n, total(m.latitude) AS lat, total(m.longitude) AS lng FROM media m WHERE ${SHOWN} GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT ${cols}, -count(*), -total(m.latitude), -total(m.longitude) FROM (${HIDDEN}) AS h CROSS JOIN media m
              WHERE m.user_id = $u AND m.sha256 = h.sha256 AND ${SHOWN} GROUP BY 1, 2, 3, 4)
          GROUP BY day, unplaced, city, country HAVING sum(n) > 0 ORDER BY day`,
        )
        .all({ $u: userId } as never) as PlaceDay[];
    },
    hidden: (userId: string) => new Set((raw.query("SELECT key FROM hidden_memories WHERE user_id = ?").all(userId) as { key: string }[]).map((r) => r.key)),
    hide: (userId: string, key: string, at: Date) =>
      raw.query("INSERT INTO hidden_memories (user_id, key, hidden_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING").run(userId, key, at.getTime()),
    show: (userId: string, key: string) => raw.query("DELETE FROM hidden_memories WHERE user_id = ? AND key = ?").run(userId, key),
  };
}

export type MemoryRepo = ReturnType<typeof createMemoryRepo>;
