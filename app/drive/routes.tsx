import { Elysia, t } from "elysia";
import type { AccessControl } from "../platform/http/access";
import type { DriveFile, User } from "../platform/db/schema";
import { DrivePage, UsageLine } from "../../views/drive/DrivePage";
import { Listing, type DriveMode } from "../../views/drive/Listing";
import { MoveDialog, Preview, Suggestions, type PreviewKind } from "../../views/drive/fragments";
import type { SignedInPage } from "../../views/layout";
import { serveFile, zipResponse } from "./download";
import {
  IdsBody,
  ListQuery,
  MkdirBody,
  MoveBody,
  NameBody,
  SearchQuery,
  StarBody,
  asIds,
  inlineSafe,
  isTextLike,
  itemJson,
  type Conflict,
  type ListOptions,
} from "./model";
import { openApiDocument } from "./openapi";
import { describeDriveRequest } from "./audit";
import { noteAudit } from "../platform/http/security";
import type { DriveService } from "./service";
import type { TusUploads } from "./tus";
import type { MediaService } from "../media/service";

type Deps = {
  access: AccessControl;
  drive: DriveService;
  tus: TusUploads;
  media: MediaService;
  /** Paths other features serve under /api/v1, for the API document (Sharing's). */
  apiPaths: Record<string, unknown>;
};

/** A plain upload's query: the name, where it goes, what to do on a name conflict, and the content's SHA-256 if known. */
const UploadQuery = t.Object({
  name: t.String(),
  parentId: t.Optional(t.String()),
  path: t.Optional(t.String()),
  conflict: t.Optional(t.String()),
  sha256: t.Optional(t.String()),
});

const PAGE = 100;
const listOptions = (q: { sort?: ListOptions["sort"]; desc?: string; offset?: number; limit?: number }): ListOptions => ({
  sort: q.sort ?? "name",
  desc: q.desc === "1" || q.desc === "true",
  offset: q.offset ?? 0,
  limit: q.limit ?? PAGE,
});
const conflictOf = (v: string | null | undefined): Conflict => (v === "replace" ? "replace" : v === "fail" ? "fail" : "rename");
const requestBytes = (request: Request) => {
  if (!request.body) return (async function* () {})();
  return request.body as unknown as AsyncIterable<Uint8Array>;
};
const declaredLength = (request: Request) => {
  const v = request.headers.get("content-length");
  return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
};
const changed = { "hx-trigger": "drive-changed" };
const emptyFragment = () => new Response("", { headers: { ...changed, "content-type": "text/html; charset=utf-8" } });
const count = (n: number, what = "item") => `${n} ${what}${n === 1 ? "" : "s"}`;
/**
 * An action that says what it did: drive.js shows `message` as a toast, with an Undo button that posts `undo` when
 * given. htmx turns the JSON HX-Trigger into the events `drive-changed` and `drive-done`.
 */
const doneFragment = (message: string, undo?: { url: string; vals: Record<string, string> }) =>
  new Response("", {
    headers: {
      "content-type": "text/html; charset=utf-8",
      // Header values are Latin-1: escape everything else, JSON.parse reads the \u escapes back.
      "hx-trigger": JSON.stringify({ "drive-changed": true, "drive-done": { message, undo } }).replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      ),
    },
  });

function previewKind(mime: string | null, name: string): PreviewKind {
  const m = mime ?? "";
  if (m.startsWith("image/") && !m.includes("svg")) return "image";
  if (m.startsWith("video/") && inlineSafe(m)) return "video";
  if (m.startsWith("audio/")) return "audio";
  if (m === "application/pdf") return "pdf";
  return isTextLike(mime, name) ? "text" : "none";
}

/** Search results: the folder each one is in, as a path ("My Drive / Photos / 2024"). */
function locationsOf(drive: DriveService, user: User, items: DriveFile[]) {
  const paths = new Map<string, string>();
  const out = new Map<string, { id: string; path: string }>();
  for (const item of items) {
    if (!item.parentId) continue;
    let path = paths.get(item.parentId);
    if (path === undefined) {
      path = drive
        .breadcrumbs(user, item.parentId)
        .map((c) => (c.parentId === null ? "My Drive" : c.name))
        .join(" / ");
      paths.set(item.parentId, path);
    }
    out.set(item.id, { id: item.parentId, path });
  }
  return out;
}

function renderPage(
  deps: Deps,
  page: SignedInPage,
  request: Request,
  p: { mode: DriveMode; title: string; folderId?: string; query?: string; opts?: ListOptions; select?: string },
) {
  const { drive, media } = deps;
  const { user } = page;
  let listing: { items: ReturnType<DriveService["recent"]>; hasMore: boolean; folderId: string | null; breadcrumbs: ReturnType<DriveService["recent"]> };
  if (p.mode === "folder") {
    const r = drive.list(user, p.folderId, p.opts!);
    listing = { items: r.items, hasMore: r.hasMore, folderId: r.folder.id, breadcrumbs: r.breadcrumbs };
  } else {
    const items =
      p.mode === "recent"
        ? drive.recent(user)
        : p.mode === "starred"
          ? drive.starred(user)
          : p.mode === "trash"
            ? drive.trash(user)
            : p.mode === "shared"
              ? drive.sharedWithMe(user)
              : drive.search(user, p.query ?? "", 100);
    listing = { items, hasMore: false, folderId: null, breadcrumbs: [] };
  }
  const url = new URL(request.url);
  url.searchParams.delete("select");
  const selfUrl = url.pathname + url.search;
  const locations = p.mode === "search" ? locationsOf(deps.drive, user, listing.items) : undefined;
  const props = {
    mode: p.mode,
    selfUrl,
    folderId: listing.folderId,
    items: listing.items,
    hasMore: listing.hasMore,
    opts: p.opts,
    locations,
    highlight: p.select,
  };
  if (request.headers.get("hx-request") && request.headers.get("hx-target") === "listing") return <Listing {...props} timeZone={page.timeZone} />;
  return (
    <DrivePage
      {...props}
      page={page}
      title={p.title}
      breadcrumbs={listing.breadcrumbs}
      usage={drive.usage(user)}
      query={p.query}
      highlight={p.select}
      mediaProgress={media.progressFor(user)}
    />
  );
}

/** Names what a changing request is about in its audit row ("'IMG_0042.jpg' to Photos/2024"). */
// The hook names the fields it reads (Elysia prepares, for every route of the app, whatever any hook takes).
const auditNoteOf =
  (drive: DriveService) =>
  ({
    request,
    route,
    user,
    params,
    body,
    query,
  }: {
    request: Request;
    route: string;
    user: User | null;
    params?: unknown;
    body?: unknown;
    query?: unknown;
  }) => {
    if (user && request.method !== "GET" && request.method !== "HEAD")
      noteAudit(request, describeDriveRequest(drive, user, { request, route, params, body, query } as Parameters<typeof describeDriveRequest>[2]));
  };

/** The pages under /drive (htmx): page actions answer with fragments and an `HX-Trigger`. */
function drivePages(deps: Deps) {
  const { drive, media } = deps;
  return (
    new Elysia({ prefix: "/drive" })
      .use(deps.access)
      .onBeforeHandle(auditNoteOf(drive))
      .get(
        "/",
        ({ page, request, query }) => renderPage(deps, page, request, { mode: "folder", title: "My Drive", opts: listOptions(query), select: query.select }),
        { auth: "user", query: ListQuery },
      )
      .get(
        "/f/:folderId",
        ({ page, request, query, params }) =>
          renderPage(deps, page, request, {
            mode: "folder",
            title: "Drive",
            folderId: params.folderId,
            opts: listOptions(query),
            select: query.select,
          }),
        { auth: "user", query: ListQuery },
      )
      // The storage line beside the filters: reloaded after every change (uploads included).
      .get("/usage", ({ user }) => <UsageLine usage={drive.usage(user)} />, { auth: "user" })
      .get("/recent", ({ page, request }) => renderPage(deps, page, request, { mode: "recent", title: "Recent" }), { auth: "user" })
      .get("/starred", ({ page, request }) => renderPage(deps, page, request, { mode: "starred", title: "Starred" }), { auth: "user" })
      // Folders other people shared with this user (app/share); opening one lists it through can().
      .get("/shared", ({ page, request }) => renderPage(deps, page, request, { mode: "shared", title: "Shared with me" }), {
        auth: "user",
      })
      .get("/trash", ({ page, request }) => renderPage(deps, page, request, { mode: "trash", title: "Trash" }), { auth: "user" })
      .get("/search", ({ page, request, query }) => renderPage(deps, page, request, { mode: "search", title: "Search", query: query.q ?? "" }), {
        auth: "user",
        query: SearchQuery,
      })
      .get("/search/suggest", ({ user, query }) => <Suggestions items={drive.search(user, query.q ?? "", 10)} q={query.q ?? ""} />, {
        auth: "user",
        query: SearchQuery,
      })
      .get(
        "/preview/:id",
        async ({ user, page, params }) => {
          const { file, body } = drive.content(user, params.id);
          const kind = previewKind(file.mime, file.name);
          const text = kind === "text" ? new TextDecoder("utf-8", { fatal: false }).decode(await body.slice(0, 100_000).arrayBuffer()) : undefined;
          return <Preview file={file} kind={kind} text={text} timeZone={page.timeZone} />;
        },
        { auth: "user" },
      )
      // The media pipeline's grid thumbnail once it exists; until then (or for what it skips) the on-demand preview.
      .get(
        "/thumb/:id",
        async ({ user, params }) => {
          const path = media.derivativeOf(drive.itemFor(user, params.id, "file.read"), "thumb") ?? (await drive.previewImage(user, params.id));
          return new Response(Bun.file(path), {
            headers: { "content-type": "image/webp", "cache-control": "private, max-age=3600", "x-content-type-options": "nosniff" },
          });
        },
        { auth: "user" },
      )
      .get(
        "/move-dialog",
        ({ user, query }) => {
          const ids = asIds(query.ids);
          const folder = drive.folderFor(user, query.at || undefined, "file.read");
          const subfolders = drive
            .list(user, folder.id, { sort: "name", desc: false, offset: 0, limit: 500 })
            .items.filter((f) => f.kind === "folder" && !ids.includes(f.id));
          return <MoveDialog ids={ids} folder={folder} crumbs={drive.breadcrumbs(user, folder.id)} subfolders={subfolders} />;
        },
        { auth: "user", query: t.Object({ ids: t.String(), at: t.Optional(t.String()) }) },
      )
      // Page actions answer with an empty fragment and an `HX-Trigger: drive-changed` so the listing reloads itself.
      .post("/actions/mkdir", ({ user, body }) => (drive.mkdir(user, body.parentId || undefined, body.name), emptyFragment()), {
        auth: "user",
        audit: { kind: "files", did: "created a folder", about: "created the folder {}" },
        body: MkdirBody,
      })
      .post("/actions/rename", ({ user, body }) => (drive.rename(user, asIds(body.ids)[0]!, body.name), emptyFragment()), {
        auth: "user",
        audit: { kind: "files", did: "renamed a file", about: "renamed {}" },
        body: t.Object({ ids: t.String(), name: t.String({ maxLength: 1024 }), _csrf: t.Optional(t.String()) }),
      })
      .post(
        "/actions/move",
        ({ user, body }) => {
          const ids = asIds(body.ids);
          const from = new Set(ids.map((id) => drive.itemFor(user, id, "file.read").parentId));
          const target = drive.itemFor(user, body.targetId, "file.read");
          drive.move(user, ids, body.targetId);
          const back = from.size === 1 ? [...from][0] : null;
          return doneFragment(
            `Moved ${count(ids.length)} to ${target.parentId === null ? "My Drive" : target.name}.`,
            back ? { url: "/drive/actions/move", vals: { ids: ids.join(","), targetId: back } } : undefined,
          );
        },
        { auth: "user", audit: { kind: "files", did: "moved files", about: "moved {}" }, body: MoveBody },
      )
      .post("/actions/copy", ({ user, body }) => (drive.copy(user, asIds(body.ids), body.targetId), emptyFragment()), {
        auth: "user",
        audit: { kind: "files", did: "copied files", about: "copied {}" },
        body: MoveBody,
      })
      .post("/actions/star", ({ user, body }) => (drive.star(user, asIds(body.ids)[0]!, body.starred === "1"), emptyFragment()), {
        auth: "user",
        audit: { kind: "files", did: "starred a file", about: "starred {}" },
        body: t.Object({ ids: t.String(), starred: t.String(), _csrf: t.Optional(t.String()) }),
      })
      .post(
        "/actions/trash",
        ({ user, body }) => {
          const ids = asIds(body.ids);
          drive.moveToTrash(user, ids);
          return doneFragment(`Moved ${count(ids.length)} to the trash.`, { url: "/drive/actions/restore", vals: { ids: ids.join(",") } });
        },
        { auth: "user", audit: { kind: "files", did: "moved files to the trash", about: "moved {} to the trash" }, body: IdsBody },
      )
      .post(
        "/actions/restore",
        ({ user, body }) => {
          const ids = asIds(body.ids);
          drive.restore(user, ids);
          return doneFragment(`Restored ${count(ids.length)}.`, { url: "/drive/actions/trash", vals: { ids: ids.join(",") } });
        },
        { auth: "user", audit: { kind: "files", did: "restored files from the trash", about: "restored {} from the trash" }, body: IdsBody },
      )
      .post(
        "/actions/purge",
        ({ user, body }) => {
          const ids = asIds(body.ids);
          drive.purge(user, ids);
          return doneFragment(`Deleted ${count(ids.length)} forever.`);
        },
        { auth: "user", audit: { kind: "files", did: "deleted files forever", about: "deleted {} forever" }, body: IdsBody },
      )
      .post("/actions/empty-trash", ({ user }) => (drive.emptyTrash(user), emptyFragment()), {
        auth: "user",
        audit: { kind: "files", did: "emptied the trash" },
      })
  );
}

/** The JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json): the same service and checks as the pages. */
function driveApi(deps: Deps) {
  const { drive, tus } = deps;
  return (
    new Elysia({ prefix: "/api/v1" })
      .use(deps.access)
      .onBeforeHandle(auditNoteOf(drive))
      .get("/openapi.json", () => openApiDocument(deps.apiPaths), { public: true })
      .get("/usage", ({ user }) => drive.usage(user), { auth: "user" })
      .get(
        "/root",
        ({ user, query }) => {
          const r = drive.list(user, undefined, listOptions(query));
          return { item: itemJson(r.folder), children: r.items.map(itemJson), hasMore: r.hasMore };
        },
        { auth: "user", query: ListQuery },
      )
      .get(
        "/files/:id",
        ({ user, params, query }) => {
          const item = drive.itemFor(user, params.id, "file.read", { trashed: true });
          if (item.kind !== "folder" || item.trashedAt) return { item: itemJson(item) };
          const r = drive.list(user, item.id, listOptions(query));
          return { item: itemJson(item), path: r.breadcrumbs.map(itemJson), children: r.items.map(itemJson), hasMore: r.hasMore };
        },
        { auth: "user", query: ListQuery },
      )
      .get(
        "/files/:id/content",
        ({ user, params, request, query, set }) => {
          const { file, body } = drive.content(user, params.id);
          const res = serveFile(request, file, body, { inline: query.inline === "1" });
          set.headers["content-security-policy"] = res.headers.get("content-security-policy")!;
          return res;
        },
        { auth: "user", query: t.Object({ inline: t.Optional(t.String()) }) },
      )
      .get(
        "/zip",
        async ({ user, query, set }) => {
          const ids = asIds(query.ids);
          const entries = drive.zipEntries(user, ids);
          const res = await zipResponse(ids.length === 1 ? entries[0]?.path || "Drive" : "Drive", entries);
          set.headers["content-security-policy"] = res.headers.get("content-security-policy")!;
          return res;
        },
        { auth: "user", query: t.Object({ ids: t.String() }) },
      )
      .post(
        "/folders",
        ({ user, body, set }) => {
          set.status = 201;
          return { item: itemJson(drive.mkdir(user, body.parentId, body.name)) };
        },
        { auth: "user", audit: { kind: "files", did: "created a folder", about: "created the folder {}" }, body: MkdirBody },
      )
      .patch("/files/:id", ({ user, params, body }) => ({ item: itemJson(drive.rename(user, params.id, body.name)) }), {
        auth: "user",
        audit: { kind: "files", did: "renamed a file", about: "renamed {}" },
        body: NameBody,
      })
      .post(
        "/files/:id/star",
        ({ user, params, body }) => ({ item: itemJson(drive.star(user, params.id, body.starred === true || body.starred === "1" || body.starred === "true")) }),
        { auth: "user", audit: { kind: "files", did: "starred a file", about: "starred {}" }, body: StarBody },
      )
      .post("/move", ({ user, body }) => ({ items: drive.move(user, asIds(body.ids), body.targetId).map(itemJson) }), {
        auth: "user",
        audit: { kind: "files", did: "moved files", about: "moved {}" },
        body: MoveBody,
      })
      .post("/copy", ({ user, body }) => ({ items: drive.copy(user, asIds(body.ids), body.targetId).map(itemJson) }), {
        auth: "user",
        audit: { kind: "files", did: "copied files", about: "copied {}" },
        body: MoveBody,
      })
      .post("/trash", ({ user, body }) => ({ items: drive.moveToTrash(user, asIds(body.ids)).map((i) => i.id) }), {
        auth: "user",
        audit: { kind: "files", did: "moved files to the trash", about: "moved {} to the trash" },
        body: IdsBody,
      })
      .post("/restore", ({ user, body }) => ({ items: drive.restore(user, asIds(body.ids)).map(itemJson) }), {
        auth: "user",
        audit: { kind: "files", did: "restored files from the trash", about: "restored {} from the trash" },
        body: IdsBody,
      })
      .post("/purge", ({ user, body }) => (drive.purge(user, asIds(body.ids)), { ok: true }), {
        auth: "user",
        audit: { kind: "files", did: "deleted files forever", about: "deleted {} forever" },
        body: IdsBody,
      })
      .get("/trash", ({ user }) => ({ items: drive.trash(user).map(itemJson) }), { auth: "user" })
      .delete("/trash", ({ user }) => (drive.emptyTrash(user), { ok: true }), { auth: "user", audit: { kind: "files", did: "emptied the trash" } })
      .get("/recent", ({ user }) => ({ items: drive.recent(user).map(itemJson) }), { auth: "user" })
      .get("/starred", ({ user }) => ({ items: drive.starred(user).map(itemJson) }), { auth: "user" })
      .get("/search", ({ user, query }) => ({ items: drive.search(user, query.q ?? "", query.limit ?? 10).map(itemJson) }), {
        auth: "user",
        query: SearchQuery,
      })
      // A plain upload: the request body is the file (curl -T file URL?name=…, or POST --data-binary).
      .post("/upload", ({ user, request, query, set }) => plainUpload(drive, user, request, query, set), {
        auth: "user",
        audit: { kind: "files", did: "uploaded a file", about: "uploaded {}" },
        parse: "none",
        query: UploadQuery,
      })
      .put("/upload", ({ user, request, query, set }) => plainUpload(drive, user, request, query, set), {
        auth: "user",
        audit: { kind: "files", did: "uploaded a file", about: "uploaded {}" },
        parse: "none",
        query: UploadQuery,
      })
      .all("/uploads", ({ user, request }) => tus.handle(request, user, undefined), {
        auth: "user",
        audit: { POST: { kind: "files", did: "started an upload", about: "started uploading {}" } },
        parse: "none",
      })
      .all("/uploads/:id", ({ user, request, params }) => tus.handle(request, user, params.id), {
        auth: "user",
        audit: {
          PATCH: { kind: "files", did: "uploaded a file", about: "uploaded {}" },
          DELETE: { kind: "files", did: "cancelled an upload", about: "cancelled uploading {}" },
        },
        parse: "none",
      })
  );
}

async function plainUpload(
  drive: DriveService,
  user: User,
  request: Request,
  query: { name: string; parentId?: string; path?: string; conflict?: string; sha256?: string },
  set: { status?: number | string },
) {
  const file = await drive.upload(
    user,
    {
      name: query.name,
      parentId: query.parentId || undefined,
      relativePath: query.path ? query.path.split("/").filter(Boolean) : undefined,
      declaredLength: declaredLength(request),
      sha256: query.sha256 ?? request.headers.get("x-content-sha256") ?? undefined,
      conflict: conflictOf(query.conflict),
    },
    requestBytes(request),
  );
  set.status = 201;
  return { item: itemJson(file) };
}

/** Drive: the pages under /drive (htmx) and the JSON API under /api/v1 (same service, same checks). */
export function driveRoutes(deps: Deps) {
  const { drive } = deps;
  const pages = drivePages(deps);
  const api = driveApi(deps);
  return (
    new Elysia({ name: "drive" })
      // Uploads cut off when this server last stopped left temp files: only this process may drop them, before it
      // receives new ones. Periodic Drive work (trash, stale resumable uploads, import folders) is the worker's (jobs.ts).
      .onStart(() => {
        drive.sweep();
      })
      .use(pages)
      .use(api)
  );
}
