import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { settings } from "../db/schema";

export function createSettingsRepo(db: Db) {
  return {
    get: <T>(key: string): T | undefined => db.select().from(settings).where(eq(settings.key, key)).get()?.value as T | undefined,
    set: (key: string, value: unknown) =>
      db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run(),
  };
}
export type SettingsRepo = ReturnType<typeof createSettingsRepo>;
