import { Elysia, t } from "elysia";
import type { AccessControl } from "../platform/http/access";
import { AlbumHeader, AlbumsPage, GridPage, MapPage, TimelinePage } from "../../views/photos/PhotosPage";
import { InfoPanel } from "../../views/photos/InfoPanel";
import type { MediaService } from "../media/service";
import type { MapsService } from "../maps/service";
import { BROWSER_IMAGES } from "../media/model";
import type { AlbumEntry, PhotosService } from "./service";
import type { GridItem } from "./repo";
import type { DriveService } from "../drive/service";
import { serveFile } from "../drive/download";
import { AppError } from "../platform/errors";
import { AddedByOthers, SharedAlbumPage, SharedWithMePage } from "../../views/photos/SharedPages";
import type { SignedInPage } from "../../views/layout";
import type { User } from "../platform/db/schema";
import { noteAudit } from "../platform/http/security";
import { describePhotosRequest } from "./audit";
import { memoryRoutes, memoryRowRoute } from "./memory-routes";
import { partnerRoutes } from "./partner-routes";
import { duplicatesRoutes } from "./duplicates-routes";

type Deps = { access: AccessControl; photos: PhotosService; media: MediaService; drive: DriveService; maps: MapsService };

const Ids = t.Array(t.String({ maxLength: 64 }), { minItems: 1, maxItems: 5000 });
const SourceQuery = t.Object({ src: t.Optional(t.String({ maxLength: 20 })), p: t.Optional(t.String({ maxLength: 200 })) });

/** The grid's JSON: only ids, sizes, times and the placeholder; the browser builds tiles with textContent and attributes. */
const itemJson = (i: GridItem): Record<string, unknown> => ({
  id: i.id,
  w: i.width,
  h: i.height,
  t: i.local,
  k: i.kind,
  d: i.durationMs,
  th: i.thumbhash,
  f: i.favourite,
  // A partner's photo: whose it is (tiles and the lightbox name them and use the partner routes).
  u: i.owner ?? null,
  // Where the full picture or the playable video comes from: the original when a browser shows it as is, else
  // (HEIC, TIFF, RAW) a full-resolution rendition made on the first zoom.
  o: i.kind === "image" && BROWSER_IMAGES.has(i.mime) && i.edit === null,
  z: (i.kind === "raw" || (i.kind === "image" && !BROWSER_IMAGES.has(i.mime))) && i.edit === null,
  // An edited photo (app/photos/edit): its revision makes the thumbnail's and preview's addresses new after a save.
  e: i.edit,
  v: i.kind === "video" && i.playback !== null && i.playback !== "original",
  // A Live Photo's motion: played over the tile on hover or long-press.
  l:
    i.liveId === null
      ? null
      : i.livePlayback === "remux" || i.livePlayback === "transcode"
        ? `/media/video/${i.liveId}`
        : `/api/v1/files/${i.liveId}/content?inline=1`,
  // A stack (RAW+JPEG, a burst; app/photos/duplicates.ts): its members, this one among them, for the lightbox.
  s: i.stack?.map(itemJson),
});
/** An album entry as Sharing's gallery shows it, with who added it. */
const galleryItem = (removable: boolean) => (e: AlbumEntry) => ({
  id: e.id,
  name: e.name,
  mime: e.mime,
  width: e.width,
  height: e.height,
  addedBy: e.addedBy,
  removable,
});
const AlbumFileParams = t.Object({ id: t.String({ maxLength: 64 }), fileId: t.String({ maxLength: 64 }) });
const FormIds = t.Union([t.String({ maxLength: 64 }), t.Array(t.String({ maxLength: 64 }), { minItems: 1, maxItems: 5000 })]);
/** Names what a changing request is about in its audit row ("moved 'IMG_0042.jpg' and 2 more to the trash"). */
// The hook names the fields it reads (Elysia prepares, for every route of the app, whatever any hook takes).
const auditNoteOf =
  (deps: Deps) =>
  ({ request, route, user, params, body }: { request: Request; route: string; user: User | null; params?: unknown; body?: unknown }) => {
    if (user && request.method !== "GET" && request.method !== "HEAD")
      noteAudit(request, describePhotosRequest(deps.drive, deps.photos, user, { request, route, params, body } as Parameters<typeof describePhotosRequest>[3]));
  };
// "Processing N of M" is the media pipeline's own fragment: it polls itself while work is pending.
const shellOf = (deps: Deps) => (page: SignedInPage) => ({ page, progress: deps.media.progressFor(page.user) });

/** The pages: timeline, favourites, archive, search, albums (and their forms), the map. */
function photosPages(deps: Deps) {
  const { photos } = deps;
  const shell = shellOf(deps);
  return new Elysia({ prefix: "/photos" })
    .use(deps.access)
    .onBeforeHandle(auditNoteOf(deps))
    .get(
      "/",
      ({ page }) => {
        return <TimelinePage {...shell(page)} />;
      },
      { auth: "user" },
    )
    .get(
      "/favourites",
      ({ page }) => (
        <GridPage {...shell(page)} title="Favourites" tab="favourites" source="favourites" empty="No favourites yet: open a photo and press the heart." />
      ),
      { auth: "user" },
    )
    .get(
      "/archive",
      ({ page }) => (
        <GridPage
          {...shell(page)}
          title="Archive"
          tab="archive"
          source="archive"
          empty="Nothing archived. Archived photos leave the timeline but stay in Drive, albums and search."
        />
      ),
      { auth: "user" },
    )
    .get(
      "/search",
      ({ page, query }) => {
        const q = (query.q ?? "").trim();
        return (
          <GridPage
            {...shell(page)}
            title="Search"
            tab="search"
            query={q}
            heading={q ? `Results for “${q}”` : "Search"}
            source="search"
            param={q}
            empty="Nothing matches."
          />
        );
      },
      { auth: "user", query: t.Object({ q: t.Optional(t.String({ maxLength: 200 })) }) },
    )
    .get(
      "/albums",
      ({ user, page }) => {
        return <AlbumsPage {...shell(page)} albums={photos.albums(user)} />;
      },
      { auth: "user" },
    )
    .get(
      "/albums/:id",
      ({ user, page, params }) => {
        const album = photos.album(user, params.id);
        // The grid holds the owner's own photos; what the people it is shared with added shows beside it, by name.
        const others = photos.albumEntries(user, album.id).filter((e) => e.userId !== user.id);
        return (
          <GridPage
            {...shell(page)}
            title={album.name}
            tab="album"
            source="album"
            param={album.id}
            heading={album.name}
            empty={others.length ? "None of your own photos are in this album." : "This album is empty."}
            headerExtra={
              <>
                <AlbumHeader id={album.id} name={album.name} />
                <AddedByOthers albumId={album.id} csrfToken={page.csrfToken} items={others.map(galleryItem(true))} />
              </>
            }
          />
        );
      },
      { auth: "user" },
    )
    .post(
      "/albums",
      ({ user, body, request, redirect }) => {
        const album = photos.createAlbum(user, body.name, body.ids ?? []);
        if ((request.headers.get("accept") ?? "").includes("application/json")) return { id: album.id };
        return redirect(`/photos/albums/${album.id}`, 303);
      },
      {
        auth: "user",
        audit: { kind: "files", did: "created an album", about: "created the album {}" },
        body: t.Object({ name: t.String({ maxLength: 1000 }), ids: t.Optional(Ids), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/albums/:id/rename",
      ({ user, params, body, redirect }) => {
        photos.renameAlbum(user, params.id, body.name);
        return redirect(`/photos/albums/${params.id}`, 303);
      },
      {
        auth: "user",
        audit: { kind: "files", did: "renamed an album", about: "renamed the album {}" },
        body: t.Object({ name: t.String({ maxLength: 1000 }), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/albums/:id/delete",
      ({ user, params, redirect }) => {
        photos.deleteAlbum(user, params.id);
        return redirect("/photos/albums", 303);
      },
      { auth: "user", audit: { kind: "files", did: "deleted an album (its photos stay)", about: "deleted the album {} (its photos stay)" } },
    )
    .post("/albums/:id/add", ({ user, params, body }) => (photos.addToAlbum(user, params.id, body.ids), { ok: true }), {
      auth: "user",
      audit: { kind: "files", did: "added photos to an album", about: "added {} to an album" },
      body: t.Object({ ids: Ids }),
    })
    .post("/albums/:id/remove", ({ user, params, body }) => (photos.removeFromAlbum(user, params.id, body.ids), { ok: true }), {
      auth: "user",
      audit: { kind: "files", did: "took photos out of an album", about: "took {} out of an album" },
      body: t.Object({ ids: Ids }),
    })
    .post("/albums/:id/cover", ({ user, params, body }) => (photos.setCover(user, params.id, body.id), { ok: true }), {
      auth: "user",
      audit: { kind: "files", did: "chose an album's cover", about: "chose the cover of the album {}" },
      body: t.Object({ id: t.String({ maxLength: 64 }) }),
    })
    .get(
      "/map",
      ({ user, page, set }) => {
        // The box's own basemap; OpenStreetMap's host is allowed only while the admin's switch is on (app/maps).
        set.headers["content-security-policy"] = deps.maps.csp();
        return <MapPage {...shell(page)} places={photos.places(user)} sources={deps.maps.sources()} />;
      },
      { auth: "user" },
    );
}

/** The grids' JSON under /photos/api: buckets, months, info, marks, trash, the map's clusters, memories. */
function photosApi(deps: Deps) {
  const { photos } = deps;
  return new Elysia({ prefix: "/photos" })
    .use(deps.access)
    .onBeforeHandle(auditNoteOf(deps))
    .get(
      "/api/albums",
      ({ user }) => ({
        albums: [
          ...photos.albums(user).map((a) => ({ id: a.id, name: a.name, n: a.n })),
          // Albums others shared with this user to add to: their own photos go in, shown as added by them.
          ...photos.contributableAlbums(user).map((a) => ({ id: a.id, name: `${a.name} (${a.owner}'s)`, n: a.n })),
        ],
      }),
      { auth: "user" },
    )
    .get(
      "/api/buckets",
      ({ user, query }) => {
        return { months: photos.buckets(user, photos.source(user, query.src ?? "timeline", query.p)) };
      },
      { auth: "user", query: SourceQuery },
    )
    .get(
      "/api/month/:key",
      ({ user, params, query }) => {
        return { items: photos.month(user, photos.source(user, query.src ?? "timeline", query.p), params.key).map(itemJson) };
      },
      { auth: "user", query: SourceQuery },
    )
    .get("/api/info/:id", ({ user, params }) => <InfoPanel {...photos.info(user, params.id)} detailMap={deps.maps.sources().detail} />, {
      auth: "user",
    })
    .post("/api/favourite", ({ user, body }) => (photos.setFavourite(user, body.ids, body.on), { ok: true }), {
      auth: "user",
      audit: { kind: "files", did: "marked photos as favourites", about: "marked {}" },
      body: t.Object({ ids: Ids, on: t.Boolean() }),
    })
    .post("/api/archive", ({ user, body }) => (photos.setArchived(user, body.ids, body.on), { ok: true }), {
      auth: "user",
      audit: { kind: "files", did: "archived photos", about: "marked {}" },
      body: t.Object({ ids: Ids, on: t.Boolean() }),
    })
    .post("/api/trash", ({ user, body }) => ({ ids: photos.trash(user, body.ids) }), {
      auth: "user",
      audit: { kind: "files", did: "moved photos to the trash", about: "moved {} to the trash" },
      body: t.Object({ ids: Ids }),
    })
    .post("/api/restore", ({ user, body }) => ({ ids: photos.restore(user, body.ids) }), {
      auth: "user",
      audit: { kind: "files", did: "restored photos from the trash", about: "restored {} from the trash" },
      body: t.Object({ ids: Ids }),
    })
    .get(
      "/api/clusters",
      ({ user, query }) => ({
        points: photos
          .clusters(user, [query.w ?? -180, query.s ?? -85, query.e ?? 180, query.n ?? 85], query.z ?? 0)
          .map(({ item, ...p }) => ({ ...p, item: item && itemJson(item) })),
      }),
      {
        auth: "user",
        query: t.Object({
          w: t.Optional(t.Numeric({ minimum: -180, maximum: 180 })),
          s: t.Optional(t.Numeric({ minimum: -90, maximum: 90 })),
          e: t.Optional(t.Numeric({ minimum: -180, maximum: 180 })),
          n: t.Optional(t.Numeric({ minimum: -90, maximum: 90 })),
          z: t.Optional(t.Numeric({ minimum: 0, maximum: 22 })),
        }),
      },
    )
    .get("/api/cluster/:id", ({ user, params }) => ({ items: photos.clusterItems(user, Number(params.id)).map(itemJson) }), {
      auth: "user",
      params: t.Object({ id: t.Numeric() }),
    })
    .get("/api/memories", ({ user }) => ({ items: photos.memories(user).map(itemJson) }), { auth: "user" });
}

/** "Shared with me": albums shared with this person and the photos in folders shared with them; a shared album's page. */
function sharedWithMe(deps: Deps) {
  const { photos } = deps;
  const shell = shellOf(deps);
  return new Elysia({ prefix: "/photos" })
    .use(deps.access)
    .onBeforeHandle(auditNoteOf(deps))
    .get("/shared", ({ user, page }) => <SharedWithMePage {...shell(page)} albums={photos.sharedAlbums(user)} folderMedia={photos.sharedFolderMedia(user)} />, {
      auth: "user",
    })
    .get(
      "/shared/albums/:id",
      ({ user, page, params }) => {
        const album = photos.album(user, params.id, "album.view");
        const owner = album.access === "owner" ? user.username : (photos.ownerName(album.userId) ?? "");
        const entries = photos.albumEntries(user, album.id);
        const removable = photos.removableEntries(
          user,
          album.id,
          entries.map((e) => e.id),
        );
        const items = entries.map((e) => galleryItem(removable.has(e.id))(e));
        return <SharedAlbumPage {...shell(page)} album={{ id: album.id, name: album.name, owner, access: album.access }} items={items} />;
      },
      { auth: "user" },
    )
    .get(
      "/shared/albums/:id/thumb/:fileId",
      async ({ user, params }) =>
        new Response(Bun.file(await photos.entryPreview(photos.entryOf(user, params.id, params.fileId))), {
          headers: { "content-type": "image/webp", "cache-control": "private, max-age=3600", "x-content-type-options": "nosniff" },
        }),
      { auth: "user", params: AlbumFileParams },
    )
    .get(
      "/shared/albums/:id/content/:fileId",
      async ({ user, params, request, set }) => {
        const { file, body } = await photos.entryOriginal(user, photos.entryOf(user, params.id, params.fileId));
        const res = serveFile(request, file, body, { inline: true });
        set.headers["content-security-policy"] = res.headers.get("content-security-policy")!;
        return res;
      },
      { auth: "user", params: AlbumFileParams },
    )
    .post(
      "/shared/albums/:id/upload",
      async ({ user, params, body, redirect }) => {
        const album = photos.album(user, params.id, "album.contribute");
        if (!/^(image|video)\//.test(body.file.type)) throw new AppError(415, "Add a photo or a video to an album.");
        // The contributor's own file, in their Drive: the album shows it; their quota pays for it.
        const folder = deps.drive.mkdirs(user, undefined, ["Photos", "Shared albums"]);
        const file = await deps.drive.upload(
          user,
          { parentId: folder.id, name: body.file.name || "photo", conflict: "rename", declaredLength: body.file.size },
          body.file.stream() as unknown as AsyncIterable<Uint8Array>,
        );
        photos.addToAlbum(user, album.id, [file.id]);
        return redirect(`/photos/shared/albums/${album.id}`, 303);
      },
      { auth: "user", audit: { kind: "files", did: "added a photo to a shared album" }, body: t.Object({ file: t.File(), _csrf: t.Optional(t.String()) }) },
    )
    .post(
      "/shared/albums/:id/remove",
      ({ user, params, body, request, redirect }) => {
        const removed = photos.removeEntries(user, params.id, Array.isArray(body.ids) ? body.ids : [body.ids]);
        if ((request.headers.get("accept") ?? "").includes("application/json")) return { removed: removed.map((e) => e.id) };
        return redirect(`/photos/shared/albums/${params.id}`, 303);
      },
      {
        auth: "user",
        audit: { kind: "files", did: "took photos out of a shared album (the files stay)", about: "took {} out of a shared album (the files stay)" },
        body: t.Object({ ids: FormIds, _csrf: t.Optional(t.String()) }),
      },
    );
}

/** Photos: pages under /photos, their JSON under /photos/api. Every item id goes through Drive's access check. */
export function photosRoutes(deps: Deps) {
  return new Elysia({ name: "photos" })
    .use(photosPages(deps))
    .use(photosApi(deps))
    .use(sharedWithMe(deps))
    .use(memoryRoutes(deps))
    .use(memoryRowRoute(deps))
    .use(partnerRoutes(deps))
    .use(duplicatesRoutes(deps));
}
