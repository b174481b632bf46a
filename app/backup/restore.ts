/**
 * Getting things back from a snapshot:
 *
 * - **Browsing**: a snapshot's own database is fetched (`openSnapshot`, into `<data>/backup/snapshots/`), so people,
 *   folders, files and albums are shown as they were on that date, with their names.
 * - **Into Drive**: a file, a folder or an album of that date is restored by restic into a folder on the data disk,
 *   each file is checked against the SHA-256 it had, and Drive takes it through its own commit path
 *   (`drive.restoreFile`) into `Restored/<date>/…` of its owner: never over anything, deduplicated, on the quota,
 *   and the media pipeline hears of it.
 * - **A whole box** (the setup wizard on a new box): the latest snapshot is restored into `<data>/backup/incoming`,
 *   every file is checked and moved to its content address, settings and backup keys go back in place, and the
 *   snapshot's database is then staged by the wizard (app/setup/restore.ts) and swapped in at the restart.
 * - **A blob for the scrub**: the newest snapshot that holds the good content gives it back (`repairFromBackup`).
 */
import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fsyncPath } from "../../hw/files";
import type { DriveFile, User } from "../platform/db/schema";
import { writeTransaction } from "../platform/db/client";
import { AppError } from "../platform/errors";
import { createFileObjects } from "../platform/objects";
import { dataPaths } from "../platform/paths";
import { includePattern, TREE, type TreeFile, treeFiles } from "./layout";
import type { BackupContext } from "./run";
import { ensureSshKey, refreshListing, resticFor } from "./run";

/** What restoring into Drive needs of Drive (the worker's Drive service). */
export type DriveRestorer = {
  restoreFile: (user: User, folderNames: string[], name: string, path: string, sha256: string) => Promise<DriveFile>;
};

export type RestoreItem = { kind: "file" | "folder" | "album"; id: string };

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

// ---------------------------------------------------------------------------------------------------------------
// A snapshot's database

/** Fetches the database of a snapshot (once; the three most recently used stay). */
export async function openSnapshot(ctx: BackupContext, targetId: string, snapshotId: string, signal?: AbortSignal): Promise<string> {
  const paths = dataPaths(ctx.dataDir).backup;
  const file = paths.snapshotDb(targetId, snapshotId);
  if (existsSync(file)) {
    utimesSync(file, new Date(), new Date());
    return file;
  }
  const target = ctx.repo.target(targetId);
  if (!target) throw new AppError(404, "This backup target does not exist any more.");
  const tmp = `${file}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  try {
    await resticFor(ctx, target).restic(["restore", snapshotId, "--target", tmp, "--include", `/${TREE.databaseFile}`], { timeoutMs: 60 * 60_000, signal });
    const restored = join(tmp, TREE.databaseFile);
    if (!existsSync(restored)) throw new AppError(404, "This snapshot holds no database.");
    renameSync(restored, file);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const kept = readdirSync(paths.snapshotDbs)
    .filter((n) => n.endsWith(".sqlite"))
    .map((n) => ({ path: join(paths.snapshotDbs, n), at: statSync(join(paths.snapshotDbs, n)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of kept.slice(3)) rmSync(old.path, { force: true });
  return file;
}

export type SnapshotPerson = { id: string; username: string; displayName: string };
export type SnapshotEntry = { id: string; kind: "folder" | "file"; name: string; size: number };

/** Reading a fetched snapshot database (read-only): what the restore pages show. */
export function snapshotReader(file: string) {
  const db = new Database(file, { readonly: true });
  return {
    close: () => db.close(),
    people: () => db.query<SnapshotPerson, []>("select id, username, display_name as displayName from users order by username").all(),
    /** A folder of `userId` (its root when `folderId` is absent), its path from the root, and what it held. */
    folder(userId: string, folderId?: string) {
      const folder = folderId
        ? db
            .query<{ id: string; name: string; parentId: string | null }, [string, string]>(
              "select id, name, parent_id as parentId from files where id = ? and user_id = ? and kind = 'folder' and trashed_at is null",
            )
            .get(folderId, userId)
        : db
            .query<{ id: string; name: string; parentId: string | null }, [string]>(
              "select id, name, parent_id as parentId from files where user_id = ? and parent_id is null and kind = 'folder'",
            )
            .get(userId);
      if (!folder) return null;
      const trail: { id: string; name: string }[] = [];
      for (let at: typeof folder | null = folder; at?.parentId; ) {
        trail.unshift({ id: at.id, name: at.name });
        at = db
          .query<{ id: string; name: string; parentId: string | null }, [string]>("select id, name, parent_id as parentId from files where id = ?")
          .get(at.parentId);
      }
      const items = db
        .query<SnapshotEntry, [string]>(
          "select id, kind, name, size from files where parent_id = ? and trashed_at is null order by kind = 'file', name collate nocase limit 2000",
        )
        .all(folder.id);
      return { folder, trail, items };
    },
    albums: (userId: string) =>
      db
        .query<{ id: string; name: string; count: number }, [string]>(
          "select a.id, a.name, count(i.sha256) as count from albums a left join album_items i on i.album_id = a.id where a.user_id = ? group by a.id order by a.name collate nocase",
        )
        .all(userId),
    /** The files a restore of `item` brings back, each with the path it gets below `Restored/<date>/`. */
    filesOf(item: RestoreItem): { owner: string; base?: string; files: (TreeFile & { dest: string[] })[] } {
      if (item.kind === "album") {
        const album = db.query<{ user_id: string; name: string }, [string]>("select user_id, name from albums where id = ?").get(item.id);
        if (!album) throw new AppError(404, "This album is not in the snapshot.");
        const shas = new Set(
          db
            .query<{ sha256: string }, [string]>("select sha256 from album_items where album_id = ?")
            .all(item.id)
            .map((r) => r.sha256),
        );
        const seen = new Set<string>();
        const files = treeFiles(db, { userId: album.user_id }).filter((f) => shas.has(f.sha256) && !seen.has(f.sha256) && seen.add(f.sha256));
        return { owner: album.user_id, files: files.map((f) => ({ ...f, dest: [album.name, f.path.split("/").at(-1)!] })) };
      }
      const row = db
        .query<{ user_id: string; kind: string; name: string }, [string]>("select user_id, kind, name from files where id = ? and trashed_at is null")
        .get(item.id);
      if (!row || row.kind !== item.kind) throw new AppError(404, `This ${item.kind} is not in the snapshot.`);
      const all = treeFiles(db, { userId: row.user_id });
      if (item.kind === "file") {
        const f = all.find((x) => x.id === item.id);
        if (!f) throw new AppError(404, "This file is not in the snapshot.");
        return { owner: row.user_id, files: [{ ...f, dest: [row.name] }] };
      }
      // The folder's place in the tree: its owner's name and the names of the folders above it.
      const names: string[] = [];
      for (let at: string | null = item.id; at; ) {
        const f = db.query<{ name: string; parent_id: string | null }, [string]>("select name, parent_id from files where id = ?").get(at);
        if (!f?.parent_id) break;
        names.unshift(f.name);
        at = f.parent_id;
      }
      const username = db.query<{ username: string }, [string]>("select username from users where id = ?").get(row.user_id)?.username ?? "";
      const base = [TREE.files, username, ...names].join("/");
      const files = all.filter((f) => f.path.startsWith(`${base}/`));
      return { owner: row.user_id, base, files: files.map((f) => ({ ...f, dest: [row.name, ...f.path.slice(base.length + 1).split("/")] })) };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Into Drive

const dayOf = (at: Date, timeZone: string) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);

/**
 * Restores a file, a folder or an album as it was in the snapshot into its owner's Drive under `Restored/<date>/`
 * (a removed owner's into the admin's, under `Restored/<date>/<their name>/`). Returns how many files came back.
 */
export async function restoreIntoDrive(
  ctx: BackupContext & { drive: DriveRestorer; userById: (id: string) => User | undefined },
  job: { id: number; targetId: string; snapshotId: string; item: RestoreItem; requestedBy: string },
  signal?: AbortSignal,
): Promise<{ restored: number; owner: string; folder: string[] }> {
  const target = ctx.repo.target(job.targetId);
  const snapshot = ctx.repo.snapshot(job.targetId, job.snapshotId);
  if (!target || !snapshot) throw new AppError(404, "This snapshot is not in the backup any more.");
  const reader = snapshotReader(await openSnapshot(ctx, job.targetId, job.snapshotId, signal));
  let plan: ReturnType<ReturnType<typeof snapshotReader>["filesOf"]>;
  let ownerName: string;
  try {
    plan = reader.filesOf(job.item);
    ownerName = reader.people().find((p) => p.id === plan.owner)?.username ?? plan.owner;
  } finally {
    reader.close();
  }
  if (plan.files.length === 0) throw new AppError(404, "Nothing to restore: it held no files on that date.");
  const owner = ctx.userById(plan.owner);
  const into = owner ?? ctx.userById(job.requestedBy);
  if (!into) throw new AppError(404, "Nobody to restore the files for.");
  const folder = ["Restored", dayOf(snapshot.time, ctx.timeZone()), ...(owner ? [] : [ownerName])];

  const tmp = dataPaths(ctx.dataDir).backup.restoreTmp(job.id);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  try {
    // A folder is one include (restic takes everything under it); a file or an album's photos are one each.
    const includes = plan.base ? [includePattern(plan.base)] : plan.files.map((f) => includePattern(f.path));
    await resticFor(ctx, target).restic(["restore", job.snapshotId, "--target", tmp, ...includes.flatMap((p) => ["--include", p])], {
      timeoutMs: 24 * 3600_000,
      signal,
    });
    let restored = 0;
    for (const f of plan.files) {
      const path = join(tmp, f.path);
      if (!existsSync(path)) throw new AppError(404, `“${f.dest.at(-1)}” is missing from the snapshot.`);
      await ctx.drive.restoreFile(into, [...folder, ...f.dest.slice(0, -1)], f.dest.at(-1)!, path, f.sha256);
      restored++;
    }
    return { restored, owner: into.username, folder };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A whole box

export type IncomingState = { snapshotId: string; time: string; files: number; bytes: number; admins: string[] };

/**
 * The setup wizard's "Restore from a backup": the latest snapshot of `targetId` comes back into this (new) box.
 * Every file is checked against its SHA-256 before it takes its place; what is already in place is skipped, so an
 * interrupted restore simply runs again. The database is left in `incoming/database/db.sqlite` for the wizard to
 * stage (it checks it and restarts the box onto it).
 */
export async function restoreBox(
  ctx: BackupContext,
  targetId: string,
  report: { progress: (p: number) => void; signal?: AbortSignal },
): Promise<IncomingState> {
  const target = ctx.repo.target(targetId);
  if (!target) throw new AppError(404, "This backup target does not exist any more.");
  if (target.kind === "sftp") await ensureSshKey(ctx);
  const restic = resticFor(ctx, target);
  await refreshListing(ctx, target, restic, report.signal);
  const latest = ctx.repo.snapshots(targetId)[0];
  if (!latest) throw new AppError(404, "This repository holds no backup yet.");
  const paths = dataPaths(ctx.dataDir);
  const objects = createFileObjects({ dataDir: ctx.dataDir });
  const incoming = paths.backup.incoming;
  mkdirSync(incoming, { recursive: true, mode: 0o700 });
  report.progress(5);
  // restic skips nothing on its own: an interrupted restore starts over, but placing below skips what is done.
  await restic.restic(["restore", latest.id, "--target", incoming], { timeoutMs: 7 * 24 * 3600_000, signal: report.signal });
  report.progress(70);

  const dbFile = join(incoming, TREE.databaseFile);
  if (!existsSync(dbFile)) throw new AppError(422, "This backup holds no database: it was not made by a nasd box.");
  const db = new Database(dbFile);
  let files = 0;
  let bytes = 0;
  try {
    const all = treeFiles(db);
    for (const [i, f] of all.entries()) {
      if (!objects.head(f.userId, f.sha256)) {
        const source = join(incoming, f.path);
        if (!existsSync(source)) throw new AppError(422, `${f.path} is missing from the backup.`);
        const staged = await objects.stageFile(f.userId, source);
        if (staged.sha256 !== f.sha256) {
          objects.discard(staged);
          throw new AppError(422, `${f.path} came back damaged (its SHA-256 differs): restore stopped.`);
        }
        objects.commit(f.userId, staged);
        bytes += f.size;
      }
      files++;
      if (i % 100 === 0) report.progress(70 + (25 * i) / all.length);
    }
    // Contents the snapshot has no file for (only trashed files used them: the trash is not backed up) go from the
    // database, so nothing points at content that is not there.
    const stored = db.query<{ user_id: string; sha256: string }, []>("select user_id, sha256 from blobs").all();
    const drop = db.prepare("delete from files where user_id = ? and sha256 = ?");
    const dropBlob = db.prepare("delete from blobs where user_id = ? and sha256 = ?");
    writeTransaction(db, () => {
      for (const b of stored)
        if (!objects.head(b.user_id, b.sha256)) {
          drop.run(b.user_id, b.sha256);
          dropBlob.run(b.user_id, b.sha256);
        }
    });
    const media = join(incoming, TREE.media);
    if (existsSync(media)) {
      moveTree(join(media, "thumbs"), paths.thumbs);
      moveTree(join(media, "transcodes"), paths.transcodes);
    } else {
      // No thumbnails came back: the pipeline makes them again (its hourly backfill finds content without a row).
      db.run("delete from media");
    }
    // The snapshot this box came from is the backup's last success (its database was copied before that run ended).
    db.run("update backup_targets set last_success_at = ?1, last_run_at = ?1, last_error = null, failures = 0 where location = ?2 and kind = ?3", [
      latest.time.getTime(),
      target.location,
      target.kind,
    ]);
    const admins = db
      .query<{ username: string }, []>("select username from users where role = 'admin'")
      .all()
      .map((r) => r.username);
    db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    restoreSettings(ctx.dataDir, join(incoming, TREE.settings));
    const state: IncomingState = { snapshotId: latest.id, time: latest.time.toISOString(), files, bytes, admins };
    return state;
  } finally {
    db.close();
  }
}

/** Moves every file under `from` to the same place under `to` unless one is there. */
function moveTree(from: string, to: string) {
  if (!existsSync(from)) return;
  for (const e of readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const source = join(e.parentPath, e.name);
    const dest = join(to, relative(from, source));
    if (existsSync(dest)) continue;
    mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
    renameSync(source, dest);
  }
}

/** The files beside the database: system settings, the instance secret, the backup targets' secrets, the SSH key. */
function restoreSettings(dataDir: string, from: string) {
  if (!existsSync(from)) return;
  const paths = dataPaths(dataDir);
  const place = (rel: string, dest: string) => {
    const source = join(from, rel);
    if (!existsSync(source)) return;
    mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
    renameSync(source, dest);
  };
  place("system-settings.json", paths.systemSettings);
  place("secret.key", paths.secret);
  place("backup-ssh/id_ed25519", paths.backup.sshKey);
  place("backup-ssh/id_ed25519.pub", `${paths.backup.sshKey}.pub`);
  const targets = join(from, "backup-targets");
  if (existsSync(targets)) moveTree(targets, join(paths.backup.root, "targets"));
  fsyncPath(dataDir);
}

// ---------------------------------------------------------------------------------------------------------------
// A blob for the scrub

/**
 * Finds the good content of `sha256` (of `userId`) in the newest snapshot that holds it, across the active targets
 * (most recently successful first), and puts it back through `repair`. Returns where it came from, or null.
 */
export async function repairFromBackup(
  ctx: BackupContext,
  blob: { userId: string; sha256: string },
  repair: (source: string) => Promise<boolean>,
  signal?: AbortSignal,
): Promise<string | null> {
  const targets = ctx.repo.activeTargets().sort((a, b) => (b.lastSuccessAt?.getTime() ?? 0) - (a.lastSuccessAt?.getTime() ?? 0));
  for (const target of targets) {
    // A box restored from a backup has not listed its targets' snapshots yet.
    if (ctx.repo.snapshots(target.id).length === 0) await refreshListing(ctx, target, resticFor(ctx, target), signal).catch(() => {});
    for (const snapshot of ctx.repo.snapshots(target.id).slice(0, 10)) {
      let match: TreeFile | undefined;
      try {
        const db = new Database(await openSnapshot(ctx, target.id, snapshot.id, signal), { readonly: true });
        try {
          match = treeFiles(db, { userId: blob.userId }).find((f) => f.sha256 === blob.sha256);
        } finally {
          db.close();
        }
      } catch {
        continue; // this snapshot cannot be read now: the next one may
      }
      if (!match) continue;
      const tmp = dataPaths(ctx.dataDir).backup.restoreTmp(Date.now());
      mkdirSync(tmp, { recursive: true, mode: 0o700 });
      try {
        await resticFor(ctx, target).restic(["restore", snapshot.id, "--target", tmp, "--include", includePattern(match.path)], {
          timeoutMs: 6 * 3600_000,
          signal,
        });
        const source = join(tmp, match.path);
        if (existsSync(source) && (await repair(source))) return `the backup “${target.name}” of ${snapshot.time.toISOString().slice(0, 10)}`;
      } catch {
        // This target or snapshot could not give it back: try the next.
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
  }
  return null;
}

/** The file `incoming/state.json` the wizard reads when the restore job is done. */
export const incomingStateFile = (dataDir: string) => join(dataPaths(dataDir).backup.incoming, "state.json");
export const readIncoming = (dataDir: string): IncomingState | null => {
  const f = incomingStateFile(dataDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as IncomingState) : null;
};
