import { Elysia } from "elysia";
import type { PageChrome } from "../../../views/layout";
import { AppError, userFacing } from "../errors";
import { enterRequest, log, requestId } from "../log";
import { ErrorPage, ErrorToast } from "../../../views/ErrorPage";

const FRAMEWORK_ERRORS: Record<string, AppError> = {
  NOT_FOUND: new AppError(404, "There is nothing at this address: the link may be mistyped or out of date."),
  VALIDATION: new AppError(400, "Some input was missing or malformed."),
  PARSE: new AppError(400, "The request body could not be read."),
  INVALID_COOKIE_SIGNATURE: new AppError(400, "A cookie was damaged. Reload the page."),
};

/**
 * Every request gets an id before anything else runs: its log lines carry it, and an unexpected error shows it as the
 * reference a person reads out. Registered first in `createApp`.
 */
export const requestIds = new Elysia({ name: "request-id" }).onRequest(() => {
  enterRequest();
});

/** The status and sentence for any failure of a request; `requestId` is set for bugs, which are logged with it. */
export function describeError(code: string | number, error: unknown): { status: number; message: string; requestId: string | null } {
  // The body is read in Elysia's parse step, which wraps what it throws (a 401 before reading, a 413) in a ParseError.
  const cause = code === "PARSE" ? userFacing((error as { cause?: unknown }).cause) : null;
  const known = cause ?? userFacing(error) ?? FRAMEWORK_ERRORS[String(code)];
  if (known) return { status: known.status, message: known.message, requestId: null };
  return { status: 500, message: "The server hit an unexpected problem.", requestId: requestId() ?? enterRequest() };
}

const wantsJson = (request: Request, url: URL) =>
  (request.headers.get("accept") ?? "").includes("application/json") || url.pathname.startsWith("/api/") || url.pathname.startsWith("/auth/");

/**
 * The one place a failed request becomes a response, in every mode (never Bun's development page, which shows
 * paths and source): JSON for the API, a toast for htmx, otherwise the app's error page in the normal layout.
 * A signed-out page view goes to sign-in, and an htmx poll after the session expired sends the page there.
 */
export function errorHandler(deps: {
  pageOf: (sessionCookie: string | undefined) => PageChrome;
  /** Native clients' protocols (WebDAV XML, Nextcloud JSON) answer in their own format; null for every other path. */
  clientError?: (request: Request, error: unknown, status: number, message: string) => Response | null;
}) {
  return new Elysia({ name: "error-handler" }).error({ AppError }).onError({ as: "global" }, (c) => {
    const { error, code, request, set } = c;
    const { status, message, requestId } = describeError(code, error);
    // A share link's token is a password in the address (/s/<token>/…): it never goes into the log.
    if (requestId) log.error(`${request.method} ${new URL(request.url).pathname.replace(/^\/s\/[^/]+/, "/s/…")} failed:`, error);
    const url = new URL(request.url);
    const forClient = deps.clientError?.(request, error, status, requestId ? `${message} Reference: ${requestId}.` : message);
    if (forClient) {
      // Elysia would put the error's own status on the Response; a protocol may answer otherwise (OCS v1: 200).
      set.status = forClient.status;
      return forClient;
    }
    const json = wantsJson(request, url);
    if (status === 401 && !json && request.method === "GET" && !request.headers.get("hx-request")) {
      return Response.redirect(`${url.origin}/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    if (status === 401 && request.headers.get("hx-request")) {
      const page = new URL(request.headers.get("hx-current-url") ?? url.href, url.origin);
      return new Response(null, { status: 401, headers: { "hx-redirect": `/login?next=${encodeURIComponent(page.pathname + page.search)}` } });
    }
    set.status = status;
    const text = requestId ? `${message} Reference: ${requestId}.` : message;
    const headers: Record<string, string> = {};
    if (error instanceof AppError && error.retryAfterSeconds) headers["retry-after"] = String(error.retryAfterSeconds);
    if (json) return Response.json(requestId ? { error: text, requestId } : { error: text }, { status, headers });
    if (request.headers.get("hx-request")) {
      return new Response(ErrorToast({ message: text }) as string, {
        status,
        headers: { ...headers, "content-type": "text/html; charset=utf-8", "hx-retarget": "#toasts", "hx-reswap": "beforeend" },
      });
    }
    // The request's own chrome when its route was reached; an unknown address matched no route, so no route derived
    // it: the error page asks for it (the layout with navigation for a signed-in browser).
    let found = (c as unknown as { page?: PageChrome }).page;
    if (!found) {
      try {
        const sid = code === "NOT_FOUND" ? /(?:^|;\s*)nas_session=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1] : undefined;
        found = deps.pageOf(sid ? decodeURIComponent(sid) : undefined);
      } catch {} // the page still renders, signed out
    }
    const page: PageChrome = {
      user: found?.user ?? null,
      csrfToken: found?.csrfToken ?? "",
      admin: found?.admin ?? false,
      deviceName: "NAS",
      timeZone: "UTC",
      banner: [],
    };
    try {
      if (found) [page.deviceName, page.timeZone] = [found.deviceName, found.timeZone];
    } catch {} // the database may be what failed: the page still renders
    return new Response(ErrorPage({ status, message, requestId, page }) as string, {
      status,
      headers: { ...headers, "content-type": "text/html; charset=utf-8" },
    });
  });
}

/**
 * Options for Bun.serve: never Bun's development error page (it shows the working directory, paths and source),
 * and for anything that escapes Elysia itself a plain 500 with a reference, the detail in the log.
 */
export const serveOptions = {
  development: false,
  error(error: Error) {
    const id = requestId() ?? enterRequest();
    log.error("failed outside the app's error handler:", error);
    return new Response(`The server hit an unexpected problem. Reference: ${id}.\n`, {
      status: 500,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
};
