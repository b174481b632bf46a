// The trash: deleting moves items here (with the path they came from), restore puts them back, purge frees the content.
import type { DriveFile, User } from "../platform/db/schema";
import { AppError, notFound } from "../platform/errors";
import { bookkeeping } from "../platform/space";
import type { DriveContext } from "./context";
import { contentOf } from "./content";
import { freeName, itemFor, itemsFor, pathNames } from "./items";
import { mkdirs } from "./tree";

export const trash = (ctx: DriveContext, user: User) => ctx.repo.trashRoots(user.id);

/**
 * Inside a trashed folder (Nextcloud's apps browse the trash): the item named `name` that went to the trash with
 * `folderId`, if the person may read that trashed folder (the policy, asked with `trashed`), else 404.
 */
export function trashedChildNamed(ctx: DriveContext, user: User, folderId: string, name: string): DriveFile | undefined {
  const folder = itemFor(ctx, user, folderId, "file.read", { trashed: true });
  if (folder.kind !== "folder" || !folder.trashRootId) throw notFound("This folder");
  return ctx.repo.trashedChild(folder.id, folder.trashRootId, name);
}

/** The children of a trashed folder that went to the trash with it, `size` at a time by name (keyset, like `childPages`). */
export function trashedChildPages(ctx: DriveContext, user: User, folderId: string, size: number): Iterable<DriveFile[]> {
  const folder = itemFor(ctx, user, folderId, "file.read", { trashed: true });
  if (folder.kind !== "folder" || !folder.trashRootId) throw notFound("This folder");
  const rootId = folder.trashRootId;
  return (function* () {
    for (let after = ""; ; ) {
      const page = ctx.repo.trashedChildrenAfter(folder.id, rootId, after, size);
      if (page.length) yield page;
      if (page.length < size) break;
      after = page.at(-1)!.name;
    }
  })();
}

/** A trashed file's content, for the person who may read it there (the policy, asked with `trashed`). */
export const trashedContent = (ctx: DriveContext, user: User, id: string) => contentOf(ctx, itemFor(ctx, user, id, "file.read", { trashed: true }));

/** Deleting must work on a full disk (the 507 tells people to delete): it may use the space reserve. */
export function moveToTrash(ctx: DriveContext, user: User, ids: string[]) {
  const items = itemsFor(ctx, user, ids, "file.manage");
  const at = ctx.now();
  ctx.space.freeing(() =>
    ctx.repo.transaction(() =>
      items.forEach((item) => {
        if (item.parentId === null) throw new AppError(400, "The root folder cannot be deleted.");
        ctx.repo.markTrashed(item.id, at, pathNames(ctx, item.parentId));
      }),
    ),
  );
  return items;
}

/** Back to the original folder; parents that were deleted meanwhile are recreated from the saved path. */
export function restore(ctx: DriveContext, user: User, ids: string[]): DriveFile[] {
  const items = itemsFor(ctx, user, ids, "file.restore", { trashed: true });
  return ctx.repo.transaction(() =>
    items.map((item) => {
      if (!item.trashedAt || item.trashRootId !== item.id) throw new AppError(400, `“${item.name}” is not in the trash.`);
      const parent = item.parentId && ctx.access.allowed(user, "file.write", [item.parentId]).size ? ctx.repo.byId(item.parentId) : undefined;
      const target = parent ?? mkdirs(ctx, user, undefined, item.trashedFromPath ?? []);
      ctx.repo.unmarkTrashed(item.id, target.id, freeName(ctx, target.id, item.name));
      return ctx.repo.byId(item.id)!;
    }),
  );
}

export function purge(ctx: DriveContext, user: User, ids: string[]) {
  for (const item of itemsFor(ctx, user, ids, "file.purge", { trashed: true })) {
    if (item.trashRootId !== item.id) throw new AppError(400, `“${item.name}” is not in the trash.`);
    purgeTrashRoot(ctx, item);
  }
}

export function emptyTrash(ctx: DriveContext, user: User) {
  for (const item of ctx.repo.trashRoots(user.id)) purgeTrashRoot(ctx, item);
}

/** Start-up recovery of the web process: temp files of the uploads its previous run was receiving. */
export function sweep(ctx: DriveContext) {
  ctx.blobs.objects.sweepStaged();
}

/** Trash past its retention (the hourly `drive.trash-purge` job). Returns how many trashed items went. */
export function purgeExpiredTrash(ctx: DriveContext) {
  const before = new Date(ctx.now().getTime() - ctx.trashRetentionDays() * 86_400_000);
  const expired = ctx.repo.expiredTrashRoots(before);
  for (const item of expired) purgeTrashRoot(ctx, item);
  return expired.length;
}

/** Deletes a trash root's rows and then the content nothing references any more. */
function purgeTrashRoot(ctx: DriveContext, item: DriveFile) {
  // Frees space, so it must work on a full disk: the rows' deletion may use the space reserve.
  const gone = ctx.space.freeing(() =>
    ctx.repo.transaction(() => {
      const shas: string[] = [];
      const rows = ctx.repo.purgeSet(item.id);
      for (const r of rows) if (r.sha256 && ctx.repo.dropBlobRef(r.userId, r.sha256)) shas.push(r.sha256);
      ctx.repo.deleteRows(rows.map((r) => r.id));
      return shas;
    }),
  );
  for (const sha of gone) {
    ctx.blobs.removeBlob(item.userId, sha);
    bookkeeping(() => ctx.media?.contentRemoved(item.userId, sha));
  }
}

/** The space reserve, made again once there is room (the worker's `drive.space-reserve` job, and the web process at start). */
export const ensureSpaceReserve = (ctx: DriveContext) => ctx.space.ensure();
