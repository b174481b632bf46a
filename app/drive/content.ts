// What a download, a preview or a zip reads: an item's content on disk, for whoever may read the item.
import { existsSync } from "node:fs";
import type { Viewer } from "../access/viewer";
import type { DriveFile } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { diskFullError } from "./blobs";
import type { DriveContext } from "./context";
import { itemFor, itemsFor } from "./items";

const EVERY_CHILD = { sort: "name", desc: false, offset: 0, limit: 1_000_000 } as const;

/** What a download needs: the item and where its content is. */
export function content(ctx: DriveContext, viewer: Viewer, id: string) {
  return contentOf(ctx, itemFor(ctx, viewer, id));
}

/**
 * Where the content of a file is, for a row the policy already admitted by another way (an album entry, through
 * `album.view`): the file itself, not the folder it sits in, is what was shared.
 */
export function contentOf(ctx: DriveContext, file: DriveFile) {
  if (file.kind !== "file" || !file.sha256) throw new AppError(400, "Folders download as a zip.");
  return { file, path: ctx.blobs.blobPath(file.userId, file.sha256) };
}

/**
 * A preview-sized WebP of an image, made once per content by a child process (app/media/preview.ts)
 * and kept beside the blobs, until Photos' thumbnails exist. The web process never runs sharp.
 */
export const previewImage = (ctx: DriveContext, viewer: Viewer, id: string) => previewOf(ctx, itemFor(ctx, viewer, id));

export async function previewOf(ctx: DriveContext, item: DriveFile): Promise<string> {
  const { file, path } = contentOf(ctx, item);
  const out = ctx.blobs.previewPath(file.userId, file.sha256!);
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
  const entries: { path: string; kind: "folder" | "file"; file: DriveFile; blobPath: string | null }[] = [];
  const walk = (item: DriveFile, prefix: string) => {
    // A name is one path segment; zipResponse makes each safe for zip tools (drive letters, backslashes, "..").
    const segment = item.name || "Drive";
    const path = prefix ? `${prefix}/${segment}` : segment;
    entries.push({ path, kind: item.kind, file: item, blobPath: item.sha256 ? ctx.blobs.blobPath(item.userId, item.sha256) : null });
    if (item.kind === "folder") for (const c of ctx.repo.children(item.id, EVERY_CHILD).items) walk(c, path);
  };
  for (const item of itemsFor(ctx, viewer, ids, "file.read")) walk(item, "");
  return entries;
}
