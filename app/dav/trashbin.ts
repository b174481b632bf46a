// Nextcloud's trash bin and file versions as its apps ask for them, over Drive's own trash (no rules or state here):
//   /remote.php/dav/trashbin/<user>/trash/            PROPFIND lists what the person deleted; DELETE empties it
//   /remote.php/dav/trashbin/<user>/trash/<item>      PROPFIND; GET/HEAD of a file; DELETE deletes it forever;
//                                                     MOVE to /remote.php/dav/trashbin/<user>/restore/<item> restores it
//   /remote.php/dav/trashbin/<user>/trash/<item>/<…>  inside a trashed folder: PROPFIND, GET/HEAD of a file (the apps
//                                                     browse it before restoring); restoring and deleting are whole entries
//   /remote.php/dav/versions/<user>/versions/<fileid> PROPFIND: an empty collection (Drive keeps no versions)
// Restoring and deleting are Drive's restore and purge, so the access policy decides (file.restore, file.purge), and
// reading inside the trash is the policy's file.read asked with `trashed`.
import type { DriveFile, User } from "../platform/db/schema";
import { serveFile } from "../drive/download";
import type { DriveService } from "../drive/service";
import { AppError } from "../platform/errors";
import { type DavCall, multistatusResponse } from "./http";
import { destinationSegments } from "./paths";
import { multistatusPages, planFor, readPropfind } from "./props";
import type { DavService } from "./service";
import { fileEtag, Node } from "./tree";

/** A collection of the trash bin's own ("trash", "restore"): no Drive item, so an item-shaped stand-in for its properties. */
function collection(user: User, id: string, name: string, at: Date): DriveFile {
  return {
    seq: 0,
    id,
    userId: user.id,
    parentId: null,
    kind: "folder",
    name,
    sha256: null,
    size: 0,
    mime: null,
    starred: false,
    createdAt: at,
    updatedAt: at,
    trashedAt: null,
    trashRootId: null,
    trashedFromPath: null,
    createdBy: null,
  };
}

export function createTrashbin(deps: { dav: DavService; drive: DriveService }) {
  const { dav, drive } = deps;

  /**
   * What the person deleted, each under Nextcloud's name for it: `<name>.d<deletion time in seconds>`, with the
   * item's number after it when two would share one (a sync client replacing one file twice in a second).
   */
  function entries(user: User): { name: string; item: DriveFile }[] {
    const roots = drive.trash(user);
    const base = (item: DriveFile) => `${item.name}.d${Math.floor(item.trashedAt!.getTime() / 1000)}`;
    const count = new Map<string, number>();
    for (const item of roots) count.set(base(item), (count.get(base(item)) ?? 0) + 1);
    return roots.map((item) => ({ item, name: count.get(base(item))! > 1 ? `${base(item)}-${item.seq}` : base(item) }));
  }

  function entryNamed(user: User, name: string | undefined) {
    const found = entries(user).find((e) => e.name === name);
    if (!found) throw new AppError(404, "There is no such item in your trash.");
    return found;
  }

  /** The item at `inside` (names below a trash entry), walked through what went to the trash with the entry. */
  function reach(user: User, trash: Node, entryName: string, inside: string[]): Node {
    const entry = entryNamed(user, entryName);
    let node = new Node(entry.item, trash, entry.name, false);
    for (const name of inside) {
      const found = node.item.kind === "folder" ? drive.trashedChildNamed(user, node.item.id, name) : undefined;
      if (!found) throw new AppError(404, "There is no such item in your trash.");
      node = new Node(found, node, name, false);
    }
    return node;
  }

  /** A trashed folder's contents as Nodes, a page at a time (like a live folder's). */
  function* childPages(user: User, node: Node): Iterable<Node[]> {
    for (const items of drive.trashedChildPages(user, node.item.id, 500)) yield items.map((item) => new Node(item, node, item.name, false));
  }

  async function propfind(call: DavCall, pagesOf: (depth: "0" | "1") => Iterable<Node[]>) {
    const depth = (call.request.headers.get("depth") ?? "1").trim() === "0" ? "0" : "1";
    const want = await readPropfind(call.request);
    return multistatusResponse(multistatusPages(call.space, dav, pagesOf(depth), planFor(want)));
  }

  return {
    /** `names` below /remote.php/dav/trashbin/<user>/. */
    async trashbin(method: string, call: DavCall) {
      const { user } = call.space;
      const [collectionName, entryName, ...inside] = call.names;
      const now = dav.now();
      const home = new Node(collection(user, `trashbin:${user.id}`, "", now), null, "", false, call.space.base);
      const trash = new Node(collection(user, `trashbin:${user.id}:trash`, "trash", now), home, "trash", false);
      const restore = new Node(collection(user, `trashbin:${user.id}:restore`, "restore", now), home, "restore", false);
      const isTrash = collectionName === "trash";
      if ((collectionName !== undefined && !isTrash && collectionName !== "restore") || (entryName && !isTrash))
        throw new AppError(404, "There is nothing at this trash bin address.");

      if (method === "PROPFIND") {
        // Asked before the answer starts: a missing item is a 404, not a cut-off listing.
        const node = entryName ? reach(user, trash, entryName, inside) : null;
        const below = node && node.item.kind === "folder" ? childPages(user, node) : [];
        return propfind(call, (depth) => {
          if (!collectionName) return depth === "0" ? [[home]] : [[home, trash, restore]];
          if (!isTrash) return [[restore]];
          if (node) return depth === "0" ? [[node]] : [[node], ...below];
          return [[trash, ...(depth === "1" ? entries(user).map((e) => new Node(e.item, trash, e.name, false)) : [])]];
        });
      }
      if (method === "GET" || method === "HEAD") {
        if (!entryName) throw new AppError(405, "The trash bin is a WebDAV folder: list it with PROPFIND.");
        const node = reach(user, trash, entryName, inside);
        if (node.item.kind === "folder") throw new AppError(405, "This is a folder in your trash: list it with PROPFIND.");
        const { file, body } = drive.trashedContent(user, node.item.id);
        return serveFile(call.request, file, body, { inline: false, etag: fileEtag(file) });
      }
      if (inside.length) throw new AppError(403, "Only a whole item in the trash can be restored or deleted, not something inside it.");
      dav.writable(call.space);
      if (method === "DELETE" && isTrash) {
        if (entryName) drive.purge(user, [entryNamed(user, entryName).item.id]);
        else drive.emptyTrash(user);
        return new Response(null, { status: 204 });
      }
      if (method === "MOVE" && isTrash && entryName) {
        const item = entryNamed(user, entryName).item;
        // Nextcloud's apps restore by moving the item into the restore collection (under any name).
        const to = destinationSegments(call.request.headers.get("destination"), call.request.url, user.username, [call.space.base]);
        if (to.length !== 2 || to[0] !== "restore")
          throw new AppError(403, "A trashed item can only be moved into the trash bin's restore folder, which restores it.");
        drive.restore(user, [item.id]);
        return new Response(null, { status: 201 });
      }
      throw new AppError(405, `${method} is not supported here.`);
    },

    /** `names` below /remote.php/dav/versions/<user>/: Drive keeps no versions, so each file's are an empty collection. */
    async versions(call: DavCall) {
      const { user } = call.space;
      const [collectionName, fileId, extra] = call.names;
      if (extra !== undefined || (collectionName !== undefined && collectionName !== "versions") || (fileId !== undefined && !/^\d{1,15}$/.test(fileId)))
        throw new AppError(404, "There is nothing at this versions address.");
      // The file must be one the person may read: another person's file number is as missing as one that never was.
      const file = fileId === undefined ? null : drive.itemBySeq(user, Number(fileId));
      if (file && file.kind !== "file") throw new AppError(404, "Folders have no versions.");
      const now = dav.now();
      const home = new Node(collection(user, `versions:${user.id}`, "", now), null, "", false, call.space.base);
      const versions = new Node(collection(user, `versions:${user.id}:versions`, "versions", now), home, "versions", false);
      const own = file ? new Node(collection(user, `versions:${file.id}`, fileId!, now), versions, fileId!, false) : null;
      return propfind(call, (depth) => [own ? [own] : collectionName ? [versions] : depth === "0" ? [home] : [home, versions]]);
    },
  };
}

export type Trashbin = ReturnType<typeof createTrashbin>;
