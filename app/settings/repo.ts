import { eq, sql } from "drizzle-orm";
import { dataVersionReader, type Db } from "../platform/db/client";
import { settings } from "../platform/db/schema";

export function createSettingsRepo(db: Db) {
  const getQ = db
    .select()
    .from(settings)
    .where(eq(settings.key, sql.placeholder("key")))
    .prepare();
  return {
    /** Changes whenever another connection (the worker, the CLI) commits to the database. */
    dataVersion: dataVersionReader(db),
    get: <T>(key: string): T | undefined => getQ.get({ key })?.value as T | undefined,
    set: (key: string, value: unknown) => db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run(),
  };
}
export type SettingsRepo = ReturnType<typeof createSettingsRepo>;
