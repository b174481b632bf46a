// Uploads: plain (one request) and resumable (tus), checked against quota and free disk, then committed the one way:
// content to its address (fsynced), then the rows.
import { accountOf, authorOf, type LinkViewer } from "../access/viewer";
import type { DriveFile, User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { diskFullError, type Received } from "./blobs";
import type { DriveContext } from "./context";
import { folderFor, newId, ownerOf, pathNames, placeName } from "./items";
import { validateName, type Conflict } from "./model";
import { mkdirs } from "./tree";

/** The MIME type from the content's magic bytes, else from the extension. */
export async function sniffMime(head: Uint8Array, name: string): Promise<string> {
  const { fileTypeFromBuffer } = await import("file-type"); // loaded on the first upload, not at start
  const sniffed = await fileTypeFromBuffer(head).catch(() => undefined);
  if (sniffed) return sniffed.mime;
  const byExt = Bun.file(name).type.split(";")[0]!;
  return byExt || "application/octet-stream";
}

const validSha256 = (v: string | undefined) => {
  if (v === undefined || v === "") return undefined;
  if (!/^[0-9a-f]{64}$/.test(v)) throw new AppError(400, "sha256 must be 64 lower-case hex digits.");
  return v;
};
function checkDeclaredSha256(received: Received, declared: string | undefined) {
  if (declared !== undefined && received.sha256 !== declared) {
    throw new AppError(400, "The content does not match the SHA-256 it was declared with; nothing was stored.");
  }
}
export const quotaError = () =>
  new AppError(413, "This upload would exceed your storage quota. Delete files or empty the trash, or ask the administrator for more space.");

export function quotaLeft(ctx: DriveContext, user: User): number {
  const quota = ctx.repo.user(user.id)?.quotaBytes ?? null;
  return quota === null ? Number.POSITIVE_INFINITY : Math.max(0, quota - ctx.repo.usedBytes(user.id));
}

/**
 * Refuses a declared size up front: over quota → 413, more than the disk has free → 507. Content this person
 * already stores costs no quota, but that is only known before hashing when the client declares the SHA-256
 * (`?sha256=` or tus metadata `sha256`): then the quota check is skipped and the hash verified on arrival.
 */
function checkSpace(ctx: DriveContext, owner: User, bytes: number, declaredSha256?: string) {
  const alreadyStored = declaredSha256 !== undefined && !!ctx.repo.blob(owner.id, declaredSha256);
  // Resumable uploads in progress into this person's folders (also a recipient's, into a folder shared by them) reserve their length.
  if (!alreadyStored && bytes > quotaLeft(ctx, owner) - ctx.repo.pendingUploadBytes(owner.id)) throw quotaError();
  if (bytes > ctx.blobs.freeBytes()) throw diskFullError();
}

/** Where an upload lands: its folder, or the folders of a relative path (a folder upload) made under it. */
const destination = (ctx: DriveContext, viewer: User | LinkViewer, input: { parentId?: string; relativePath?: string[] }) =>
  input.relativePath?.length ? mkdirs(ctx, viewer, input.parentId, input.relativePath.map(validateName)) : folderFor(ctx, viewer, input.parentId, "file.write");

/**
 * Turns received bytes into a visible file: content to its address (fsynced), then the rows. Into a folder shared
 * with the uploader (or a drop-box link's folder): the owner's content, quota and rows; the uploader is its author.
 * Runs without awaiting so no purge can slip between placing the blob and counting the reference.
 */
export function commitReceived(
  ctx: DriveContext,
  viewer: User | LinkViewer,
  parentId: string,
  name: string,
  received: Received,
  mime: string,
  conflict: Conflict,
  modifiedAt?: Date,
): DriveFile {
  const { repo, blobs } = ctx;
  let placed: { existed: boolean } | null = null;
  let owner: User | null = null;
  try {
    const parent = repo.byId(parentId);
    if (!parent || !ctx.access.allowed(viewer, "file.write", [parentId]).size) throw new AppError(409, "The destination folder was deleted while uploading.");
    owner = ownerOf(ctx, parent);
    placed = blobs.objects.commit(owner.id, received);
    const at = ctx.now();
    return repo.transaction(() => {
      const existing = repo.liveChild(parentId, name);
      if (existing && conflict === "replace") {
        if (existing.kind === "folder") throw new AppError(409, `A folder named “${name}” exists here; it was not replaced.`);
        // Replacing never destroys: the old version goes to the trash.
        repo.markTrashed(existing.id, at, pathNames(ctx, parentId));
      }
      const finalName = existing && conflict !== "replace" ? placeName(ctx, parentId, name, conflict) : name;
      // The exact quota check, inside the synchronous transaction: uploads that each fitted when they started
      // cannot add up to more than the quota. Content this person already stores costs nothing.
      if (!repo.blob(owner!.id, received.sha256) && received.size > quotaLeft(ctx, owner!)) throw quotaError();
      repo.addBlobRef(owner!.id, received.sha256, received.size, mime, at);
      const file = repo.insert({
        id: newId(),
        userId: owner!.id,
        parentId,
        kind: "file",
        name: finalName,
        sha256: received.sha256,
        size: received.size,
        mime,
        createdAt: at,
        updatedAt: modifiedAt ?? at,
        createdBy: authorOf(viewer, owner!.id),
      });
      ctx.media?.fileAdded(file);
      return file;
    });
  } catch (e) {
    if (!placed) blobs.objects.discard(received);
    else if (!placed.existed && !repo.blob(owner!.id, received.sha256)) blobs.removeBlob(owner!.id, received.sha256);
    throw e;
  }
}

/**
 * A plain single-request upload, streamed to disk while hashing. A drop-box link's visitor uploads as the link:
 * into its folder, recorded as `link:<id>`.
 */
export async function upload(
  ctx: DriveContext,
  viewer: User | LinkViewer,
  input: {
    parentId?: string;
    name: string;
    relativePath?: string[];
    declaredLength?: number;
    sha256?: string;
    conflict: Conflict;
    /** The modification time the client reports (WebDAV); default: now. */
    modifiedAt?: Date;
  },
  source: AsyncIterable<Uint8Array>,
): Promise<DriveFile> {
  const name = validateName(input.name);
  const sha256 = validSha256(input.sha256);
  const parent = destination(ctx, viewer, input);
  const owner = ownerOf(ctx, parent); // the quota is the folder owner's, also for an upload into a folder shared with this user
  if (input.declaredLength !== undefined) checkSpace(ctx, owner, input.declaredLength, sha256);
  const known = sha256 === undefined ? undefined : ctx.repo.blob(owner.id, sha256);
  const received = await ctx.blobs.objects.stage(accountOf(viewer), source, {
    maxBytes: known ? known.size : quotaLeft(ctx, owner),
    expectedBytes: input.declaredLength,
    tooLarge: quotaError,
  });
  let mime: string;
  try {
    checkDeclaredSha256(received, sha256);
    mime = await sniffMime(received.head, name);
  } catch (e) {
    ctx.blobs.objects.discard(received);
    throw e;
  }
  return commitReceived(ctx, viewer, parent.id, name, received, mime, input.conflict, input.modifiedAt);
}

/** Registers a tus upload at its first request: name, destination and declared length are checked here. */
export function beginResumable(
  ctx: DriveContext,
  user: User,
  id: string,
  input: { parentId?: string; name: string; relativePath?: string[]; length: number; sha256?: string; conflict: Conflict },
) {
  const name = validateName(input.name);
  const parent = destination(ctx, user, input);
  checkSpace(ctx, ownerOf(ctx, parent), input.length, validSha256(input.sha256));
  ctx.repo.insertUpload({
    id,
    userId: user.id,
    parentId: parent.id,
    name,
    length: input.length,
    onConflict: input.conflict === "replace" ? "replace" : "rename",
    createdAt: ctx.now(),
  });
}

/** A resumable upload in progress: its uploader's alone (anyone else: 404). */
export const resumableFor = (ctx: DriveContext, user: User, id: string) => ctx.access.require(user, "upload.resume", [id])[0]!;

export async function finishResumable(ctx: DriveContext, user: User, id: string, path: string, declaredSha256?: string): Promise<DriveFile> {
  const up = resumableFor(ctx, user, id);
  const received = await ctx.blobs.objects.stageFile(user.id, path);
  try {
    if (received.size !== up.length) throw new AppError(400, "The upload's size does not match its declared length.");
    checkDeclaredSha256(received, validSha256(declaredSha256));
    const mime = await sniffMime(received.head, up.name);
    const file = commitReceived(ctx, user, up.parentId, up.name, received, mime, up.onConflict);
    ctx.repo.deleteUpload(id);
    return file;
  } catch (e) {
    ctx.blobs.objects.discard(received);
    ctx.repo.deleteUpload(id);
    throw e;
  }
}

export const forgetResumable = (ctx: DriveContext, id: string) => ctx.repo.deleteUpload(id);
export const staleUploads = (ctx: DriveContext, olderThanMs: number) => ctx.repo.uploadsBefore(new Date(ctx.now().getTime() - olderThanMs));
