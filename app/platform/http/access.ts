import { Elysia } from "elysia";
import { AUDIT_DETAIL, type RouteAuditWords } from "../audit";
import type { SignedInPage } from "../../../views/layout";
import type { User } from "../db/schema";
import { AppError } from "../errors";
import { readBody } from "./body";
import { recordedByFeature } from "./security";
import type { RequestContext } from "./context";
import type { PagePlugin } from "./page";

/**
 * Who may call a route. Every route declares one: a test walks the route table and fails on a route without it.
 * "link" routes are public routes that serve what a share link grants (under /s/:token); each checks its link.
 * "device" routes serve native clients (WebDAV, the Nextcloud client protocol: app/dav) signed in with a device's app
 * password (HTTP Basic), never a session cookie; "client" routes are those clients' public endpoints (server status,
 * starting a login flow), which act for nobody and read no cookie.
 */
export type Access = "public" | "user" | "admin" | "link" | "device" | "client";
export const ACCESS_DETAIL = "x-access";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The browser tells us where an unsafe request came from; anything but our own origin is refused. */
export function isSameOrigin(request: Request, origins: string[]): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin") return false;
  const origin = request.headers.get("origin");
  // Under Referrer-Policy: no-referrer (the share link pages) the browser sends `Origin: null`: Sec-Fetch-Site decides.
  if (origin === "null") return site === "same-origin";
  if (!origin) return site === "same-origin" || site === null;
  return origin === new URL(request.url).origin || origins.includes(origin);
}

type Via = "session" | "token" | "device";
// The hooks below name the fields they read: a hook that hands its whole context on makes Elysia prepare everything a
// route could use (every cookie parsed into proxies, the query, a headers object) on every request.
type Asking = {
  request: Request;
  body: unknown;
  viewer: { user: User; via: Via } | null;
  csrfValid: (t: string | null | undefined) => boolean;
};

/** The access policy's administrator check (app/access), passed in by the composition root: it throws 403. */
type RequireAdmin = (user: User) => void;

/**
 * Who may ask: 401 signed out, 403 not the administrator; a device's app password opens only the native clients'
 * routes, a session never opens those. Runs before the body is read.
 */
function admitWho(level: Access, viewer: { user: User; via: Via } | null, requireAdmin: RequireAdmin) {
  if (level === "device" && viewer?.via !== "device")
    throw new AppError(401, "Sign in with your username and an app password (Settings → Devices on the box).");
  if ((level === "user" || level === "admin") && viewer?.via === "device")
    throw new AppError(401, "An app password opens your files through WebDAV only; sign in to use the rest of the box.");
  if ((level === "user" || level === "admin") && !viewer) throw new AppError(401, "Please sign in.");
  if (level === "admin") requireAdmin(viewer!.user);
}

/**
 * Runs before the body is validated: first who is asking (again: a route without a body has no parse step), then CSRF
 * on unsafe methods (origin check plus the per-browser token htmx sends in `X-CSRF-Token`, or a form's `_csrf`) unless
 * the request authenticated with an app token, which browsers never send on their own.
 */
function admit(level: Access, c: Asking, origins: string[], requireAdmin: RequireAdmin) {
  if (level === "device" || level === "client") return admitClient(level, c, origins, requireAdmin);
  admitWho(level, c.viewer, requireAdmin);
  if (!UNSAFE.has(c.request.method) || c.viewer?.via === "token") return;
  if (!isSameOrigin(c.request, origins)) throw new AppError(403, "Cross-site request refused (origin check). Reload the page and try again.");
  const body = c.body;
  const sent = c.request.headers.get("x-csrf-token") ?? (body && typeof body === "object" ? (body as Record<string, unknown>)._csrf : null);
  if (!c.csrfValid(typeof sent === "string" ? sent : null)) {
    throw new AppError(403, "Your session changed in another tab (CSRF token mismatch). Reload the page and try again.");
  }
}

/**
 * Native clients: a "device" route needs an app password (a cookie session never counts), and neither level has a
 * CSRF token to check: they act on no cookie. A browser can still be made to send cached Basic credentials, so a
 * request that says it comes from another site is refused; clients send no such header.
 */
function admitClient(level: "device" | "client", c: Asking, origins: string[], requireAdmin: RequireAdmin) {
  admitWho(level, c.viewer, requireAdmin);
  const told = c.request.headers.has("origin") || c.request.headers.has("sec-fetch-site");
  if (level === "device" && told && !isSameOrigin(c.request, origins)) throw new AppError(403, "Cross-site request refused (origin check).");
}

type Parsing = {
  request: Request;
  contentType?: string;
  server?: { requestIP: (r: Request) => { address: string } | null } | null;
};

// An OpenAPI extension field; typed as a plain detail so Elysia keeps the macro's resolved types.
const accessDetail = (level: Access) => ({ [ACCESS_DETAIL]: level }) as { description?: string };

/**
 * What every route declares beside it. Its access rule: `{ auth: "user" }` or `{ auth: "admin" }` (the handler's `user`
 * and `page` are then signed in) or `{ public: true }`. And, for a route that changes something, what the audit log
 * calls it: `{ audit: { kind: "files", did: "created a folder", about: "created the folder {}" } }` (app/platform/audit.ts).
 * Both are kept in the route's `detail`, so the route table can be listed with them (route tests, the sharing matrix,
 * the attack suite, the audit log's words).
 */
export function accessControl(deps: { context: RequestContext; page: PagePlugin; origins: string[]; spoolDir: string; requireAdmin: RequireAdmin }) {
  /**
   * The body is read here, in the parse step, and only after the route's access admits who is asking: a signed-out
   * request to a signed-in route is a 401 with nothing read. Then at most the body limit (app/platform/http/body.ts);
   * a form's files go to disk. Routes that stream their body (`parse: "none"`) have no parse step.
   */
  const parse = (level: Access) => (c: Parsing) => {
    const viewer = deps.context.viewerOf(c.request, c.server);
    admitWho(level, viewer, deps.requireAdmin);
    return readBody(c.request, c.contentType ?? "", { spoolDir: deps.spoolDir, files: viewer !== null });
  };
  // The page plugin brings the request context (who is asking) and derives the page chrome from it.
  return new Elysia({ name: "access" }).use(deps.page).macro({
    auth: (level: "user" | "admin") => ({
      detail: accessDetail(level),
      parse: parse(level),
      transform: ({ request, body, viewer, csrfValid }: Asking) => admit(level, { request, body, viewer, csrfValid }, deps.origins, deps.requireAdmin),
      resolve({ user, page }) {
        // Never null here: transform refused the request otherwise.
        return { user: user as User, page: page as SignedInPage };
      },
    }),
    public: (on: true) => ({
      detail: accessDetail(on ? "public" : "user"),
      parse: parse(on ? "public" : "user"),
      transform: ({ request, body, viewer, csrfValid }: Asking) => admit("public", { request, body, viewer, csrfValid }, deps.origins, deps.requireAdmin),
    }),
    /** A native client's route: with a device's app password (`true`), or its public endpoints (`"public"`). */
    device: (level: true | "public") => ({
      detail: accessDetail(level === true ? "device" : "client"),
      parse: parse(level === true ? "device" : "client"),
      transform: ({ request, body, viewer, csrfValid }: Asking) =>
        admit(level === true ? "device" : "client", { request, body, viewer, csrfValid }, deps.origins, deps.requireAdmin),
      resolve({ user }) {
        return { user: user as User | null };
      },
    }),
    /** Reached through a share link: public to the access rules, and the route itself resolves and checks its link. */
    link: (on: true) => ({
      detail: accessDetail(on ? "link" : "user"),
      parse: parse(on ? "link" : "user"),
      transform: ({ request, body, viewer, csrfValid }: Asking) =>
        admit(on ? "link" : "user", { request, body, viewer, csrfValid }, deps.origins, deps.requireAdmin),
    }),
    audit: (words: RouteAuditWords) => ({
      detail: { [AUDIT_DETAIL]: words } as { description?: string },
      // Marked before the handler runs; a refusal (status ≥ 400) still gets the request's row (app/platform/http/security.ts).
      ...("recordedByFeature" in words && words.recordedByFeature
        ? { beforeHandle: ({ request }: { request: Request }) => void recordedByFeature(request) }
        : {}),
    }),
  });
}
export type AccessControl = ReturnType<typeof accessControl>;

/**
 * For modules that serve only GETs and need nothing of the request context (the CA download, static files): they are
 * public without the macro, which would bring the context along. Unsafe methods always go through the macro (CSRF).
 */
export const publicGet = { detail: accessDetail("public") };

/** The access level a route declared, read from the app's route table. */
export const routeAccess = (route: { hooks?: { detail?: Record<string, unknown> } }): Access | undefined =>
  route.hooks?.detail?.[ACCESS_DETAIL] as Access | undefined;
