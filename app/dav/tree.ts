// A person's files as WebDAV paths: walked by name from their root (one indexed lookup per segment), with the
// folders shared with them shown in that root, and the ETags clients compare.
import type { DriveFile } from "../platform/db/schema";
import { hrefSegment } from "./paths";
import type { DavContext, Space } from "./service";

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

export function rootNode(ctx: DavContext, space: Space): Node {
  return new Node(ctx.drive.rootOf(space.user), null, "", false, space.base);
}

/**
 * Folders shared with this person, shown in their root beside their own items: under the folder's name, or
 * "name (owner)" when that name is taken by one of their own items or another shared folder.
 */
function sharedRoots(ctx: DavContext, space: Space): { item: DriveFile; name: string }[] {
  const { drive } = ctx;
  const shared = drive.sharedWithMe(space.user);
  const root = drive.rootOf(space.user);
  const count = new Map<string, number>();
  for (const f of shared) count.set(f.name, (count.get(f.name) ?? 0) + 1);
  return shared.map((item) => {
    const clash = (count.get(item.name) ?? 0) > 1 || !!drive.childNamed(space.user, root.id, item.name);
    return { item, name: clash ? `${item.name} (${drive.ownerName(item)})` : item.name };
  });
}

function childOf(ctx: DavContext, space: Space, parent: Node, name: string): Node | null {
  const own = ctx.drive.childNamed(space.user, parent.item.id, name);
  if (own) return new Node(own, parent, name, false);
  if (!parent.isRoot) return null;
  const shared = sharedRoots(ctx, space).find((s) => s.name === name);
  return shared ? new Node(shared.item, parent, name, true) : null;
}

/** Walks `names` from the root; the parent is set when it exists and is a folder (a PUT or MKCOL target). */
export function resolve(ctx: DavContext, space: Space, names: string[]): Resolved {
  let node = rootNode(ctx, space);
  let parent: Node | null = null;
  for (let i = 0; i < names.length; i++) {
    if (node.item.kind !== "folder") return { node: null, parent: null, name: names.at(-1)! };
    const next = childOf(ctx, space, node, names[i]!);
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
export function childPages(ctx: DavContext, space: Space, node: Node): Iterable<Node[]> {
  // Asked now, before a response starts: a refusal is a status, not a cut-off listing.
  const pages = ctx.drive.childPages(space.user, node.item.id, PAGE);
  return (function* () {
    for (const items of pages) yield items.map((item) => new Node(item, node, item.name, false));
    if (node.isRoot) {
      const shared = sharedRoots(ctx, space).map((s) => new Node(s.item, node, s.name, true));
      if (shared.length) yield shared;
    }
  })();
}

/** A file's ETag is its content's; a folder's changes whenever anything below it changes (`versions`: read in a batch). */
export function etagOf(ctx: DavContext, item: DriveFile, versions?: Map<string, number>): string {
  if (item.kind === "file") return fileEtag(item);
  const v = (versions ?? ctx.repo.folderVersions([item.id])).get(item.id) ?? 0;
  return `"${item.id}-${v}"`;
}
