// Each family of permissions decided from the facts one statement brings back (app/access/repo.ts).
import type { Album, DavLock, DriveFile, PartnerShare, ShareLink, User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import {
  ALBUM_NEEDS,
  ALBUM_RANK,
  DROP_BOX,
  fileRule,
  isAlbum,
  isFile,
  isLink,
  LINK_ALLOWS,
  refused,
  verdict,
  type AlbumAccess,
  type AlbumItemPermission,
  type AlbumPermission,
  type Decision,
  type FileLevel,
  type FilePermission,
  type LinkPermission,
  type Managed,
  type PartnerPermission,
  type Permission,
  type Target,
} from "./permissions";
import type { AccessRepo } from "./repo";
import { isAdmin, isLinkViewer, userOf, type Viewer } from "./viewer";

/** Where the facts come from: the database, read on every call, and the clock (link expiry). */
type Facts = { repo: AccessRepo; now: () => Date };

function decideFiles(ctx: Facts, viewer: Viewer, p: FilePermission, ids: readonly string[], trashed: boolean): Map<string, Decision<DriveFile>> {
  const out = new Map<string, Decision<DriveFile>>();
  const user = userOf(viewer);
  if (user) {
    for (const { file, shared, sharedRoot } of ctx.repo.filesForUser(user.id, ids)) {
      const level: FileLevel = file.userId === user.id ? "owner" : shared === 2 ? "write" : shared === 1 ? "read" : "none";
      out.set(file.id, verdict(p, file.trashedAt && !trashed ? "hidden" : fileRule(p, level, !!sharedRoot), file));
    }
  } else if (isLinkViewer(viewer)) {
    const rows = ctx.repo.filesForLink(viewer.link.id, ctx.now(), ids);
    const link = rows[0]?.link;
    // A drop box shows nothing of its folder: every id, existing or not, gets the same answer, but for uploads into it.
    for (const id of link?.allowUpload ? ids : []) out.set(id, { error: new AppError(403, DROP_BOX) });
    for (const { file, inside } of rows) {
      if (!file || !inside) continue;
      if (link?.allowUpload) {
        if (p === "file.write" && file.id === link.fileId) out.set(file.id, { target: file });
      } else out.set(file.id, verdict(p, fileRule(p, "read", false), file));
    }
  }
  return out;
}

/**
 * Which of `ids` a viewer may do each of `permissions` to (`allowed`): the same rules as `decideFiles`, from one
 * reading of the facts without the items' rows, and no refusal built, since nobody reads its sentence. A listing of
 * 10,000 entries asks this of every one.
 */
export function allowedFiles<P extends FilePermission>(ctx: Facts, viewer: Viewer, permissions: readonly P[], ids: readonly string[], trashed: boolean) {
  const out = new Map<P, Set<string>>(permissions.map((p) => [p, new Set<string>()]));
  const user = userOf(viewer);
  if (user) {
    for (const { id, userId, trashedAt, shared, sharedRoot } of ctx.repo.fileLevelsForUser(user.id, ids)) {
      if (trashedAt && !trashed) continue;
      const level: FileLevel = userId === user.id ? "owner" : shared === 2 ? "write" : shared === 1 ? "read" : "none";
      for (const p of permissions) if (fileRule(p, level, !!sharedRoot) === "ok") out.get(p)!.add(id);
    }
  } else for (const p of permissions) for (const [id, d] of decideFiles(ctx, viewer, p, ids, trashed)) if ("target" in d) out.get(p)!.add(id);
  // In the order asked, as `require` answers.
  return new Map(permissions.map((p) => [p, new Set(ids.filter((id) => out.get(p)!.has(id)))]));
}

/**
 * `allowedFiles` for the live children of one folder, decided once for the folder: a child is in its folder's Drive,
 * so it has the folder's level, raised where a share reaches the child itself (a subfolder also shared with the
 * person on its own). Two statements however many children; a child it is asked about must be in the folder.
 */
export function allowedBelow<P extends FilePermission>(ctx: Facts, user: User, permissions: readonly P[], folderId: string): (child: DriveFile) => Set<P> {
  const folder = ctx.repo.fileLevelsForUser(user.id, [folderId])[0];
  const RANK = { none: 0, read: 1, write: 2, owner: 3 } as const;
  const folderLevel: FileLevel =
    !folder || folder.trashedAt ? "none" : folder.userId === user.id ? "owner" : folder.shared === 2 ? "write" : folder.shared === 1 ? "read" : "none";
  const shares = new Map(ctx.repo.childSharesForUser(user.id, folderId).map((s) => [s.id, s.access]));
  const allowedAt = (level: FileLevel, sharedRoot: boolean) => new Set(permissions.filter((p) => fileRule(p, level, sharedRoot) === "ok"));
  const plain = allowedAt(folderLevel, false);
  return (child) => {
    const share = shares.get(child.id);
    if (!share) return plain;
    const level = RANK[share] > RANK[folderLevel] ? share : folderLevel;
    return allowedAt(level, true);
  };
}

function decideAlbums(ctx: Facts, viewer: Viewer, p: AlbumPermission, ids: readonly string[]) {
  const out = new Map<string, Decision<Album & { access: AlbumAccess }>>();
  const user = userOf(viewer);
  const found = user
    ? ctx.repo.albumsForUser(user.id, ids).map(({ album, shared }) => ({ album, access: album.userId === user.id ? "owner" : shared }))
    : isLinkViewer(viewer)
      ? ctx.repo.albumsForLink(viewer.link.id, ctx.now(), ids).map(({ album, linked }) => ({ album, access: linked ? "view" : null }))
      : [];
  for (const { album, access } of found as { album: Album | null; access: AlbumAccess | null }[]) {
    if (!album || !access) continue;
    const rule = ALBUM_RANK[access] >= ALBUM_RANK[ALBUM_NEEDS[p]] ? "ok" : "refused";
    out.set(album.id, verdict(p, rule, { ...album, access }));
  }
  return out;
}

function decideAlbumItems(ctx: Facts, viewer: Viewer, p: AlbumItemPermission, ids: readonly string[], albumId: string) {
  const out = new Map<string, Decision<{ id: string }>>();
  const user = userOf(viewer);
  if (!user) return out;
  for (const { id, addedBy, ownerId, shared } of ctx.repo.albumItems(user.id, albumId, ids)) {
    if (ownerId !== user.id && !shared) continue;
    const mayRemove = ownerId === user.id || (shared === "contribute" && addedBy === user.id);
    out.set(id, verdict(p, mayRemove ? "ok" : "refused", { id }));
  }
  return out;
}

function decideLinks(ctx: Facts, viewer: Viewer, p: LinkPermission, ids: readonly string[]) {
  const out = new Map<string, Decision<ShareLink>>();
  if (!isLinkViewer(viewer)) return out;
  const at = ctx.now().getTime();
  for (const link of ctx.repo.links(ids)) {
    const live = !link.revokedAt && (!link.expiresAt || link.expiresAt.getTime() > at);
    if (link.id !== viewer.link.id || !live) continue;
    out.set(link.id, verdict(p, LINK_ALLOWS[p](link) ? "ok" : "refused", link));
  }
  return out;
}

/**
 * WebDAV locks: the person who took one uses it; someone who may read the locked item sees it is another's (403);
 * anyone else finds nothing.
 */
function decideLocks(ctx: Facts, viewer: Viewer, ids: readonly string[]) {
  const out = new Map<string, Decision<DavLock>>();
  const user = userOf(viewer);
  if (!user) return out;
  const locks = ctx.repo.locks(ids);
  const others = locks.filter((l) => l.userId !== user.id);
  const readable = others.length ? decideFiles(ctx, viewer, "file.read", [...new Set(others.map((l) => l.fileId))], false) : new Map();
  for (const lock of locks) {
    const seen = readable.get(lock.fileId);
    if (lock.userId === user.id) out.set(lock.token, { target: lock });
    else if (seen && "target" in seen) out.set(lock.token, refused("lock.use"));
  }
  return out;
}

/**
 * Partner sharing: a library is seen by the partner it is shared with; one of its photos by its owner (not in the
 * trash) and by that partner when Photos shows it (processed, not archived nor hidden) and it is within the share's
 * limits (taken on or after its first day; not a video when photos only). Everyone else finds nothing.
 */
function decidePartner(ctx: Facts, viewer: Viewer, p: PartnerPermission, ids: readonly string[]) {
  const out = new Map<string, Decision<PartnerShare | DriveFile>>();
  const user = userOf(viewer);
  if (!user) return out;
  if (p === "partner.library") {
    for (const share of ctx.repo.partnerLibraries(user.id, ids)) out.set(share.ownerId, { target: share });
    return out;
  }
  for (const { file, share, kind, local, shown } of ctx.repo.partnerPhotos(user.id, ids)) {
    if (file.trashedAt) continue;
    const mine = file.userId === user.id;
    const inShare = !!share && !!shown && local !== null && (share.fromLocal === null || local >= share.fromLocal) && !(share.photosOnly && kind === "video");
    if (mine || inShare) out.set(file.id, { target: file });
  }
  return out;
}

/** Links and shares: their owner and the administrator; anyone else finds nothing. */
function decideManaged<T extends { id: string }>(viewer: Viewer, rows: T[], ownerOf: (row: T) => string) {
  const out = new Map<string, Decision<Managed<T>>>();
  const user = userOf(viewer);
  for (const row of user ? rows : []) {
    if (ownerOf(row) === user!.id) out.set(row.id, { target: { ...row, byAdmin: false } });
    else if (isAdmin(user)) out.set(row.id, { target: { ...row, byAdmin: true } });
  }
  return out;
}

export function decide<P extends Permission>(
  ctx: Facts,
  viewer: Viewer,
  p: P,
  ids: readonly string[],
  scope: { album?: string; trashed?: boolean } = {},
): Map<string, Decision<Target<P>>> {
  const user = userOf(viewer);
  let decided: Map<string, Decision<unknown>>;
  if (isFile(p)) decided = decideFiles(ctx, viewer, p, ids, !!scope.trashed);
  else if (isAlbum(p)) decided = decideAlbums(ctx, viewer, p, ids);
  else if (isLink(p)) decided = decideLinks(ctx, viewer, p, ids);
  else if (p === "album.item.remove") decided = decideAlbumItems(ctx, viewer, p, ids, scope.album ?? "");
  else if (p === "link.manage") decided = decideManaged(viewer, ctx.repo.links(ids), (l) => l.userId);
  else if (p === "folderShare.manage") decided = decideManaged(viewer, ctx.repo.folderShares(ids), (g) => g.ownerId);
  else if (p === "albumShare.manage") decided = decideManaged(viewer, ctx.repo.albumShares(ids), (g) => g.ownerId);
  else if (p === "lock.use") decided = decideLocks(ctx, viewer, ids);
  else if (p === "partner.library" || p === "partner.photo") decided = decidePartner(ctx, viewer, p, ids);
  else if (p === "person.own")
    decided = new Map(user ? ctx.repo.people(ids).flatMap((r) => (r.userId === user.id ? [[r.id, { target: r }] as const] : [])) : []);
  // upload.resume: a resumable upload is its uploader's alone.
  else decided = new Map(user ? ctx.repo.uploads(ids).flatMap((u) => (u.userId === user.id ? [[u.id, { target: u }] as const] : [])) : []);
  return decided as Map<string, Decision<Target<P>>>;
}
