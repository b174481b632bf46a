import { Elysia } from "elysia";
import type { AuditRepo } from "../audit";
import type { SpaceReserve } from "../space";
import type { User } from "../db/schema";
import { AppError } from "../errors";
import { describeError } from "./errors";
import { log } from "../log";

// WebDAV's changing methods too (app/dav): a file moved from Finder is in the audit log like one moved on the web.
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE", "MKCOL", "MOVE", "COPY", "PROPPATCH", "LOCK", "UNLOCK"]);

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** What a request was about, in words, set by its feature before the handler runs; becomes its audit row's detail. */
const notes = new WeakMap<Request, string>();
export const noteAudit = (request: Request, text: string | null) => {
  if (text) notes.set(request, text.slice(0, 500));
};

type Ctx = { user: User | null; ip: string | null; route?: string; params?: Record<string, string> };

/**
 * Security headers on every response and one audit row per state-changing request. Who may call a route, and the
 * CSRF check of unsafe methods, are the route's declared access (app/platform/http/access.ts).
 */
export function securityPlugin(deps: { audit: AuditRepo; space: SpaceReserve }) {
  // Written before the response leaves, so an acknowledged change always has its audit row; on a full disk a delete's
  // row may use the space reserve like the delete itself (app/platform/space.ts).
  const audit = (c: { request: Request }, status: number) => {
    if (!UNSAFE.has(c.request.method)) return;
    const ctx = c as unknown as Partial<Ctx>;
    // A share link's token is a password in the address: it never goes into the log.
    const { token: _token, ...params } = ctx.params ?? {};
    const record = () =>
      deps.audit.record({
        userId: ctx.user?.id ?? null,
        ip: ctx.ip ?? null,
        action: `${c.request.method} ${ctx.route ?? new URL(c.request.url).pathname}`,
        objectId: params.id ?? params["*"] ?? Object.values(params)[0] ?? null,
        ok: status < 400,
        detail: notes.get(c.request) ?? null,
      });
    if (status < 400) deps.space.freeing(record);
    else record();
  };
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
    .onAfterHandle({ as: "global" }, (c) => {
      const response = (c as unknown as { response?: unknown }).response;
      const status = response instanceof Response ? response.status : typeof c.set.status === "number" ? c.set.status : 200;
      audit(c, status);
    })
    .onError({ as: "global" }, (c) => {
      const status = describeError(c.code, c.error).status;
      try {
        audit(c, status);
      } catch (e) {
        // The refusal is still answered (a full disk: 507 from the error handler); the lost row is logged.
        log.error(`audit row for a refused ${c.request.method} not written:`, (e as Error).message);
      }
    });
}
