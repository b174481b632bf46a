// Sharing's service: the plain functions of its modules, bound to one context. Read a capability in its module:
// links.ts (create, revoke, a visitor's way in), link-pages.ts (what a link serves), clean/ (no places in what it
// serves), folder-shares.ts and album-shares.ts (sharing with people on the box). Nothing here decides access: the
// policy (app/access) does, for people and for a link's visitors alike.
import { bindContext } from "../platform/bind";
import { albumGrantsOf, allAlbumGrants, shareAlbumWithUser, unshareAlbum } from "./album-shares";
import { shareContext, type ShareDeps } from "./context";
import { allGrants, grantsOf, shareWithUser, unshareWithUser } from "./folder-shares";
import { albumEntries, content, dropUpload, fileOf, hasVideoThumb, inAlbum, inRoot, list, preview, videoThumb, zipEntries } from "./link-pages";
import { byNumber, countView, create, listAll, listOwn, ownLinks, open, revoke, shareTarget, unlock, unlocked, update } from "./links";

export type { AlbumGrantJson } from "./album-shares";
export type { ShareDeps } from "./context";
export type { GrantJson } from "./folder-shares";
export { LINK_PAGE } from "./link-pages";
export type { ShareLink } from "./repo";
export { linkJson, linkState, type CreateLinkInput, type LinkJson, type LinkState, type OpenLink } from "./links";

export function createShareService(deps: ShareDeps) {
  return bindContext(shareContext(deps), {
    create,
    shareTarget,
    listOwn,
    ownLinks,
    listAll,
    revoke,
    update,
    byNumber,
    open,
    unlocked,
    unlock,
    countView,
    inRoot,
    inAlbum,
    list,
    albumEntries,
    content,
    fileOf,
    preview,
    hasVideoThumb,
    videoThumb,
    zipEntries,
    dropUpload,
    shareWithUser,
    unshareWithUser,
    grantsOf,
    allGrants,
    shareAlbumWithUser,
    unshareAlbum,
    albumGrantsOf,
    allAlbumGrants,
  });
}

export type ShareService = ReturnType<typeof createShareService>;
