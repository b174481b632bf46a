import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { DriveFile, User } from "../db/schema";
import type { AuditRepo } from "../audit/repo";
import type { DriveService } from "../drive/service";
import type { AlbumEntry, PhotosService } from "../photos/service";
import { numberedName, type ListOptions } from "../drive/model";
import { hmac, safeEqual, sha256 } from "../auth/crypto";
import type { RateLimiter } from "../http/rate-limit";
import { AppError, notFound, tooManyRequests } from "../errors";
import { stripJpegMetadata } from "./jpeg";
import { DamagedMp4Error, mp4MetadataPatches, PatchedFile } from "./mp4";
import type { ListedAlbumGrant, ListedGrant, ListedLink, ShareLink, ShareRepo } from "./repo";

const VIDEO = /^video\//;

export type ShareDeps = {
  repo: ShareRepo;
  drive: DriveService;
  photos: PhotosService;
  /** The browser-playable MP4 the media pipeline made of a video, if any. */
  playableVideo: (file: DriveFile) => string | undefined;
  /** The media pipeline's WebP thumbnail of a file (a video's is made from its poster frame), if any. */
  mediaThumb: (file: DriveFile) => string | undefined;
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
 * A link as a request reached it: the link, its owner and what it shares (a Drive root, or an album), checked for
 * revocation, expiry and the trash.
 */
export type OpenLink = { link: ShareLink; owner: User } & ({ root: DriveFile; album: null } | { root: null; album: { id: string; name: string } });
/** What a link serves for one id: a Drive file with its owner, resolved inside the link's root or album. */
type Served = { file: DriveFile; path: string };
/** At most this many items per page of a link's folder; "More" pages on. */
export const LINK_PAGE = 500;

const JPEG = /^image\/jpe?g$/;
export const linkState = (link: ShareLink, at: Date): LinkState =>
  link.revokedAt ? "revoked" : link.expiresAt && link.expiresAt.getTime() <= at.getTime() ? "expired" : "active";

/** What a link listing may show: never the token (only its hash is stored) nor the password hash. */
export function linkJson(l: ListedLink, at: Date) {
  const { link } = l;
  return {
    id: link.id,
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

export function createShareService(deps: ShareDeps) {
  const { repo, drive, photos, audit } = deps;
  const now = deps.now ?? (() => new Date());
  const record = (user: User | null, action: string, linkId: string, ok = true, detail?: string) =>
    audit.record({ userId: user?.id ?? null, action, objectId: linkId, ok, detail: detail ?? null });

  /** Owner, or the admin (who may list and revoke every link on the box); anyone else sees a missing link. */
  function manageable(user: User, id: string): ShareLink {
    const link = repo.byId(id);
    if (!link || (link.userId !== user.id && user.role !== "admin")) throw notFound("This link");
    return link;
  }

  const dropBoxOnly = () => new AppError(403, "This link only accepts uploads: its folder is not shown.");
  /** The Drive root of a folder or file link; an album link or a drop box has none to show. */
  function driveRoot(open: OpenLink): DriveFile {
    if (!open.root) throw notFound("This item");
    if (open.link.allowUpload) throw dropBoxOnly();
    return open.root;
  }
  /** An album link's entry by Drive file id: a photo outside the album (the same owner's too) is a 404. */
  function inAlbum(open: OpenLink, id: string): AlbumEntry {
    if (!open.album) throw notFound("This item");
    try {
      return photos.entryOf(open, open.album.id, id);
    } catch {
      throw notFound("This item");
    }
  }
  /** The file behind `id` and where its bytes are: inside the link's root, or in the link's album. */
  function served(open: OpenLink, id: string): Served {
    if (open.album) {
      const entry = inAlbum(open, id);
      const { file, path } = photos.entryContent(entry);
      return { file, path };
    }
    const file = inRoot(open, id);
    if (file.kind !== "file" || !file.sha256) throw new AppError(400, "Folders download as a zip.");
    return drive.content(open.owner, file.id);
  }

  /** The shared root contains `item` (or is it): ancestors are walked in the database, never from a path. */
  function inRoot(open: OpenLink, id: string): DriveFile {
    const root = driveRoot(open);
    let item: DriveFile;
    try {
      item = drive.itemFor(open.owner, id, "file.read"); // the owner's, and not in the trash
    } catch {
      throw notFound("This item");
    }
    if (!drive.breadcrumbs(open.owner, item.id).some((a) => a.id === root.id)) throw notFound("This item");
    return item;
  }

  const unlockValue = (link: ShareLink) => hmac(deps.secret, `share-unlock:${link.id}:${link.passwordHash}`);

  /** Photos other than JPEG cannot be cleaned here: when they carry a location and the owner did not allow it, they are withheld. */
  /**
   * A video as a link may serve it without its location: MP4/MOV/3GP (what phones record, and where they put the
   * place) with the metadata boxes blanked (mp4.ts). Null for other containers (MPEG-TS, AVI, WebM, MKV), which have
   * no standard place tag: they are sent as recorded, and watched through the pipeline's MP4 once it exists.
   */
  async function cleanVideo(path: string): Promise<PatchedFile | null> {
    try {
      const patches = await mp4MetadataPatches(path);
      return patches ? new PatchedFile(path, patches) : null;
    } catch (e) {
      if (e instanceof DamagedMp4Error) throw new AppError(415, e.message);
      throw e;
    }
  }

  async function hasLocation(file: DriveFile, path: string) {
    if (!file.mime?.startsWith("image/") || JPEG.test(file.mime)) return false;
    const { default: exifr } = await import("exifr");
    const gps = await exifr.gps(path).catch(() => undefined);
    return !!gps && (gps.latitude !== undefined || gps.longitude !== undefined);
  }

  /** An album as zip entries: one folder named after it, a file per photo (names made unique: two people's IMG_0001.jpg). */
  function albumZipEntries(open: OpenLink) {
    const taken = new Set<string>();
    const folder = (open.album?.name ?? "Album").replace(/[\\/]/g, "_");
    return photos.albumEntries(open, open.album!.id).map((entry) => {
      const { file, path } = photos.entryContent(entry);
      let name = file.name.replace(/\\/g, "_");
      for (let n = 1; taken.has(name.toLowerCase()); n++) name = numberedName(file.name.replace(/\\/g, "_"), n);
      taken.add(name.toLowerCase());
      return { path: `${folder}/${name}`, kind: "file" as const, file, blobPath: path as string | null };
    });
  }

  return {
    /** Creates a link and returns its token: the only time it exists outside the visitor's address bar. */
    async create(user: User, input: CreateLinkInput): Promise<{ link: ShareLink; token: string }> {
      if (!!input.fileId === !!input.albumId) throw new AppError(400, "Share either a file or folder (fileId) or an album (albumId).");
      let what: string;
      if (input.albumId) {
        const album = photos.album(user, input.albumId); // the owner's own album; another's is a 404, a shared one a 403
        if (input.allowUpload) throw new AppError(400, "Only a folder link can accept uploads.");
        what = `album ${album.id}`;
      } else {
        const target = drive.itemFor(user, input.fileId!, "file.read");
        // A folder shared with this user is still its owner's: only the owner publishes it.
        if (target.userId !== user.id) throw new AppError(403, "Only the owner can share this.");
        if (target.parentId === null) throw new AppError(400, "Share a folder or file inside your Drive, not all of it.");
        if (input.allowUpload && target.kind !== "folder") throw new AppError(400, "Only a folder link can accept uploads.");
        what = `${target.kind} ${target.id}`;
      }
      if (input.password !== undefined && input.password !== "" && input.password.length < 4)
        throw new AppError(400, "A link password needs at least 4 characters.");
      if (input.expiresAt && input.expiresAt.getTime() <= now().getTime()) throw new AppError(400, "The expiry date is in the past.");
      const token = randomBytes(32).toString("base64url"); // 256 bits
      const passwordHash = input.password ? await Bun.password.hash(input.password, { algorithm: "argon2id" }) : null;
      const link = repo.insert({
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
        createdAt: now(),
      });
      record(
        user,
        "share.create",
        link.id,
        true,
        `${what}${passwordHash ? ", password" : ""}${link.expiresAt ? `, expires ${link.expiresAt.toISOString()}` : ""}${link.allowDownload ? "" : ", view only"}${link.allowMetadata ? ", with metadata" : ""}${link.allowUpload ? ", upload only" : ""}`,
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
      const folder = drive.itemFor(owner, input.folderId, "file.read");
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
      if (link.albumId) {
        try {
          const album = photos.album({ link }, link.albumId, "album.view");
          return { link, owner, root: null, album: { id: album.id, name: album.name } };
        } catch {
          throw notFound("This link");
        }
      }
      try {
        return { link, owner, root: drive.itemFor(owner, link.fileId ?? "", "file.read"), album: null };
      } catch {
        throw notFound("This link");
      }
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
    inAlbum,
    /** A folder's page inside the link (the root when no id): its items and the path from the shared root. */
    list(open: OpenLink, folderId: string | undefined, opts: ListOptions) {
      const root = driveRoot(open);
      const folder = folderId ? inRoot(open, folderId) : root;
      if (folder.kind !== "folder") throw new AppError(400, "That is a file, not a folder.");
      const r = drive.list(open.owner, folder.id, opts);
      const path = r.breadcrumbs.slice(r.breadcrumbs.findIndex((a) => a.id === root.id));
      return { folder, path, items: r.items, hasMore: r.hasMore };
    },
    /** An album link's photos and videos, newest first, with who added each. */
    albumEntries(open: OpenLink): AlbumEntry[] {
      if (!open.album) throw notFound("This album");
      return photos.albumEntries(open, open.album.id);
    },
    /**
     * The bytes a link serves for a file: a JPEG without its metadata segments unless the owner allowed metadata;
     * another photo with a location is withheld. Downloads (as opposed to inline viewing) need `allowDownload`.
     */
    async content(open: OpenLink, id: string, mode: "inline" | "download"): Promise<{ file: DriveFile; body: string | Blob | PatchedFile }> {
      let { file, path } = served(open, id);
      if (mode === "download" && !open.link.allowDownload) throw new AppError(403, "This link is view only: downloads are turned off.");
      if (mode === "inline" && !open.link.allowDownload && !/^(video|audio)\//.test(file.mime ?? "")) {
        throw new AppError(403, "This link is view only: only previews are shown.");
      }
      // Watching a video: the pipeline's MP4 when the original does not play in browsers (HEVC, MOV, AVI…).
      const playable = mode === "inline" && VIDEO.test(file.mime ?? "") ? deps.playableVideo(file) : undefined;
      if (playable) {
        file = { ...file, name: file.name.replace(/\.[^.]*$/, "") + ".mp4", mime: "video/mp4", size: Bun.file(playable).size, sha256: `${file.sha256}-mp4` };
        path = playable;
      }
      if (open.link.allowMetadata) return { file, body: path };
      if (VIDEO.test(file.mime ?? "")) {
        const clean = await cleanVideo(path);
        return clean ? { file: { ...file, sha256: `${file.sha256}-clean` }, body: clean } : { file, body: path };
      }
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
    /** The served file's kind without reading it (thumbnails only for pictures). */
    fileOf: (open: OpenLink, id: string) => served(open, id).file,
    /** A preview-sized WebP (re-encoded by sharp, which writes no metadata). */
    preview: (open: OpenLink, id: string) => (open.album ? photos.entryPreview(inAlbum(open, id)) : drive.previewImage(open.owner, inRoot(open, id).id)),
    /** Has the box made a picture of this video yet (its gallery tile shows it)? */
    hasVideoThumb(open: OpenLink, id: string) {
      const { file } = served(open, id);
      return VIDEO.test(file.mime ?? "") && !!deps.mediaThumb(file);
    },
    /** A video's thumbnail: the pipeline's, made from a frame (carries no metadata); none before it is processed. */
    videoThumb(open: OpenLink, id: string): string {
      const thumb = deps.mediaThumb(served(open, id).file);
      if (!thumb) throw notFound("This video's picture");
      return thumb;
    },
    /** The shared root or album as zip entries, JPEGs cleaned as they stream and located non-JPEG photos left out. */
    async zipEntries(open: OpenLink) {
      if (!open.link.allowDownload) throw new AppError(403, "This link is view only: downloads are turned off.");
      const entries = open.album ? albumZipEntries(open) : drive.zipEntries(open.owner, [driveRoot(open).id]);
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
        } else if (e.kind === "file" && e.blobPath && VIDEO.test(e.file.mime ?? "")) {
          // A damaged MP4 (its location cannot be removed) is left out, like a located photo.
          const clean = await cleanVideo(e.blobPath).catch(() => undefined);
          if (clean) out.push({ ...e, open: () => Readable.fromWeb(clean.stream() as unknown as import("node:stream/web").ReadableStream) });
          else if (clean === null) out.push(e);
        } else if (!(e.kind === "file" && e.blobPath && (await hasLocation(e.file, e.blobPath)))) out.push(e);
      }
      return out;
    },
    /**
     * A drop box's upload: into the link's folder as its owner (their quota), never over an existing file (a clash
     * gets "name (1).ext"), recorded as uploaded through this link. The answer names nothing of the folder.
     */
    async dropUpload(open: OpenLink, input: { name: string; length?: number }, source: AsyncIterable<Uint8Array>, ip: string | null) {
      if (!open.link.allowUpload || !open.root) throw new AppError(403, "This link does not accept uploads.");
      try {
        const file = await drive.upload(open, { parentId: open.root.id, name: input.name, declaredLength: input.length, conflict: "rename" }, source);
        record(null, "share.upload", open.link.id, true, `file ${file.id}, ${file.size} bytes, from ${ip ?? "unknown"}`);
        return { size: file.size };
      } catch (e) {
        record(null, "share.upload", open.link.id, false, `${e instanceof Error ? e.message : "failed"} (from ${ip ?? "unknown"})`);
        throw e;
      }
    },

    /** Shares the owner's album with another user of the box: "view", or "contribute" (they add their own photos). */
    shareAlbumWithUser(owner: User, input: { albumId: string; username: string; access: "view" | "contribute" }) {
      const album = photos.album(owner, input.albumId);
      if (input.access !== "view" && input.access !== "contribute") throw new AppError(400, "Access is view or contribute.");
      const grantee = deps.userByName(input.username.trim().toLowerCase());
      if (!grantee || grantee.id === owner.id) throw new AppError(404, `There is no other person called “${input.username}” on this box.`);
      const grant = repo.upsertAlbumGrant({
        id: randomBytes(12).toString("base64url"),
        albumId: album.id,
        ownerId: owner.id,
        granteeId: grantee.id,
        access: input.access,
        createdAt: now(),
      });
      record(owner, "share.album.grant", grant.id, true, `album ${album.id} with ${grantee.username}, ${grant.access}`);
      return grant;
    },
    /** Ends an album share at once (owner or admin): the person's photos leave the album's view, their files stay. */
    unshareAlbum(user: User, id: string) {
      const grant = repo.albumGrantById(id);
      if (!grant || (grant.ownerId !== user.id && user.role !== "admin")) throw notFound("This share");
      repo.deleteAlbumGrant(grant.id);
      record(user, "share.album.remove", grant.id, true, `album ${grant.albumId}, grantee ${grant.granteeId}`);
    },
    albumGrantsOf: (user: User) => repo.albumGrants(user.id).map(albumGrantJson),
    allAlbumGrants: () => repo.albumGrants().map(albumGrantJson),
    /** Photos and videos in folders other people shared with `user` (read-only unless the share is read-write). */
    sharedFolderMedia: (user: User, limit = 500) => repo.sharedFolderMedia(user.id, limit),
  };
}

export type ShareService = ReturnType<typeof createShareService>;
