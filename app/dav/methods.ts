// The WebDAV methods (RFC 4918 class 1 and 2, RFC 4331 quota) on a person's space. Each one resolves its path,
// checks the If header and locks, and then calls the Drive service, which decides access and does the work.
import type { DriveFile } from "../platform/db/schema";
import { serveFile } from "../drive/download";
import type { DriveService } from "../drive/service";
import { AppError } from "../platform/errors";
import type { ChunkedUploads } from "./chunks";
import { activeLockXml, parseTimeout } from "./locks";
import { destinationSegments } from "./paths";
import { MULTISTATUS_CLOSE, MULTISTATUS_OPEN, isLive, multistatusPages, ocId, readPropfind, planFor, propXml } from "./props";
import { createFavourites, favouriteValue } from "./favourites";
import { createTrashbin } from "./trashbin";
import { fileEtag, isMacBookkeeping, type DavService, type Node, type Space } from "./service";
import { DAV_NS, OC_NS, child, elements, esc, readXmlBody, serialize, textOf } from "./xml";

export type DavCall = { space: Space; names: string[]; request: Request };

const WIN32_NS = "urn:schemas-microsoft-com:";

/** An error that names its RFC 4918 precondition (`<d:propfind-finite-depth/>`…) in the response body. */
export const davCondition = (status: number, message: string, condition: string) => Object.assign(new AppError(status, message), { davCondition: condition });

export const xmlResponse = (status: number, body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { "content-type": "application/xml; charset=utf-8", ...headers } });

/** A 207 whose body is written as the client reads it, one page of `<d:response>`s at a time. */
export function multistatusResponse(pages: Iterator<string>) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pages.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return xmlResponse(207, body);
}

/** The request's bytes; a connection that ends early is the client's doing (400), never a server bug. */
async function* bodyOf(request: Request): AsyncIterable<Uint8Array> {
  if (!request.body) return;
  try {
    yield* request.body as unknown as AsyncIterable<Uint8Array>;
  } catch {
    throw new AppError(400, "The connection ended before the file was complete: nothing was stored.");
  }
}
async function drain(request: Request) {
  for await (const _ of bodyOf(request));
}
const declaredLength = (request: Request) => {
  const v = request.headers.get("content-length");
  return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
};
/** X-OC-Mtime (Nextcloud clients): seconds since 1970, possibly with a fraction. */
export function clientMtime(request: Request): Date | undefined {
  const v = request.headers.get("x-oc-mtime");
  if (!v || !/^\d{1,12}(\.\d+)?$/.test(v)) return undefined;
  return new Date(Math.floor(Number(v)) * 1000);
}

/**
 * OC-Checksum ("SHA256:…", "SHA1:…", "MD5:…"): verified as the bytes arrive. SHA-256 is the hash Drive computes
 * anyway (passed on as the declared SHA-256); the others are computed beside it. A mismatch stores nothing.
 */
export function checksumOf(request: Request): { sha256?: string; verify?: (source: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array> } {
  const header = request.headers.get("oc-checksum");
  const m = header ? /^(SHA256|SHA1|MD5):([0-9a-fA-F]+)$/i.exec(header.trim()) : null;
  if (!m) return {};
  const [, type, hex] = m;
  if (type!.toUpperCase() === "SHA256") return { sha256: hex!.toLowerCase() };
  const algorithm = type!.toUpperCase() === "SHA1" ? "sha1" : "md5";
  return {
    verify: async function* (source) {
      const hasher = new Bun.CryptoHasher(algorithm);
      for await (const chunk of source) {
        hasher.update(chunk);
        yield chunk;
      }
      if (hasher.digest("hex") !== hex!.toLowerCase()) throw new AppError(400, `The content does not match its ${type} checksum; nothing was stored.`);
    },
  };
}

export function createDavMethods(deps: { dav: DavService; drive: DriveService; chunks: ChunkedUploads }) {
  const { dav, drive, chunks } = deps;

  const exists = (node: Node | null, what = "This item"): Node => {
    if (!node) throw new AppError(404, `${what} does not exist.`);
    return node;
  };
  const writtenHeaders = (file: DriveFile, mtimeAccepted: boolean): Record<string, string> => ({
    etag: fileEtag(file),
    "oc-etag": fileEtag(file),
    "oc-fileid": ocId(file),
    ...(mtimeAccepted ? { "x-oc-mtime": "accepted" } : {}),
  });

  /** A file's bytes into `parent` under `name` (replacing what is there), the Drive's write path all the way. */
  async function store(
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

  /** The tree below `item` copied into `parentId` as `name`, through downloads and uploads (another person's Drive). */
  async function copyAcross(call: DavCall, item: DriveFile, parentId: string, name: string): Promise<DriveFile> {
    if (item.kind === "file") {
      const source = drive.content(call.space.user, item.id).body.stream() as unknown as AsyncIterable<Uint8Array>;
      return drive.upload(call.space.user, { parentId, name, declaredLength: item.size, conflict: "fail", modifiedAt: item.updatedAt }, source);
    }
    const folder = drive.mkdir(call.space.user, parentId, name, "fail");
    for (const page of drive.childPages(call.space.user, item.id, 500)) for (const c of page) await copyAcross(call, c, folder.id, c.name);
    return folder;
  }

  /** Chunked uploads (app/dav/chunks.ts): `names` is [upload id] or [upload id, chunk]. */
  async function upload(method: string, call: DavCall) {
    const { user } = call.space;
    const [id, chunk, extra] = call.names;
    if (!id || extra !== undefined) throw new AppError(404, "There is nothing at this upload address.");
    if (method === "PROPFIND") return chunks.list(call, user.id, id);
    dav.writable(call.space);
    if (method === "MKCOL" && !chunk) {
      const total = Number(call.request.headers.get("oc-total-length") ?? "0");
      if (total > dav.quota(call.space).available) throw new AppError(507, "This upload would not fit: it is larger than the space you have left.");
      chunks.create(user.id, id);
      return new Response(null, { status: 201 });
    }
    if (method === "PUT" && chunk) {
      await chunks.putChunk(user.id, id, chunk, bodyOf(call.request), declaredLength(call.request));
      return new Response(null, { status: 201 });
    }
    if (method === "DELETE" && !chunk) {
      chunks.remove(user.id, id);
      return new Response(null, { status: 204 });
    }
    if (method === "MOVE" && chunk === ".file") {
      const names = destinationSegments(call.request.headers.get("destination"), call.request.url, user.username);
      const { node, parent, name } = dav.resolve(call.space, names);
      if (!names.length || node?.item.kind === "folder") throw new AppError(405, "A folder cannot be written as a file.");
      if (!parent) throw new AppError(409, "The folder to put this file in does not exist.");
      const totalHeader = call.request.headers.get("oc-total-length");
      const { source, size } = chunks.assembled(user.id, id);
      const total = totalHeader && /^\d+$/.test(totalHeader) ? Number(totalHeader) : size;
      if (total !== size) throw new AppError(400, `The chunks add up to ${size} bytes, not the ${total} announced: nothing was stored.`);
      dav.checkConditions(call.space, call.request, node, [node ? { node, parent: null } : { node: null, parent }]);
      const checksum = checksumOf(call.request);
      const modifiedAt = clientMtime(call.request);
      const file = await store({ ...call, names }, parent, name, node, checksum.verify ? checksum.verify(source) : source, {
        length: total,
        modifiedAt,
        sha256: checksum.sha256,
      });
      chunks.remove(user.id, id);
      return new Response(null, { status: node ? 204 : 201, headers: writtenHeaders(file, !!modifiedAt) });
    }
    throw new AppError(405, `${method} is not supported here.`);
  }

  // Nextcloud's trash bin and versions (trashbin.ts), its favourites (favourites.ts: REPORT).
  const nextcloud = { dav, drive, multistatus: multistatusResponse, condition: davCondition };
  return {
    upload,
    ...createTrashbin(nextcloud),
    ...createFavourites(nextcloud),
    OPTIONS: () =>
      new Response(null, {
        headers: {
          dav: "1, 2",
          "ms-author-via": "DAV",
          allow: "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK, REPORT",
          "accept-ranges": "bytes",
        },
      }),

    GET(call: DavCall) {
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
    },

    async PUT(call: DavCall) {
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
      const file = await store(call, parent, name, node, source, { length: declaredLength(call.request), modifiedAt, sha256: checksum.sha256 });
      return new Response(null, { status: node ? 204 : 201, headers: writtenHeaders(file, !!modifiedAt) });
    },

    async MKCOL(call: DavCall) {
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
    },

    DELETE(call: DavCall) {
      dav.writable(call.space);
      const { node, parent, name } = dav.resolve(call.space, call.names);
      if (!node && isMacBookkeeping(name)) return new Response(null, { status: 204 });
      const found = exists(node);
      if (found.isRoot) throw new AppError(403, "Your root folder cannot be deleted.");
      dav.checkConditions(call.space, call.request, found, [{ node: found, parent, below: true }]);
      drive.moveToTrash(call.space.user, [found.item.id]);
      return new Response(null, { status: 204 });
    },

    async PROPFIND(call: DavCall) {
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
    },

    async PROPPATCH(call: DavCall) {
      dav.writable(call.space);
      const body = await readXmlBody(call.request);
      if (!body || body.ns !== DAV_NS || body.name !== "propertyupdate") throw new AppError(400, "The PROPPATCH body must be a DAV:propertyupdate element.");
      const node = exists(dav.resolve(call.space, call.names).node);
      dav.requireWrite(call.space, node);
      dav.checkConditions(call.space, call.request, node, [{ node, parent: null }]);
      const changes: { ns: string; name: string; value: string | null; el: string }[] = [];
      for (const op of elements(body)) {
        if (op.ns !== DAV_NS || (op.name !== "set" && op.name !== "remove")) continue;
        const prop = child(op, DAV_NS, "prop");
        for (const p of prop ? elements(prop) : [])
          changes.push({ ns: p.ns, name: p.name, value: op.name === "set" ? p.children.map(serialize).join("") : null, el: propXml(p, null) });
      }
      // A modification time and a favourite (a Drive star) are live properties clients may set; the others are protected.
      let mtime: Date | undefined;
      let favourite: boolean | undefined;
      const refused = changes.filter((c) => {
        if (c.ns === OC_NS && c.name === "favorite") return (favourite = favouriteValue(c.value) ?? undefined) === undefined;
        const isMtime = (c.ns === DAV_NS && c.name === "getlastmodified") || (c.ns === WIN32_NS && c.name === "Win32LastModifiedTime");
        if (isMtime && c.value !== null) {
          const t = Date.parse(textOf({ ns: "", name: "", attrs: [], children: [c.value.replace(/<[^>]*>/g, "")] }));
          if (Number.isNaN(t)) return true;
          mtime = new Date(t);
          return false;
        }
        return isLive(c);
      });
      const status = (c: (typeof changes)[number]) => (refused.length ? (refused.includes(c) ? "403 Forbidden" : "424 Failed Dependency") : "200 OK");
      if (!refused.length) {
        if (favourite !== undefined) drive.star(call.space.user, node.item.id, favourite); // first: stars are the owner's, a refusal changes nothing
        dav.setProperties(
          node.item,
          changes.filter((c) => !isLive(c) && !(c.ns === DAV_NS && c.name === "getlastmodified")),
        );
        if (mtime) drive.setModified(call.space.user, node.item.id, mtime);
      }
      const groups = new Map<string, string[]>();
      for (const c of changes) groups.set(status(c), [...(groups.get(status(c)) ?? []), c.el]);
      let out = `${MULTISTATUS_OPEN}<d:response><d:href>${esc(node.href)}</d:href>`;
      for (const [s, els] of groups) out += `<d:propstat><d:prop>${els.join("")}</d:prop><d:status>HTTP/1.1 ${s}</d:status></d:propstat>`;
      return xmlResponse(207, `${out}</d:response>${MULTISTATUS_CLOSE}`);
    },

    async COPY(call: DavCall) {
      return copyOrMove(call, "COPY");
    },
    async MOVE(call: DavCall) {
      return copyOrMove(call, "MOVE");
    },

    async LOCK(call: DavCall) {
      dav.writable(call.space);
      const body = await readXmlBody(call.request);
      const depth = (call.request.headers.get("depth") ?? "infinity").toLowerCase() === "0" ? "0" : "infinity";
      const timeout = parseTimeout(call.request.headers.get("timeout"));
      let { node, parent, name } = dav.resolve(call.space, call.names);
      if (!body) {
        // A refresh: the If header names the lock.
        const found = exists(node);
        const token = [...(call.request.headers.get("if") ?? "").matchAll(/<([^>]+)>/g)].map((m) => m[1]!).find((t) => dav.locks.byToken(t));
        const lock = token ? dav.locks.byToken(token) : undefined;
        if (!lock || !dav.locksOn(found).some((l) => l.token === lock.token) || !dav.ownsLock(call.space, lock.token))
          throw davCondition(412, "No lock of yours with that token covers this item.", "<d:lock-token-matches-request-uri/>");
        const refreshed = dav.locks.refresh(lock, timeout);
        return xmlResponse(200, lockBody(refreshed));
      }
      if (body.ns !== DAV_NS || body.name !== "lockinfo") throw new AppError(400, "The LOCK body must be a DAV:lockinfo element.");
      const scopeEl = child(body, DAV_NS, "lockscope");
      const scope = scopeEl && child(scopeEl, DAV_NS, "shared") ? "shared" : "exclusive";
      const ownerEl = child(body, DAV_NS, "owner");
      const owner = ownerEl ? ownerEl.children.map(serialize).join("") : null;
      if (!node && !parent) throw new AppError(409, "The folder to lock this item in does not exist.");
      // A lock keeps others from writing: only someone who may write the item takes one.
      if (node) dav.requireWrite(call.space, node);
      // Locks in the way: a shared lock coexists with shared ones only; an exclusive lock with none.
      const held = [...(node ? dav.locksOn(node) : []), ...(parent ? dav.locksOn(parent).filter((l) => l.depth === "infinity") : [])];
      const below =
        node && depth === "infinity" && node.item.kind === "folder" ? dav.locks.below((id) => id !== node!.item.id && drive.isBelow(id, node!.item.id)) : [];
      const conflict = [...held, ...below].find((l) => scope === "exclusive" || l.scope === "exclusive");
      if (conflict) throw Object.assign(davCondition(423, "This item is locked by another client.", "<d:no-conflicting-lock/>"), { lockRoot: conflict.root });
      dav.checkConditions(call.space, call.request, node, []);
      let created = false;
      if (!node) {
        // Locking an unmapped URL creates an empty file (RFC 4918 §7.3).
        if (isMacBookkeeping(name)) throw new AppError(403, "macOS bookkeeping files are not stored.");
        await store(call, parent!, name, null, (async function* () {})(), { length: 0 });
        node = dav.resolve(call.space, call.names).node!;
        created = true;
      }
      const lock = dav.locks.create({
        fileId: node.item.id,
        userId: call.space.user.id,
        scope,
        depth,
        owner,
        root: node.href,
        timeoutSeconds: timeout,
      });
      return xmlResponse(created ? 201 : 200, lockBody(lock), { "lock-token": `<${lock.token}>` });
    },

    UNLOCK(call: DavCall) {
      const token = /^<([^>]+)>$/.exec((call.request.headers.get("lock-token") ?? "").trim())?.[1];
      if (!token) throw new AppError(400, "UNLOCK needs a Lock-Token header.");
      const node = exists(dav.resolve(call.space, call.names).node);
      const lock = dav.locksOn(node).find((l) => l.token === token);
      if (!lock) throw davCondition(409, "No lock with that token covers this item.", "<d:lock-token-matches-request-uri/>");
      dav.requireOwnLock(call.space, token);
      dav.locks.release(token);
      return new Response(null, { status: 204 });
    },
  };

  function lockBody(lock: Parameters<typeof activeLockXml>[0]) {
    return `<?xml version="1.0" encoding="utf-8"?>\n<d:prop xmlns:d="DAV:"><d:lockdiscovery>${activeLockXml(lock, dav.now())}</d:lockdiscovery></d:prop>`;
  }

  async function copyOrMove(call: DavCall, method: "COPY" | "MOVE") {
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
    const target = dest.parent.item;
    const sameOwner = drive.movableInto([source.item], target);
    let result: DriveFile;
    if (method === "MOVE") {
      if (!sameOwner) {
        result = await copyAcross(call, source.item, target.id, dest.name);
        drive.moveToTrash(call.space.user, [source.item.id]);
      } else {
        result = source.item;
        // Moved (a clash in the new folder gets a free name for a moment), then given the name the client asked for.
        if (source.item.parentId !== target.id) result = drive.move(call.space.user, [source.item.id], target.id)[0]!;
        if (result.name !== dest.name) result = drive.rename(call.space.user, result.id, dest.name);
        if (call.request.headers.get("x-oc-mtime") && result.kind === "file") drive.setModified(call.space.user, result.id, clientMtime(call.request)!);
      }
      // The locks on the item itself go with it; those of the folders it left stay there.
      for (const lock of dav.locks.covering([source.item])) dav.locks.release(lock.token);
    } else if (source.item.kind === "folder" && depthHeader === "0") {
      result = drive.mkdir(call.space.user, target.id, dest.name, "fail");
      dav.copyProperties(source.item.id, result.id);
    } else if (!sameOwner) {
      result = await copyAcross(call, source.item, target.id, dest.name);
    } else {
      result = drive.copy(call.space.user, [source.item.id], target.id)[0]!;
      if (result.name !== dest.name) result = drive.rename(call.space.user, result.id, dest.name);
      dav.copyProperties(source.item.id, result.id);
    }
    return new Response(null, {
      status: dest.node ? 204 : 201,
      headers: { "oc-fileid": ocId(result), ...(result.kind === "file" ? { etag: fileEtag(result) } : {}) },
    });
  }
}

export type DavMethods = ReturnType<typeof createDavMethods>;
