// Albums shared with people on the box, to view or to contribute to: made and ended by the album's owner (or the admin).
import { randomBytes } from "node:crypto";
import type { User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { personOf, record, subjectOf, type ShareContext } from "./context";
import { otherPerson } from "./folder-shares";
import type { ListedAlbumGrant } from "./repo";

export function albumGrantJson(g: ListedAlbumGrant) {
  return {
    id: g.grant.id,
    albumId: g.grant.albumId,
    name: g.albumName,
    owner: g.owner,
    grantee: g.grantee,
    access: g.grant.access,
    createdAt: g.grant.createdAt.toISOString(),
  };
}
export type AlbumGrantJson = ReturnType<typeof albumGrantJson>;

/** Shares the owner's album with another user of the box: "view", or "contribute" (they add their own photos). */
export function shareAlbumWithUser(ctx: ShareContext, owner: User, input: { albumId: string; username: string; access: "view" | "contribute" }) {
  const album = ctx.photos.album(owner, input.albumId);
  if (input.access !== "view" && input.access !== "contribute") throw new AppError(400, "Access is view or contribute.");
  const grantee = otherPerson(ctx, owner, input.username);
  const grant = ctx.repo.upsertAlbumGrant({
    id: randomBytes(12).toString("base64url"),
    albumId: album.id,
    ownerId: owner.id,
    granteeId: grantee.id,
    access: input.access,
    createdAt: ctx.now(),
  });
  record(ctx, owner, "share.album.grant", grant.id, true, `album '${album.name}' with ${grantee.username}, ${grant.access}`);
  return grant;
}

/** Ends an album share at once (owner or admin): the person's photos leave the album's view, their files stay. */
export function unshareAlbum(ctx: ShareContext, user: User, id: string) {
  const grant = ctx.access.require(user, "albumShare.manage", [id])[0]!;
  const subject = subjectOf(ctx, user, { albumId: grant.albumId });
  ctx.repo.deleteAlbumGrant(grant.id);
  record(ctx, user, "share.album.remove", grant.id, true, `${personOf(ctx, grant.granteeId)}'s access to the ${subject}`);
}

export const albumGrantsOf = (ctx: ShareContext, user: User) => ctx.repo.albumGrants(user.id).map(albumGrantJson);
export const allAlbumGrants = (ctx: ShareContext) => ctx.repo.albumGrants().map(albumGrantJson);
