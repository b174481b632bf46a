// Folders shared with people on the box, read or read-write: made and ended by the folder's owner (or the admin).
import { randomBytes } from "node:crypto";
import type { User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { personOf, record, subjectOf, type ShareContext } from "./context";
import type { ListedGrant } from "./repo";

export function grantJson(g: ListedGrant) {
  return {
    id: g.grant.id,
    folderId: g.grant.folderId,
    name: g.folderName ?? null,
    owner: g.owner,
    grantee: g.grantee,
    access: g.grant.access,
    createdAt: g.grant.createdAt.toISOString(),
  };
}
export type GrantJson = ReturnType<typeof grantJson>;

/** Another person on the box by name: nobody else, and not the one sharing, is a 404 that names what was typed. */
export function otherPerson(ctx: ShareContext, owner: User, username: string): User {
  const person = ctx.userByName(username.trim().toLowerCase());
  if (!person || person.id === owner.id) throw new AppError(404, `There is no other person called “${username}” on this box.`);
  return person;
}

/** Shares `folderId` (the owner's own folder) with another user of the box, read or read-write; again: changes the access. */
export function shareWithUser(ctx: ShareContext, owner: User, input: { folderId: string; username: string; access: "read" | "write" }) {
  const folder = ctx.drive.itemFor(owner, input.folderId, "folder.share");
  if (folder.kind !== "folder") throw new AppError(400, "Only folders can be shared with people; share a file with a link.");
  if (folder.parentId === null) throw new AppError(400, "Share a folder inside your Drive, not all of it.");
  if (input.access !== "read" && input.access !== "write") throw new AppError(400, "Access is read or write.");
  const grantee = otherPerson(ctx, owner, input.username);
  const grant = ctx.repo.upsertGrant({
    id: randomBytes(12).toString("base64url"),
    ownerId: owner.id,
    folderId: folder.id,
    granteeId: grantee.id,
    access: input.access,
    createdAt: ctx.now(),
  });
  record(ctx, owner, "share.user.grant", grant.id, true, `folder '${folder.name}' with ${grantee.username}, ${grant.access}`);
  return grant;
}

/** Ends a folder share at once (owner or admin); the recipient's next request no longer sees the folder. */
export function unshareWithUser(ctx: ShareContext, user: User, id: string) {
  const grant = ctx.access.require(user, "folderShare.manage", [id])[0]!;
  const subject = subjectOf(ctx, user, { fileId: grant.folderId });
  ctx.repo.deleteGrant(grant.id);
  record(ctx, user, "share.user.remove", grant.id, true, `${personOf(ctx, grant.granteeId)}'s access to the ${subject}`);
}

export const grantsOf = (ctx: ShareContext, user: User) => ctx.repo.grants(user.id).map(grantJson);
export const allGrants = (ctx: ShareContext) => ctx.repo.grants().map(grantJson);
