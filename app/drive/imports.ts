import { log } from "../platform/log";
// Files that arrive by other means than an upload: copied into a user's import folder, or `nas import <dir>`.
import type { DriveFile, User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import type { Received } from "./blobs";
import type { DriveContext } from "./context";
import { validateName } from "./model";
import { mkdirs } from "./tree";
import { commitReceived, quotaError, quotaLeft, sniffMime } from "./upload";

/**
 * Imports files copied into a user's import folder from outside the app into "Imported/…" in their Drive
 * (same hash → fsync → rename → row path as uploads); content the user already stores is skipped, not
 * stored twice. Bad names are skipped too.
 */
export async function scanImports(ctx: DriveContext, minAgeMs = 60_000): Promise<{ imported: number; duplicates: number }> {
  const counts = { imported: 0, duplicates: 0 };
  for (const found of ctx.blobs.pendingImports(minAgeMs)) {
    const owner = ctx.repo.user(found.userId);
    if (!owner) continue;
    try {
      const names = found.parts.map(validateName);
      const received = await ctx.blobs.objects.stageFile(owner.id, found.path);
      const file = await importReceived(ctx, owner, ["Imported", ...names.slice(0, -1)], names.at(-1)!, received);
      counts[file ? "imported" : "duplicates"]++;
    } catch (e) {
      log.error(`drive import: skipped a file of user ${found.userId}: ${(e as Error).message}`);
    }
  }
  return counts;
}

/** Reads `source` into `folderNames` (created as needed); null when the user already stores this content. */
export async function importFile(
  ctx: DriveContext,
  user: User,
  folderNames: string[],
  name: string,
  source: AsyncIterable<Uint8Array>,
): Promise<DriveFile | null> {
  const received = await ctx.blobs.objects.stage(user.id, source, { maxBytes: quotaLeft(ctx, user), tooLarge: quotaError });
  return importReceived(ctx, user, folderNames, validateName(name), received);
}

export async function importReceived(ctx: DriveContext, user: User, folderNames: string[], name: string, received: Received): Promise<DriveFile | null> {
  if (ctx.repo.blob(user.id, received.sha256)) {
    ctx.blobs.objects.discard(received);
    return null;
  }
  try {
    const folder = mkdirs(ctx, user, undefined, folderNames.map(validateName));
    const mime = await sniffMime(received.head, name).catch(() => "application/octet-stream");
    return commitReceived(ctx, user, folder.id, name, received, mime, "rename");
  } catch (e) {
    ctx.blobs.objects.discard(received);
    throw e;
  }
}

/**
 * A complete file on the data disk (brought back from a backup: app/backup) becomes a Drive file in `folderNames`
 * (made as needed), through the same commit as an upload: never over an existing item (a clash gets a new name),
 * content this person already stores is linked rather than stored twice, the quota applies and Photos is told.
 * The file is checked against `sha256` first: a restore never stores what it did not expect.
 */
export async function restoreFile(ctx: DriveContext, user: User, folderNames: string[], name: string, path: string, sha256: string): Promise<DriveFile> {
  const received = await ctx.blobs.objects.stageFile(user.id, path);
  try {
    if (received.sha256 !== sha256) throw new AppError(422, `“${name}” came back from the backup with other content than was backed up; it was not restored.`);
    const folder = mkdirs(ctx, user, undefined, folderNames.map(validateName));
    const mime = await sniffMime(received.head, name).catch(() => "application/octet-stream");
    return commitReceived(ctx, user, folder.id, validateName(name), received, mime, "rename");
  } catch (e) {
    ctx.blobs.objects.discard(received);
    throw e;
  }
}
