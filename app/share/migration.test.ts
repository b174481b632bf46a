// Migration 0011 rebuilds share_links (file_id becomes nullable for album links): links made before it must come
// through unchanged, with the new options off. Real SQLite: migrated to 0010 from a copy of the folder, then to the end.
import { afterEach, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import { openDb } from "../platform/db/client";
import { APP_ROOT } from "../platform/paths";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

test("links and folder shares made before 0011 survive it; album shares and album links work after", () => {
  const dir = mkdtempSync(join(tmpdir(), "mig-0011-"));
  dirs.push(dir);
  const all = join(APP_ROOT, "app/platform/db/migrations");
  const upTo0010 = join(dir, "migrations");
  cpSync(all, upTo0010, { recursive: true });
  const journal = JSON.parse(readFileSync(join(all, "meta/_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === "0010_sharing");
  expect(at).toBeGreaterThan(0);
  writeFileSync(join(upTo0010, "meta/_journal.json"), JSON.stringify({ ...journal, entries: journal.entries.slice(0, at + 1) }));

  const path = join(dir, "db.sqlite");
  const before = openDb(path, { migrate: false });
  migrate(before, { migrationsFolder: upTo0010 });
  const raw = before.$client;
  raw.run(
    "INSERT INTO users (id, username, display_name, role, webauthn_user_id, created_at) VALUES ('u1', 'ann', 'Ann', 'admin', 'w1', 1), ('u2', 'ben', 'Ben', 'user', 'w2', 1)",
  );
  raw.run(`INSERT INTO share_links (id, user_id, file_id, token_hash, password_hash, expires_at, allow_download, allow_metadata, views, created_at, revoked_at)
    VALUES ('l1', 'u1', 'f1', 'hash1', 'argon', 99, 0, 1, 7, 5, NULL), ('l2', 'u1', 'f2', 'hash2', NULL, NULL, 1, 0, 0, 6, 8)`);
  raw.run("INSERT INTO folder_shares (id, owner_id, folder_id, grantee_id, access, created_at) VALUES ('g1', 'u1', 'f1', 'u2', 'write', 3)");
  const rowsBefore = raw.query("SELECT * FROM share_links ORDER BY id").all();
  raw.close();

  const after = openDb(path); // applies 0011 (and anything after it)
  const rows = after.$client.query("SELECT * FROM share_links ORDER BY id").all() as Record<string, unknown>[];
  expect(rows.map(({ album_id, allow_upload, seq, ...rest }) => rest)).toEqual(rowsBefore as Record<string, unknown>[]);
  expect(rows.map((r) => [r.album_id, r.allow_upload])).toEqual([
    [null, 0],
    [null, 0],
  ]);
  // 0021 numbers the links in the order they were made (Nextcloud's sharing API names them by number).
  expect(rows.map((r) => [r.id, r.seq])).toEqual([
    ["l1", 1],
    ["l2", 2],
  ]);
  expect(after.$client.query("SELECT id, access FROM folder_shares").all()).toEqual([{ id: "g1", access: "write" }]);
  expect(after.$client.query("PRAGMA foreign_key_check").all()).toEqual([]);
  expect((after.$client.query("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys).toBe(1);
  // The token stays unique; an album link needs no file; an album share ends with its album.
  expect(() => after.$client.run("INSERT INTO share_links (id, user_id, token_hash, created_at) VALUES ('l3', 'u1', 'hash1', 9)")).toThrow();
  after.$client.run("INSERT INTO albums (id, user_id, name, created_at, updated_at) VALUES ('a1', 'u1', 'Trip', 1, 1)");
  after.$client.run("INSERT INTO share_links (id, user_id, album_id, token_hash, created_at) VALUES ('l3', 'u1', 'a1', 'hash3', 9)");
  after.$client.run("INSERT INTO album_shares (id, album_id, owner_id, grantee_id, access, created_at) VALUES ('s1', 'a1', 'u1', 'u2', 'contribute', 9)");
  after.$client.run("DELETE FROM albums WHERE id = 'a1'");
  expect(after.$client.query("SELECT count(*) AS n FROM album_shares").get()).toEqual({ n: 0 });
  expect(after.$client.query("SELECT id FROM share_links ORDER BY id").all()).toEqual([{ id: "l1" }, { id: "l2" }]);
  after.$client.close();
});
