// Links: created by their owner, listed, revoked; and a visitor's way in (token, then the password if it has one).
import { randomBytes } from "node:crypto";
import { hmac, safeEqual, sha256 } from "../platform/crypto";
import type { DriveFile, User } from "../platform/db/schema";
import { AppError, notFound } from "../platform/errors";
import { beginAttempt } from "../platform/http/rate-limit";
import { bookkeeping } from "../platform/space";
import { personOf, record, subjectOf, type ShareContext } from "./context";
import type { ListedLink, ShareLink } from "./repo";

export type LinkState = "active" | "expired" | "revoked";
/** A link to a Drive item (`fileId`) or to a Photos album (`albumId`); exactly one of them. */
export type CreateLinkInput = {
  fileId?: string;
  albumId?: string;
  password?: string;
  expiresAt?: Date | null;
  allowDownload?: boolean;
  allowMetadata?: boolean;
  /** Folders only: a drop box, where visitors upload and see nothing. */
  allowUpload?: boolean;
};
/**
 * A link as a request reached it: the link and what it shares (a Drive root, or an album), checked for revocation,
 * expiry and the trash. It is the visitor's viewer for the access policy (it carries `link`).
 */
export type OpenLink = { link: ShareLink } & ({ root: DriveFile; album: null } | { root: null; album: { id: string; name: string } });

export const linkState = (link: ShareLink, at: Date): LinkState =>
  link.revokedAt ? "revoked" : link.expiresAt && link.expiresAt.getTime() <= at.getTime() ? "expired" : "active";

/** What a link listing may show: never the token (only its hash is stored) nor the password hash. */
export function linkJson(l: ListedLink, at: Date) {
  const { link } = l;
  return {
    id: link.id,
    /** Its number (Nextcloud's sharing API names links by it). */
    number: link.seq,
    fileId: link.fileId,
    albumId: link.albumId,
    name: l.targetName ?? null,
    kind: l.targetKind ?? null,
    owner: l.owner,
    state: linkState(link, at),
    hasPassword: !!link.passwordHash,
    expiresAt: link.expiresAt?.toISOString() ?? null,
    allowDownload: link.allowDownload,
    allowMetadata: link.allowMetadata,
    allowUpload: link.allowUpload,
    views: link.views,
    createdAt: link.createdAt.toISOString(),
    revokedAt: link.revokedAt?.toISOString() ?? null,
  };
}
export type LinkJson = ReturnType<typeof linkJson>;

/** The person's own file, folder or album to share: another's is a 404, one shared with them a 403. */
export function shareTarget(ctx: ShareContext, user: User, q: { fileId?: string; albumId?: string }) {
  if (q.albumId) {
    const album = ctx.photos.album(user, q.albumId);
    return { id: album.id, name: album.name, kind: "album" as const };
  }
  const item = ctx.drive.itemFor(user, q.fileId ?? "", "file.share");
  return { id: item.id, name: item.name, kind: item.kind };
}

/** A password too short or an expiry already past is refused, at creation and on a change alike. */
function checkOptions(ctx: ShareContext, input: { password?: string | null; expiresAt?: Date | null }) {
  if (input.password && input.password.length < 4) throw new AppError(400, "A link password needs at least 4 characters.");
  if (input.expiresAt && input.expiresAt.getTime() <= ctx.now().getTime()) throw new AppError(400, "The expiry date is in the past.");
}

/** Creates a link and returns its token: the only time it exists outside the visitor's address bar. */
export async function create(ctx: ShareContext, user: User, input: CreateLinkInput): Promise<{ link: ShareLink; token: string }> {
  if (!!input.fileId === !!input.albumId) throw new AppError(400, "Share either a file or folder (fileId) or an album (albumId).");
  let what: string;
  if (input.albumId) {
    const album = ctx.photos.album(user, input.albumId);
    if (input.allowUpload) throw new AppError(400, "Only a folder link can accept uploads.");
    what = `album '${album.name}'`;
  } else {
    // A folder shared with this person is still its owner's: only the owner publishes it.
    const target = ctx.drive.itemFor(user, input.fileId!, "file.share");
    if (target.parentId === null) throw new AppError(400, "Share a folder or file inside your Drive, not all of it.");
    if (input.allowUpload && target.kind !== "folder") throw new AppError(400, "Only a folder link can accept uploads.");
    what = `${target.kind} '${target.name}'`;
  }
  checkOptions(ctx, input);
  const token = randomBytes(32).toString("base64url"); // 256 bits
  const passwordHash = input.password ? await Bun.password.hash(input.password, { algorithm: "argon2id" }) : null;
  const link = ctx.repo.insert({
    id: randomBytes(12).toString("base64url"),
    userId: user.id,
    fileId: input.albumId ? null : input.fileId!,
    albumId: input.albumId ?? null,
    tokenHash: sha256(token),
    passwordHash,
    expiresAt: input.expiresAt ?? null,
    allowDownload: input.allowDownload ?? true,
    allowMetadata: input.allowMetadata ?? false,
    allowUpload: input.allowUpload ?? false,
    createdAt: ctx.now(),
  });
  const options = [
    passwordHash ? ", password" : "",
    link.expiresAt ? `, expires ${link.expiresAt.toISOString()}` : "",
    link.allowDownload ? "" : ", view only",
    link.allowMetadata ? ", with metadata" : "",
    link.allowUpload ? ", upload only" : "",
  ];
  record(ctx, user, "share.create", link.id, true, `${what}${options.join("")}`);
  return { link, token };
}

export const listOwn = (ctx: ShareContext, user: User) => ctx.repo.ofUser(user.id).map((l) => linkJson(l, ctx.now()));
/** The person's own links as stored (never the token: only its hash is kept), newest first. */
export const ownLinks = (ctx: ShareContext, user: User): ShareLink[] => ctx.repo.ofUser(user.id).map((l) => l.link);
export const listAll = (ctx: ShareContext) => ctx.repo.all().map((l) => linkJson(l, ctx.now()));

/** Ends a link at once: its owner, or the administrator (who may revoke every link on the box). */
export function revoke(ctx: ShareContext, user: User, id: string): ShareLink {
  const { byAdmin, ...link } = ctx.access.require(user, "link.manage", [id])[0]!;
  const revoked = link.revokedAt ? link : ctx.repo.revoke(link.id, ctx.now())!;
  record(ctx, user, "share.revoke", link.id, true, `${subjectOf(ctx, user, link)}${byAdmin ? `, as administrator, owner ${personOf(ctx, link.userId)}` : ""}`);
  return revoked;
}

/**
 * A link its owner (or the administrator) may manage, by its number: an unknown number and another person's link are
 * both 404, as the policy answers for ids.
 */
export function byNumber(ctx: ShareContext, user: User, number: number): ShareLink {
  const id = Number.isSafeInteger(number) && number > 0 ? ctx.repo.idByNumber(number) : undefined;
  if (!id) throw notFound("This link");
  const { byAdmin: _, ...link } = ctx.access.require(user, "link.manage", [id])[0]!;
  return link;
}

/**
 * Changes a link's password (null: none) or expiry (null: never), as its owner or the administrator: the policy's
 * `link.manage`, the checks of `create`. A new password ends every visitor's unlock (the cookie names the old hash).
 */
export async function update(ctx: ShareContext, user: User, id: string, change: { password?: string | null; expiresAt?: Date | null }): Promise<ShareLink> {
  const { byAdmin, ...link } = ctx.access.require(user, "link.manage", [id])[0]!;
  if (linkState(link, ctx.now()) === "revoked") throw new AppError(410, "This link was turned off; make a new one.");
  checkOptions(ctx, change);
  const set: { passwordHash?: string | null; expiresAt?: Date | null } = {};
  if (change.password !== undefined) set.passwordHash = change.password ? await Bun.password.hash(change.password, { algorithm: "argon2id" }) : null;
  if (change.expiresAt !== undefined) set.expiresAt = change.expiresAt;
  if (!Object.keys(set).length) return link;
  const updated = ctx.repo.update(link.id, set)!;
  const what = [
    set.passwordHash !== undefined ? (set.passwordHash ? "a new password" : "no password") : "",
    set.expiresAt !== undefined ? (set.expiresAt ? `expires ${set.expiresAt.toISOString()}` : "no expiry") : "",
  ].filter(Boolean);
  record(
    ctx,
    user,
    "share.update",
    link.id,
    true,
    `${subjectOf(ctx, user, link)}: ${what.join(", ")}${byAdmin ? `, as administrator, owner ${personOf(ctx, link.userId)}` : ""}`,
  );
  return updated;
}

/** The link behind a token: unknown → 404, revoked or expired → 410, its root or album deleted or trashed → 404. */
export function open(ctx: ShareContext, token: string): OpenLink {
  const link = /^[A-Za-z0-9_-]{43}$/.test(token) ? ctx.repo.byTokenHash(sha256(token)) : undefined;
  if (!link) throw notFound("This link");
  const state = linkState(link, ctx.now());
  if (state === "revoked") throw new AppError(410, "This link was turned off by its owner.");
  if (state === "expired") throw new AppError(410, "This link has expired.");
  try {
    // What it shares, as its visitor reaches it: an album to view, a folder or file to read (a drop box: to write into).
    if (link.albumId) {
      const album = ctx.photos.album({ link }, link.albumId, "album.view");
      return { link, root: null, album: { id: album.id, name: album.name } };
    }
    return { link, root: ctx.drive.itemFor({ link }, link.fileId ?? "", link.allowUpload ? "file.write" : "file.read"), album: null };
  } catch {
    throw notFound("This link");
  }
}

const unlockValue = (ctx: ShareContext, link: ShareLink) => hmac(ctx.secret, `share-unlock:${link.id}:${link.passwordHash}`);

/** True when the link has no password, or the cookie proves it was entered for this link and this password. */
export const unlocked = (ctx: ShareContext, open: OpenLink, cookieValue: string | undefined) =>
  !open.link.passwordHash || (!!cookieValue && safeEqual(cookieValue, unlockValue(ctx, open.link)));

/** Checks a password: each attempt is counted per link and per IP before the slow hash runs. Returns the unlock cookie value. */
export async function unlock(ctx: ShareContext, open: OpenLink, password: string, ip: string | null): Promise<string> {
  const { link } = open;
  if (!link.passwordHash) return unlockValue(ctx, link);
  const attempt = beginAttempt(
    [
      [ctx.attempts.byLink, `link:${link.id}`],
      [ctx.attempts.byIp, `ip:${ip ?? "unknown"}`],
    ],
    "Too many wrong passwords. Wait a moment and try again.",
  );
  if (await Bun.password.verify(password.slice(0, 1024), link.passwordHash)) {
    attempt.succeeded();
    record(ctx, null, "share.unlock", link.id, true, `from ${ip ?? "unknown"}`);
    return unlockValue(ctx, link);
  }
  record(ctx, null, "share.unlock", link.id, false, `wrong password from ${ip ?? "unknown"}`);
  throw new AppError(403, "Wrong password.");
}

/** Bookkeeping: on a full disk the view goes uncounted and the page is still served. */
export const countView = (ctx: ShareContext, open: OpenLink) => bookkeeping(() => ctx.repo.countView(open.link.id));
