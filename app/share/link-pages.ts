// What a link's visitor is served: the folder's pages, a file, its preview, the zip, an album's gallery, a drop box's
// uploads. The visitor is the viewer (OpenLink carries its link): the access policy decides what each id reaches.
import type { DriveFile } from "../platform/db/schema";
import type { ListOptions } from "../drive/model";
import { numberedName } from "../drive/model";
import { notFound } from "../platform/errors";
import type { AlbumEntry } from "../photos/service";
import { cleanContent, cleanZipEntries, VIDEO } from "./clean";
import { record, type ShareContext } from "./context";
import type { OpenLink } from "./links";
import type { PatchedFile } from "./mp4";

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

/** The file behind `id` and where its bytes are: inside the link's root, or in the link's album. */
const served = (ctx: ShareContext, open: OpenLink, id: string): { file: DriveFile; path: string } =>
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
 * The bytes a link serves for a file: a JPEG without its metadata segments unless the owner allowed metadata;
 * another photo with a location is withheld. Downloads (as opposed to inline viewing) need the link to allow them;
 * a view-only link still plays videos and audio inline.
 */
export async function content(
  ctx: ShareContext,
  open: OpenLink,
  id: string,
  mode: "inline" | "download",
): Promise<{ file: DriveFile; body: string | Blob | PatchedFile }> {
  let { file, path } = served(ctx, open, id);
  if (mode === "download") ctx.access.require(open, "link.download", [open.link.id]);
  else if (!/^(video|audio)\//.test(file.mime ?? "")) ctx.access.require(open, "link.original", [open.link.id]);
  // Watching a video: the pipeline's MP4 when the original does not play in browsers (HEVC, MOV, AVI…).
  const playable = mode === "inline" && VIDEO.test(file.mime ?? "") ? ctx.playableVideo(file) : undefined;
  if (playable) {
    file = { ...file, name: `${file.name.replace(/\.[^.]*$/, "")}.mp4`, mime: "video/mp4", size: Bun.file(playable).size, sha256: `${file.sha256}-mp4` };
    path = playable;
  }
  if (ctx.access.allowed(open, "link.metadata", [open.link.id]).size) return { file, body: path };
  return cleanContent(file, path);
}

/** The served file's kind without reading it (thumbnails only for pictures). */
export const fileOf = (ctx: ShareContext, open: OpenLink, id: string) => served(ctx, open, id).file;

/** A preview-sized WebP (re-encoded by sharp, which writes no metadata). */
export const preview = (ctx: ShareContext, open: OpenLink, id: string) =>
  open.album ? ctx.photos.entryPreview(inAlbum(ctx, open, id)) : ctx.drive.previewImage(open, id);

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

/** An album as zip entries: one folder named after it, a file per photo (names made unique: two people's IMG_0001.jpg). */
function albumZipEntries(ctx: ShareContext, open: Extract<OpenLink, { root: null }>) {
  const taken = new Set<string>();
  const folder = open.album.name.replace(/[\\/]/g, "_");
  return ctx.photos.albumEntries(open, open.album.id).map((entry) => {
    const { file, path } = ctx.photos.entryContent(entry);
    let name = file.name.replace(/\\/g, "_");
    for (let n = 1; taken.has(name.toLowerCase()); n++) name = numberedName(file.name.replace(/\\/g, "_"), n);
    taken.add(name.toLowerCase());
    return { path: `${folder}/${name}`, kind: "file" as const, file, blobPath: path as string | null };
  });
}

/** The shared root or album as zip entries, JPEGs cleaned as they stream and located non-JPEG photos left out. */
export async function zipEntries(ctx: ShareContext, open: OpenLink) {
  ctx.access.require(open, "link.download", [open.link.id]);
  const entries = open.album ? albumZipEntries(ctx, open) : ctx.drive.zipEntries(open, [open.root.id]);
  if (ctx.access.allowed(open, "link.metadata", [open.link.id]).size) return entries;
  return cleanZipEntries(entries);
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
