import type { Album, AlbumShare, DriveFile, FolderShare, ShareLink, Upload } from "../db/schema";
import { AppError, notFound } from "../errors";
import type { AccessRepo } from "./repo";
import { isAdmin, isLinkViewer, userOf, type Viewer } from "./viewer";

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
  | "folder.share";
/** On Photos albums (by `albums.id`). */
export type AlbumPermission = "album.view" | "album.contribute" | "album.own";
/** On Drive files as items of one album (ids are Drive file ids; the album is the scope). */
export type AlbumItemPermission = "album.item.remove";
/** On the link a visitor holds (by `share_links.id`): what it lets them do with what it shares. */
export type LinkPermission = "link.download" | "link.original" | "link.upload" | "link.metadata";
/** On links and shares themselves: their owner, and the administrator, may end them. */
export type ManagePermission = "link.manage" | "folderShare.manage" | "albumShare.manage";
export type Permission = FilePermission | AlbumPermission | AlbumItemPermission | LinkPermission | ManagePermission | "upload.resume";

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
};
const DROP_BOX = "This link only accepts uploads: its folder is not shown.";
/** What an object the viewer may not know exists is called in its 404. */
function hiddenName(p: Permission): string {
  if (isFile(p)) return "This item";
  if (isAlbum(p)) return "This album";
  if (p === "album.item.remove") return "This photo";
  if (p === "folderShare.manage" || p === "albumShare.manage") return "This share";
  if (p === "upload.resume") return "This upload";
  return "This link";
}

type Decision<T> = { target: T } | { error: AppError };
const refused = (p: Permission) => ({ error: new AppError(403, REFUSED[p]!) });
const hidden = (p: Permission) => ({ error: notFound(hiddenName(p)) });

/** How far a viewer reaches an item: owns it, holds a write or read share on it (or above), or sees it through a link. */
type FileLevel = "owner" | "write" | "read" | "none";

function fileRule(p: FilePermission, level: FileLevel, sharedRoot: boolean): "ok" | "refused" | "hidden" {
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
  }
}

const ALBUM_RANK: Record<AlbumAccess, number> = { view: 1, contribute: 2, owner: 3 };
const ALBUM_NEEDS: Record<AlbumPermission, AlbumAccess> = { "album.view": "view", "album.contribute": "contribute", "album.own": "owner" };
const LINK_ALLOWS: Record<LinkPermission, (l: ShareLink) => boolean> = {
  "link.download": (l) => l.allowDownload,
  "link.original": (l) => l.allowDownload,
  "link.upload": (l) => l.allowUpload && l.fileId !== null,
  "link.metadata": (l) => l.allowMetadata,
};

const isFile = (p: Permission): p is FilePermission => p.startsWith("file.") || p === "folder.share";
const isAlbum = (p: Permission): p is AlbumPermission => p in ALBUM_NEEDS;
const isLink = (p: Permission): p is LinkPermission => p in LINK_ALLOWS;

/**
 * The one place that decides who may touch what (app/access/README.md): Drive, Photos, Sharing and every new way in
 * ask it. Grants are read from the database on every call, one statement per call however many ids.
 */
export function createAccessPolicy(deps: { repo: AccessRepo; now?: () => Date }) {
  const { repo } = deps;
  const now = deps.now ?? (() => new Date());

  function decideFiles(viewer: Viewer, p: FilePermission, ids: readonly string[], trashed: boolean): Map<string, Decision<DriveFile>> {
    const out = new Map<string, Decision<DriveFile>>();
    const user = userOf(viewer);
    if (user) {
      for (const { file, shared, sharedRoot } of repo.filesForUser(user.id, ids)) {
        const level: FileLevel = file.userId === user.id ? "owner" : shared === 2 ? "write" : shared === 1 ? "read" : "none";
        out.set(file.id, verdict(p, file.trashedAt && !trashed ? "hidden" : fileRule(p, level, !!sharedRoot), file));
      }
    } else if (isLinkViewer(viewer)) {
      const rows = repo.filesForLink(viewer.link.id, now(), ids);
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

  function decideAlbums(viewer: Viewer, p: AlbumPermission, ids: readonly string[]) {
    const out = new Map<string, Decision<Album & { access: AlbumAccess }>>();
    const user = userOf(viewer);
    const found = user
      ? repo.albumsForUser(user.id, ids).map(({ album, shared }) => ({ album, access: album.userId === user.id ? "owner" : shared }))
      : isLinkViewer(viewer)
        ? repo.albumsForLink(viewer.link.id, now(), ids).map(({ album, linked }) => ({ album, access: linked ? "view" : null }))
        : [];
    for (const { album, access } of found as { album: Album | null; access: AlbumAccess | null }[]) {
      if (!album || !access) continue;
      const rule = ALBUM_RANK[access] >= ALBUM_RANK[ALBUM_NEEDS[p]] ? "ok" : "refused";
      out.set(album.id, verdict(p, rule, { ...album, access }));
    }
    return out;
  }

  function decideAlbumItems(viewer: Viewer, p: AlbumItemPermission, ids: readonly string[], albumId: string) {
    const out = new Map<string, Decision<{ id: string }>>();
    const user = userOf(viewer);
    if (!user) return out;
    for (const { id, addedBy, ownerId, shared } of repo.albumItems(user.id, albumId, ids)) {
      if (ownerId !== user.id && !shared) continue;
      const mayRemove = ownerId === user.id || (shared === "contribute" && addedBy === user.id);
      out.set(id, verdict(p, mayRemove ? "ok" : "refused", { id }));
    }
    return out;
  }

  function decideLinks(viewer: Viewer, p: LinkPermission, ids: readonly string[]) {
    const out = new Map<string, Decision<ShareLink>>();
    if (!isLinkViewer(viewer)) return out;
    const at = now().getTime();
    for (const link of repo.links(ids)) {
      const live = !link.revokedAt && (!link.expiresAt || link.expiresAt.getTime() > at);
      if (link.id !== viewer.link.id || !live) continue;
      out.set(link.id, verdict(p, LINK_ALLOWS[p](link) ? "ok" : "refused", link));
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

  function decide<P extends Permission>(
    viewer: Viewer,
    p: P,
    ids: readonly string[],
    scope: { album?: string; trashed?: boolean } = {},
  ): Map<string, Decision<Target<P>>> {
    const user = userOf(viewer);
    let decided: Map<string, Decision<unknown>>;
    if (isFile(p)) decided = decideFiles(viewer, p, ids, !!scope.trashed);
    else if (isAlbum(p)) decided = decideAlbums(viewer, p, ids);
    else if (isLink(p)) decided = decideLinks(viewer, p, ids);
    else if (p === "album.item.remove") decided = decideAlbumItems(viewer, p, ids, scope.album ?? "");
    else if (p === "link.manage") decided = decideManaged(viewer, repo.links(ids), (l) => l.userId);
    else if (p === "folderShare.manage") decided = decideManaged(viewer, repo.folderShares(ids), (g) => g.ownerId);
    else if (p === "albumShare.manage") decided = decideManaged(viewer, repo.albumShares(ids), (g) => g.ownerId);
    // upload.resume: a resumable upload is its uploader's alone.
    else decided = new Map(user ? repo.uploads(ids).flatMap((u) => (u.userId === user.id ? [[u.id, { target: u }] as const] : [])) : []);
    return decided as Map<string, Decision<Target<P>>>;
  }

  return {
    /**
     * Every id's object if `viewer` may do `permission` to all of them, in the order asked; otherwise throws for the
     * first id refused: 404 for what the viewer may not know exists, 403 with a sentence for what they can see.
     */
    require<P extends Permission>(viewer: Viewer, permission: P, ids: readonly string[], ...scope: Scope<P>): Target<P>[] {
      const decided = decide(viewer, permission, ids, scope[0]);
      return ids.map((id) => {
        const d = decided.get(id) ?? hidden(permission);
        if ("error" in d) throw d.error;
        return d.target;
      });
    },
    /** The ids among `ids` that `viewer` may do `permission` to; never throws. */
    allowed<P extends Permission>(viewer: Viewer, permission: P, ids: readonly string[], ...scope: Scope<P>): Set<string> {
      const decided = decide(viewer, permission, ids, scope[0]);
      return new Set(
        ids.filter((id) => {
          const d = decided.get(id);
          return !!d && "target" in d;
        }),
      );
    },
    /**
     * Root → … → the item, as far up as `viewer` may see: all of it for the owner, from the topmost folder shared
     * with them for a recipient, from the link's root for a link visitor; nothing for anyone else.
     */
    visibleAncestors(viewer: Viewer, id: string): DriveFile[] {
      const user = userOf(viewer);
      const mark = user ? { userId: user.id } : isLinkViewer(viewer) ? { linkId: viewer.link.id, now: now() } : null;
      if (!mark) return [];
      const rows = repo.chain(id, mark);
      const byId = new Map(rows.map((r) => [r.file.id, r]));
      const path: typeof rows = [];
      for (let r = byId.get(id); r && path.length < rows.length; r = r.file.parentId ? byId.get(r.file.parentId) : undefined) path.unshift(r);
      if (user && path[0]?.file.userId === user.id) return path.map((r) => r.file);
      const top = path.findIndex((r) => r.marked);
      return top < 0 ? [] : path.slice(top).map((r) => r.file);
    },
    /** Folders other people shared with `viewer` (its Drive's and Photos' "Shared with me"), live or not. */
    sharedFolderIds: (viewer: Viewer) => {
      const user = userOf(viewer);
      return user ? repo.sharedFolderIds(user.id) : [];
    },
    /** Albums other people shared with `viewer` (its Photos' "Shared with me"). */
    sharedAlbumIds: (viewer: Viewer) => {
      const user = userOf(viewer);
      return user ? repo.sharedAlbumIds(user.id) : [];
    },
  };
}

function verdict<T>(p: Permission, rule: "ok" | "refused" | "hidden", target: T): Decision<T> {
  return rule === "ok" ? { target } : rule === "refused" ? refused(p) : hidden(p);
}

/** The administrator's routes and powers (`{ auth: "admin" }` asks this): 403 for everyone else. */
export function requireAdmin(viewer: Viewer): void {
  if (!isAdmin(viewer)) throw new AppError(403, "Only the administrator can do this.");
}

export type AccessPolicy = ReturnType<typeof createAccessPolicy>;
