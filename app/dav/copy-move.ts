// COPY and MOVE (RFC 4918 §9.8–9.9): `Destination` and `Overwrite`, a replaced destination goes to Drive's trash.
// Within one owner's Drive they are Drive's copy, move and rename; into another person's folder (shared with the
// caller) the tree is copied across through downloads and uploads.
import type { DriveFile } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { clientMtime, type DavCall, exists } from "./http";
import type { DavMethodsContext } from "./methods";
import { destinationSegments } from "./paths";
import { ocId } from "./props";
import { fileEtag, isMacBookkeeping } from "./tree";

/** The tree below `item` copied into `parentId` as `name`, through downloads and uploads (another person's Drive). */
async function copyAcross(ctx: DavMethodsContext, call: DavCall, item: DriveFile, parentId: string, name: string): Promise<DriveFile> {
  const { drive } = ctx;
  if (item.kind === "file") {
    const source = drive.content(call.space.user, item.id).body.stream() as unknown as AsyncIterable<Uint8Array>;
    return drive.upload(call.space.user, { parentId, name, declaredLength: item.size, conflict: "fail", modifiedAt: item.updatedAt }, source);
  }
  const folder = drive.mkdir(call.space.user, parentId, name, "fail");
  for (const page of drive.childPages(call.space.user, item.id, 500)) for (const c of page) await copyAcross(ctx, call, c, folder.id, c.name);
  return folder;
}

/** The item moved (or copied) into `target` as `name`; the replaced destination is already in the trash. */
async function carry(ctx: DavMethodsContext, call: DavCall, method: "COPY" | "MOVE", source: DriveFile, target: DriveFile, name: string, depth: string) {
  const { dav, drive } = ctx;
  const { user } = call.space;
  const sameOwner = drive.movableInto([source], target);
  let result: DriveFile;
  if (method === "MOVE") {
    if (!sameOwner) {
      result = await copyAcross(ctx, call, source, target.id, name);
      drive.moveToTrash(user, [source.id]);
    } else {
      result = source;
      // Moved (a clash in the new folder gets a free name for a moment), then given the name the client asked for.
      if (source.parentId !== target.id) result = drive.move(user, [source.id], target.id)[0]!;
      if (result.name !== name) result = drive.rename(user, result.id, name);
      if (call.request.headers.get("x-oc-mtime") && result.kind === "file") drive.setModified(user, result.id, clientMtime(call.request)!);
    }
    // The locks on the item itself go with it; those of the folders it left stay there.
    for (const lock of dav.locks.covering([source])) dav.locks.release(lock.token);
  } else if (source.kind === "folder" && depth === "0") {
    result = drive.mkdir(user, target.id, name, "fail");
    dav.copyProperties(source.id, result.id);
  } else if (!sameOwner) {
    result = await copyAcross(ctx, call, source, target.id, name);
  } else {
    result = drive.copy(user, [source.id], target.id)[0]!;
    if (result.name !== name) result = drive.rename(user, result.id, name);
    dav.copyProperties(source.id, result.id);
  }
  return result;
}

async function copyOrMove(ctx: DavMethodsContext, call: DavCall, method: "COPY" | "MOVE") {
  const { dav, drive } = ctx;
  dav.writable(call.space);
  const { node } = dav.resolve(call.space, call.names);
  const source = exists(node);
  if (source.isRoot) throw new AppError(403, "Your root folder cannot be copied or moved.");
  const destNames = destinationSegments(call.request.headers.get("destination"), call.request.url, call.space.user.username);
  const overwrite = (call.request.headers.get("overwrite") ?? "T").trim().toUpperCase() !== "F";
  const depthHeader = (call.request.headers.get("depth") ?? "infinity").trim().toLowerCase();
  if (method === "MOVE" && source.item.kind === "folder" && depthHeader !== "infinity") throw new AppError(400, "A folder moves with Depth: infinity only.");
  if (destNames.length === call.names.length && destNames.every((n, i) => n === call.names[i]))
    throw new AppError(403, "The source and the destination are the same.");
  if (source.item.kind === "folder" && destNames.length > call.names.length && call.names.every((n, i) => n === destNames[i]))
    throw new AppError(409, `“${source.item.name}” cannot be ${method === "MOVE" ? "moved" : "copied"} into itself.`);
  const dest = dav.resolve(call.space, destNames);
  if (!dest.parent) throw new AppError(409, "The destination folder does not exist.");
  if (isMacBookkeeping(dest.name) && !dest.node) {
    if (method === "MOVE") drive.moveToTrash(call.space.user, [source.item.id]);
    return new Response(null, { status: 201 });
  }
  if (dest.node && !overwrite) throw new AppError(412, "The destination exists and Overwrite is F.");
  if (dest.node?.isRoot) throw new AppError(403, "Your root folder cannot be replaced.");
  const sourceParent = dav.resolve(call.space, call.names.slice(0, -1)).node;
  dav.checkConditions(call.space, call.request, source, [
    ...(method === "MOVE" ? [{ node: source, parent: sourceParent, below: true }] : []),
    { node: dest.node, parent: dest.parent, below: true },
  ]);
  if (dest.node) drive.moveToTrash(call.space.user, [dest.node.item.id]);
  const result = await carry(ctx, call, method, source.item, dest.parent.item, dest.name, depthHeader);
  return new Response(null, {
    status: dest.node ? 204 : 201,
    headers: { "oc-fileid": ocId(result), ...(result.kind === "file" ? { etag: fileEtag(result) } : {}) },
  });
}

export const COPY = (ctx: DavMethodsContext, call: DavCall) => copyOrMove(ctx, call, "COPY");
export const MOVE = (ctx: DavMethodsContext, call: DavCall) => copyOrMove(ctx, call, "MOVE");
