import { log } from "../platform/log";
// Files that arrive by other means than an upload: copied into a user's import folder, or `nas import <dir>`.
import type { DriveFile, User } from "../platform/db/schema";
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
      const received = await ctx.blobs.adopt(owner.id, found.path);
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
  const received = await ctx.blobs.receive(user.id, source, { maxBytes: quotaLeft(ctx, user), tooLarge: quotaError });
  return importReceived(ctx, user, folderNames, validateName(name), received);
}

export async function importReceived(ctx: DriveContext, user: User, folderNames: string[], name: string, received: Received): Promise<DriveFile | null> {
  if (ctx.repo.blob(user.id, received.sha256)) {
    ctx.blobs.discard(received);
    return null;
  }
  try {
    const folder = mkdirs(ctx, user, undefined, folderNames.map(validateName));
    const mime = await sniffMime(received.head, name).catch(() => "application/octet-stream");
    return commitReceived(ctx, user, folder.id, name, received, mime, "rename");
  } catch (e) {
    ctx.blobs.discard(received);
    throw e;
  }
}
