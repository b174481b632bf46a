// What a link's visitor is served: the folder's pages, a file, its preview, the zip, an album's gallery, a drop box's
// uploads. The visitor is the viewer (OpenLink carries its link): the access policy decides what each id reaches.
import type { DriveFile } from "../platform/db/schema";
import type { ZipEntry } from "../drive/download";
import type { ListOptions } from "../drive/model";
import { notFound } from "../platform/errors";
import type { AlbumEntry } from "../photos/service";
import { type CleanFile, cleanContent, cleanZipEntries } from "./clean";
import { record, type ShareContext } from "./context";
import type { OpenLink } from "./links";

const VIDEO = /^video\//;

/** At most this many items per page of a link's folder; "More" pages on. */
export const LINK_PAGE = 500;

/** A Drive item under the link's root (or the root): anything else is a 404, and a drop box shows nothing (403). */
export const inRoot = (ctx: ShareContext, open: OpenLink, id: string): DriveFile => ctx.drive.itemFor(open, id, "file.read");

/** An album link's entry by Drive file id: a photo outside the album (the same owner's too) is a 404. */
export function inAlbum(ctx: ShareContext, open: OpenLink, id: string): AlbumEntry {
  if (!open.album) throw notFound("This item");
  try {
    return ctx.photos.entryOf(open, open.album.id, id);
  } catch {
    throw notFound("This item");
  }
}

/** The file behind `id` and its content: inside the link's root, or in the link's album. */
const served = (ctx: ShareContext, open: OpenLink, id: string): { file: DriveFile; body: Blob } =>
  open.album ? ctx.photos.entryContent(inAlbum(ctx, open, id)) : ctx.drive.content(open, id);

/** A folder's page inside the link (the root when no id): its items and the path from the shared root. */
export function list(ctx: ShareContext, open: OpenLink, folderId: string | undefined, opts: ListOptions) {
  if (!open.root) throw notFound("This item");
  const r = ctx.drive.list(open, folderId ?? open.root.id, opts);
  return { folder: r.folder, path: r.breadcrumbs, items: r.items, hasMore: r.hasMore };
}

/** An album link's photos and videos, newest first, with who added each. */
export function albumEntries(ctx: ShareContext, open: OpenLink): AlbumEntry[] {
  if (!open.album) throw notFound("This album");
  return ctx.photos.albumEntries(open, open.album.id);
}

/**
 * Does the link send this file's metadata as stored? Only when its owner allowed it, and only for what the owner
 * added: a place is its author's to give, so a contributor's photo in the album, a recipient's upload into a shared
 * folder or a drop-box visitor's file is cleaned whatever the link says.
 */
function withMetadata(ctx: ShareContext, open: OpenLink, file: DriveFile) {
  const owner = open.link.userId;
  return file.userId === owner && (file.createdBy === null || file.createdBy === owner) && ctx.access.allowed(open, "link.metadata", [open.link.id]).size > 0;
}

/**
 * The bytes a link serves for a file: without its places (app/share/clean) unless `withMetadata`; what cannot be
 * proven clean is refused. Downloads (as opposed to inline viewing) need the link to allow them;
 * a view-only link still plays videos and audio inline.
 */
export async function content(
  ctx: ShareContext,
  open: OpenLink,
  id: string,
  mode: "inline" | "download",
  opts: { original?: boolean } = {},
): Promise<{ file: DriveFile; body: string | Blob | CleanFile }> {
  const original = served(ctx, open, id);
  let { file } = original;
  if (mode === "download") ctx.access.require(open, "link.download", [open.link.id]);
  else if (!/^(video|audio)\//.test(file.mime ?? "")) ctx.access.require(open, "link.original", [open.link.id]);
  // Watching a video: the pipeline's MP4 when the original does not play in browsers (HEVC, MOV, AVI…).
  const playable = mode === "inline" && VIDEO.test(file.mime ?? "") ? ctx.playableVideo(file) : undefined;
  if (playable) {
    file = { ...file, name: `${file.name.replace(/\.[^.]*$/, "")}.mp4`, mime: "video/mp4", size: Bun.file(playable).size, sha256: `${file.sha256}-mp4` };
  }
  // An edited photo: its edit, as the owner sees it (rendered by sharp: it carries no metadata to clean); the
  // original only when asked for.
  const edited = playable || opts.original ? undefined : ctx.editedPhoto(file);
  if (edited) return { file: edited.file, body: edited.path };
  if (withMetadata(ctx, open, file)) return { file, body: playable ?? original.body };
  // The cleaners read the bytes where they lie: a local file (the object store's for an original).
  return cleanContent(file, playable ?? ctx.drive.localPathOf(original.file));
}

/** The served file's kind without reading it (thumbnails only for pictures). */
export const fileOf = (ctx: ShareContext, open: OpenLink, id: string) => served(ctx, open, id).file;

/** A preview-sized WebP (re-encoded by sharp, which writes no metadata); an edited photo's is its edit's thumbnail. */
export const preview = (ctx: ShareContext, open: OpenLink, id: string) => {
  const file = served(ctx, open, id).file;
  const edited = ctx.editedPhoto(file) ? ctx.mediaThumb(file) : undefined;
  return edited ?? (open.album ? ctx.photos.entryPreview(inAlbum(ctx, open, id)) : ctx.drive.previewImage(open, id));
};

/** Has the box made a picture of this video yet (its gallery tile shows it)? */
export function hasVideoThumb(ctx: ShareContext, open: OpenLink, id: string) {
  const { file } = served(ctx, open, id);
  return VIDEO.test(file.mime ?? "") && !!ctx.mediaThumb(file);
}

/** A video's thumbnail: the pipeline's, made from a frame (carries no metadata); none before it is processed. */
export function videoThumb(ctx: ShareContext, open: OpenLink, id: string): string {
  const thumb = ctx.mediaThumb(served(ctx, open, id).file);
  if (!thumb) throw notFound("This video's picture");
  return thumb;
}

/** An album as zip entries: one folder named after it, a file per photo (two people's IMG_0001.jpg made unique by zipResponse). */
function albumZipEntries(ctx: ShareContext, open: Extract<OpenLink, { root: null }>) {
  // One path segment ("/" in an album name is not a folder); zipResponse makes names safe and unique.
  const folder = open.album.name.replace(/\//g, "_");
  return ctx.photos.albumEntries(open, open.album.id).map((entry) => {
    const { file, body } = ctx.photos.entryContent(entry);
    return { path: `${folder}/${file.name}`, kind: "file" as const, file, body: body as Blob | null };
  });
}

/** The shared root or album as zip entries, each file as `content` serves it (cleaned, as stored) or left out (refused). */
export async function zipEntries(ctx: ShareContext, open: OpenLink) {
  ctx.access.require(open, "link.download", [open.link.id]);
  const entries: ZipEntry[] = open.album ? albumZipEntries(ctx, open) : ctx.drive.zipEntries(open, [open.root.id]);
  return cleanZipEntries(
    entries,
    (file) => ctx.drive.localPathOf(file),
    (e) => withMetadata(ctx, open, e.file),
  );
}

/**
 * A drop box's upload: into the link's folder as the link (the owner's quota), never over an existing file (a clash
 * gets "name (1).ext"), recorded as uploaded through this link. The answer names nothing of the folder.
 */
export async function dropUpload(
  ctx: ShareContext,
  open: OpenLink,
  input: { name: string; length?: number },
  source: AsyncIterable<Uint8Array>,
  ip: string | null,
) {
  ctx.access.require(open, "link.upload", [open.link.id]);
  try {
    const file = await ctx.drive.upload(open, { parentId: open.root?.id, name: input.name, declaredLength: input.length, conflict: "rename" }, source);
    record(ctx, null, "share.upload", open.link.id, true, `file ${file.id}, ${file.size} bytes, from ${ip ?? "unknown"}`);
    return { size: file.size };
  } catch (e) {
    record(ctx, null, "share.upload", open.link.id, false, `${e instanceof Error ? e.message : "failed"} (from ${ip ?? "unknown"})`);
    throw e;
  }
}
