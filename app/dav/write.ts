// Writing: PUT (streamed through Drive's one write path), MKCOL, DELETE (to Drive's trash). Each resolves its path,
// checks the If header and the locks in the way, then calls Drive, which decides access and does the work.
import type { DriveFile } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { bodyOf, checksumOf, clientMtime, type DavCall, declaredLength, drain, exists } from "./http";
import type { DavMethodsContext } from "./methods";
import { ocId } from "./props";
import { fileEtag, isMacBookkeeping, type Node } from "./tree";

export const writtenHeaders = (file: DriveFile, mtimeAccepted: boolean): Record<string, string> => ({
  etag: fileEtag(file),
  "oc-etag": fileEtag(file),
  "oc-fileid": ocId(file),
  ...(mtimeAccepted ? { "x-oc-mtime": "accepted" } : {}),
});

/** A file's bytes into `parent` under `name` (replacing what is there), the Drive's write path all the way. */
export async function store(
  { dav, drive }: DavMethodsContext,
  call: DavCall,
  parent: Node,
  name: string,
  existing: Node | null,
  source: AsyncIterable<Uint8Array>,
  opts: { length?: number; modifiedAt?: Date; sha256?: string },
) {
  const file = await drive.upload(
    call.space.user,
    { parentId: parent.item.id, name, declaredLength: opts.length, sha256: opts.sha256, conflict: "replace", modifiedAt: opts.modifiedAt },
    source,
  );
  if (existing && existing.item.kind === "file") dav.carryOver(existing.item.id, file.id);
  if (call.space.device) dav.recordUpload(call.space.device, file);
  return file;
}

export async function PUT(ctx: DavMethodsContext, call: DavCall) {
  const { dav } = ctx;
  dav.writable(call.space);
  const { node, parent, name } = dav.resolve(call.space, call.names);
  if (!call.names.length || node?.item.kind === "folder") throw new AppError(405, "A folder cannot be written as a file.");
  if (!parent) throw new AppError(409, "The folder to put this file in does not exist.");
  if (!node && isMacBookkeeping(name)) {
    await drain(call.request);
    return new Response(null, { status: 201 });
  }
  const ifMatch = call.request.headers.get("if-match");
  const ifNoneMatch = call.request.headers.get("if-none-match");
  if (ifNoneMatch?.trim() === "*" && node) throw new AppError(412, "The file already exists.");
  if (ifMatch && (!node || (ifMatch.trim() !== "*" && !ifMatch.split(",").some((e) => e.trim() === dav.etagOf(node.item)))))
    throw new AppError(412, "The file changed since it was read (If-Match).");
  dav.checkConditions(call.space, call.request, node, [node ? { node, parent: null } : { node: null, parent }]);
  const checksum = checksumOf(call.request);
  const modifiedAt = clientMtime(call.request);
  const source = checksum.verify ? checksum.verify(bodyOf(call.request)) : bodyOf(call.request);
  const file = await store(ctx, call, parent, name, node, source, { length: declaredLength(call.request), modifiedAt, sha256: checksum.sha256 });
  return new Response(null, { status: node ? 204 : 201, headers: writtenHeaders(file, !!modifiedAt) });
}

export function MKCOL({ dav, drive }: DavMethodsContext, call: DavCall) {
  dav.writable(call.space);
  const declared = declaredLength(call.request);
  if ((declared ?? 0) > 0 || call.request.headers.get("transfer-encoding")) throw new AppError(415, "MKCOL with a body is not supported.");
  const { node, parent, name } = dav.resolve(call.space, call.names);
  if (node) throw new AppError(405, "Something with that name exists already.");
  if (!parent) throw new AppError(409, "The folder to create this folder in does not exist.");
  dav.checkConditions(call.space, call.request, null, [{ node: null, parent }]);
  const folder = drive.mkdir(call.space.user, parent.item.id, name, "fail");
  const etag = dav.etagOf(folder);
  return new Response(null, { status: 201, headers: { "oc-fileid": ocId(folder), etag, "oc-etag": etag } });
}

export function DELETE({ dav, drive }: DavMethodsContext, call: DavCall) {
  dav.writable(call.space);
  const { node, parent, name } = dav.resolve(call.space, call.names);
  if (!node && isMacBookkeeping(name)) return new Response(null, { status: 204 });
  const found = exists(node);
  if (found.isRoot) throw new AppError(403, "Your root folder cannot be deleted.");
  dav.checkConditions(call.space, call.request, found, [{ node: found, parent, below: true }]);
  drive.moveToTrash(call.space.user, [found.item.id]);
  return new Response(null, { status: 204 });
}
