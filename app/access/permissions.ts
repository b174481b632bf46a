// The permissions and their rules: who gets what, and the sentence a refusal carries. app/access/policy.ts asks the
// database for the facts (owner, shares, links) and applies these.
import type { Album, AlbumShare, DavLock, DriveFile, FolderShare, PartnerShare, ShareLink, Upload } from "../platform/db/schema";
import { AppError, notFound } from "../platform/errors";

/** On Drive items (files and folders, by `files.id`). */
export type FilePermission =
  /** See it, list it, preview and download it. */
  | "file.read"
  /** Create, upload and change things inside it (a folder), or replace it. */
  | "file.write"
  /** Rename, move or trash the item itself: a recipient may not change the shared folder itself. */
  | "file.manage"
  /** Star it (stars are the owner's). */
  | "file.star"
  /** Take it out of the trash. */
  | "file.restore"
  /** Delete it forever. */
  | "file.purge"
  /** Publish a link to it. */
  | "file.share"
  /** Share it (a folder) with people on the box. */
  | "folder.share"
  /** See who is in it and what People found in it (faces, names, things): the owner's alone, never a share's or a link's. */
  | "file.people"
  /** Edit it as a photo (Photos' non-destructive edits: app/photos/edit): the owner's alone. */
  | "file.edit";
/** On Photos albums (by `albums.id`). */
export type AlbumPermission = "album.view" | "album.contribute" | "album.own";
/** On Drive files as items of one album (ids are Drive file ids; the album is the scope). */
export type AlbumItemPermission = "album.item.remove";
/** On the link a visitor holds (by `share_links.id`): what it lets them do with what it shares. */
export type LinkPermission = "link.download" | "link.original" | "link.upload" | "link.metadata";
/** On links and shares themselves: their owner, and the administrator, may end them. */
export type ManagePermission = "link.manage" | "folderShare.manage" | "albumShare.manage";
/**
 * On a WebDAV lock (by its token): submit it with a write, refresh it, release it. The person who took it alone; a
 * lock is no key, so holding another person's token opens nothing.
 */
export type LockPermission = "lock.use";
/** On People's people (by `people.id`): their owner's alone, everyone else finds nothing. */
export type PersonPermission = "person.own";
/**
 * Partner sharing (app/photos/partners.ts): `partner.library` on the sharing person's user id — their library as the
 * partner they share it with sees it (the partner page, their photos in the partner's timeline); `partner.photo` on
 * Drive file ids — one photo of such a library and its derivatives (thumbnail, preview, video), within the share's
 * limits (from a day, photos only) and never archived, hidden or in the trash. Reading only: every file.* permission
 * stays the owner's (and their folder shares'), so a partner never reaches Drive, People, edits, trash or links.
 */
export type PartnerPermission = "partner.library" | "partner.photo";
export type Permission =
  | FilePermission
  | AlbumPermission
  | AlbumItemPermission
  | LinkPermission
  | ManagePermission
  | LockPermission
  | PersonPermission
  | PartnerPermission
  | "upload.resume";

/** What a person may do with an album: its owner anything; people it is shared with view it, or also add to it. */
export type AlbumAccess = "owner" | "contribute" | "view";
/** A link or share a viewer may manage; `byAdmin` when the administrator acts on someone else's. */
export type Managed<T> = T & { byAdmin: boolean };

type Targets = { [P in FilePermission]: DriveFile } & { [P in AlbumPermission]: Album & { access: AlbumAccess } } & {
  [P in LinkPermission]: ShareLink;
} & {
  "album.item.remove": { id: string };
  "link.manage": Managed<ShareLink>;
  "folderShare.manage": Managed<FolderShare>;
  "albumShare.manage": Managed<AlbumShare>;
  "upload.resume": Upload;
  "lock.use": DavLock;
  "person.own": { id: string; userId: string };
  "partner.library": PartnerShare;
  "partner.photo": DriveFile;
};
/** What `require` returns for each id: the row the decision was made on. */
export type Target<P extends Permission> = Targets[P];
/**
 * Album item permissions are asked within one album. Drive items in the trash are out of reach (404) unless a
 * person asks with `{ trashed: true }` (the trash's own pages and actions); a link never reaches the trash.
 */
export type Scope<P extends Permission> = P extends AlbumItemPermission
  ? [scope: { album: string }]
  : P extends FilePermission
    ? [options?: { trashed?: boolean }]
    : [];

/** Today's sentences for a viewer who may see the object but not do this to it (403). */
const REFUSED: Partial<Record<Permission, string>> = {
  "file.manage": "Only the owner can rename, move or delete a shared folder.",
  "file.star": "Only the owner can star items (stars are the owner's).",
  "file.restore": "Only the owner can restore from the trash.",
  "file.purge": "Only the owner can delete forever.",
  "file.share": "Only the owner can share this.",
  "folder.share": "Only the owner can share this folder.",
  "album.contribute": "This album is shared with you to view only.",
  "album.own": "Only the album's owner can do this.",
  "album.item.remove": "You can remove only the photos you added; the album's owner can remove any.",
  "link.download": "This link is view only: downloads are turned off.",
  "link.original": "This link is view only: only previews are shown.",
  "link.upload": "This link does not accept uploads.",
  "link.metadata": "This link does not share metadata.",
  "lock.use": "This lock belongs to another person.",
};
export const DROP_BOX = "This link only accepts uploads: its folder is not shown.";
/** What an object the viewer may not know exists is called in its 404. */
function hiddenName(p: Permission): string {
  if (isFile(p)) return "This item";
  if (isAlbum(p)) return "This album";
  if (p === "album.item.remove") return "This photo";
  if (p === "folderShare.manage" || p === "albumShare.manage") return "This share";
  if (p === "upload.resume") return "This upload";
  if (p === "lock.use") return "This lock";
  if (p === "person.own") return "This person";
  if (p === "partner.library") return "This library";
  if (p === "partner.photo") return "This photo";
  return "This link";
}

export type Decision<T> = { target: T } | { error: AppError };
export const refused = (p: Permission) => ({ error: new AppError(403, REFUSED[p]!) });
export const hidden = (p: Permission) => ({ error: notFound(hiddenName(p)) });

/** How far a viewer reaches an item: owns it, holds a write or read share on it (or above), or sees it through a link. */
export type FileLevel = "owner" | "write" | "read" | "none";

export function fileRule(p: FilePermission, level: FileLevel, sharedRoot: boolean): "ok" | "refused" | "hidden" {
  if (level === "none") return "hidden";
  if (level === "owner") return "ok";
  switch (p) {
    case "file.read":
      return "ok";
    case "file.write":
      return level === "write" ? "ok" : "hidden";
    case "file.manage":
      return level !== "write" ? "hidden" : sharedRoot ? "refused" : "ok";
    case "file.star":
    case "file.restore":
    case "file.purge":
      return level === "write" ? "refused" : "hidden";
    case "file.share":
    case "folder.share":
      return "refused";
    case "file.people":
    case "file.edit":
      return "hidden";
  }
}

export const ALBUM_RANK: Record<AlbumAccess, number> = { view: 1, contribute: 2, owner: 3 };
export const ALBUM_NEEDS: Record<AlbumPermission, AlbumAccess> = { "album.view": "view", "album.contribute": "contribute", "album.own": "owner" };
export const LINK_ALLOWS: Record<LinkPermission, (l: ShareLink) => boolean> = {
  "link.download": (l) => l.allowDownload,
  "link.original": (l) => l.allowDownload,
  "link.upload": (l) => l.allowUpload && l.fileId !== null,
  "link.metadata": (l) => l.allowMetadata,
};

export const isFile = (p: Permission): p is FilePermission => p.startsWith("file.") || p === "folder.share";
export const isAlbum = (p: Permission): p is AlbumPermission => p in ALBUM_NEEDS;
export const isLink = (p: Permission): p is LinkPermission => p in LINK_ALLOWS;

export function verdict<T>(p: Permission, rule: "ok" | "refused" | "hidden", target: T): Decision<T> {
  return rule === "ok" ? { target } : rule === "refused" ? refused(p) : hidden(p);
}
