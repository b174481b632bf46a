// The folder tree: listing, the path above an item, making folders, rename, move, copy, stars.
import { authorOf, type LinkViewer, type Viewer } from "../access/viewer";
import type { DriveFile, User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import type { DriveContext } from "./context";
import { folderFor, freeName, itemFor, itemsFor, newId, oneDrive, placeName } from "./items";
import { validateName, type Conflict, type ListOptions } from "./model";

const EVERY_CHILD = { sort: "name", desc: false, offset: 0, limit: 1_000_000 } as const;

export const usage = (ctx: DriveContext, user: User) => ({ used: ctx.repo.usedBytes(user.id), quota: ctx.repo.user(user.id)?.quotaBytes ?? null });

/** A folder's page (the person's root without an id) and the path to it, as far up as the viewer may see. */
export function list(ctx: DriveContext, viewer: Viewer, folderId: string | undefined, opts: ListOptions) {
  const folder = folderFor(ctx, viewer, folderId, "file.read");
  const { items, hasMore } = ctx.repo.children(folder.id, opts);
  return { folder, breadcrumbs: ctx.access.visibleAncestors(viewer, folder.id), items, hasMore };
}

/**
 * A folder's live children, folders first and each kind by name, `size` at a time (WebDAV streams a listing of any
 * length in bounded memory). Access is decided once, for the folder, before the first page is read.
 */
export function childPages(ctx: DriveContext, viewer: Viewer, folderId: string, size: number): Iterable<DriveFile[]> {
  const folder = folderFor(ctx, viewer, folderId, "file.read");
  return (function* () {
    for (const kind of ["folder", "file"] as const) {
      for (let after = ""; ; ) {
        const page = ctx.repo.childrenAfter(folder.id, kind, after, size);
        if (page.length) yield page;
        if (page.length < size) break;
        after = page.at(-1)!.name;
      }
    }
  })();
}

/** The live item named `name` in a folder the viewer may read, or undefined (WebDAV walks paths by name). */
export const childNamed = (ctx: DriveContext, viewer: Viewer, folderId: string, name: string) =>
  ctx.repo.liveChild(folderFor(ctx, viewer, folderId, "file.read").id, name);

/** Whether `id` lies inside the folder `folderId`, at any depth (the folder itself is not inside itself). */
export const isBelow = (ctx: DriveContext, id: string, folderId: string) => id !== folderId && ctx.repo.ancestors(id).some((a) => a.id === folderId);

export const breadcrumbs = (ctx: DriveContext, viewer: Viewer, id: string) => ctx.access.visibleAncestors(viewer, itemFor(ctx, viewer, id).id);

/** Folders other people shared with this person (live ones), for "Shared with me". */
export function sharedWithMe(ctx: DriveContext, user: User): DriveFile[] {
  const ids = ctx.access.sharedFolderIds(user);
  const readable = ctx.access.allowed(user, "file.read", ids);
  return ids.filter((id) => readable.has(id)).flatMap((id) => ctx.repo.byId(id) ?? []);
}

export const recent = (ctx: DriveContext, user: User) => ctx.repo.recent(user.id, 50);
export const starred = (ctx: DriveContext, user: User) => ctx.repo.starred(user.id);

export function mkdir(ctx: DriveContext, viewer: User | LinkViewer, parentId: string | undefined, rawName: string, conflict: Conflict = "fail"): DriveFile {
  const parent = folderFor(ctx, viewer, parentId, "file.write");
  const name = validateName(rawName);
  return ctx.repo.transaction(() => {
    const existing = ctx.repo.liveChild(parent.id, name);
    if (existing?.kind === "folder" && conflict === "replace") return existing;
    const at = ctx.now();
    return ctx.repo.insert({
      id: newId(),
      userId: parent.userId,
      parentId: parent.id,
      kind: "folder",
      name: placeName(ctx, parent.id, name, conflict),
      createdAt: at,
      updatedAt: at,
      createdBy: authorOf(viewer, parent.userId),
    });
  });
}

/** Creates each missing folder of `path` (names) under `parentId`, reusing existing ones: for folder uploads. */
export function mkdirs(ctx: DriveContext, viewer: User | LinkViewer, parentId: string | undefined, names: string[]): DriveFile {
  let folder = folderFor(ctx, viewer, parentId, "file.write");
  for (const n of names) folder = mkdir(ctx, viewer, folder.id, n, "replace");
  return folder;
}

export function rename(ctx: DriveContext, user: User, id: string, rawName: string): DriveFile {
  const item = itemFor(ctx, user, id, "file.manage");
  if (item.parentId === null) throw new AppError(400, "The root folder cannot be renamed.");
  const name = validateName(rawName);
  return ctx.repo.transaction(() => ctx.repo.update(item.id, { name: placeName(ctx, item.parentId!, name, "fail", item.id), updatedAt: ctx.now() })!);
}

export function move(ctx: DriveContext, user: User, ids: string[], targetId: string): DriveFile[] {
  const target = folderFor(ctx, user, targetId, "file.write");
  const items = itemsFor(ctx, user, ids, "file.manage");
  if (!oneDrive([...items, target])) throw new AppError(400, "Items move only within one person's Drive: copy them instead.");
  const targetPath = new Set(ctx.repo.ancestors(target.id).map((a) => a.id));
  return ctx.repo.transaction(() =>
    items.map((item) => {
      if (item.parentId === null) throw new AppError(400, "The root folder cannot be moved.");
      if (targetPath.has(item.id)) throw new AppError(400, `“${item.name}” cannot be moved into itself.`);
      if (item.parentId === target.id) return item;
      return ctx.repo.update(item.id, { parentId: target.id, name: placeName(ctx, target.id, item.name, "rename"), updatedAt: ctx.now() })!;
    }),
  );
}

export function copy(ctx: DriveContext, user: User, ids: string[], targetId: string): DriveFile[] {
  const target = folderFor(ctx, user, targetId, "file.write");
  const items = itemsFor(ctx, user, ids, "file.read");
  // Content is shared between copies by reference, which only works inside one person's storage.
  if (!oneDrive([...items, target])) throw new AppError(400, "Copying between two people's Drives is not supported yet: download and upload instead.");
  const targetPath = new Set(ctx.repo.ancestors(target.id).map((a) => a.id));
  return ctx.repo.transaction(() =>
    items.map((item) => {
      if (item.parentId === null || targetPath.has(item.id)) throw new AppError(400, `“${item.name || "Drive"}” cannot be copied into itself.`);
      return copyTree(ctx, user, item, target.id, freeName(ctx, target.id, item.name), ctx.now());
    }),
  );
}

function copyTree(ctx: DriveContext, user: User, item: DriveFile, targetId: string, name: string, at: Date): DriveFile {
  const copied = ctx.repo.insert({
    id: newId(),
    userId: item.userId,
    parentId: targetId,
    kind: item.kind,
    name,
    sha256: item.sha256,
    size: item.size,
    mime: item.mime,
    createdAt: at,
    updatedAt: at,
    createdBy: authorOf(user, item.userId),
  });
  if (item.sha256) ctx.repo.addBlobRef(item.userId, item.sha256, item.size, item.mime ?? "application/octet-stream", at);
  if (item.kind === "folder") for (const child of ctx.repo.children(item.id, EVERY_CHILD).items) copyTree(ctx, user, child, copied.id, child.name, at);
  return copied;
}

/** A file's modification time as its client reports it (WebDAV `X-OC-Mtime`, `Win32LastModifiedTime`). */
export const setModified = (ctx: DriveContext, viewer: User, id: string, at: Date) =>
  ctx.repo.update(itemFor(ctx, viewer, id, "file.write").id, { updatedAt: at })!;

export const star = (ctx: DriveContext, user: User, id: string, starred: boolean) => ctx.repo.update(itemFor(ctx, user, id, "file.star").id, { starred })!;
