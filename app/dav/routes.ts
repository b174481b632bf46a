import { Elysia } from "elysia";
import type { AccessControl } from "../platform/http/access";
import type { Viewer } from "../platform/http/context";
import type { DavCall } from "./http";
import type { DavMethods } from "./methods";
import { segmentsOf } from "./paths";
import { AppError } from "../platform/errors";
import { noteAudit } from "../platform/http/security";
import type { AuditWords } from "../platform/audit";

const METHODS = ["GET", "HEAD", "PUT", "DELETE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT"] as const;
type Method = (typeof METHODS)[number];
// The places clients look for a person's files (app/dav/paths.ts davBases): ours and the two Nextcloud paths.
const MOUNTS = ["/dav", "/remote.php/webdav", "/remote.php/dav/files/:user"];
const FILES_BASE = /^\/remote\.php\/dav\/files\/([^/]+)(\/|$)/;
const UPLOADS_BASE = /^\/remote\.php\/dav\/uploads\/([^/]+)(\/|$)/;
const UPLOAD_METHODS = ["MKCOL", "PUT", "PROPFIND", "MOVE", "DELETE"] as const;
// Nextcloud's trash bin (over Drive's trash) and versions (none: an empty collection): app/dav/trashbin.ts.
const TRASHBIN_BASE = /^\/remote\.php\/dav\/trashbin\/([^/]+)(\/|$)/;
const TRASHBIN_METHODS = ["PROPFIND", "GET", "HEAD", "MOVE", "DELETE"] as const;
const VERSIONS_BASE = /^\/remote\.php\/dav\/versions\/([^/]+)(\/|$)/;
/** The audit log's words for the methods that change something; "{}" names the path and the device. */
const WORDS: Partial<Record<Method | "TRASH_DELETE" | "TRASH_MOVE", AuditWords>> = {
  PUT: { kind: "files", did: "uploaded a file through WebDAV", about: "uploaded {}" },
  DELETE: { kind: "files", did: "moved an item to the trash through WebDAV", about: "moved {} to the trash" },
  TRASH_DELETE: { kind: "files", did: "deleted an item from the trash forever through WebDAV", about: "deleted {} forever" },
  TRASH_MOVE: { kind: "files", did: "restored an item from the trash through WebDAV", about: "restored {}" },
  MKCOL: { kind: "files", did: "created a folder through WebDAV", about: "created the folder {}" },
  MOVE: { kind: "files", did: "moved or renamed an item through WebDAV", about: "moved {}" },
  COPY: { kind: "files", did: "copied an item through WebDAV", about: "copied {}" },
  PROPPATCH: { kind: "files", did: "changed an item's properties through WebDAV", about: "changed the properties of {}" },
  LOCK: { kind: "files", did: "locked an item through WebDAV", about: "locked {}" },
  UNLOCK: { kind: "files", did: "unlocked an item through WebDAV", about: "unlocked {}" },
};
const hooks = (method: Method) => ({ device: true as const, parse: "none" as const, ...(WORDS[method] ? { audit: WORDS[method]! } : {}) });

/**
 * WebDAV (RFC 4918 class 1 and 2) over each person's Drive at /dav/ and Nextcloud's paths. Every method but OPTIONS
 * needs a device's app password (`{ device: true }`); bodies are read by the methods themselves (`parse: "none"`).
 */
export function davRoutes(deps: { access: AccessControl; methods: DavMethods }) {
  const { methods } = deps;

  /** The `/…/<user>/` part of a Nextcloud path: only the signed-in person's own name is an address. */
  function ownBase(match: RegExpExecArray, viewer: Viewer) {
    let named: string;
    try {
      named = decodeURIComponent(match[1]!);
    } catch {
      throw new AppError(400, "The address contains a malformed %-escape.");
    }
    // Another person's files are never reachable by address: their folders shared with you appear in your own.
    if (named.toLowerCase() !== viewer.user.username) throw new AppError(404, "There are no files for you at this address.");
    return match[0].endsWith("/") ? match[0] : `${match[0]}/`;
  }

  function call(method: Method, request: Request, viewer: Viewer) {
    // A fragment is never part of a resource's address: "/folder/#x" must not delete "/folder/".
    if (request.url.includes("#")) throw new AppError(400, "The address contains a fragment (#).");
    const path = new URL(request.url).pathname;
    let base: string;
    const files = FILES_BASE.exec(path);
    // The Nextcloud collections beside a person's files: chunked uploads, the trash bin, versions.
    for (const [pattern, handle] of [
      [UPLOADS_BASE, methods.upload],
      [TRASHBIN_BASE, methods.trashbin],
      [VERSIONS_BASE, (_method: string, c: DavCall) => methods.versions(c)],
    ] as const) {
      const match = pattern.exec(path);
      if (!match) continue;
      const own = ownBase(match, viewer);
      const names = segmentsOf(path.length > own.length ? path.slice(own.length) : "");
      if (pattern === TRASHBIN_BASE && (method === "MOVE" || method === "DELETE"))
        noteAudit(request, `‘${names.at(-1) ?? "the trash"}’${viewer.device ? ` from ${viewer.device.name}` : ""}`);
      return handle(method, { space: { user: viewer.user, device: viewer.device ?? null, base: own, requestUrl: request.url }, names, request });
    }
    if (files) base = ownBase(files, viewer);
    else base = path.startsWith("/remote.php/webdav") ? "/remote.php/webdav/" : "/dav/";
    const names = segmentsOf(path.length > base.length ? path.slice(base.length) : "");
    if (method !== "GET" && method !== "HEAD" && method !== "PROPFIND" && method !== "REPORT")
      noteAudit(request, `‘${names.join("/") || "/"}’${viewer.device ? ` from ${viewer.device.name}` : ""}`);
    const space = { user: viewer.user, device: viewer.device ?? null, base, requestUrl: request.url };
    return methods[method === "HEAD" ? "GET" : method]({ space, names, request });
  }

  let app = new Elysia({ name: "dav" }).use(deps.access);
  for (const mount of MOUNTS) {
    for (const path of [mount, `${mount}/*`]) {
      app = app.options(path, () => methods.OPTIONS(), { device: "public", parse: "none" });
      for (const method of METHODS) app = app.route(method, path, ({ request, viewer }) => call(method, request, viewer!), hooks(method));
    }
  }
  for (const path of ["/remote.php/dav/uploads/:user", "/remote.php/dav/uploads/:user/*"])
    for (const method of UPLOAD_METHODS) app = app.route(method, path, ({ request, viewer }) => call(method, request, viewer!), hooks(method));
  for (const path of ["/remote.php/dav/trashbin/:user", "/remote.php/dav/trashbin/:user/*"])
    for (const method of TRASHBIN_METHODS) {
      const words = method === "DELETE" ? WORDS.TRASH_DELETE : method === "MOVE" ? WORDS.TRASH_MOVE : undefined;
      app = app.route(method, path, ({ request, viewer }) => call(method, request, viewer!), {
        device: true,
        parse: "none",
        ...(words ? { audit: words } : {}),
      });
    }
  for (const path of ["/remote.php/dav/versions/:user", "/remote.php/dav/versions/:user/*"])
    app = app.route("PROPFIND", path, ({ request, viewer }) => call("PROPFIND", request, viewer!), hooks("PROPFIND"));
  return app;
}
