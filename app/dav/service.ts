// WebDAV over each person's Drive: paths are walked by name from their root, every read and write is a call into the
// Drive service (the same write path, trash, quota and audit as the web), and every access decision is the access
// policy's (app/access): Drive asks it, and so do the locks and `oc:permissions` here. Locks, dead properties and
// folder ETags are the only state of our own (app/dav/repo.ts). Read a capability in its module: tree.ts (paths,
// ETags), conditions.ts (the If header, locks in the way); rights, quota and dead properties are below.
import { statfsSync } from "node:fs";
import type { AccessPolicy } from "../access/policy";
import type { Device } from "../auth/app-passwords";
import { bindContext } from "../platform/bind";
import type { Clock } from "../platform/clock";
import type { DriveFile, User } from "../platform/db/schema";
import type { DriveService } from "../drive/service";
import { AppError } from "../platform/errors";
import { checkConditions, lockDiscovery, locksOn, ownsLock, requireOwnLock } from "./conditions";
import type { Locks } from "./locks";
import type { DavRepo } from "./repo";
import { childPages, etagOf, type Node, resolve, rootNode } from "./tree";

/** A person's files as one request sees them: who, through which device, under which base URL. */
export type Space = { user: User; device: Device | null; base: string; requestUrl: string };

/** What every WebDAV function works over (its first argument): Drive, the policy, our own rows, locks, a clock. */
export type DavContext = { drive: DriveService; access: AccessPolicy; repo: DavRepo; locks: Locks; dataDir: string; now: Clock };

/** What a viewer may do to an item beyond reading it, as the policy answers (Nextcloud's permission letters). */
export type Rights = { write: boolean; manage: boolean };
const NO_RIGHTS: Rights = { write: false, manage: false };

/** What the person may do to each of `items` beyond reading it, in one statement of the policy. */
function rights(ctx: DavContext, space: Space, items: DriveFile[]): Map<string, Rights> {
  const ids = items.map((i) => i.id);
  // A read-only app password writes nothing, so its listing says so too.
  if (space.device?.scope === "files-read") return new Map(ids.map((id) => [id, NO_RIGHTS]));
  const allowed = ctx.access.allowedEach(space.user, ["file.write", "file.manage"], ids);
  const write = allowed.get("file.write")!;
  const manage = allowed.get("file.manage")!;
  return new Map(ids.map((id) => [id, { write: write.has(id), manage: manage.has(id) }]));
}

/** The same for every child of `folder`, decided once for the folder (the policy's `allowedBelow`). */
function rightsBelow(ctx: DavContext, space: Space, folder: DriveFile): (child: DriveFile) => Rights {
  if (space.device?.scope === "files-read") return () => NO_RIGHTS;
  const below = ctx.access.allowedBelow(space.user, ["file.write", "file.manage"], folder.id);
  return (child) => {
    const allowed = below(child);
    return { write: allowed.has("file.write"), manage: allowed.has("file.manage") };
  };
}

/** A change to the item itself that is not a Drive write (dead properties, a lock): the policy's `file.write`. */
const requireWrite = (ctx: DavContext, space: Space, node: Node) => ctx.access.require(space.user, "file.write", [node.item.id])[0]!;

function writable(_ctx: DavContext, space: Space) {
  if (space.device?.scope === "files-read") throw new AppError(403, "This device's app password is read-only.");
}

/** Bytes free on the data filesystem (RFC 4331's available bytes when there is no quota). */
function freeBytes(ctx: DavContext) {
  const s = statfsSync(ctx.dataDir);
  return Number(s.bavail) * Number(s.bsize);
}

function quota(ctx: DavContext, space: Space) {
  const { used, quota } = ctx.drive.usage(space.user);
  const free = freeBytes(ctx);
  return { used, available: quota === null ? free : Math.max(0, Math.min(free, quota - used)) };
}

/** After a write replaced a file (a new Drive row), what was attached to the old one follows it. */
function carryOver(ctx: DavContext, fromId: string, toId: string) {
  const { repo } = ctx;
  repo.transaction(() => {
    repo.copyProperties(fromId, toId);
    for (const l of repo.locksOn([fromId], ctx.now())) {
      repo.deleteLock(l.token);
      repo.insertLock({ ...l, fileId: toId });
    }
  });
}

function setProperties(ctx: DavContext, item: DriveFile, set: { ns: string; name: string; value: string | null }[]) {
  ctx.repo.transaction(() => {
    for (const p of set) {
      if (p.value === null) ctx.repo.removeProperty(item.id, p.ns, p.name);
      else ctx.repo.setProperty(item.id, p.ns, p.name, p.value);
    }
  });
}

/** What a device sent, for its backup status (devices.ts). */
const recordUpload = (ctx: DavContext, device: Device, file: DriveFile) =>
  ctx.repo.recordUpload({
    deviceId: device.id,
    ownerId: file.userId,
    fileId: file.id,
    sha256: file.sha256!,
    size: file.size,
    kind: file.mime?.startsWith("image/") ? "photo" : file.mime?.startsWith("video/") ? "video" : "other",
    at: ctx.now(),
  });

export function createDavService(deps: DavContext) {
  const ctx: DavContext = { ...deps };
  return {
    ...bindContext(ctx, {
      resolve,
      childPages,
      etagOf,
      rootNode,
      checkConditions,
      writable,
      freeBytes,
      quota,
      rights,
      rightsBelow,
      requireWrite,
      requireOwnLock,
      ownsLock,
      locksOn,
      lockDiscovery,
      carryOver,
      setProperties,
      recordUpload,
      ownerName: (c: DavContext, item: DriveFile) => c.drive.ownerName(item),
      folderVersions: (c: DavContext, ids: string[]) => c.repo.folderVersions(ids),
      properties: (c: DavContext, ids: string[]) => c.repo.properties(ids),
      copyProperties: (c: DavContext, fromId: string, toId: string) => c.repo.copyProperties(fromId, toId),
    }),
    locks: ctx.locks,
    now: ctx.now,
  };
}

export type DavService = ReturnType<typeof createDavService>;
