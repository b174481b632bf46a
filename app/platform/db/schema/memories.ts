import { sqliteTable, text, integer, primaryKey } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";

/**
 * Memories a person chose not to see again (Photos' memories: app/photos/memories.ts), by the memory's key
 * ("trip-2023-06-12", "day-2019-10-22-lisbon", "month-2026-11-01"). Memories themselves are computed, not stored.
 */
export const hiddenMemories = sqliteTable(
  "hidden_memories",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    hiddenAt: integer("hidden_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);
