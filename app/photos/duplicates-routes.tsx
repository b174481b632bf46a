// Photos → Duplicates: the page, and "Keep this one" (app/photos/duplicates.ts).
import { Elysia, t } from "elysia";
import type { AccessControl } from "../platform/http/access";
import type { MediaService } from "../media/service";
import type { PhotosService } from "./service";
import { DuplicatesPage } from "../../views/photos/DuplicatesPage";
import { noteAudit } from "../platform/http/security";
import type { DriveService } from "../drive/service";

type Deps = { access: AccessControl; photos: PhotosService; media: MediaService; drive: DriveService };

export function duplicatesRoutes(deps: Deps) {
  const { photos } = deps;
  return new Elysia({ prefix: "/photos" })
    .use(deps.access)
    .get("/duplicates", ({ user, page }) => <DuplicatesPage page={page} progress={deps.media.progressFor(page.user)} {...photos.duplicates(user)} />, {
      auth: "user",
    })
    .post(
      "/api/duplicates/:id/keep",
      ({ user, params, body, request }) => {
        const ids = photos.keepOne(user, params.id, body.ids);
        // The audit row names the photo kept and how many went (the keep above already proved it is this person's).
        noteAudit(request, `'${deps.drive.itemFor(user, params.id, "file.read").name}' (${ids.length} to the trash)`);
        return { ids };
      },
      {
        auth: "user",
        audit: { kind: "files", did: "kept one of a group of duplicate photos (the others to the trash)", about: "kept {} of a group of duplicates" },
        params: t.Object({ id: t.String({ maxLength: 64 }) }),
        body: t.Object({ ids: t.Array(t.String({ maxLength: 64 }), { minItems: 1, maxItems: 1000 }) }),
      },
    );
}
