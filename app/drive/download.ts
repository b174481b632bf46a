// Serving user content: single-range requests, strong ETags (the SHA-256), Last-Modified, the real filename,
// and headers that keep the content from ever running as part of the app's origin.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadable } from "node:stream/web";
import type { DriveFile } from "../platform/db/schema";
import { inlineSafe, numberedName } from "./model";

/** Applied to every user-content response: the browser treats it as an opaque, script-less document. */
export const USER_CONTENT_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'";

export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Parses a single `bytes=` range against `size`: the slice, "unsatisfiable", or null to send the whole file. */
export function parseRange(header: string | null, size: number): { start: number; end: number } | "unsatisfiable" | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null; // multiple or malformed ranges: the whole file is a valid answer
  const [, a, b] = m;
  if (a === "" && b === "") return null;
  let start: number, end: number;
  if (a === "") {
    const n = Number(b);
    if (n === 0) return "unsatisfiable";
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

/** `body` is the stored file's path, or bytes prepared for this response (a shared JPEG without its metadata). */
/** Bytes that can be served in ranges without being read whole (a file on disk with some bytes replaced). */
export type RangedBody = { size: number; slice(start: number, end: number): Blob | ReadableStream<Uint8Array> };

export function serveFile(request: Request, file: DriveFile, body: string | Blob | RangedBody, opts: { inline: boolean; etag?: string }): Response {
  const size = file.size;
  const etag = opts.etag ?? `"${file.sha256}"`;
  const mime = file.mime ?? "application/octet-stream";
  const inline = opts.inline && inlineSafe(mime);
  const headers: Record<string, string> = {
    "content-type": inline ? mime : mime.startsWith("text/") || /html|xml|svg|javascript/.test(mime) ? "application/octet-stream" : mime,
    "content-disposition": contentDisposition(inline ? "inline" : "attachment", file.name),
    "content-security-policy": USER_CONTENT_CSP,
    "x-content-type-options": "nosniff",
    "cross-origin-resource-policy": "same-origin",
    "accept-ranges": "bytes",
    etag,
    "last-modified": file.updatedAt.toUTCString(),
    "cache-control": "private, no-cache",
  };
  const inm = request.headers.get("if-none-match");
  // RFC 9110 13.1.2: "*" matches any current representation, so a GET or HEAD gets 304 like a matching tag.
  if (
    inm &&
    (inm.trim() === "*" ||
      inm
        .split(",")
        .map((s) => s.trim().replace(/^W\//, ""))
        .includes(etag))
  )
    return new Response(null, { status: 304, headers });
  const ifRange = request.headers.get("if-range");
  const range = ifRange && ifRange !== etag && ifRange !== headers["last-modified"] ? null : parseRange(request.headers.get("range"), size);
  if (range === "unsatisfiable") return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
  const blob = typeof body === "string" ? Bun.file(body) : body;
  if (range) {
    return new Response(blob.slice(range.start, range.end + 1), {
      status: 206,
      headers: { ...headers, "content-range": `bytes ${range.start}-${range.end}/${size}`, "content-length": String(range.end - range.start + 1) },
    });
  }
  // HEAD of a stored file answers with the file as its body: the server sends a HEAD answer's headers only, and the
  // body is what gives it its true Content-Length (the framework drops one set beside a null body, and 0 went out,
  // where WebDAV clients read a size). Bytes made for the response are not started for a HEAD.
  if (request.method === "HEAD") return new Response(blob instanceof Blob ? blob : null, { headers: { ...headers, "content-length": String(size) } });
  return new Response(blob instanceof Blob ? blob : blob.slice(0, size), { headers: { ...headers, "content-length": String(size) } });
}

/**
 * One segment of a zip entry's name, from a name a person chose: zip tools read `C:` or `b:` at the start as a
 * drive, a backslash as a separator, `..` as a way up, and show control and bidi characters raw. What Drive allows
 * in a name (only `/` and NUL are refused) can be all of these, so each becomes `_` (and `.`/`..` get a `_` prefix).
 */
export function zipSegment(name: string): string {
  const s = name.replace(/[\\:\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "_");
  return s === "" ? "_" : s === "." || s === ".." ? `_${s}` : s;
}

/**
 * The names inside a zip, made safe once for every zip the box sends (Drive, folder and album links): each segment
 * through `zipSegment`, a folder's new name carried to what is inside it, and two names that became one (`b:x` and
 * `b_x`) kept apart as "b_x (1)". Entries come parents first; `path` is segments joined by `/`.
 */
function safeZipPaths(paths: string[]): string[] {
  const mapped = new Map<string, string>();
  const taken = new Set<string>();
  return paths.map((path) => {
    const cut = path.lastIndexOf("/");
    const parent = cut < 0 ? "" : path.slice(0, cut);
    const parentSafe = parent === "" ? "" : (mapped.get(parent) ?? parent.split("/").map(zipSegment).join("/"));
    const leaf = zipSegment(path.slice(cut + 1));
    let safe = parentSafe ? `${parentSafe}/${leaf}` : leaf;
    for (let n = 1; taken.has(safe.toLowerCase()); n++) safe = `${parentSafe ? `${parentSafe}/` : ""}${numberedName(leaf, n)}`;
    taken.add(safe.toLowerCase());
    mapped.set(path, safe);
    return safe;
  });
}

/** A zip streamed as it is built (stored, not deflated: most large files are already compressed). */
/** One item of a zip: a folder, or a file with its stored content (`body`), unless `open` gives other bytes (a cleaned copy). */
export type ZipEntry = { path: string; kind: "folder" | "file"; file: DriveFile; body: Blob | null; open?: () => Readable };

export async function zipResponse(name: string, entries: ZipEntry[]): Promise<Response> {
  const { default: yazl } = await import("yazl"); // loaded on the first zip download, not at start
  const zip = new yazl.ZipFile();
  // yazl does not listen for its sources' errors: a file purged (or a disk gone) while the zip streams must end
  // this download with an error, never become an uncaught exception in the web process.
  const failing = (source: Readable) => source.on("error", (err) => (zip.outputStream as Readable).destroy(err));
  const paths = safeZipPaths(entries.map((e) => e.path));
  for (const [i, e] of entries.entries()) {
    const path = paths[i]!;
    if (e.kind === "folder") zip.addEmptyDirectory(path, { mtime: e.file.updatedAt });
    else if (e.open) zip.addReadStreamLazy(path, { mtime: e.file.updatedAt, compress: false }, (cb) => cb(null, failing(e.open!())));
    else if (e.body) {
      const body = e.body;
      zip.addReadStreamLazy(path, { mtime: e.file.updatedAt, compress: false, size: e.file.size }, (cb) =>
        cb(null, failing(Readable.fromWeb(body.stream() as unknown as WebReadable))),
      );
    }
  }
  zip.end();
  return new Response(Readable.toWeb(zip.outputStream as Readable) as unknown as ReadableStream, {
    headers: {
      "content-type": "application/zip",
      "content-disposition": contentDisposition("attachment", `${name}.zip`),
      "content-security-policy": USER_CONTENT_CSP,
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
    },
  });
}
