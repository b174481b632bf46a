// What a download, a preview or a zip reads: an item's content from the object store, for whoever may read the item.
import { existsSync } from "node:fs";
import type { Viewer } from "../access/viewer";
import type { DriveFile } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { diskFullError } from "./blobs";
import type { DriveContext } from "./context";
import type { ZipEntry } from "./download";
import { itemFor, itemsFor } from "./items";

const EVERY_CHILD = { sort: "name", desc: false, offset: 0, limit: 1_000_000 } as const;

/** What a download needs: the item and its content (a Blob: nothing is read until it is). */
export function content(ctx: DriveContext, viewer: Viewer, id: string) {
  return contentOf(ctx, itemFor(ctx, viewer, id));
}

/**
 * The content of a file, for a row the policy already admitted by another way (an album entry, through
 * `album.view`): the file itself, not the folder it sits in, is what was shared.
 */
export function contentOf(ctx: DriveContext, file: DriveFile) {
  return { file, body: ctx.blobs.objects.get(file.userId, stored(file)) };
}

/** A local file with an admitted row's content, for the tools that need one (the preview child, the metadata cleaners). */
export const localPathOf = (ctx: DriveContext, file: DriveFile) => ctx.blobs.objects.localPath(file.userId, stored(file));

function stored(file: DriveFile): string {
  if (file.kind !== "file" || !file.sha256) throw new AppError(400, "Folders download as a zip.");
  return file.sha256;
}

/**
 * A preview-sized WebP of an image, made once per content by a child process (app/media/preview.ts)
 * and kept beside the blobs, until Photos' thumbnails exist. The web process never runs sharp.
 */
export const previewImage = (ctx: DriveContext, viewer: Viewer, id: string) => previewOf(ctx, itemFor(ctx, viewer, id));

export async function previewOf(ctx: DriveContext, item: DriveFile): Promise<string> {
  const path = localPathOf(ctx, item);
  const out = ctx.blobs.previewPath(item.userId, item.sha256!);
  if (existsSync(out)) return out;
  const result = await ctx.runPreview(path, out);
  if (result.code !== 0 || !existsSync(out)) {
    // A preview that could not be written is a full disk, not a bad image: say so, as every write does.
    if (/ENOSPC|no space left|disk is full/i.test(result.stderr ?? "") || ctx.blobs.freeBytes() < 1024 * 1024) throw diskFullError();
    throw new AppError(415, "This image cannot be previewed.");
  }
  return out;
}

/** Every file and folder under the selection, with its path inside a zip. */
export function zipEntries(ctx: DriveContext, viewer: Viewer, ids: string[]) {
  const entries: ZipEntry[] = [];
  const walk = (item: DriveFile, prefix: string) => {
    // A name is one path segment; zipResponse makes each safe for zip tools (drive letters, backslashes, "..").
    const segment = item.name || "Drive";
    const path = prefix ? `${prefix}/${segment}` : segment;
    entries.push({ path, kind: item.kind, file: item, body: item.sha256 ? ctx.blobs.objects.get(item.userId, item.sha256) : null });
    if (item.kind === "folder") for (const c of ctx.repo.children(item.id, EVERY_CHILD).items) walk(c, path);
  };
  for (const item of itemsFor(ctx, viewer, ids, "file.read")) walk(item, "");
  return entries;
}
