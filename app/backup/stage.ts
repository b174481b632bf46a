/**
 * Prepares the tree restic reads (layout.ts) under `<data>/backup/tree`, kept between runs so that restic's change
 * detection sees an unchanged file as unchanged: Drive files and Photos' derivatives are hard links to the stored
 * content (same inode, same times), added and removed as Drive changes; the database is a fresh VACUUM INTO snapshot;
 * small settings files are rewritten only when they differ.
 */
import {
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fsyncPath } from "../../hw/files";
import type { Db } from "../platform/db/client";
import { createFileObjects } from "../platform/objects";
import { dataPaths } from "../platform/paths";
import { TREE, treeFiles } from "./layout";

export type StageResult = {
  /** What restic backs up, relative to the tree (its working directory). */
  paths: string[];
  files: number;
  bytes: number;
};

/** Every regular file under `root`, relative to it. */
function walk(root: string, out: Map<string, string> = new Map(), base = root): Map<string, string> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const full = join(root, e.name);
    if (e.isDirectory()) walk(full, out, base);
    else if (e.isFile()) out.set(relative(base, full), full);
  }
  return out;
}

/** Removes directories left empty under `root` (deepest first); keeps `root`. */
function pruneEmptyDirs(root: string): boolean {
  let empty = true;
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const full = join(root, e.name);
    if (e.isDirectory() && pruneEmptyDirs(full)) rmdirSync(full);
    else empty = false;
  }
  return empty;
}

/**
 * Makes `root` hold exactly `wanted` (relative path → the stored file it links to): links that already point at the
 * right file stay untouched, others go, missing ones are made. A file system that allows no more links to a file
 * gets a copy instead.
 */
export function syncLinks(root: string, wanted: Map<string, string>) {
  mkdirSync(root, { recursive: true });
  const done = new Set<string>();
  for (const [rel, existing] of walk(root)) {
    const source = wanted.get(rel);
    if (source !== undefined) {
      try {
        const a = lstatSync(existing);
        const b = statSync(source);
        if (a.ino === b.ino && a.dev === b.dev) {
          done.add(rel);
          continue;
        }
      } catch {} // the source is gone: the link goes and nothing is made
    }
    unlinkSync(existing);
  }
  for (const [rel, source] of wanted) {
    if (done.has(rel)) continue;
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    try {
      linkSync(source, path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") continue; // purged meanwhile
      if (code === "EMLINK" || code === "EXDEV") copyFileSync(source, path);
      else if (code === "EEXIST") {
        unlinkSync(path);
        linkSync(source, path);
      } else throw e;
    }
  }
  pruneEmptyDirs(root);
}

/** Writes `content` only when it differs: an unchanged file keeps its times, so restic skips it. */
function keepFile(path: string, content: Buffer) {
  if (existsSync(path) && readFileSync(path).equals(content)) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const partial = `${path}.partial`;
  writeFileSync(partial, content, { mode: 0o600 });
  fsyncPath(partial);
  renameSync(partial, path);
}

const README = `This is a backup of a nasd box, made with restic.

  files/<person>/…      every person's Drive, with the real folder and file names
  database/db.sqlite    the box's database (accounts, albums, shares, settings): a new box restores it
  settings/             the box's settings files and its backup targets' keys
  media/                Photos' thumbnails and playable videos, when they were included

To restore a whole box: set up a new box and choose "Restore from a backup" in its setup wizard.
To get files back on any computer: restic restore latest --target <folder> (see the emergency kit).
`;

/** The small files beside the database that a restored box needs: settings, the instance secret, backup keys. */
function settingsFiles(dataDir: string): Map<string, string> {
  const paths = dataPaths(dataDir);
  const out = new Map<string, string>();
  for (const [name, path] of [
    ["system-settings.json", paths.systemSettings],
    ["secret.key", paths.secret],
    ["backup-ssh/id_ed25519", paths.backup.sshKey],
    ["backup-ssh/id_ed25519.pub", `${paths.backup.sshKey}.pub`],
  ] as const)
    if (existsSync(path)) out.set(name, path);
  const targets = join(paths.backup.root, "targets");
  for (const [rel, full] of walk(targets)) out.set(join("backup-targets", rel), full);
  return out;
}

/**
 * Brings the tree up to date for a backup: returns the top-level names restic backs up. The database snapshot is
 * taken first, so every file row it holds has its content linked below (content is never deleted while a backup
 * runs: a purge that races it removes a link that restic then reports as gone, which is harmless).
 */
export function stageTree(deps: { db: Db; dataDir: string; includeMedia: boolean }): StageResult {
  const paths = dataPaths(deps.dataDir);
  const objects = createFileObjects({ dataDir: deps.dataDir });
  const tree = paths.backup.tree;
  mkdirSync(join(tree, TREE.database), { recursive: true, mode: 0o700 });

  keepFile(join(tree, TREE.readme), Buffer.from(README));

  const dbFile = join(tree, TREE.databaseFile);
  const partial = `${dbFile}.partial`;
  rmSync(partial, { force: true });
  deps.db.$client.run("VACUUM INTO ?", [partial]);
  fsyncPath(partial);
  renameSync(partial, dbFile);

  const settingsRoot = join(tree, TREE.settings);
  const wantedSettings = settingsFiles(deps.dataDir);
  for (const [rel, full] of walk(settingsRoot)) if (!wantedSettings.has(rel)) unlinkSync(full);
  for (const [rel, source] of wantedSettings) keepFile(join(settingsRoot, rel), readFileSync(source));

  const wanted = new Map<string, string>();
  let bytes = 0;
  for (const f of treeFiles(deps.db.$client)) {
    wanted.set(relative(TREE.files, f.path), objects.localPath(f.userId, f.sha256));
    bytes += f.size;
  }
  syncLinks(join(tree, TREE.files), wanted);

  const media = join(tree, TREE.media);
  if (deps.includeMedia) {
    const derivatives = new Map<string, string>();
    for (const [rel, full] of walk(paths.thumbs)) derivatives.set(join("thumbs", rel), full);
    for (const [rel, full] of walk(paths.transcodes)) derivatives.set(join("transcodes", rel), full);
    syncLinks(media, derivatives);
  } else rmSync(media, { recursive: true, force: true });

  return {
    paths: [TREE.readme, TREE.database, TREE.settings, TREE.files, ...(deps.includeMedia ? [TREE.media] : [])],
    files: wanted.size,
    bytes,
  };
}
