import { Elysia } from "elysia";
import type { AppPasswords, Device } from "../../auth/app-passwords";
import type { AuthService } from "../../auth/service";
import { hmac, randomToken, safeEqual } from "../crypto";
import type { User } from "../db/schema";
import { AppError } from "../errors";

export const SESSION_COOKIE = "nas_session";
/** Anonymous visitors get a random cookie so their forms (login, wizard) carry a CSRF token too. */
export const PRE_COOKIE = "nas_pre";

export type ContextDeps = {
  auth: AuthService;
  /** Devices' app passwords (HTTP Basic), for the routes of native clients (app/dav). */
  devices: AppPasswords;
  secret: Buffer;
  secureCookies: boolean;
  clientIp?: (request: Request) => string | null;
};

export type Viewer = { user: User; via: "session" | "token" | "device"; sessionId: string | null; device?: Device };

/**
 * Resolves who is asking (session cookie or `Authorization: Bearer` app token), the client IP and
 * the CSRF token every page embeds. Built once by the app; routes reach it through the access plugin.
 */
export function requestContext(deps: ContextDeps) {
  // The token is a pure function of the cookie: computed once per browser, not on every request.
  const csrfTokens = new Map<string, string>();
  const csrfTokenFor = (base: string) => {
    let token = csrfTokens.get(base);
    if (!token) {
      if (csrfTokens.size >= 10_000) csrfTokens.clear();
      token = hmac(deps.secret, `csrf:${base}`);
      csrfTokens.set(base, token);
    }
    return token;
  };
  /**
   * Who is asking, from the request's session cookie or `Authorization` header: asked once per request, first by the
   * access check before the body is read (parse), then by the context below.
   */
  const asked = new WeakMap<Request, Viewer | null>();
  type Server = { requestIP: (r: Request) => { address: string } | null } | null | undefined;
  const ipOf = (request: Request, server: Server) => (deps.clientIp ? deps.clientIp(request) : (server?.requestIP(request)?.address ?? null));
  function viewerOf(request: Request, server: Server): Viewer | null {
    if (asked.has(request)) return asked.get(request)!;
    let viewer: Viewer | null = null;
    const authorization = request.headers.get("authorization");
    if (authorization !== null) {
      // Present means the caller chose a token: a malformed or unknown one is a 401, never a fall back to the cookie.
      if (/^Basic\s/i.test(authorization)) {
        const login = deps.devices.verify(authorization, { ip: ipOf(request, server), secure: new URL(request.url).protocol === "https:" });
        viewer = { user: login.user, via: "device", sessionId: null, device: login.device };
      } else {
        const bearer = authorization.match(/^Bearer\s+(\S+)$/i)?.[1];
        const row = bearer ? deps.auth.tokens.resolve(bearer) : null;
        if (!row) throw new AppError(401, "This app token is invalid or was revoked (send Authorization: Bearer <token>).");
        viewer = { user: row.user, via: "token", sessionId: null };
      }
    } else {
      const sid = cookieOf(request, SESSION_COOKIE);
      const row = sid ? deps.auth.sessions.resolve(sid) : null;
      if (row && sid) viewer = { user: row.user, via: "session", sessionId: sid };
    }
    asked.set(request, viewer);
    return viewer;
  }
  // Our two cookies are read from the header and written to `set.cookie` here, not through Elysia's cookie jar: a hook
  // that names `cookie` makes Elysia parse every cookie of every request into proxies, asynchronously (≈ 7 % of a
  // signed-in page, measured with --cpu-prof). Routes that use the jar (sign-in, link passwords) still have it.
  const plugin = new Elysia({ name: "request-context" }).derive({ as: "global" }, ({ request, server, set }) => {
    const ip = ipOf(request, server);
    const viewer = viewerOf(request, server);
    const sid = viewer ? null : cookieOf(request, SESSION_COOKIE);
    const cookies = () => (set.cookie ??= Object.create(null) as NonNullable<typeof set.cookie>);
    // An expired or unknown session: the browser forgets it.
    if (sid) cookies()[SESSION_COOKIE] = { value: "", expires: new Date(0), maxAge: 0, path: "/" };
    let csrfBase = viewer?.sessionId ?? cookieOf(request, PRE_COOKIE);
    if (!viewer && !csrfBase) {
      csrfBase = randomToken(18);
      cookies()[PRE_COOKIE] = { value: csrfBase, httpOnly: true, sameSite: "lax", secure: deps.secureCookies, path: "/" };
    }
    const csrfToken = csrfBase ? csrfTokenFor(csrfBase) : "";
    return {
      ip,
      viewer,
      user: viewer?.user ?? null,
      csrfToken,
      /** True when the request's CSRF token matches this browser's cookie. */
      csrfValid: (sent: string | null | undefined) => !!sent && !!csrfToken && safeEqual(sent, csrfToken),
    };
  });
  return Object.assign(plugin, { viewerOf });
}

/** A cookie's value from the request's header (our cookies' values are tokens: nothing to decode). */
export function cookieOf(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

export function sessionCookie(secure: boolean) {
  return { httpOnly: true, secure, sameSite: "lax" as const, path: "/", maxAge: 30 * 24 * 3600 };
}

export type RequestContext = ReturnType<typeof requestContext>;
