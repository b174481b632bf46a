// Photos → Duplicates: the page, and "Keep this one" (app/photos/duplicates.ts).
import { Elysia, t } from "elysia";
import type { AccessControl } from "../platform/http/access";
import type { MediaService } from "../media/service";
import type { PhotosService } from "./service";
import { DuplicatesPage } from "../../views/photos/DuplicatesPage";

type Deps = { access: AccessControl; photos: PhotosService; media: MediaService };

export function duplicatesRoutes(deps: Deps) {
  const { photos } = deps;
  return new Elysia({ prefix: "/photos" })
    .use(deps.access)
    .get("/duplicates", ({ user, page }) => <DuplicatesPage page={page} progress={deps.media.progressFor(page.user)} {...photos.duplicates(user)} />, {
      auth: "user",
    })
    .post("/api/duplicates/:id/keep", ({ user, params, body }) => ({ ids: photos.keepOne(user, params.id, body.ids) }), {
      auth: "user",
      audit: { kind: "files", did: "kept one of a group of duplicate photos (the others to the trash)" },
      params: t.Object({ id: t.String({ maxLength: 64 }) }),
      body: t.Object({ ids: t.Array(t.String({ maxLength: 64 }), { minItems: 1, maxItems: 1000 }) }),
    });
}
