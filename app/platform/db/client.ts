import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { readMigrationFiles, type MigrationMeta } from "drizzle-orm/migrator";
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import * as schema from "./schema";
import { APP_ROOT } from "../paths";
import { log as logger } from "../log";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

const migrationsFolder = join(APP_ROOT, "app/platform/db/migrations");

/**
 * How long a write waits for another process's write lock (the web server, the worker and the CLI share the file).
 * Write transactions are milliseconds; a media job's or an import's burst of them queues behind one another.
 */
export const BUSY_TIMEOUT_MS = 30_000;

/**
 * The one way to run a write transaction, in every process (web, worker, CLI). It takes the write lock up front
 * (`BEGIN IMMEDIATE`), waiting up to the busy timeout for it. A deferred `BEGIN` that reads and then writes cannot
 * wait: when another process committed in between, SQLite answers "database is locked" at once (its snapshot is
 * stale), and that became a 500 or a file lost from an import. Nested calls become savepoints.
 */
export function writeTransaction<T>(db: Db | Database, fn: () => T): T {
  const client = db instanceof Database ? db : db.$client;
  return client.transaction(fn).immediate();
}

/**
 * Opens (creating if needed) the SQLite database, applies the pragmas every process must share,
 * checks it, and applies migrations. `:memory:` works for tests.
 */
export function openDb(path: string, opts: { migrate?: boolean; log?: (msg: string) => void } = {}): Db {
  const log = opts.log ?? ((m: string) => logger.error(m));
  if (path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Private to the service; SQLite gives its -wal and -shm files the database file's mode.
    closeSync(openSync(path, "a", 0o600));
    chmodSync(path, 0o600);
  }
  const sqlite = new Database(path, { create: true, strict: true });
  // First: the web server, the worker and the CLI open a fresh database at the same moment on first boot.
  sqlite.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Switching a fresh file to WAL can answer SQLITE_BUSY at once (no busy handler) while another process does the same.
  for (let attempt = 1; ; attempt++) {
    try {
      sqlite.exec("PRAGMA journal_mode = WAL");
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== "SQLITE_BUSY" || attempt >= 100) throw e;
      Bun.sleepSync(20);
    }
  }
  // FULL: a write we acknowledged survives power loss (the appliance has no UPS).
  sqlite.exec("PRAGMA synchronous = FULL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  // WebDAV folder ETags are bumped from a folder up to the root by triggers that fire each other (migration 0013).
  sqlite.exec("PRAGMA recursive_triggers = ON");
  const check = sqlite.query<{ quick_check: string }, []>("PRAGMA quick_check").all();
  const problems = check.map((r) => r.quick_check).filter((r) => r !== "ok");
  startChecks.set(sqlite, problems);
  if (problems.length) {
    log(`DATABASE CHECK FAILED for ${path}: ${problems.slice(0, 5).join("; ")} — restore from a backup (Dashboard → Backups)`);
  }
  const db = drizzle(sqlite, { schema }) as Db;
  if (opts.migrate !== false) migrateAlongsideOthers(db);
  return db;
}

const startChecks = new WeakMap<Database, string[]>();
/** What `PRAGMA quick_check` found when this connection opened (empty: healthy); the dashboard reports it. */
export const startCheckProblems = (db: Db): string[] => startChecks.get(db.$client) ?? [];

let migrations: MigrationMeta[] | null = null;
/**
 * The migration files, read once per process. The admin CLI reads them before it drops root to the data dir's owner,
 * who may not be able to read the code (a checkout in /root or a 0700 folder).
 */
export const loadMigrations = () => (migrations ??= readMigrationFiles({ migrationsFolder }));

/**
 * drizzle reads which migrations ran before it takes the write lock, so when two processes migrate a fresh
 * database together the second fails on "table already exists". Run again, it sees the first one's work.
 * (What drizzle's bun-sqlite `migrate()` does, with the files read by `loadMigrations`.)
 */
function migrateAlongsideOthers(db: Db, attempts = 3) {
  const internals = db as unknown as { dialect: { migrate: (m: MigrationMeta[], session: unknown, config: object) => void }; session: unknown };
  for (let attempt = 1; ; attempt++) {
    try {
      internals.dialect.migrate(loadMigrations(), internals.session, { migrationsFolder });
      return;
    } catch (e) {
      if (attempt >= attempts) throw e;
    }
  }
}

/**
 * SQLite's data_version: changes whenever another connection (the worker, the CLI) commits. Lets a
 * process cache rows and still see other processes' changes; its own writes it must forget itself.
 * Asking costs a few microseconds under load, so the answer is reused for `maxAgeMs`: another
 * process's change is seen within that time.
 */
export function dataVersionReader(db: Db, maxAgeMs = 200): () => number {
  const q = db.$client.prepare<{ data_version: number }, []>("PRAGMA data_version");
  let value = -1;
  let readAt = -Infinity;
  return () => {
    const t = performance.now();
    if (t - readAt > maxAgeMs) {
      value = q.get()!.data_version;
      readAt = t;
    }
    return value;
  };
}

/**
 * Changes with every committed write to the database: another connection's (data_version, seen within `maxAgeMs`) and
 * this connection's own, whoever made it (SQLite's total_changes(), at once). A read model built from many tables
 * (the start page) is served until it changes, without every writer having to know the model exists.
 */
export function changeCounter(db: Db, maxAgeMs = 200): () => string {
  const otherConnections = dataVersionReader(db, maxAgeMs);
  const ownWrites = db.$client.prepare<{ n: number }, []>("SELECT total_changes() AS n");
  return () => `${otherConnections()}:${ownWrites.get()!.n}`;
}
