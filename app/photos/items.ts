// One person's photos as Drive files: the info panel, favourite and archive marks, to the trash and back.
import type { DriveFile, User } from "../platform/db/schema";
import { notFound } from "../platform/errors";
import { touched, type PhotosContext } from "./context";

/**
 * A photo or video the person may read, by its Drive file id: Drive decides, so another's id is a 404 here too. The
 * pipeline's row is the file owner's (a photo in a folder shared with this person is the owner's content).
 */
export function contentOf(ctx: PhotosContext, user: User, id: string): DriveFile & { sha256: string } {
  const file = ctx.drive.itemFor(user, id, "file.read");
  if (file.kind !== "file" || !file.sha256 || !ctx.repo.mediaRow(file.userId, file.sha256)) throw notFound("This photo");
  return file as DriveFile & { sha256: string };
}
export const contentsOf = (ctx: PhotosContext, user: User, ids: string[]) => [...new Set(ids.map((id) => contentOf(ctx, user, id).sha256))];

/**
 * Everything the info panel shows about one file the user may read. Its Drive path starts where the viewer's sight
 * starts (the access policy's visibleAncestors): a person a folder was shared with never sees the folders above it.
 */
export function info(ctx: PhotosContext, user: User, id: string) {
  const file = contentOf(ctx, user, id);
  const facts = ctx.repo.mediaRow(file.userId, file.sha256)!;
  const folders = file.parentId ? ctx.access.visibleAncestors(user, file.parentId).filter((f) => f.parentId !== null) : [];
  const flags = ctx.repo.flags(user.id, file.sha256);
  return {
    file,
    facts,
    favourite: !!flags.favourite,
    archived: !!flags.archived,
    path: [...folders.map((f) => f.name), file.name].join("/"),
    albums: ctx.albums.albumsOf(user.id, file.sha256),
    // Who is in it (People): the owner's alone; a photo someone shared with this person shows nobody.
    people: ctx.access.allowed(user, "file.people", [file.id]).has(file.id) ? ctx.repo.peopleIn(user.id, file.sha256) : [],
    edited: ctx.repo.edited(file.userId, file.sha256),
  };
}

export function setFavourite(ctx: PhotosContext, user: User, ids: string[], on: boolean) {
  ctx.repo.setFlag(user.id, contentsOf(ctx, user, ids), "favourite", on);
  touched(ctx, user);
}

export function setArchived(ctx: PhotosContext, user: User, ids: string[], on: boolean) {
  ctx.repo.setFlag(user.id, contentsOf(ctx, user, ids), "archived", on);
  touched(ctx, user);
}

/** To Drive's trash (undo = restore); returns the ids trashed. */
export function trash(ctx: PhotosContext, user: User, ids: string[]) {
  ids.forEach((id) => contentOf(ctx, user, id));
  touched(ctx, user);
  return ctx.drive.moveToTrash(user, ids).map((f) => f.id);
}

export function restore(ctx: PhotosContext, user: User, ids: string[]) {
  touched(ctx, user);
  return ctx.drive.restore(user, ids).map((f) => f.id);
}
