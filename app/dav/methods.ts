// The WebDAV methods (RFC 4918 class 1 and 2, RFC 4331 quota) on a person's space, bound to one context. Each one
// resolves its path, checks the If header and locks, and then calls the Drive service, which decides access and does
// the work. Read a capability in its module: read.ts (OPTIONS, GET/HEAD, PROPFIND), write.ts (PUT, MKCOL, DELETE),
// copy-move.ts, proppatch.ts, lock-methods.ts (LOCK, UNLOCK), chunks.ts (chunked upload v2), trashbin.ts (trash
// bin, versions), favourites.ts (REPORT).
import type { DriveService } from "../drive/service";
import { bindContext } from "../platform/bind";
import { type ChunkedUploads, upload } from "./chunks";
import { COPY, MOVE } from "./copy-move";
import { createFavourites } from "./favourites";
import { LOCK, UNLOCK } from "./lock-methods";
import { PROPPATCH } from "./proppatch";
import { GET, OPTIONS, PROPFIND } from "./read";
import type { DavService } from "./service";
import { createTrashbin } from "./trashbin";
import { DELETE, MKCOL, PUT } from "./write";

/** What every method works over (its first argument). */
export type DavMethodsContext = { dav: DavService; drive: DriveService; chunks: ChunkedUploads };

export function createDavMethods(deps: DavMethodsContext) {
  const ctx: DavMethodsContext = { ...deps };
  return {
    ...bindContext(ctx, { upload, OPTIONS, GET, PUT, MKCOL, DELETE, PROPFIND, PROPPATCH, COPY, MOVE, LOCK, UNLOCK }),
    ...createTrashbin(ctx),
    ...createFavourites(ctx),
  };
}

export type DavMethods = ReturnType<typeof createDavMethods>;
