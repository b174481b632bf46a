import type { Clock } from "../platform/clock";
import type { AccessPolicy } from "../access/policy";
import type { AuditEvents, AuditRepo } from "../platform/audit";
import type { DriveFile, User } from "../platform/db/schema";
import type { DriveService } from "../drive/service";
import type { RateLimiter } from "../platform/http/rate-limit";
import type { PhotosService } from "../photos/service";
import type { ShareRepo } from "./repo";

export type ShareDeps = {
  repo: ShareRepo;
  /** Decides what a person or a link's visitor may touch (app/access); Sharing decides nothing itself. */
  access: AccessPolicy;
  drive: DriveService;
  photos: PhotosService;
  /** The browser-playable MP4 the media pipeline made of a video, if any. */
  playableVideo: (file: DriveFile) => string | undefined;
  /** The media pipeline's WebP thumbnail of a file (a video's is made from its poster frame), if any. */
  mediaThumb: (file: DriveFile) => string | undefined;
  /** A photo's rendered edit (app/photos/edit) as a JPEG beside the original, if it has one: what a link shows. */
  editedPhoto: (file: DriveFile) => { file: DriveFile; path: string } | undefined;
  audit: AuditRepo;
  userByName: (username: string) => User | undefined;
  /** Keys the per-link unlock cookie. */
  secret: Buffer;
  /** Password attempts, counted per link and per client IP. */
  attempts: { byLink: RateLimiter; byIp: RateLimiter };
  now: Clock;
};

/** What every Sharing function works over (its first argument). */
export type ShareContext = ShareDeps;

export const shareContext = (deps: ShareDeps): ShareContext => ({ ...deps });

/** What the audit log calls the rows Sharing records: only these names can be recorded (`record`). */
export const shareEvents = {
  "share.create": { kind: "accounts", did: "made a share link", about: "made a share link to the {}" },
  "share.update": { kind: "accounts", did: "changed a share link's password or expiry", about: "changed the share link to the {}" },
  "share.revoke": { kind: "accounts", did: "revoked a share link", about: "revoked the share link to the {}" },
  "share.unlock": { kind: "accounts", did: "opened a password-protected share link" },
  "share.upload": { kind: "files", did: "received a file through a drop-box link" },
  "share.user.grant": { kind: "accounts", did: "gave someone access to a folder", about: "shared the {}" },
  "share.user.remove": { kind: "accounts", did: "took back someone's access to a folder", about: "took back {}" },
  "share.album.grant": { kind: "accounts", did: "gave someone access to an album", about: "shared the {}" },
  "share.album.remove": { kind: "accounts", did: "took back someone's access to an album", about: "took back {}" },
} satisfies AuditEvents;

/**
 * What a share is of, for its audit row, by the name its owner gave it: "album 'Tuscany'", "folder 'Trip'", "file
 * 'IMG_0042.jpg'". Someone who may not read it (an admin ending another's share) gets the id.
 */
export function subjectOf(ctx: ShareContext, user: User, of: { fileId?: string | null; albumId?: string | null }): string {
  try {
    if (of.albumId) return `album '${ctx.photos.album(user, of.albumId, "album.view").name}'`;
    const item = ctx.drive.itemFor(user, of.fileId ?? "", "file.read");
    return `${item.kind} '${item.name}'`;
  } catch {
    return of.albumId ? `album ${of.albumId}` : `file ${of.fileId}`;
  }
}
/** A person by name for an audit row (their id when the account is gone). */
export const personOf = (ctx: ShareContext, userId: string) => ctx.photos.ownerName(userId) ?? userId;

/** An audit row for a link or share (`user` null: a link's visitor). */
export const record = (ctx: ShareContext, user: User | null, action: keyof typeof shareEvents, objectId: string, ok = true, detail?: string) =>
  ctx.audit.record({ userId: user?.id ?? null, action, objectId, ok, detail: detail ?? null });
