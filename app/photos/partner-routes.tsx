import { Elysia, t } from "elysia";
import type { AccessControl } from "../platform/http/access";
import { AppError, notFound } from "../platform/errors";
import { serveFile } from "../drive/download";
import type { DriveService } from "../drive/service";
import type { MediaService } from "../media/service";
import { GridPage } from "../../views/photos/PhotosPage";
import { InfoPanel } from "../../views/photos/InfoPanel";
import { PartnersPage } from "../../views/photos/PartnersPage";
import type { PhotosService } from "./service";

type Deps = { access: AccessControl; photos: PhotosService; media: MediaService; drive: DriveService };

const UserParams = t.Object({ userId: t.String({ maxLength: 64 }) });
const IdParams = t.Object({ id: t.String({ maxLength: 64 }) });
const image = (path: string, type: string) =>
  new Response(Bun.file(path), { headers: { "content-type": type, "cache-control": "private, max-age=3600", "x-content-type-options": "nosniff" } });

/**
 * Partner sharing (app/photos/partners.ts): the page that gives and receives libraries, a partner's timeline, and a
 * partner's photos served to them: thumbnail, preview, video and info, each asked of the policy (`partner.photo`).
 */
export function partnerRoutes(deps: Deps) {
  const { photos, media } = deps;
  const shell = (page: Parameters<typeof GridPage>[0]["page"]) => ({ page, progress: media.progressFor(page.user) });
  return (
    new Elysia({ prefix: "/photos" })
      .use(deps.access)
      .get("/partners", ({ user, page }) => <PartnersPage {...shell(page)} {...photos.partnerOverview(user)} />, { auth: "user" })
      .post(
        "/partners",
        ({ user, page, body, set, redirect }) => {
          try {
            photos.sharePartner(user, { username: body.username, from: body.from || undefined, photosOnly: body.photosOnly === "1" });
          } catch (e) {
            // The form again, with the sentence beside it (an unknown name, a date that is not one).
            if (!(e instanceof AppError)) throw e;
            set.status = e.status;
            return <PartnersPage {...shell(page)} {...photos.partnerOverview(user)} error={e.message} />;
          }
          return redirect("/photos/partners", 303);
        },
        {
          auth: "user",
          audit: { kind: "accounts", did: "shared their photo library with a partner" },
          body: t.Object({
            username: t.String({ maxLength: 100 }),
            from: t.Optional(t.String({ maxLength: 10 })),
            photosOnly: t.Optional(t.String({ maxLength: 1 })),
            _csrf: t.Optional(t.String()),
          }),
        },
      )
      .post(
        "/partners/:userId/stop",
        ({ user, params, redirect }) => {
          photos.stopPartner(user, params.userId);
          return redirect("/photos/partners", 303);
        },
        { auth: "user", params: UserParams, audit: { kind: "accounts", did: "stopped sharing their photo library with a partner" } },
      )
      .post(
        "/partners/:userId/timeline",
        ({ user, params, body, redirect }) => {
          photos.setPartnerTimeline(user, params.userId, body.on === "1");
          return redirect("/photos/partners", 303);
        },
        {
          auth: "user",
          params: UserParams,
          audit: { kind: "files", did: "chose where a partner's photos show" },
          body: t.Object({ on: t.String({ maxLength: 1 }), _csrf: t.Optional(t.String()) }),
        },
      )
      .get(
        "/partners/:userId",
        ({ user, page, params }) => {
          const share = photos.partnerLibrary(user, params.userId);
          const name = photos.ownerName(share.ownerId) ?? "";
          return (
            <GridPage
              {...shell(page)}
              title={`${name}'s photos`}
              tab="partner"
              source="partner"
              param={share.ownerId}
              heading={`${name}'s photos`}
              empty={`${name} has no photos to show you yet.`}
            />
          );
        },
        { auth: "user", params: UserParams },
      )
      .get(
        "/partner/thumb/:id",
        async ({ user, params }) => {
          const { file } = photos.partnerPhoto(user, params.id);
          return image(media.derivativeOf(file, "thumb") ?? (await deps.drive.previewOf(file)), "image/webp");
        },
        { auth: "user", params: IdParams },
      )
      .get(
        "/partner/preview/:id",
        ({ user, params }) => {
          const path = media.derivativeOf(photos.partnerPhoto(user, params.id).file, "preview");
          if (!path) throw notFound("This preview");
          return image(path, "image/jpeg");
        },
        { auth: "user", params: IdParams },
      )
      // The pipeline's MP4 (cleaned of places), or the original cleaned as a shared album's would be.
      .get(
        "/partner/video/:id",
        async ({ user, params, request, set }) => {
          const { file, facts } = photos.partnerPhoto(user, params.id);
          if (facts.kind !== "video") throw notFound("This video");
          const mp4 = media.derivativeOf(file, "video");
          const served = mp4
            ? serveFile(
                request,
                { ...file, name: file.name.replace(/\.[^.]*$/, "") + ".mp4", mime: "video/mp4", size: Bun.file(mp4).size, sha256: `${file.sha256}-mp4` },
                mp4,
                {
                  inline: true,
                },
              )
            : await photos.partnerVideoOriginal(user, file.id).then((cleaned) => serveFile(request, cleaned.file, cleaned.body, { inline: true }));
          set.headers["content-security-policy"] = served.headers.get("content-security-policy")!;
          return served;
        },
        { auth: "user", params: IdParams },
      )
      .get("/partner/info/:id", ({ user, params }) => <InfoPanel {...photos.partnerInfo(user, params.id)} />, { auth: "user", params: IdParams })
  );
}
