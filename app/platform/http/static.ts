import { Elysia } from "elysia";
import { publicGet } from "./access";
import { join } from "node:path";
import { resolveInside } from "../../../hw/files";
import { APP_ROOT } from "../paths";

const types: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  // Only the offline page (views/static/offline.html), which the service worker shows when the box is unreachable.
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".bcmap": "application/octet-stream",
  ".pfb": "application/octet-stream",
};

export function staticRoutes(root = join(APP_ROOT, "views/static")) {
  return new Elysia().get(
    "/static/*",
    async ({ params, set, headers }) => {
      const path = resolveInside(root, decodeURIComponent(params["*"]));
      const file = path ? Bun.file(path) : null;
      if (!file || !(await file.exists())) {
        set.status = 404;
        return "Not found";
      }
      const etag = `"${file.size.toString(36)}-${file.lastModified.toString(36)}"`;
      if (headers["if-none-match"] === etag) return new Response(null, { status: 304, headers: { etag } });
      const ext = path!.slice(path!.lastIndexOf("."));
      return new Response(file, { headers: { "content-type": types[ext] ?? "application/octet-stream", etag, "cache-control": "public, max-age=300" } });
    },
    publicGet,
  );
}

export const manifest = (name: string) => ({
  name,
  short_name: name,
  start_url: "/",
  display: "standalone",
  background_color: "#0f1216",
  theme_color: "#1f6feb",
  icons: [
    { src: "/static/vendor/icon-192.png", sizes: "192x192", type: "image/png" },
    { src: "/static/vendor/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any maskable" },
    { src: "/static/icons/icon.svg", sizes: "any", type: "image/svg+xml" },
  ],
});
