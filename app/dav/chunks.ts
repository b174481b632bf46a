// Nextcloud's chunked upload (v2, also what rclone's nextcloud vendor speaks): MKCOL an upload folder under
// /remote.php/dav/uploads/<user>/<id>/, PUT the chunks (each written whole or not at all, so a client that lost its
// connection lists what arrived with PROPFIND and sends the rest), then MOVE `.file` to the destination: the chunks
// are streamed in order through Drive's one write path (temp → hash → fsync → rename → row), checked against
// OC-Total-Length and OC-Checksum, and removed. Unfinished uploads are swept after a day (the `dav.sweep` job).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import type { Clock } from "../platform/clock";
import { dataPaths, safePath } from "../platform/paths";
import { fsyncFd, readFiles, writeStream } from "../platform/streams";
import { AppError, DISK_FULL_MESSAGE, isDiskFull } from "../platform/errors";
import { bodyOf, checksumOf, clientMtime, type DavCall, declaredLength } from "./http";
import type { DavMethodsContext } from "./methods";
import { destinationSegments } from "./paths";
import { MULTISTATUS_CLOSE, MULTISTATUS_OPEN } from "./props";
import { store, writtenHeaders } from "./write";
import { esc } from "./xml";

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const STALE_MS = 24 * 3600_000;

/** Uploads nobody touched for a day (a phone that gave up) are removed with their chunks; returns how many. */
export function sweepChunkedUploads(dataDir: string, now: Clock): number {
  const top = dataPaths(dataDir).davUploads;
  if (!existsSync(top)) return 0;
  let removed = 0;
  const cutoff = now().getTime() - STALE_MS;
  for (const user of readdirSync(top)) {
    if (!NAME.test(user)) continue;
    for (const id of readdirSync(safePath(top, user))) {
      if (!NAME.test(id)) continue;
      const dir = safePath(top, user, id);
      if (statSync(dir).mtimeMs < cutoff) {
        rmSync(dir, { recursive: true, force: true });
        removed++;
      }
    }
  }
  return removed;
}

export function createChunkedUploads(deps: { dataDir: string; freeBytes: () => number }) {
  const root = () => dataPaths(deps.dataDir).davUploads;
  const checkName = (name: string, what: string) => {
    if (!NAME.test(name) || name === "." || name === "..") throw new AppError(400, `That ${what} name is not allowed.`);
  };
  const dirOf = (userId: string, uploadId: string) => {
    checkName(uploadId, "upload");
    return safePath(root(), userId, uploadId);
  };
  const existing = (userId: string, uploadId: string) => {
    const dir = dirOf(userId, uploadId);
    if (!existsSync(dir)) throw new AppError(404, "This upload does not exist (it may have expired): start it again.");
    return dir;
  };
  /** The chunks in the order they join: by number when every name is a number (Nextcloud), else by name (rclone's padded offsets). */
  const chunkNames = (dir: string) => {
    const names = readdirSync(dir).filter((n) => !n.startsWith(".part-"));
    const numeric = names.every((n) => /^\d+$/.test(n));
    return names.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  };

  return {
    create(userId: string, uploadId: string) {
      const dir = dirOf(userId, uploadId);
      if (existsSync(dir)) throw new AppError(405, "This upload exists already.");
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    },

    /**
     * One chunk, written to a hidden temp name and renamed when complete: a cut connection leaves nothing listed.
     * In constant memory (app/platform/streams.ts), like Drive's own writes.
     */
    async putChunk(userId: string, uploadId: string, chunk: string, body: AsyncIterable<Uint8Array>, length: number | undefined) {
      const dir = existing(userId, uploadId);
      checkName(chunk, "chunk");
      if (chunk.startsWith(".")) throw new AppError(400, "That chunk name is not allowed.");
      if (length !== undefined && length > deps.freeBytes()) throw new AppError(507, DISK_FULL_MESSAGE);
      const temp = safePath(dir, `.part-${randomBytes(8).toString("hex")}`);
      const fd = openSync(temp, "wx", 0o600);
      let size = 0;
      try {
        await writeStream(fd, body, (part) => {
          size += part.byteLength;
          if (length !== undefined && size > length) throw new AppError(400, "The chunk is longer than its declared length: send it again.");
        });
        if (length !== undefined && size !== length) throw new AppError(400, "The chunk ended before its declared length: send it again.");
        await fsyncFd(fd);
        closeSync(fd);
        renameSync(temp, safePath(dir, chunk));
      } catch (e) {
        try {
          closeSync(fd);
        } catch {
          /* already closed */
        }
        rmSync(temp, { force: true });
        throw isDiskFull(e) ? new AppError(507, DISK_FULL_MESSAGE) : e;
      }
    },

    /** PROPFIND on an upload folder: the chunks that arrived, so a client can resume. */
    list(call: DavCall, userId: string, uploadId: string) {
      const dir = existing(userId, uploadId);
      const base = new URL(call.request.url).pathname.replace(/\/?$/, "/");
      const entry = (href: string, props: string) =>
        `<d:response><d:href>${esc(href)}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;
      const depth = call.request.headers.get("depth") ?? "1";
      const parts = [MULTISTATUS_OPEN, entry(base, "<d:resourcetype><d:collection/></d:resourcetype>")];
      if (depth !== "0")
        for (const name of chunkNames(dir)) {
          const size = statSync(safePath(dir, name)).size;
          parts.push(entry(base + encodeURIComponent(name), `<d:resourcetype/><d:getcontentlength>${size}</d:getcontentlength>`));
        }
      parts.push(MULTISTATUS_CLOSE);
      return new Response(parts.join("\n"), { status: 207, headers: { "content-type": "application/xml; charset=utf-8" } });
    },

    /**
     * The chunks' bytes in order, as one stream read through one reused buffer (its consumer, Drive's write path,
     * copies each piece before asking for the next); the caller removes the upload once the file is stored.
     */
    assembled(userId: string, uploadId: string): { source: AsyncIterable<Uint8Array>; size: number } {
      const dir = existing(userId, uploadId);
      const paths = chunkNames(dir).map((name) => safePath(dir, name));
      const size = paths.reduce((n, path) => n + statSync(path).size, 0);
      return { source: readFiles(paths), size };
    },

    remove(userId: string, uploadId: string) {
      rmSync(dirOf(userId, uploadId), { recursive: true, force: true });
    },
  };
}

export type ChunkedUploads = ReturnType<typeof createChunkedUploads>;

/** The upload verbs below /remote.php/dav/uploads/<user>/: `names` is [upload id] or [upload id, chunk]. */
export async function upload(ctx: DavMethodsContext, method: string, call: DavCall) {
  const { dav, chunks } = ctx;
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
  if (method === "MOVE" && chunk === ".file") return assemble(ctx, call, id);
  throw new AppError(405, `${method} is not supported here.`);
}

/** MOVE of `.file`: the chunks joined, in order, through Drive's write path to the destination, then removed. */
async function assemble(ctx: DavMethodsContext, call: DavCall, id: string) {
  const { dav, chunks } = ctx;
  const { user } = call.space;
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
  const file = await store(ctx, { ...call, names }, parent, name, node, checksum.verify ? checksum.verify(source) : source, {
    length: total,
    modifiedAt,
    sha256: checksum.sha256,
  });
  chunks.remove(user.id, id);
  return new Response(null, { status: node ? 204 : 201, headers: writtenHeaders(file, !!modifiedAt) });
}
