import { Elysia } from "elysia";
import type { AuditRepo } from "../audit";
import type { SpaceReserve } from "../space";
import type { User } from "../db/schema";
import { AppError } from "../errors";
import { CSP } from "./csp";
import { describeError } from "./errors";
import { log } from "../log";

// WebDAV's changing methods too (app/dav): a file moved from Finder is in the audit log like one moved on the web.
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE", "MKCOL", "MOVE", "COPY", "PROPPATCH", "LOCK", "UNLOCK"]);

/** What a request was about, in words, set by its feature before the handler runs; becomes its audit row's detail. */
const notes = new WeakMap<Request, string>();
export const noteAudit = (request: Request, text: string | null) => {
  if (text) notes.set(request, text.slice(0, 500));
};

/**
 * Requests to a route declared `recordedByFeature` (app/platform/audit.ts): the feature writes the audit row itself, as a
 * named event in its own words, so the request's own row is written only for a refusal (status ≥ 400).
 */
const recordedInside = new WeakSet<Request>();
export const recordedByFeature = (request: Request) => {
  recordedInside.add(request);
};

type Ctx = { user: User | null; ip: string | null; route?: string; params?: Record<string, string | undefined> };
/** What the audit hooks read: the request and, once the request context has run, who asked (absent before it). */
type Hooked = Partial<Ctx> & { request: Request };

/**
 * Security headers on every response and one audit row per state-changing request. Who may call a route, and the
 * CSRF check of unsafe methods, are the route's declared access (app/platform/http/access.ts).
 */
export function securityPlugin(deps: { audit: AuditRepo; space: SpaceReserve }) {
  // Written before the response leaves, so an acknowledged change always has its audit row; on a full disk a delete's
  // row may use the space reserve like the delete itself (app/platform/space.ts).
  const audit = (ctx: Hooked, status: number) => {
    if (!UNSAFE.has(ctx.request.method)) return;
    if (status < 400 && recordedInside.has(ctx.request)) return;
    // A share link's token is a password in the address: it never goes into the log.
    const { token: _token, ...params } = ctx.params ?? {};
    const record = () =>
      deps.audit.record({
        userId: ctx.user?.id ?? null,
        ip: ctx.ip ?? null,
        action: `${ctx.request.method} ${ctx.route ?? new URL(ctx.request.url).pathname}`,
        objectId: params.id ?? params["*"] ?? Object.values(params)[0] ?? null,
        ok: status < 400,
        detail: notes.get(ctx.request) ?? null,
      });
    if (status < 400) deps.space.freeing(record);
    else record();
  };
  // The hooks name the fields they read: a hook that passes its whole context on makes Elysia parse everything a
  // route could use (every cookie into proxies, the query…) for every request of the app (≈ 8 % of a signed-in page).
  return new Elysia({ name: "security" })
    .onRequest(({ set, request }) => {
      set.headers["content-security-policy"] = CSP;
      set.headers["x-content-type-options"] = "nosniff";
      set.headers["referrer-policy"] = "same-origin";
      set.headers["x-frame-options"] = "DENY";
      set.headers["permissions-policy"] = "camera=(), microphone=(), geolocation=()";
      // Routers and handlers decode the path: a broken %-escape is the client's mistake (400), never our 500.
      // Only an address with a % can hold one (the check is a full scan of the URL: skipped for the rest).
      if (request.url.includes("%")) {
        try {
          decodeURIComponent(request.url);
        } catch {
          throw new AppError(400, "The address contains a malformed %-escape.");
        }
      }
    })
    .onAfterHandle({ as: "global" }, ({ request, set, response, user, ip, route, params }: Hooked & { set: { status?: unknown }; response?: unknown }) => {
      const status = response instanceof Response ? response.status : typeof set.status === "number" ? set.status : 200;
      audit({ request, user, ip, route, params }, status);
    })
    .onError({ as: "global" }, ({ request, code, error, user, ip, route, params }: Hooked & { code: string | number; error: unknown }) => {
      const status = describeError(code, error).status;
      try {
        audit({ request, user, ip, route, params }, status);
      } catch (e) {
        // The refusal is still answered (a full disk: 507 from the error handler); the lost row is logged.
        log.error(`audit row for a refused ${request.method} not written:`, (e as Error).message);
      }
    });
}
