// The thumbnails Nextcloud's apps show, by file id (oc:fileid) or by path: the media pipeline's derivatives, else one
// made on demand. The file is found through Drive and WebDAV's paths, so the access policy decides as everywhere.
import { Elysia, t } from "elysia";
import type { User } from "../platform/db/schema";
import type { DriveService } from "../drive/service";
import { AppError } from "../platform/errors";
import type { NextcloudDeps } from "./nextcloud";

export function previewRoutes(deps: NextcloudDeps) {
  const { dav, drive, media } = deps;

  /** A thumbnail for the apps: the pipeline's grid thumbnail (≤ 256 px asked) or its preview, else made on demand. */
  async function preview(user: User, file: ReturnType<DriveService["itemFor"]>, size: number) {
    if (file.kind !== "file") throw new AppError(404, "Folders have no preview.");
    const path =
      media.derivativeOf(file, size <= 256 ? "thumb" : "preview") ?? media.derivativeOf(file, "preview") ?? (await drive.previewImage(user, file.id));
    return new Response(Bun.file(path), { headers: { "content-type": "image/webp", "cache-control": "private, max-age=3600" } });
  }

  // By file id (Nextcloud's oc:fileid), by path, and the old files-app address.
  return new Elysia({ name: "nextcloud-previews" })
    .use(deps.access)
    .get(
      "/index.php/core/preview",
      ({ user, query }) => preview(user!, drive.itemBySeq(user!, Number(query.fileId), "file.read"), Math.max(query.x ?? 256, query.y ?? 256)),
      { device: true, query: t.Object({ fileId: t.Numeric(), x: t.Optional(t.Numeric()), y: t.Optional(t.Numeric()), a: t.Optional(t.String()) }) },
    )
    .get(
      "/index.php/core/preview.png",
      ({ user, query, request }) => {
        const names = query.file.split("/").filter(Boolean);
        if (names.some((n) => n === "." || n === "..")) throw new AppError(400, "“.” and “..” are not names.");
        const space = { user: user!, device: null, base: "/dav/", requestUrl: request.url };
        const node = dav.resolve(
          space,
          names.map((n) => n.normalize("NFC")),
        ).node;
        if (!node) throw new AppError(404, "This file does not exist.");
        return preview(user!, node.item, Math.max(query.x ?? 256, query.y ?? 256));
      },
      { device: true, query: t.Object({ file: t.String(), x: t.Optional(t.Numeric()), y: t.Optional(t.Numeric()), a: t.Optional(t.String()) }) },
    );
}
