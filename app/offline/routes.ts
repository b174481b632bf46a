import { Elysia } from "elysia";
import { join } from "node:path";
import { publicGet } from "../platform/http/access";
import { APP_ROOT } from "../platform/paths";

const WORKER = join(APP_ROOT, "views/static/sw.js");

/**
 * What sign-out sends so the browser forgets what this origin stored: the HTTP cache and the service worker's caches,
 * its registration and the pages' storage (cookies are the session's own business). README.md.
 */
export const CLEAR_SITE_DATA = '"cache", "storage"';

/**
 * The service worker at the origin's root, so its scope is every page. Never cached by the browser beyond a check
 * (no-cache), so a new version takes over at the next visit.
 */
export function offlineRoutes() {
  return new Elysia().get(
    "/sw.js",
    () =>
      new Response(Bun.file(WORKER), {
        headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache", "x-content-type-options": "nosniff" },
      }),
    publicGet,
  );
}
