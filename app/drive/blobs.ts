// Drive's content on disk, on top of the object store (app/platform/objects.ts), which holds every original:
// what is Drive's own here is the preview cache beside the blobs, the import folder, the free-space check, and
// content and preview going together. Layout (named in app/platform/paths.ts):
//   <data>/users/<userId>/previews/<aa>/<sha256>.webp   preview cache (shares the content's lifetime)
//   <data>/users/<userId>/import/                        files dropped in by other means
//   <data>/uploads/<id>(.json)                           tus resumable uploads in progress (staged with `stageFile` when done)
// User-typed names never become path components: they live only in SQLite.
import { existsSync, lstatSync, readdirSync, rmSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { resolveInside } from "../../hw/files";
import type { Clock } from "../platform/clock";
import { createFileObjects, type Staged, type WriteFn } from "../platform/objects";
import { dataPaths, USER_ID } from "../platform/paths";

export { diskFullError, type WriteFn } from "../platform/objects";

/** Content received and hashed, not yet stored (the object store's staged content). */
export type Received = Staged;

/** Regular files under each user's import folder (`parts`: the names below it), the recent ones left for later. */
function findImports(root: string, minAgeMs: number, cutoff: number): { userId: string; path: string; parts: string[] }[] {
  const paths = dataPaths(root);
  const usersDir = paths.users;
  if (!existsSync(usersDir)) return [];
  const found: { userId: string; path: string; parts: string[] }[] = [];
  for (const userId of readdirSync(usersDir)) {
    if (!USER_ID.test(userId)) continue;
    const importRoot = paths.userImport(userId);
    if (!existsSync(importRoot)) continue;
    const walk = (parts: string[]) => {
      const dir = parts.length ? resolveInside(importRoot, join(...parts)) : importRoot;
      if (!dir) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const next = [...parts, entry.name];
        if (entry.isDirectory()) walk(next);
        else if (entry.isFile()) {
          const path = resolveInside(importRoot, join(...next));
          // minAgeMs 0 takes every file: a file's mtime may read a hair ahead of the process clock.
          if (path && (minAgeMs <= 0 || lstatSync(path).mtimeMs <= cutoff)) found.push({ userId, path, parts: next });
        }
      }
    };
    walk([]);
  }
  return found;
}

export function createBlobStore(opts: { dataDir: string; write?: WriteFn; now: Clock }) {
  const root = opts.dataDir;
  const { now } = opts;
  const objects = createFileObjects({ dataDir: root, write: opts.write });
  const previewPath = dataPaths(root).drivePreview;

  return {
    /** Every original, staged, committed and read through the object store. */
    objects,
    previewPath,
    /** Content and its cached preview go together. */
    removeBlob(userId: string, sha256: string) {
      objects.delete(userId, sha256);
      rmSync(previewPath(userId, sha256), { force: true });
    },
    /** Bytes still free for unprivileged writers on the data filesystem. */
    freeBytes() {
      const s = statfsSync(root);
      return Number(s.bavail) * Number(s.bsize);
    },
    /**
     * Files placed in `<data>/users/<id>/import/` by other means (scp, a USB copy), older than `minAgeMs` so a
     * copy still in progress is left alone. Symlinks and special files are skipped; every path is boundary-checked.
     */
    pendingImports: (minAgeMs: number) => findImports(root, minAgeMs, now().getTime() - minAgeMs),
  };
}

export type BlobStore = ReturnType<typeof createBlobStore>;
