import { Elysia, t } from "elysia";
import { join } from "node:path";
import QRCode from "qrcode";
import { APP_ROOT } from "../platform/paths";
import type { AccessControl } from "../platform/http/access";
import type { User } from "../platform/db/schema";
import type { AlbumEntry } from "../photos/service";
import { serveFile, zipResponse } from "../drive/download";
import { AppError } from "../platform/errors";
import { withFormError } from "../platform/http/forms";
import { cookieOf } from "../platform/http/context";
import { isAdmin } from "../access/viewer";
import { AlbumPage, DropBoxPage, FilePage, FolderPage, PasswordPage, type LinkView } from "../../views/share/LinkPages";
import { mediaKind } from "../../views/share/Gallery";
import { LinkCreatedPage, NewLinkPage, SharedPage } from "../../views/share/SharedPage";
import { LINK_PAGE, type OpenLink, type ShareService } from "./service";
import type { Clock } from "../platform/clock";
import type { PageChrome } from "../../views/layout";

type Deps = { access: AccessControl; share: ShareService; secureCookies: boolean; now: Clock };

/** The unlock cookie: HttpOnly and sent only to this link's own addresses. */
export const UNLOCK_COOKIE = "nas_link";
const CSS_PATH = join(APP_ROOT, "views/share/share.css");
const PAGE = { sort: "name", desc: false, offset: 0, limit: LINK_PAGE } as const;
/** `?page=n` of a link's folder: LINK_PAGE items each, so a folder of any size is reachable page by page. */
const PageQuery = t.Object({ page: t.Optional(t.String({ maxLength: 9 })) });
function pageOf(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) throw new AppError(400, "page must be a whole number from 0.");
  return n;
}
const paged = (page: number) => ({ ...PAGE, offset: page * LINK_PAGE });
/** What an album entry shows in a gallery. */
const galleryItem = (e: AlbumEntry) => ({ id: e.id, name: e.name, mime: e.mime, width: e.width, height: e.height, addedBy: e.addedBy });
const nameOf = (open: OpenLink) => open.album?.name ?? open.root!.name;
const LinkParams = t.Object({ token: t.String() });
const ItemParams = t.Object({ token: t.String(), id: t.String() });
const CreateBody = t.Object({
  fileId: t.Optional(t.String({ maxLength: 64 })),
  albumId: t.Optional(t.String({ maxLength: 64 })),
  allowUpload: t.Optional(t.Union([t.Boolean(), t.String()])),
  password: t.Optional(t.String({ maxLength: 1024 })),
  expiresAt: t.Optional(t.String({ maxLength: 40 })),
  expiresInDays: t.Optional(t.String({ maxLength: 6 })),
  allowDownload: t.Optional(t.Union([t.Boolean(), t.String()])),
  viewOnly: t.Optional(t.String()),
  allowMetadata: t.Optional(t.Union([t.Boolean(), t.String()])),
  _csrf: t.Optional(t.String()),
});
type CreateInput = typeof CreateBody.static;
const GrantBody = t.Object({
  folderId: t.String({ maxLength: 64 }),
  username: t.String({ maxLength: 64 }),
  access: t.Union([t.Literal("read"), t.Literal("write")]),
  _csrf: t.Optional(t.String()),
});
const AlbumGrantBody = t.Object({
  albumId: t.String({ maxLength: 64 }),
  username: t.String({ maxLength: 64 }),
  access: t.Union([t.Literal("view"), t.Literal("contribute")]),
  _csrf: t.Optional(t.String()),
});
const yes = (v: boolean | string | undefined) => v === true || v === "1" || v === "true" || v === "on";

function expiryOf(body: CreateInput, now: Date): Date | null {
  if (body.expiresInDays) {
    const days = Number(body.expiresInDays);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new AppError(400, "Expiry must be a whole number of days between 1 and 3650.");
    return new Date(now.getTime() + days * 86_400_000);
  }
  if (body.expiresAt) {
    const at = new Date(body.expiresAt);
    if (Number.isNaN(at.getTime())) throw new AppError(400, "expiresAt must be an ISO 8601 date.");
    return at;
  }
  return null;
}

/** What every link page needs to render: its token, the page chrome, whether downloads are allowed. */
const linkView = (token: string, page: PageChrome, open: OpenLink): LinkView => ({ token, page, allowDownload: open.link.allowDownload });

const createLink = (share: ShareService, user: User, body: CreateInput, now: Clock) =>
  share.create(user, {
    fileId: body.fileId || undefined,
    albumId: body.albumId || undefined,
    allowUpload: yes(body.allowUpload),
    password: body.password || undefined,
    expiresAt: expiryOf(body, now()),
    allowDownload: body.viewOnly ? !yes(body.viewOnly) : body.allowDownload === undefined ? true : yes(body.allowDownload),
    allowMetadata: yes(body.allowMetadata),
  });
const linkUrl = (request: Request, token: string) => `${new URL(request.url).origin}/s/${token}`;

/** A link's front page and its password form: reachable while locked. */
function linkFront(deps: Deps) {
  const { share } = deps;
  return new Elysia({ prefix: "/s/:token" })
    .use(deps.access)
    .onRequest(({ request, set }) => {
      // The token is in the address: no page under /s/ may send it to another site as a Referer.
      // (Elysia runs onRequest for every request of the app: the path is found without parsing the whole URL.)
      const url = request.url;
      if (url.startsWith("/s/", url.indexOf("/", url.indexOf("//") + 2))) set.headers["referrer-policy"] = "no-referrer";
    })
    .get(
      "/",
      ({ params, query, cookie, page: chrome, set }) => {
        const open = share.open(params.token);
        const v = linkView(params.token, chrome, open);
        if (!share.unlocked(open, cookie[UNLOCK_COOKIE]?.value as string | undefined)) {
          set.status = 401;
          return <PasswordPage view={v} name={nameOf(open)} />;
        }
        const page = pageOf(query.page);
        if (page === 0) share.countView(open);
        if (open.album)
          return (
            <AlbumPage
              view={v}
              name={open.album.name}
              items={share.albumEntries(open).map((e) => ({ ...galleryItem(e), poster: e.mime.startsWith("video/") && share.hasVideoThumb(open, e.id) }))}
            />
          );
        if (open.link.allowUpload) return <DropBoxPage view={v} name={open.root.name} />;
        if (open.root.kind === "file") return <FilePage view={v} file={open.root} parent={null} />;
        const r = share.list(open, undefined, paged(page));
        return <FolderPage view={v} folder={r.folder} path={r.path} items={r.items} hasMore={r.hasMore} page={page} />;
      },
      { link: true, params: LinkParams, query: PageQuery },
    )
    .post(
      "/unlock",
      ({ params, body, cookie, page, ip, set, redirect }) => {
        const open = share.open(params.token);
        return withFormError(
          set,
          async () => {
            const value = await share.unlock(open, body.password, ip);
            cookie[UNLOCK_COOKIE]!.set({
              value,
              httpOnly: true,
              sameSite: "lax",
              secure: deps.secureCookies,
              path: `/s/${params.token}`,
              maxAge: 7 * 24 * 3600,
            });
            return redirect(`/s/${params.token}`, 303);
          },
          (e) => {
            if (e.retryAfterSeconds) set.headers["retry-after"] = String(e.retryAfterSeconds);
            return <PasswordPage view={linkView(params.token, page, open)} name={nameOf(open)} error={e.message} />;
          },
        );
      },
      {
        link: true,
        audit: { kind: "accounts", did: "entered a share link's password" },
        params: LinkParams,
        body: t.Object({ password: t.String({ maxLength: 1024 }), _csrf: t.Optional(t.String()) }),
      },
    );
}

/** Everything else a link reaches: the link must be open and unlocked before any handler runs. */
function linkInside(deps: Deps) {
  const { share } = deps;
  return (
    new Elysia({ prefix: "/s/:token" })
      .use(deps.access)
      // The unlock cookie is read from the header, not Elysia's jar: a hook that names `cookie` makes Elysia parse every
      // cookie of every request of the whole app.
      .resolve(({ params, request }) => {
        const open = share.open((params as { token: string }).token);
        if (!share.unlocked(open, cookieOf(request, UNLOCK_COOKIE)))
          throw new AppError(403, "This link is protected by a password: open the link and enter it first.");
        return { open };
      })
      .get(
        "/f/:id",
        ({ open, params, query, page: chrome }) => {
          const page = pageOf(query.page);
          const r = share.list(open, params.id, paged(page));
          return <FolderPage view={linkView(params.token, chrome, open)} folder={r.folder} path={r.path} items={r.items} hasMore={r.hasMore} page={page} />;
        },
        { link: true, params: ItemParams, query: PageQuery },
      )
      .get(
        "/v/:id",
        ({ open, params, page }) => {
          const file = share.inRoot(open, params.id);
          if (file.kind === "folder") return new Response(null, { status: 303, headers: { location: `/s/${params.token}/f/${file.id}` } });
          let prev,
            next,
            parent: string | null = null;
          const root = open.root!; // inRoot refused an album link
          if (file.id !== root.id && file.parentId) {
            const siblings = share.list(open, file.parentId === root.id ? undefined : file.parentId, PAGE).items.filter((i) => i.kind === "file");
            // Neighbours from the folder's first page; a file further down has none (not the first page's first file).
            const at = siblings.findIndex((s) => s.id === file.id);
            if (at >= 0) {
              prev = siblings[at - 1];
              next = siblings[at + 1];
            }
            parent = file.parentId === root.id ? `/s/${params.token}` : `/s/${params.token}/f/${file.parentId}`;
          }
          return <FilePage view={linkView(params.token, page, open)} file={file} parent={parent} prev={prev} next={next} />;
        },
        { link: true, params: ItemParams },
      )
      .get(
        "/thumb/:id",
        async ({ open, params }) => {
          const kind = mediaKind(share.fileOf(open, params.id).mime);
          if (kind !== "image" && kind !== "video") throw new AppError(404, "No preview for this file.");
          return new Response(Bun.file(kind === "video" ? share.videoThumb(open, params.id) : await share.preview(open, params.id)), {
            headers: { "content-type": "image/webp", "cache-control": "private, max-age=3600", "x-content-type-options": "nosniff" },
          });
        },
        { link: true, params: ItemParams },
      )
      .get(
        "/content/:id",
        async ({ open, params, query, request, set }) => {
          const download = query.download === "1";
          // An edited photo is served as edited; `original=1` asks for the photo as it was taken.
          const { file, body } = await share.content(open, params.id, download ? "download" : "inline", { original: query.original === "1" });
          const res = serveFile(request, file, body, { inline: !download });
          set.headers["content-security-policy"] = res.headers.get("content-security-policy")!;
          return res;
        },
        { link: true, params: ItemParams, query: t.Object({ download: t.Optional(t.String()), original: t.Optional(t.String({ maxLength: 1 })) }) },
      )
      .get(
        "/zip",
        async ({ open, set }) => {
          const res = await zipResponse(nameOf(open), await share.zipEntries(open));
          set.headers["content-security-policy"] = res.headers.get("content-security-policy")!;
          return res;
        },
        { link: true, params: LinkParams },
      )
      .post(
        "/upload",
        async ({ open, request, query, ip }) => {
          const length = Number(request.headers.get("content-length") ?? Number.NaN);
          const body = request.body as unknown as AsyncIterable<Uint8Array> | null;
          return share.dropUpload(open, { name: query.name, length: Number.isFinite(length) ? length : undefined }, body ?? (async function* () {})(), ip);
        },
        {
          link: true,
          audit: { kind: "files", did: "sent a file through a drop-box link" },
          params: LinkParams,
          parse: "none",
          query: t.Object({ name: t.String({ maxLength: 1024 }) }),
        },
      )
  );
}

/** The owner's pages under /shared: links and shares made, their forms. */
function sharedPages(deps: Deps) {
  const { share } = deps;
  return new Elysia({ prefix: "/shared" })
    .use(deps.access)
    .get(
      "/assets/share.css",
      () => new Response(Bun.file(CSS_PATH), { headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" } }),
      { public: true },
    )
    .get(
      "/",
      ({ user, page }) => (
        <SharedPage
          page={page}
          own={share.listOwn(user)}
          all={isAdmin(user) ? share.listAll() : null}
          people={isAdmin(user) ? share.allGrants() : share.grantsOf(user)}
          albums={isAdmin(user) ? share.allAlbumGrants() : share.albumGrantsOf(user)}
        />
      ),
      { auth: "user" },
    )
    .get(
      "/new",
      ({ user, page, query }) => {
        const item = share.shareTarget(user, query);
        return <NewLinkPage page={page} item={item} />;
      },
      { auth: "user", query: t.Object({ fileId: t.Optional(t.String({ maxLength: 64 })), albumId: t.Optional(t.String({ maxLength: 64 })) }) },
    )
    .post(
      "/",
      ({ user, page, body, request, set }) => {
        const item = share.shareTarget(user, body);
        return withFormError(
          set,
          async () => {
            const { token } = await createLink(share, user, body, deps.now);
            const url = linkUrl(request, token);
            const svg = await QRCode.toString(url, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
            set.status = 201;
            return <LinkCreatedPage page={page} item={item} url={url} qrDataUrl={`data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`} />;
          },
          (e) => <NewLinkPage page={page} item={item} error={e.message} />,
        );
      },
      { auth: "user", audit: { kind: "accounts", did: "created a share link", recordedByFeature: true }, body: CreateBody },
    )
    .post("/:id/revoke", ({ user, params, redirect }) => (share.revoke(user, params.id), redirect("/shared", 303)), {
      auth: "user",
      audit: { kind: "accounts", did: "revoked a share link", recordedByFeature: true },
      body: t.Object({ _csrf: t.Optional(t.String()) }),
    })
    .post(
      "/users",
      ({ user, page, body, set, redirect }) => {
        const item = share.shareTarget(user, { fileId: body.folderId });
        return withFormError(
          set,
          () => (share.shareWithUser(user, body), redirect("/shared", 303)),
          (e) => <NewLinkPage page={page} item={item} person={{ username: body.username, error: e.message }} />,
        );
      },
      { auth: "user", audit: { kind: "accounts", did: "shared a folder with someone", recordedByFeature: true }, body: GrantBody },
    )
    .post("/users/:id/remove", ({ user, params, redirect }) => (share.unshareWithUser(user, params.id), redirect("/shared", 303)), {
      auth: "user",
      audit: { kind: "accounts", did: "stopped sharing a folder with someone", recordedByFeature: true },
      body: t.Object({ _csrf: t.Optional(t.String()) }),
    })
    .post(
      "/albums",
      ({ user, page, body, set, redirect }) => {
        const item = share.shareTarget(user, { albumId: body.albumId });
        return withFormError(
          set,
          () => (share.shareAlbumWithUser(user, body), redirect("/shared", 303)),
          (e) => <NewLinkPage page={page} item={item} person={{ username: body.username, error: e.message }} />,
        );
      },
      { auth: "user", audit: { kind: "accounts", did: "shared an album with someone", recordedByFeature: true }, body: AlbumGrantBody },
    )
    .post("/albums/:id/remove", ({ user, params, redirect }) => (share.unshareAlbum(user, params.id), redirect("/shared", 303)), {
      auth: "user",
      audit: { kind: "accounts", did: "stopped sharing an album with someone", recordedByFeature: true },
      body: t.Object({ _csrf: t.Optional(t.String()) }),
    });
}

/** The JSON API under /api/v1/shares (and the admin's list of every link and share). */
function shareApi(deps: Deps) {
  const { share } = deps;
  return new Elysia({ prefix: "/api/v1" })
    .use(deps.access)
    .get("/shares", ({ user }) => ({ links: share.listOwn(user) }), { auth: "user" })
    .post(
      "/shares",
      async ({ user, body, request, set }) => {
        const { link, token } = await createLink(share, user, body, deps.now);
        set.status = 201;
        const listed = share.listOwn(user).find((l) => l.id === link.id)!;
        return { link: listed, token, url: linkUrl(request, token) };
      },
      { auth: "user", audit: { kind: "accounts", did: "created a share link", recordedByFeature: true }, body: CreateBody },
    )
    .delete(
      "/shares/:id",
      ({ user, params }) => {
        const { id } = share.revoke(user, params.id);
        return { id, state: "revoked" };
      },
      {
        auth: "user",
        audit: { kind: "accounts", did: "revoked a share link", recordedByFeature: true },
      },
    )
    .get("/admin/shares", () => ({ links: share.listAll(), users: share.allGrants(), albums: share.allAlbumGrants() }), { auth: "admin" })
    .get("/shares/users", ({ user }) => ({ shares: share.grantsOf(user) }), { auth: "user" })
    .post(
      "/shares/users",
      ({ user, body, set }) => {
        const grant = share.shareWithUser(user, body);
        set.status = 201;
        return { share: share.grantsOf(user).find((g) => g.id === grant.id) };
      },
      { auth: "user", audit: { kind: "accounts", did: "shared a folder with someone", recordedByFeature: true }, body: GrantBody },
    )
    .delete("/shares/users/:id", ({ user, params }) => (share.unshareWithUser(user, params.id), { ok: true }), {
      auth: "user",
      audit: { kind: "accounts", did: "stopped sharing a folder with someone", recordedByFeature: true },
    })
    .get("/shares/albums", ({ user }) => ({ shares: share.albumGrantsOf(user) }), { auth: "user" })
    .post(
      "/shares/albums",
      ({ user, body, set }) => {
        const grant = share.shareAlbumWithUser(user, body);
        set.status = 201;
        return { share: share.albumGrantsOf(user).find((g) => g.id === grant.id) };
      },
      { auth: "user", audit: { kind: "accounts", did: "shared an album with someone", recordedByFeature: true }, body: AlbumGrantBody },
    )
    .delete("/shares/albums/:id", ({ user, params }) => (share.unshareAlbum(user, params.id), { ok: true }), {
      auth: "user",
      audit: { kind: "accounts", did: "stopped sharing an album with someone", recordedByFeature: true },
    });
}

/**
 * Sharing: the link pages under /s/:token (declared `{ link: true }`; each resolves and checks its link first),
 * the owner's pages under /shared and the JSON API under /api/v1/shares.
 */
export function shareRoutes(deps: Deps) {
  return new Elysia({ name: "share" }).use(linkFront(deps)).use(linkInside(deps)).use(sharedPages(deps)).use(shareApi(deps));
}
