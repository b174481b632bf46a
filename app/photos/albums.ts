// Albums: a person's own, and those shared with them (view, or contribute their own photos), all through the policy.
import { randomBytes } from "node:crypto";
import type { AlbumPermission } from "../access/permissions";
import { owns, type Viewer } from "../access/viewer";
import type { RangedBody } from "../drive/download";
import type { User } from "../platform/db/schema";
import { notFound } from "../platform/errors";
import { checkName } from "../platform/names";
import type { AlbumEntry } from "./album-repo";
import { touched, type PhotosContext } from "./context";
import { contentOf, contentsOf } from "./items";

const newId = () => randomBytes(12).toString("base64url");

/** The one name rule (app/platform/names.ts): an album's name is shown in pages, zips and other people's Photos. */
// Not a path segment: "Summer 2019/2020" is a fine album name (zip folders get their own safe names).
const albumName = (raw: string) => checkName(raw, { what: "Album names", trim: true, maxChars: 200 });

export const albums = (ctx: PhotosContext, user: User) => ctx.albums.albums(user.id);

/**
 * The album if `viewer` may do `permission` to it (its own by default), with the viewer's access ("owner",
 * "contribute", "view"): an album one cannot see is a 404, one only viewed a 403 for changes.
 */
export const album = (ctx: PhotosContext, viewer: Viewer, id: string, permission: AlbumPermission = "album.own") =>
  ctx.access.require(viewer, permission, [id])[0]!;

export function createAlbum(ctx: PhotosContext, user: User, rawName: string, ids: string[] = []) {
  const shas = contentsOf(ctx, user, ids);
  const at = ctx.now();
  const created = { id: newId(), userId: user.id, name: albumName(rawName), coverSha256: null, createdAt: at, updatedAt: at };
  ctx.repo.transaction(() => {
    ctx.albums.insertAlbum(created);
    ctx.albums.addToAlbum(created.id, user.id, shas, at);
  });
  touched(ctx, user);
  return created;
}

export function renameAlbum(ctx: PhotosContext, user: User, id: string, rawName: string) {
  ctx.albums.renameAlbum(album(ctx, user, id).id, albumName(rawName), ctx.now());
}

export function deleteAlbum(ctx: PhotosContext, user: User, id: string) {
  ctx.albums.deleteAlbum(album(ctx, user, id).id);
  touched(ctx, user);
}

/** The owner or a contributor adds their own photos; each shows as added by whoever added it. */
export function addToAlbum(ctx: PhotosContext, user: User, id: string, ids: string[]) {
  ctx.albums.addToAlbum(album(ctx, user, id, "album.contribute").id, user.id, contentsOf(ctx, user, ids), ctx.now());
  touched(ctx, user);
}

export function removeFromAlbum(ctx: PhotosContext, user: User, id: string, ids: string[]) {
  ctx.albums.removeFromAlbum(album(ctx, user, id).id, contentsOf(ctx, user, ids));
  touched(ctx, user);
}

export function setCover(ctx: PhotosContext, user: User, id: string, fileId: string) {
  ctx.albums.setCover(album(ctx, user, id).id, contentOf(ctx, user, fileId).sha256, ctx.now());
}

/** Everyone's photos in an album `viewer` may view (a person it is shared with, or its link's visitor). */
export const albumEntries = (ctx: PhotosContext, viewer: Viewer, id: string) => ctx.albums.albumEntries(album(ctx, viewer, id, "album.view").id);

/** An entry of an album `viewer` can see, by Drive file id: anything else (another photo of the same owner too) is a 404. */
export function entryOf(ctx: PhotosContext, viewer: Viewer, albumId: string, fileId: string): AlbumEntry {
  const entry = ctx.albums.albumEntry(album(ctx, viewer, albumId, "album.view").id, fileId);
  if (!entry) throw notFound("This photo");
  return entry;
}

/**
 * Takes photos out of an album, never out of Drive: the owner removes anything, a contributor only what they added.
 * Ids are Drive file ids as the album lists them; one not in the album is a 404 and nothing is removed.
 */
export function removeEntries(ctx: PhotosContext, user: User, albumId: string, fileIds: string[]) {
  const shared = album(ctx, user, albumId, "album.contribute");
  const entries = fileIds.map((id) => entryOf(ctx, user, shared.id, id));
  ctx.access.require(
    user,
    "album.item.remove",
    entries.map((e) => e.id),
    { album: shared.id },
  );
  ctx.repo.transaction(() => entries.forEach((e) => ctx.albums.removeEntry(shared.id, e.userId, e.sha256)));
  touched(ctx, user);
  return entries;
}

/** Which of an album's entries `user` may take out (their remove buttons). */
export const removableEntries = (ctx: PhotosContext, user: User, albumId: string, fileIds: string[]) =>
  ctx.access.allowed(user, "album.item.remove", fileIds, { album: albumId });

/** The Drive file behind an entry found through `albumEntries` or `entryOf` (which checked the album). */
function entryFile(ctx: PhotosContext, entry: AlbumEntry) {
  const file = ctx.albums.file(entry.id);
  if (!file) throw notFound("This photo");
  if (file.trashedAt) throw notFound("This item");
  return file;
}

/** An album entry's content (its owner's original). */
export const entryContent = (ctx: PhotosContext, entry: AlbumEntry) => ctx.drive.contentOf(entryFile(ctx, entry));
/**
 * An entry's original as `viewer` may have it: as stored for the person who added it, without its places for
 * everyone else (the album's owner and the people it is shared with): a place is its author's to give.
 */
export async function entryOriginal(ctx: PhotosContext, viewer: User, entry: AlbumEntry) {
  const { file, body } = entryContent(ctx, entry);
  return owns(viewer, file.userId) ? { file, body: body as Blob | RangedBody } : ctx.withoutPlace(file, ctx.drive.localPathOf(file));
}
export const entryPreview = (ctx: PhotosContext, entry: AlbumEntry) => ctx.drive.previewOf(entryFile(ctx, entry));

export const ownerName = (ctx: PhotosContext, userId: string) => ctx.userById(userId)?.username;
