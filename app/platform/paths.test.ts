import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { AppError } from "./errors";
import { APP_ROOT, dataPaths, isLiveDatabaseFile, isScratch } from "./paths";

test("APP_ROOT is the project root: the files read at run time are there", () => {
  expect(existsSync(join(APP_ROOT, "package.json"))).toBe(true);
  expect(existsSync(join(APP_ROOT, "app/platform/db/migrations/meta/_journal.json"))).toBe(true);
  expect(existsSync(join(APP_ROOT, "views/static/app.css"))).toBe(true);
});

test("every path of the data directory's layout lies inside it, and ids cannot lead out of it", () => {
  const root = "/srv/nas-data";
  const p = dataPaths(root);
  const sha = "ab".repeat(32);
  const named = [
    ...Object.values(p).filter((v): v is string => typeof v === "string"),
    ...p.dbFiles,
    p.userDir("u1"),
    p.userTmp("u1"),
    p.userDropping("u1"),
    p.userImport("u1"),
    p.userPreviews("u1"),
    p.blob("u1", sha),
    p.drivePreview("u1", sha),
    ...Object.values(p.derivatives("u1", sha)),
  ];
  for (const path of named) expect(path === root || !relative(root, path).startsWith("..")).toBe(true);
  expect(p.blob("u1", sha)).toBe(join(root, "users/u1/blobs/ab/ab", sha));
  expect(p.derivatives("u1", sha).video).toBe(join(root, "transcodes/u1/ab/ab", `${sha}.mp4`));

  for (const bad of ["..", "../u2", "a/b", "", "a\0b"]) {
    expect(() => p.userDir(bad)).toThrow(AppError);
    expect(() => p.blob(bad, sha)).toThrow(AppError);
    expect(() => p.derivatives(bad, sha)).toThrow();
  }
  for (const bad of ["../../etc/passwd", "AB".repeat(32), "ab".repeat(31)]) {
    expect(() => p.blob("u1", bad)).toThrow(AppError);
    expect(() => p.drivePreview("u1", bad)).toThrow(AppError);
    expect(() => p.derivatives("u1", bad)).toThrow();
  }
});

test("a copy of the tree knows the live database and the scratch space by their relative paths", () => {
  for (const rel of ["db.sqlite", "db.sqlite-wal", "db.sqlite-shm", "db.sqlite.partial"]) expect(isLiveDatabaseFile(rel)).toBe(true);
  for (const rel of ["backups/db-20260101-000000.sqlite", "db.sqlite.restore", "users/u1/db.sqlite"]) expect(isLiveDatabaseFile(rel)).toBe(false);
  for (const rel of ["users/u1/tmp", "users/u1/tmp/x", "users/u1/previews/ab/x.webp"]) expect(isScratch(rel)).toBe(true);
  for (const rel of ["users/u1/blobs/ab/cd/x", "users/u1/tmpx", "thumbs/u1/previews"]) expect(isScratch(rel)).toBe(false);
  for (const rel of ["backup/tree/files/alice/a.jpg", "backup/cache", "backup/guests/g1/data/ab/x"]) expect(isScratch(rel)).toBe(true);
  for (const rel of ["backup/targets/t1/password", "backup/ssh/id_ed25519", "backups/db-20260101-000000.sqlite"]) expect(isScratch(rel)).toBe(false);
});
