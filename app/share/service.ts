import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { DriveFile, User } from "../db/schema";
import type { AuditRepo } from "../audit/repo";
import type { DriveService } from "../drive/service";
import type { ListOptions } from "../drive/model";
import { hmac, safeEqual, sha256 } from "../auth/crypto";
import type { RateLimiter } from "../http/rate-limit";
import { AppError, notFound, tooManyRequests } from "../errors";
import { stripJpegMetadata } from "./jpeg";
import type { ListedGrant, ListedLink, ShareLink, ShareRepo } from "./repo";

export type ShareDeps = {
  repo: ShareRepo;
  drive: DriveService;
  audit: AuditRepo;
  userById: (id: string) => User | undefined;
  userByName: (username: string) => User | undefined;
  /** Keys the per-link unlock cookie. */
  secret: Buffer;
  /** Password attempts, counted per link and per client IP. */
  attempts: { byLink: RateLimiter; byIp: RateLimiter };
  now?: () => Date;
};

export type LinkState = "active" | "expired" | "revoked";
export type CreateLinkInput = { fileId: string; password?: string; expiresAt?: Date | null; allowDownload?: boolean; allowMetadata?: boolean };
/** A link as a request reached it: the link, its owner and its root, checked for revocation, expiry and the trash. */
export type OpenLink = { link: ShareLink; owner: User; root: DriveFile };

const JPEG = /^image\/jpe?g$/;
export const linkState = (link: ShareLink, at: Date): LinkState =>
  link.revokedAt ? "revoked" : link.expiresAt && link.expiresAt.getTime() <= at.getTime() ? "expired" : "active";

/** What a link listing may show: never the token (only its hash is stored) nor the password hash. */
export function linkJson(l: ListedLink, at: Date) {
  const { link } = l;
  return {
    id: link.id,
    fileId: link.fileId,
    name: l.targetName ?? null,
    kind: l.targetKind ?? null,
    owner: l.owner,
    state: linkState(link, at),
    hasPassword: !!link.passwordHash,
    expiresAt: link.expiresAt?.toISOString() ?? null,
    allowDownload: link.allowDownload,
    allowMetadata: link.allowMetadata,
    views: link.views,
    createdAt: link.createdAt.toISOString(),
    revokedAt: link.revokedAt?.toISOString() ?? null,
  };
}
export type LinkJson = ReturnType<typeof linkJson>;

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

export function createShareService(deps: ShareDeps) {
  const { repo, drive, audit } = deps;
  const now = deps.now ?? (() => new Date());
  const record = (user: User | null, action: string, linkId: string, ok = true, detail?: string) =>
    audit.record({ userId: user?.id ?? null, action, objectId: linkId, ok, detail: detail ?? null });

  /** Owner, or the admin (who may list and revoke every link on the box); anyone else sees a missing link. */
  function manageable(user: User, id: string): ShareLink {
    const link = repo.byId(id);
    if (!link || (link.userId !== user.id && user.role !== "admin")) throw notFound("This link");
    return link;
  }

  /** The shared root contains `item` (or is it): ancestors are walked in the database, never from a path. */
  function inRoot(open: OpenLink, id: string): DriveFile {
    let item: DriveFile;
    try {
      item = drive.itemFor(open.owner, id, "read"); // the owner's, and not in the trash
    } catch {
      throw notFound("This item");
    }
    if (!drive.breadcrumbs(open.owner, item.id).some((a) => a.id === open.root.id)) throw notFound("This item");
    return item;
  }

  const unlockValue = (link: ShareLink) => hmac(deps.secret, `share-unlock:${link.id}:${link.passwordHash}`);

  /** Photos other than JPEG cannot be cleaned here: when they carry a location and the owner did not allow it, they are withheld. */
  async function hasLocation(file: DriveFile, path: string) {
    if (!file.mime?.startsWith("image/") || JPEG.test(file.mime)) return false;
    const { default: exifr } = await import("exifr");
    const gps = await exifr.gps(path).catch(() => undefined);
    return !!gps && (gps.latitude !== undefined || gps.longitude !== undefined);
  }

  return {
    /** Creates a link and returns its token: the only time it exists outside the visitor's address bar. */
    async create(user: User, input: CreateLinkInput): Promise<{ link: ShareLink; token: string }> {
      const target = drive.itemFor(user, input.fileId, "read");
      // A folder shared with this user is still its owner's: only the owner publishes it.
      if (target.userId !== user.id) throw new AppError(403, "Only the owner can share this.");
      if (target.parentId === null) throw new AppError(400, "Share a folder or file inside your Drive, not all of it.");
      if (input.password !== undefined && input.password !== "" && input.password.length < 4)
        throw new AppError(400, "A link password needs at least 4 characters.");
      if (input.expiresAt && input.expiresAt.getTime() <= now().getTime()) throw new AppError(400, "The expiry date is in the past.");
      const token = randomBytes(32).toString("base64url"); // 256 bits
      const passwordHash = input.password ? await Bun.password.hash(input.password, { algorithm: "argon2id" }) : null;
      const link = repo.insert({
        id: randomBytes(12).toString("base64url"),
        userId: user.id,
        fileId: target.id,
        tokenHash: sha256(token),
        passwordHash,
        expiresAt: input.expiresAt ?? null,
        allowDownload: input.allowDownload ?? true,
        allowMetadata: input.allowMetadata ?? false,
        createdAt: now(),
      });
      record(
        user,
        "share.create",
        link.id,
        true,
        `${target.kind} ${target.id}${passwordHash ? ", password" : ""}${link.expiresAt ? `, expires ${link.expiresAt.toISOString()}` : ""}${link.allowDownload ? "" : ", view only"}${link.allowMetadata ? ", with metadata" : ""}`,
      );
      return { link, token };
    },
    listOwn: (user: User) => repo.ofUser(user.id).map((l) => linkJson(l, now())),
    listAll: () => repo.all().map((l) => linkJson(l, now())),
    revoke(user: User, id: string) {
      const link = manageable(user, id);
      const revoked = link.revokedAt ? link : repo.revoke(link.id, now())!;
      record(user, "share.revoke", link.id, true, link.userId === user.id ? undefined : `as administrator, owner ${link.userId}`);
      return revoked;
    },

    /** Shares `folderId` (the owner's own folder) with another user of the box, read or read-write; again: changes the access. */
    shareWithUser(owner: User, input: { folderId: string; username: string; access: "read" | "write" }) {
      const folder = drive.itemFor(owner, input.folderId, "read");
      if (folder.userId !== owner.id) throw new AppError(403, "Only the owner can share this folder.");
      if (folder.kind !== "folder") throw new AppError(400, "Only folders can be shared with people; share a file with a link.");
      if (folder.parentId === null) throw new AppError(400, "Share a folder inside your Drive, not all of it.");
      if (input.access !== "read" && input.access !== "write") throw new AppError(400, "Access is read or write.");
      const grantee = deps.userByName(input.username.trim().toLowerCase());
      if (!grantee || grantee.id === owner.id) throw new AppError(404, `There is no other person called “${input.username}” on this box.`);
      const grant = repo.upsertGrant({
        id: randomBytes(12).toString("base64url"),
        ownerId: owner.id,
        folderId: folder.id,
        granteeId: grantee.id,
        access: input.access,
        createdAt: now(),
      });
      record(owner, "share.user.grant", grant.id, true, `folder ${folder.id} with ${grantee.username}, ${grant.access}`);
      return grant;
    },
    /** Ends a folder share at once (owner or admin); the recipient's next request no longer sees the folder. */
    unshareWithUser(user: User, id: string) {
      const grant = repo.grantById(id);
      if (!grant || (grant.ownerId !== user.id && user.role !== "admin")) throw notFound("This share");
      repo.deleteGrant(grant.id);
      record(user, "share.user.remove", grant.id, true, `folder ${grant.folderId}, grantee ${grant.granteeId}`);
    },
    grantsOf: (user: User) => repo.grants(user.id).map(grantJson),
    allGrants: () => repo.grants().map(grantJson),

    /** The link behind a token: unknown → 404, revoked or expired → 410, its root deleted or trashed → 404. */
    open(token: string): OpenLink {
      const link = /^[A-Za-z0-9_-]{43}$/.test(token) ? repo.byTokenHash(sha256(token)) : undefined;
      if (!link) throw notFound("This link");
      const state = linkState(link, now());
      if (state === "revoked") throw new AppError(410, "This link was turned off by its owner.");
      if (state === "expired") throw new AppError(410, "This link has expired.");
      const owner = deps.userById(link.userId);
      if (!owner) throw notFound("This link");
      let root: DriveFile;
      try {
        root = drive.itemFor(owner, link.fileId, "read");
      } catch {
        throw notFound("This link");
      }
      return { link, owner, root };
    },
    /** True when the link has no password, or the cookie proves it was entered for this link and this password. */
    unlocked: (open: OpenLink, cookieValue: string | undefined) => !open.link.passwordHash || (!!cookieValue && safeEqual(cookieValue, unlockValue(open.link))),
    /** Checks a password: throttled per link and per IP before the slow hash runs. Returns the unlock cookie value. */
    async unlock(open: OpenLink, password: string, ip: string | null): Promise<string> {
      const { link } = open;
      if (!link.passwordHash) return unlockValue(link);
      const keys = [
        [deps.attempts.byLink, `link:${link.id}`],
        [deps.attempts.byIp, `ip:${ip ?? "unknown"}`],
      ] as const;
      for (const [limiter, key] of keys) {
        if (limiter.blocked(key)) throw tooManyRequests("Too many wrong passwords. Wait a moment and try again.", limiter.retryAfterSeconds(key));
      }
      if (await Bun.password.verify(password.slice(0, 1024), link.passwordHash)) {
        record(null, "share.unlock", link.id, true, `from ${ip ?? "unknown"}`);
        return unlockValue(link);
      }
      for (const [limiter, key] of keys) limiter.hit(key);
      record(null, "share.unlock", link.id, false, `wrong password from ${ip ?? "unknown"}`);
      throw new AppError(403, "Wrong password.");
    },
    countView: (open: OpenLink) => repo.countView(open.link.id),

    inRoot,
    /** A folder's page inside the link (the root when no id): its items and the path from the shared root. */
    list(open: OpenLink, folderId: string | undefined, opts: ListOptions) {
      const folder = folderId ? inRoot(open, folderId) : open.root;
      if (folder.kind !== "folder") throw new AppError(400, "That is a file, not a folder.");
      const r = drive.list(open.owner, folder.id, opts);
      const path = r.breadcrumbs.slice(r.breadcrumbs.findIndex((a) => a.id === open.root.id));
      return { folder, path, items: r.items, hasMore: r.hasMore };
    },
    /**
     * The bytes a link serves for a file: a JPEG without its metadata segments unless the owner allowed metadata;
     * another photo with a location is withheld. Downloads (as opposed to inline viewing) need `allowDownload`.
     */
    async content(open: OpenLink, id: string, mode: "inline" | "download"): Promise<{ file: DriveFile; body: string | Blob }> {
      const file = inRoot(open, id);
      if (mode === "download" && !open.link.allowDownload) throw new AppError(403, "This link is view only: downloads are turned off.");
      const { path } = drive.content(open.owner, file.id);
      if (mode === "inline" && !open.link.allowDownload && !/^(video|audio)\//.test(file.mime ?? "")) {
        throw new AppError(403, "This link is view only: only previews are shown.");
      }
      if (open.link.allowMetadata) return { file, body: path };
      if (JPEG.test(file.mime ?? "")) {
        const clean = stripJpegMetadata(await Bun.file(path).bytes());
        if (!clean) throw new AppError(415, "This photo could not be cleaned of its metadata, so it is not shared.");
        return {
          file: { ...file, size: clean.length, sha256: `${file.sha256}-clean` },
          body: new Blob([clean as Uint8Array<ArrayBuffer>], { type: file.mime! }),
        };
      }
      if (await hasLocation(file, path))
        throw new AppError(403, "This photo carries its location and the owner did not share locations: only its preview is shown.");
      return { file, body: path };
    },
    /** A preview-sized WebP (re-encoded by sharp, which writes no metadata). */
    preview: (open: OpenLink, id: string) => drive.previewImage(open.owner, inRoot(open, id).id),
    /** The shared root as zip entries, JPEGs cleaned as they stream and located non-JPEG photos left out. */
    async zipEntries(open: OpenLink) {
      if (!open.link.allowDownload) throw new AppError(403, "This link is view only: downloads are turned off.");
      const entries = drive.zipEntries(open.owner, [open.root.id]);
      if (open.link.allowMetadata) return entries;
      const out: ((typeof entries)[number] & { open?: () => Readable })[] = [];
      for (const e of entries) {
        if (e.kind === "file" && e.blobPath && JPEG.test(e.file.mime ?? "")) {
          const path = e.blobPath;
          out.push({
            ...e,
            open: () =>
              Readable.from(
                (async function* () {
                  const clean = stripJpegMetadata(await Bun.file(path).bytes());
                  if (!clean) throw new Error("a JPEG could not be cleaned of its metadata");
                  yield Buffer.from(clean);
                })(),
              ),
          });
        } else if (!(e.kind === "file" && e.blobPath && (await hasLocation(e.file, e.blobPath)))) out.push(e);
      }
      return out;
    },
  };
}

export type ShareService = ReturnType<typeof createShareService>;
