// WebDAV over each person's Drive: paths are walked by name from their root, every read and write is a call into the
// Drive service (the same write path, trash, quota and audit as the web), and every access decision is the access
// policy's (app/access): Drive asks it, and so do the locks and `oc:permissions` here. Locks, dead properties and
// folder ETags are the only state of our own (app/dav/repo.ts).
import { statfsSync } from "node:fs";
import type { AccessPolicy } from "../access/policy";
import type { Device } from "../auth/app-passwords";
import type { Clock } from "../platform/clock";
import type { DriveFile, User } from "../platform/db/schema";
import type { DriveService } from "../drive/service";
import { AppError } from "../platform/errors";
import { activeLockXml, type IfList, type Locks, parseIf, submittedTokens } from "./locks";
import { destinationSegments, hrefSegment } from "./paths";
import type { DavRepo } from "./repo";

/** A person's files as one request sees them: who, through which device, under which base URL. */
export type Space = { user: User; device: Device | null; base: string; requestUrl: string };

/**
 * An item reached by a path: its name there, the folder it was reached through and its href (built from the
 * parent's, so a 10,000-entry listing encodes each name once). The chain of items above it, which locks are looked
 * up by, is built only when asked.
 */
export class Node {
  readonly href: string;
  constructor(
    readonly item: DriveFile,
    /** The folder it was reached through; null for the person's root. */
    readonly parent: Node | null,
    /** Its name in this space: the item's own, or "name (owner)" for a shared folder whose name clashes. */
    readonly name: string,
    /** A folder shared with the person, shown in their root. */
    readonly sharedRoot: boolean,
    /** The space's base URL (the root's href). */
    base = "",
  ) {
    this.href = parent ? parent.href + hrefSegment(name) + (item.kind === "folder" ? "/" : "") : base;
  }
  get isRoot() {
    return this.parent === null;
  }
  /** The items from the root down to this one; a shared folder is the top of its own chain (nothing above it is theirs). */
  get chain(): DriveFile[] {
    return this.parent && !this.sharedRoot ? [...this.parent.chain, this.item] : [this.item];
  }
}
export type Resolved = { node: Node | null; parent: Node | null; name: string };

/**
 * Files macOS writes for itself: `.DS_Store` (window positions) and `._name` (AppleDouble: extended attributes).
 * From WebDAV they are accepted and not stored: kept, they would put a twin beside every photo in Drive, Photos and
 * search. A real file with such a name (uploaded on the web) is served like any other.
 */
export const isMacBookkeeping = (name: string) => name === ".DS_Store" || name.startsWith("._");

/**
 * A file's ETag: its content's SHA-256, cut to 160 bits. Clients echo ETags inside If headers, and litmus (the
 * RFC 4918 test suite) builds those in a 200-byte buffer that a full 64-digit hash overflows.
 */
export const fileEtag = (f: DriveFile) => `"${f.sha256!.slice(0, 40)}"`;

/** What a viewer may do to an item beyond reading it, as the policy answers (Nextcloud's permission letters). */
export type Rights = { write: boolean; manage: boolean };
const NO_RIGHTS: Rights = { write: false, manage: false };

/** What the person may do to each of `items` beyond reading it, in one statement of the policy. */
function rightsOf(access: AccessPolicy, space: Space, items: DriveFile[]): Map<string, Rights> {
  const ids = items.map((i) => i.id);
  // A read-only app password writes nothing, so its listing says so too.
  if (space.device?.scope === "files-read") return new Map(ids.map((id) => [id, NO_RIGHTS]));
  const allowed = access.allowedEach(space.user, ["file.write", "file.manage"], ids);
  const write = allowed.get("file.write")!;
  const manage = allowed.get("file.manage")!;
  return new Map(ids.map((id) => [id, { write: write.has(id), manage: manage.has(id) }]));
}

/** The same for every child of `folder`, decided once for the folder (the policy's `allowedBelow`). */
function rightsBelowOf(access: AccessPolicy, space: Space, folder: DriveFile): (child: DriveFile) => Rights {
  if (space.device?.scope === "files-read") return () => NO_RIGHTS;
  const below = access.allowedBelow(space.user, ["file.write", "file.manage"], folder.id);
  return (child) => {
    const allowed = below(child);
    return { write: allowed.has("file.write"), manage: allowed.has("file.manage") };
  };
}

export function createDavService(deps: { drive: DriveService; access: AccessPolicy; repo: DavRepo; locks: Locks; dataDir: string; now: Clock }) {
  const { drive, access, repo, locks } = deps;

  /** Bytes free on the data filesystem (RFC 4331's available bytes when there is no quota). */
  function freeBytes() {
    const s = statfsSync(deps.dataDir);
    return Number(s.bavail) * Number(s.bsize);
  }

  function rootNode(space: Space): Node {
    return new Node(drive.rootOf(space.user), null, "", false, space.base);
  }

  /**
   * Folders shared with this person, shown in their root beside their own items: under the folder's name, or
   * "name (owner)" when that name is taken by one of their own items or another shared folder.
   */
  function sharedRoots(space: Space): { item: DriveFile; name: string }[] {
    const shared = drive.sharedWithMe(space.user);
    const root = drive.rootOf(space.user);
    const count = new Map<string, number>();
    for (const f of shared) count.set(f.name, (count.get(f.name) ?? 0) + 1);
    return shared.map((item) => {
      const clash = (count.get(item.name) ?? 0) > 1 || !!drive.childNamed(space.user, root.id, item.name);
      return { item, name: clash ? `${item.name} (${drive.ownerName(item)})` : item.name };
    });
  }

  function childOf(space: Space, parent: Node, name: string): Node | null {
    const own = drive.childNamed(space.user, parent.item.id, name);
    if (own) return new Node(own, parent, name, false);
    if (!parent.isRoot) return null;
    const shared = sharedRoots(space).find((s) => s.name === name);
    return shared ? new Node(shared.item, parent, name, true) : null;
  }

  /** Walks `names` from the root; the parent is set when it exists and is a folder (a PUT or MKCOL target). */
  function resolve(space: Space, names: string[]): Resolved {
    let node = rootNode(space);
    let parent: Node | null = null;
    for (let i = 0; i < names.length; i++) {
      if (node.item.kind !== "folder") return { node: null, parent: null, name: names.at(-1)! };
      const next = childOf(space, node, names[i]!);
      parent = node;
      if (!next) return { node: null, parent: i === names.length - 1 ? parent : null, name: names[i]! };
      node = next;
    }
    return { node, parent, name: names.at(-1) ?? "" };
  }

  /** How many entries a listing reads from SQLite and writes out at a time. */
  const PAGE = 500;
  /**
   * A folder's children as Nodes, PAGE at a time (never the whole listing in memory); in the person's root, the
   * folders shared with them come last.
   */
  function childPages(space: Space, node: Node): Iterable<Node[]> {
    // Asked now, before a response starts: a refusal is a status, not a cut-off listing.
    const pages = drive.childPages(space.user, node.item.id, PAGE);
    return (function* () {
      for (const items of pages) yield items.map((item) => new Node(item, node, item.name, false));
      if (node.isRoot) {
        const shared = sharedRoots(space).map((s) => new Node(s.item, node, s.name, true));
        if (shared.length) yield shared;
      }
    })();
  }

  /** A file's ETag is its content's; a folder's changes whenever anything below it changes (`versions`: read in a batch). */
  function etagOf(item: DriveFile, versions?: Map<string, number>): string {
    if (item.kind === "file") return fileEtag(item);
    const v = (versions ?? repo.folderVersions([item.id])).get(item.id) ?? 0;
    return `"${item.id}-${v}"`;
  }

  // ---- locks and the If header --------------------------------------------------------------------------------

  type WriteScope = { node: Node | null; parent: Node | null; below?: boolean };

  /** Locks a write must hold the tokens of: on the items written (and below), and on the folders whose members change. */
  function locksFor(scopes: WriteScope[]) {
    const found = new Map<string, ReturnType<Locks["covering"]>[number]>();
    for (const s of scopes) {
      if (s.node) for (const l of locks.covering(s.node.chain)) found.set(l.token, l);
      if (s.parent) for (const l of locks.covering(s.parent.chain)) found.set(l.token, l);
      if (s.node && s.below && s.node.item.kind === "folder") {
        const top = s.node.item.id;
        for (const l of locks.below((fileId) => fileId !== top && drive.isBelow(fileId, top))) found.set(l.token, l);
      }
    }
    return [...found.values()];
  }

  /**
   * Evaluates the If header (412 when no list holds), then requires, for every lock in the way, its token and the
   * policy's word that the lock is this person's (423): another person's token opens nothing.
   */
  function checkConditions(space: Space, request: Request, target: Node | null, scopes: WriteScope[]) {
    const lists = parseIf(request.headers.get("if"));
    if (lists.length && !lists.some((l) => listHolds(space, l, target))) throw new AppError(412, "The If header's conditions do not hold.");
    const tokens = submittedTokens(lists);
    const inTheWay = locksFor(scopes);
    const theirs = inTheWay.length
      ? access.allowed(
          space.user,
          "lock.use",
          inTheWay.map((l) => l.token),
        )
      : new Set<string>();
    for (const lock of inTheWay) if (!tokens.has(lock.token) || !theirs.has(lock.token)) throw lockedError(lock.root);
  }
  function listHolds(space: Space, list: IfList, target: Node | null): boolean {
    let node = target;
    if (list.resource !== null) {
      try {
        node = resolve(space, destinationSegments(list.resource, space.requestUrl, space.user.username)).node;
      } catch {
        return false;
      }
    }
    return list.conditions.every((c) => {
      let holds = false;
      if (node && c.token) holds = locks.covering(node.chain).some((l) => l.token === c.token);
      if (node && c.etag) holds = c.etag.replace(/^W\//, "") === etagOf(node.item);
      return c.not ? !holds : holds;
    });
  }
  const lockedError = (root: string) => Object.assign(new AppError(423, "This item is locked by another client."), { lockRoot: root });

  function writable(space: Space) {
    if (space.device?.scope === "files-read") throw new AppError(403, "This device's app password is read-only.");
  }

  return {
    resolve,
    childPages,
    etagOf,
    rootNode,
    checkConditions,
    writable,
    freeBytes,
    quota(space: Space) {
      const { used, quota } = drive.usage(space.user);
      const free = freeBytes();
      return { used, available: quota === null ? free : Math.max(0, Math.min(free, quota - used)) };
    },
    ownerName: (item: DriveFile) => drive.ownerName(item),
    rights: (space: Space, items: DriveFile[]) => rightsOf(access, space, items),
    rightsBelow: (space: Space, folder: DriveFile) => rightsBelowOf(access, space, folder),
    /** A change to the item itself that is not a Drive write (dead properties, a lock): the policy's `file.write`. */
    requireWrite: (space: Space, node: Node) => access.require(space.user, "file.write", [node.item.id])[0]!,
    /** Whether this lock is the person's own to refresh or release: 403 for another person's (the policy's answer). */
    requireOwnLock: (space: Space, token: string) => access.require(space.user, "lock.use", [token])[0]!,
    ownsLock: (space: Space, token: string) => access.allowed(space.user, "lock.use", [token]).has(token),
    folderVersions: (ids: string[]) => repo.folderVersions(ids),
    properties: (ids: string[]) => repo.properties(ids),
    locksOn: (node: Node) => locks.covering(node.chain),
    lockDiscovery: (node: Node) =>
      locks
        .covering(node.chain)
        .map((l) => activeLockXml(l, deps.now()))
        .join(""),

    /** After a write replaced a file (a new Drive row), what was attached to the old one follows it. */
    carryOver(fromId: string, toId: string) {
      repo.transaction(() => {
        repo.copyProperties(fromId, toId);
        for (const l of repo.locksOn([fromId], deps.now())) {
          repo.deleteLock(l.token);
          repo.insertLock({ ...l, fileId: toId });
        }
      });
    },
    setProperties(item: DriveFile, set: { ns: string; name: string; value: string | null }[]) {
      repo.transaction(() => {
        for (const p of set) {
          if (p.value === null) repo.removeProperty(item.id, p.ns, p.name);
          else repo.setProperty(item.id, p.ns, p.name, p.value);
        }
      });
    },
    copyProperties: (fromId: string, toId: string) => repo.copyProperties(fromId, toId),
    recordUpload: (device: Device, file: DriveFile) =>
      repo.recordUpload({
        deviceId: device.id,
        ownerId: file.userId,
        fileId: file.id,
        sha256: file.sha256!,
        size: file.size,
        kind: file.mime?.startsWith("image/") ? "photo" : file.mime?.startsWith("video/") ? "video" : "other",
        at: deps.now(),
      }),
    locks,
    now: deps.now,
  };
}

export type DavService = ReturnType<typeof createDavService>;
