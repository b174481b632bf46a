import { statSync } from "node:fs";
import { Elysia, t } from "elysia";
import { notFound } from "../platform/errors";
import type { AccessControl } from "../platform/http/access";
import { serveFile } from "../drive/download";
import type { DriveService } from "../drive/service";
import { MediaProgress } from "../../views/media/MediaProgress";
import { FailedPage } from "../../views/media/FailedPage";
import type { MediaService } from "./service";

type Deps = { access: AccessControl; drive: DriveService; media: MediaService };

/**
 * Derivatives by Drive file id only: Drive's `itemFor` decides access (others' ids are 404), and the path on disk
 * comes from the owner and the content hash, so no request can name a file under the data dir.
 */
export function mediaRoutes(deps: Deps) {
  const { drive, media } = deps;
  return (
    new Elysia({ prefix: "/media" })
      .use(deps.access)
      .get("/progress", ({ user }) => <MediaProgress progress={media.progressFor(user)} />, { auth: "user" })
      .get("/failed", ({ user, page }) => <FailedPage page={page} failures={media.failuresFor(user)} />, { auth: "user" })
      .post(
        "/failed/:id/retry",
        ({ user, params, redirect }) => {
          // Queued again, it leaves the list; the progress line on Photos and Drive shows it being processed.
          media.retry(drive.itemFor(user, params.id, "file.read"));
          return redirect("/media/failed", 303);
        },
        { auth: "user", audit: { kind: "files", did: "asked for a photo or video to be processed again" } },
      )
      .get(
        "/preview/:id",
        ({ user, params, query }) => {
          // An edited photo's preview is its edit's (app/photos/edit); the edit mode asks for the original's.
          const path = media.derivativeOf(drive.itemFor(user, params.id, "file.read"), "preview", { original: query.original === "1" });
          if (!path) throw notFound("This preview");
          return new Response(Bun.file(path), {
            headers: { "content-type": "image/jpeg", "cache-control": "private, max-age=3600", "x-content-type-options": "nosniff" },
          });
        },
        { auth: "user", query: t.Object({ original: t.Optional(t.String({ maxLength: 1 })), e: t.Optional(t.String({ maxLength: 12 })) }) },
      )
      // Full resolution for the lightbox's zoom, of photos browsers cannot show as they are (HEIC, TIFF, RAW).
      .get(
        "/full/:id",
        async ({ user, params }) => {
          const path = await media.fullResolution(drive.itemFor(user, params.id, "file.read"));
          if (!path) throw notFound("A full-resolution picture of this file");
          return new Response(Bun.file(path), {
            headers: { "content-type": "image/jpeg", "cache-control": "private, max-age=3600", "x-content-type-options": "nosniff" },
          });
        },
        { auth: "user" },
      )
      // The browser-playable MP4 when the original is not one (HEVC, MOV, AVI…), with Range for seeking.
      .get(
        "/video/:id",
        ({ user, params, request }) => {
          const file = drive.itemFor(user, params.id, "file.read");
          const path = media.derivativeOf(file, "video");
          if (!path) throw notFound("This video");
          const mp4 = { ...file, name: file.name.replace(/\.[^.]*$/, "") + ".mp4", mime: "video/mp4", size: statSync(path).size, sha256: `${file.sha256}-mp4` };
          return serveFile(request, mp4, path, { inline: true });
        },
        { auth: "user" },
      )
      .post(
        "/reprocess",
        () => {
          const n = media.reprocess();
          return (
            <p class="small" role="status" safe>
              {n === 0 ? "Everything is up to date." : `${n} photos and videos queued again.`}
            </p>
          );
        },
        { auth: "admin", audit: { kind: "system", did: "asked for every photo and video to be processed again" } },
      )
  );
}
