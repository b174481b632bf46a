import { Elysia, t } from "elysia";
import type { AccessControl } from "../../platform/http/access";
import { noteAudit } from "../../platform/http/security";
import { serveFile } from "../../drive/download";
import type { DriveService } from "../../drive/service";
import type { PhotoEdits } from "./edits";

type Deps = { access: AccessControl; drive: DriveService; edits: PhotoEdits };
const Id = t.Object({ id: t.String({ maxLength: 64 }) });

/**
 * A photo's edit: read it, save it (JSON; the render is a job), revert it, all for its owner only (`file.edit`);
 * and the download of what the person sees: the edited JPEG when there is one, the original with `?original=1`.
 */
export function editRoutes(deps: Deps) {
  const { edits, drive } = deps;
  return (
    new Elysia({ prefix: "/photos" })
      .use(deps.access)
      // The audit row names the photo when the person may read it (the route answers its own 404 otherwise).
      .onBeforeHandle(({ request, user, params }) => {
        const id = (params as { id?: string } | undefined)?.id;
        if (!user || request.method !== "POST" || !id) return;
        try {
          noteAudit(request, `'${drive.itemFor(user, id, "file.read").name}'`);
        } catch {
          // Not theirs to name: the handler refuses it.
        }
      })
      .get("/api/edit/:id", ({ user, params }) => edits.state(user, params.id), { auth: "user", params: Id })
      .post("/api/edit/:id", ({ user, params, body }) => edits.save(user, params.id, body), {
        auth: "user",
        params: Id,
        // Checked field by field by parseEdit, so a bad value gets a sentence naming it, not a schema dump.
        body: t.Unknown(),
        audit: { kind: "files", did: "edited a photo (the original is kept)", about: "edited the photo {} (the original is kept)" },
      })
      .post("/api/edit/:id/revert", ({ user, params }) => edits.revert(user, params.id), {
        auth: "user",
        params: Id,
        audit: { kind: "files", did: "reverted a photo to its original", about: "reverted the photo {} to its original" },
      })
      .get(
        "/download/:id",
        ({ user, params, query, request, set }) => {
          const edited = query.original === "1" ? undefined : edits.editedOriginal(drive.itemFor(user, params.id, "file.read"));
          const original = edited ? undefined : drive.content(user, params.id);
          const res = edited
            ? serveFile(request, edited.file, edited.path, { inline: false })
            : serveFile(request, original!.file, original!.body, { inline: false });
          set.headers["content-security-policy"] = res.headers.get("content-security-policy")!;
          return res;
        },
        { auth: "user", params: Id, query: t.Object({ original: t.Optional(t.String({ maxLength: 1 })) }) },
      )
  );
}
