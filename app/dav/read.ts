// Reading: OPTIONS, GET/HEAD (Range and ETags through Drive's download), PROPFIND Depth 0 and 1 (streamed).
import { serveFile } from "../drive/download";
import { AppError } from "../platform/errors";
import { type DavCall, davCondition, exists, multistatusResponse } from "./http";
import type { DavMethodsContext } from "./methods";
import { multistatusPages, planFor, readPropfind } from "./props";
import { fileEtag, isMacBookkeeping } from "./tree";

export const OPTIONS = (_ctx: DavMethodsContext) =>
  new Response(null, {
    headers: {
      dav: "1, 2",
      "ms-author-via": "DAV",
      allow: "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK, REPORT",
      "accept-ranges": "bytes",
    },
  });

/** GET and HEAD: a file's bytes (ranges, conditional requests); a folder answers a line of text and its ETag. */
export function GET({ dav, drive }: DavMethodsContext, call: DavCall) {
  const { node, name } = dav.resolve(call.space, call.names);
  if (!node && isMacBookkeeping(name)) throw new AppError(404, "macOS bookkeeping files are not stored.");
  const found = exists(node);
  if (found.item.kind === "folder") {
    return new Response(call.request.method === "HEAD" ? null : "This is a WebDAV folder: open it with a WebDAV client.\n", {
      headers: { "content-type": "text/plain; charset=utf-8", etag: dav.etagOf(found.item) },
    });
  }
  const { file, body } = drive.content(call.space.user, found.item.id);
  const res = serveFile(call.request, file, body, { inline: false, etag: fileEtag(file) });
  res.headers.set("oc-checksum", `SHA256:${file.sha256}`);
  return res;
}

export async function PROPFIND({ dav }: DavMethodsContext, call: DavCall) {
  const depth = (call.request.headers.get("depth") ?? "1").trim().toLowerCase();
  if (depth !== "0" && depth !== "1")
    throw davCondition(403, "PROPFIND with Depth: infinity is not supported; ask for Depth 0 or 1.", "<d:propfind-finite-depth/>");
  const want = await readPropfind(call.request);
  const node = exists(dav.resolve(call.space, call.names).node);
  // Written a page (500 entries) at a time as the client reads, each page read from SQLite when it is wanted: a
  // 10,000-entry folder is never in memory at once, neither its rows nor its XML.
  const listed = depth === "1" && node.item.kind === "folder" ? node : null;
  const children = listed ? dav.childPages(call.space, listed) : [];
  const pages = (function* () {
    yield [node];
    yield* children;
  })();
  return multistatusResponse(multistatusPages(call.space, dav, pages, planFor(want), listed));
}
