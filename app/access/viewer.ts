import type { ShareLink, User } from "../platform/db/schema";

/**
 * A visitor holding a share link: its token resolved to the link and, when it has a password, the password entered
 * (app/share's `open` and `unlocked` establish that, as sign-in establishes a user). What the link grants is decided
 * by the policy from the link's row, read again on every check.
 */
export type LinkViewer = { link: ShareLink };

/** Whoever asks: a person signed in (session, app token), a link visitor, or nobody (null: anonymous). */
export type Viewer = User | LinkViewer | null;

export const isLinkViewer = (viewer: Viewer): viewer is LinkViewer => viewer !== null && "link" in viewer;

/** The signed-in person behind a viewer; null for a link visitor or nobody. */
export const userOf = (viewer: Viewer): User | null => (viewer && !("link" in viewer) ? viewer : null);

/** Whether the viewer is the owner of what `ownerId` owns (its places and metadata are theirs to give). */
export const owns = (viewer: Viewer, ownerId: string): boolean => userOf(viewer)?.id === ownerId;

/** The administrator role: manages every link and share on the box, and the box itself. Not a key to others' files. */
export const isAdmin = (viewer: Viewer): boolean => userOf(viewer)?.role === "admin";

/**
 * What to record as the author of an item `viewer` creates in `ownerId`'s Drive (`files.created_by`): nobody when it
 * is the owner's own, the person writing into a folder shared with them, or `link:<id>` for a drop-box link.
 */
export function authorOf(viewer: User | LinkViewer, ownerId: string): string | null {
  if ("link" in viewer) return `link:${viewer.link.id}`;
  return viewer.id === ownerId ? null : viewer.id;
}

/** Whose space a viewer's upload is received in before it lands: a person's own, a link visitor's link owner's. */
export const accountOf = (viewer: User | LinkViewer): string => ("link" in viewer ? viewer.link.userId : viewer.id);
