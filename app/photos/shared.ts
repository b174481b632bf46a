// "Shared with me" in Photos: albums other people shared with a person, and the photos in folders shared with them.
import type { User } from "../platform/db/schema";
import type { PhotosContext } from "./context";

/** Albums other people shared with `user`, with the owner's name. */
export const sharedAlbums = (ctx: PhotosContext, user: User) => ctx.albums.albumsByIds(ctx.access.sharedAlbumIds(user));

/** Albums shared with `user` to contribute to: the "Add to album" dialog offers them beside the user's own. */
export function contributableAlbums(ctx: PhotosContext, user: User) {
  const ids = ctx.access.sharedAlbumIds(user);
  const contributable = ctx.access.allowed(user, "album.contribute", ids);
  return ctx.albums.albumsByIds(ids).filter((a) => contributable.has(a.id));
}

/** Photos and videos in folders other people shared with `user` (read-only unless the share is read-write). */
export function sharedFolderMedia(ctx: PhotosContext, user: User, limit = 500) {
  const folders = ctx.access.sharedFolderIds(user);
  const readable = ctx.access.allowed(user, "file.read", folders);
  return ctx.albums.mediaUnder(
    folders.filter((id) => readable.has(id)),
    limit,
  );
}
