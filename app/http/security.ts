import { Elysia } from "elysia";
import type { AuditRepo } from "../audit/repo";
import type { Config } from "../config";
import type { User } from "../db/schema";
import { AppError } from "../errors";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

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

/** The browser tells us where an unsafe request came from; anything but our own origin is refused. */
export function isSameOrigin(request: Request, origins: string[]): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin") return false;
  const origin = request.headers.get("origin");
  if (!origin) return site === "same-origin" || site === null;
  return origin === new URL(request.url).origin || origins.includes(origin);
}

type Ctx = { user: User | null; csrfValid: (t: string | null | undefined) => boolean; ip: string | null };

/**
 * Security headers on every response, CSRF defence on every unsafe method (origin check plus the
 * per-browser token htmx sends in `X-CSRF-Token`), and one audit row per state-changing request.
 */
export function securityPlugin(deps: { config: Pick<Config, "origins">; audit: AuditRepo }) {
  // Written before the response leaves, so an acknowledged change always has its audit row.
  const audit = (c: { request: Request }, status: number) => {
    if (!UNSAFE.has(c.request.method)) return;
    const ctx = c as unknown as Partial<Ctx> & { route?: string; params?: Record<string, string> };
    const params = ctx.params ?? {};
    deps.audit.record({
      userId: ctx.user?.id ?? null,
      ip: ctx.ip ?? null,
      action: `${c.request.method} ${ctx.route ?? new URL(c.request.url).pathname}`,
      objectId: params.id ?? params["*"] ?? Object.values(params)[0] ?? null,
      ok: status < 400,
    });
  };
  return new Elysia({ name: "security" })
    .onRequest(({ set }) => {
      set.headers["content-security-policy"] = CSP;
      set.headers["x-content-type-options"] = "nosniff";
      set.headers["referrer-policy"] = "same-origin";
      set.headers["x-frame-options"] = "DENY";
      set.headers["permissions-policy"] = "camera=(), microphone=(), geolocation=()";
    })
    .onBeforeHandle({ as: "global" }, (c) => {
      const { request, body } = c;
      if (!UNSAFE.has(request.method)) return;
      const ctx = c as unknown as Ctx;
      const usesCookies = !/^Bearer\s/i.test(request.headers.get("authorization") ?? "");
      if (!usesCookies) return; // app tokens are not sent automatically by browsers: no CSRF risk
      if (!isSameOrigin(request, deps.config.origins)) {
        throw new AppError(403, "Cross-site request refused (origin check). Reload the page and try again.");
      }
      const sent = request.headers.get("x-csrf-token") ?? (body && typeof body === "object" ? (body as Record<string, unknown>)._csrf : null);
      if (!ctx.csrfValid(typeof sent === "string" ? sent : null)) {
        throw new AppError(403, "Your session changed in another tab (CSRF token mismatch). Reload the page and try again.");
      }
    })
    .onAfterHandle({ as: "global" }, (c) => {
      const response = (c as unknown as { response?: unknown }).response;
      const status = response instanceof Response ? response.status : typeof c.set.status === "number" ? c.set.status : 200;
      audit(c, status);
    })
    .onError({ as: "global" }, (c) => {
      const e = c.error as { status?: unknown };
      audit(c, e instanceof AppError ? e.status : typeof e?.status === "number" ? e.status : c.code === "VALIDATION" ? 422 : 500);
    });
}
