import type { Clock } from "../platform/clock";
import type { DriveFile, User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { allowedBelow, allowedFiles, decide } from "./decide";
import { hidden, isFile, type FilePermission, type Permission, type Scope, type Target } from "./permissions";
import type { AccessRepo } from "./repo";
import { isAdmin, isLinkViewer, userOf, type Viewer } from "./viewer";

/**
 * The one place that decides who may touch what (app/access/README.md): Drive, Photos, Sharing and every new way in
 * ask it. Grants are read from the database on every call, one statement per call however many ids.
 */
export function createAccessPolicy(deps: { repo: AccessRepo; now: Clock }) {
  const { repo } = deps;
  const { now } = deps;
  const facts = { repo, now };

  return {
    /**
     * Every id's object if `viewer` may do `permission` to all of them, in the order asked; otherwise throws for the
     * first id refused: 404 for what the viewer may not know exists, 403 with a sentence for what they can see.
     */
    require<P extends Permission>(viewer: Viewer, permission: P, ids: readonly string[], ...scope: Scope<P>): Target<P>[] {
      const decided = decide(facts, viewer, permission, ids, scope[0]);
      return ids.map((id) => {
        const d = decided.get(id) ?? hidden(permission);
        if ("error" in d) throw d.error;
        return d.target;
      });
    },
    /** The ids among `ids` that `viewer` may do `permission` to; never throws. */
    allowed<P extends Permission>(viewer: Viewer, permission: P, ids: readonly string[], ...scope: Scope<P>): Set<string> {
      if (isFile(permission))
        return allowedFiles(facts, viewer, [permission], ids, !!(scope[0] as { trashed?: boolean } | undefined)?.trashed).get(permission)!;
      const decided = decide(facts, viewer, permission, ids, scope[0]);
      return new Set(
        ids.filter((id) => {
          const d = decided.get(id);
          return !!d && "target" in d;
        }),
      );
    },
    /**
     * `allowed` for several file permissions over the same ids, the facts read once: e.g. what a listing's entries
     * may each be done to (WebDAV's oc:permissions), one statement for the whole folder.
     */
    allowedEach: <P extends FilePermission>(viewer: Viewer, permissions: readonly P[], ids: readonly string[]): Map<P, Set<string>> =>
      allowedFiles(facts, viewer, permissions, ids, false),
    /**
     * `allowedEach` for the live children of one folder, decided once for the folder (a listing's entries: WebDAV's
     * oc:permissions for a 10,000-entry folder is two statements, not a walk up from each entry): child → allowed.
     */
    allowedBelow: <P extends FilePermission>(user: User, permissions: readonly P[], folderId: string): ((child: DriveFile) => Set<P>) =>
      allowedBelow(facts, user, permissions, folderId),
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

/** The administrator's routes and powers (`{ auth: "admin" }` asks this): 403 for everyone else. */
export function requireAdmin(viewer: Viewer): void {
  if (!isAdmin(viewer)) throw new AppError(403, "Only the administrator can do this.");
}

export type AccessPolicy = ReturnType<typeof createAccessPolicy>;
