import type { Db } from "../platform/db/client";
import { LOCAL, whereOf } from "./repo";
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
      const w = whereOf(userId, { kind: "timeline" });
      return raw
        .query(
          `SELECT ${LOCAL} / ${DAY} AS day, m.city, m.country, avg(m.latitude) AS lat, avg(m.longitude) AS lng, count(*) AS n
          FROM media m WHERE ${w.sql} GROUP BY day, m.latitude IS NULL, m.city, m.country ORDER BY day`,
        )
        .all(w.params as never) as PlaceDay[];
    },
    hidden: (userId: string) => new Set((raw.query("SELECT key FROM hidden_memories WHERE user_id = ?").all(userId) as { key: string }[]).map((r) => r.key)),
    hide: (userId: string, key: string, at: Date) =>
      raw.query("INSERT INTO hidden_memories (user_id, key, hidden_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING").run(userId, key, at.getTime()),
    show: (userId: string, key: string) => raw.query("DELETE FROM hidden_memories WHERE user_id = ? AND key = ?").run(userId, key),
  };
}

export type MemoryRepo = ReturnType<typeof createMemoryRepo>;
