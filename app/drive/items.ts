// Finding the items a viewer may touch (through the access policy) and naming new ones: what every Drive module uses.
import { randomBytes } from "node:crypto";
import type { FilePermission } from "../access/permissions";
import { userOf, type Viewer } from "../access/viewer";
import type { DriveFile, User } from "../platform/db/schema";
import { AppError, notFound } from "../platform/errors";
import type { DriveContext } from "./context";
import { numberedName, type Conflict } from "./model";

export const newId = () => randomBytes(12).toString("base64url");

/**
 * The items behind `ids` if `viewer` may do `permission` to every one, in order; items one cannot see look exactly
 * like missing ones (404), and so do items in the trash unless asked for (`trashed`).
 */
export const itemsFor = (ctx: DriveContext, viewer: Viewer, ids: readonly string[], permission: FilePermission, opts: { trashed?: boolean } = {}) =>
  ctx.access.require(viewer, permission, ids, opts);

export const itemFor = (ctx: DriveContext, viewer: Viewer, id: string, permission: FilePermission = "file.read", opts: { trashed?: boolean } = {}) =>
  itemsFor(ctx, viewer, [id], permission, opts)[0]!;

/** An item by its number (`files.seq`: what Nextcloud clients know as the file id), asked of the policy like `itemFor`. */
export const itemBySeq = (ctx: DriveContext, viewer: Viewer, seq: number, permission: FilePermission = "file.read") =>
  itemFor(ctx, viewer, ctx.repo.bySeq(seq)?.id ?? "", permission);

/** The person's root folder ("My Drive"), made on first use. */
export function rootOf(ctx: DriveContext, user: User): DriveFile {
  const existing = ctx.repo.rootOf(user.id);
  if (existing) return existing;
  const at = ctx.now();
  return ctx.repo.insert({ id: newId(), userId: user.id, parentId: null, kind: "folder", name: "", createdAt: at, updatedAt: at });
}

/** A folder by id, or the person's root without one. */
export function folderFor(ctx: DriveContext, viewer: Viewer, id: string | undefined, permission: FilePermission): DriveFile {
  if (!id) {
    const user = userOf(viewer);
    if (!user) throw notFound("This folder");
    return rootOf(ctx, user);
  }
  const folder = itemFor(ctx, viewer, id, permission);
  if (folder.kind !== "folder") throw new AppError(400, "That is a file, not a folder.");
  return folder;
}

/** Whose Drive an item is in: their quota and storage hold what is written into it, by whoever. */
export function ownerOf(ctx: DriveContext, item: DriveFile): User {
  const owner = ctx.repo.user(item.userId);
  if (!owner) throw notFound("This folder");
  return owner;
}

/** Items move and share content by reference only inside one person's Drive. */
export const oneDrive = (items: DriveFile[]) => new Set(items.map((i) => i.userId)).size <= 1;

/**
 * Whether `items` can move into `target` by reference (one person's Drive), or only by copying their bytes (WebDAV
 * moves across Drives that way: a client cannot be told to copy instead).
 */
export const movableInto = (_ctx: DriveContext, items: DriveFile[], target: DriveFile) => oneDrive([...items, target]);

/** The username of an item's owner: it tells two folders of one name shared by different people apart. */
export const ownerName = (ctx: DriveContext, item: DriveFile) => ctx.repo.user(item.userId)?.username ?? "unknown";

/** A free name in `parentId`: the name itself, or "name (n).ext". */
export function freeName(ctx: DriveContext, parentId: string, name: string): string {
  if (!ctx.repo.liveChild(parentId, name)) return name;
  const dot = name.lastIndexOf(".");
  const taken = new Set(ctx.repo.namesLike(parentId, dot > 0 ? name.slice(0, dot) : name));
  for (let n = 1; ; n++) if (!taken.has(numberedName(name, n))) return numberedName(name, n);
}

export function placeName(ctx: DriveContext, parentId: string, name: string, conflict: Conflict, exceptId?: string): string {
  const existing = ctx.repo.liveChild(parentId, name);
  if (!existing || existing.id === exceptId) return name;
  if (conflict === "rename") return freeName(ctx, parentId, name);
  throw new AppError(409, `“${name}” already exists in this folder.`);
}

/** Folder names from the root down to `id` (what a trashed item remembers to come back to). */
export const pathNames = (ctx: DriveContext, id: string) =>
  ctx.repo
    .ancestors(id)
    .filter((a) => a.parentId !== null)
    .map((a) => a.name);
