import { Elysia, t } from "elysia";
import type { AccessControl } from "../platform/http/access";
import { parseRange } from "../drive/download";
import type { MapsService } from "./service";

type Deps = { access: AccessControl; maps: MapsService };

/**
 * The owner's detailed basemap, read in ranges by the browser's PMTiles reader (a few KB per tile, never the whole
 * file), and the admin's switch for OpenStreetMap's tiles. The world basemap itself is static (/static/vendor/basemap/).
 */
export function mapsRoutes(deps: Deps) {
  const { maps } = deps;
  return new Elysia({ prefix: "/maps" })
    .use(deps.access)
    .get(
      "/detail.pmtiles",
      ({ request, set }) => {
        const file = maps.detailFile();
        if (!file) {
          set.status = 404;
          return "No detailed map on this box.";
        }
        const etag = `"${file.size.toString(36)}-${Math.floor(file.modified).toString(36)}"`;
        const headers: Record<string, string> = {
          "content-type": "application/vnd.pmtiles",
          "accept-ranges": "bytes",
          etag,
          // Signed-in people only; the reader asks again (If-Match semantics via the ETag) when the file is replaced.
          "cache-control": "private, no-cache",
          "x-content-type-options": "nosniff",
        };
        if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
        const range = parseRange(request.headers.get("range"), file.size);
        if (range === "unsatisfiable") return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${file.size}` } });
        const body = Bun.file(file.path);
        if (!range) return new Response(request.method === "HEAD" ? null : body, { headers: { ...headers, "content-length": String(file.size) } });
        return new Response(body.slice(range.start, range.end + 1), {
          status: 206,
          headers: { ...headers, "content-range": `bytes ${range.start}-${range.end}/${file.size}`, "content-length": String(range.end - range.start + 1) },
        });
      },
      { auth: "user" },
    )
    .post(
      "/online-tiles",
      // An unticked box sends nothing: off.
      ({ body, redirect }) => {
        maps.setOnline(body.on === "1");
        return redirect("/photos/map", 303);
      },
      {
        auth: "admin",
        audit: { kind: "settings", did: "turned OpenStreetMap's online map tiles on or off" },
        body: t.Object({ on: t.Optional(t.String({ maxLength: 1 })), _csrf: t.Optional(t.String()) }),
      },
    );
}
