import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { DriveFile, User } from "../db/schema";
import type { DriveRepo } from "./repo";
import { diskFullError, type Received, type BlobStore } from "./blobs";
import { numberedName, validateName, type Conflict, type ListOptions } from "./model";
import { AppError, notFound } from "../errors";

export type DriveDeps = {
  repo: DriveRepo;
  blobs: BlobStore;
  trashRetentionDays: () => number;
  /** The media pipeline: told about each new file (in the transaction that records it) and each purged content. */
  media?: ContentListener;
  /** Makes `out` (WebP) from the image at `input` in a child process; exit code 0 on success. */
  runPreview: (input: string, out: string) => Promise<{ code: number | null }>;
  /** Folders shared with a user (app/share): the best access granted on any of `folderIds`, and the shared roots. */
  grants?: { access: (userId: string, folderIds: string[]) => Action | null; rootsFor: (userId: string) => string[] };
  now?: () => Date;
};

export type Action = "read" | "write";
export type ContentListener = {
  fileAdded: (file: DriveFile) => void;
  contentRemoved: (userId: string, sha256: string) => void;
};
const newId = () => randomBytes(12).toString("base64url");

/** The MIME type from the content's magic bytes, else from the extension. */
export async function sniffMime(head: Uint8Array, name: string): Promise<string> {
  const { fileTypeFromBuffer } = await import("file-type"); // loaded on the first upload, not at start
  const sniffed = await fileTypeFromBuffer(head).catch(() => undefined);
  if (sniffed) return sniffed.mime;
  const byExt = Bun.file(name).type.split(";")[0]!;
  return byExt || "application/octet-stream";
}

/**
 * Builds an FTS5 query from what the user typed, for any input: every word must match as a prefix. Each word is one
 * FTS5 string (quotes doubled); control characters, which FTS5 cannot hold in a string, and lone surrogates go.
 */
export function ftsQuery(q: string): string | null {
  const words = q
    .toWellFormed()
    .normalize("NFC")
    .replace(/[\p{Cc}]/gu, " ")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 8);
  return words.length ? words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(" ") : null;
}

const validSha256 = (v: string | undefined) => {
  if (v === undefined || v === "") return undefined;
  if (!/^[0-9a-f]{64}$/.test(v)) throw new AppError(400, "sha256 must be 64 lower-case hex digits.");
  return v;
};

export function createDriveService(deps: DriveDeps) {
  const { repo, blobs } = deps;
  const now = deps.now ?? (() => new Date());

  /** The best access a folder share gives `user` on `item` (through it or any folder above it). */
  function grantedAccess(user: User, item: DriveFile): Action | null {
    return (
      deps.grants?.access(
        user.id,
        repo.ancestors(item.id).map((a) => a.id),
      ) ?? null
    );
  }
  /**
   * The one authorization check of Drive: may `user` do `action` on `item`? The owner may do anything; another user
   * what a folder share on the item or a folder above it grants (read, or read-write), read from the database on every
   * call so a removed share ends at once. Items one cannot see look exactly like missing ones (404).
   */
  function can(user: User, action: Action, item: DriveFile | undefined): item is DriveFile {
    if (!item) return false;
    if (item.userId === user.id) return true;
    const granted = grantedAccess(user, item);
    return granted === "write" || (granted === "read" && action === "read");
  }
  /** A change to the item itself (rename, move, trash): a recipient may not change the shared folder itself. */
  function changeable(user: User, id: string): DriveFile {
    const item = itemFor(user, id, "write");
    if (item.userId !== user.id && deps.grants?.rootsFor(user.id).includes(item.id))
      throw new AppError(403, "Only the owner can rename, move or delete a shared folder.");
    return item;
  }
  function ownerOnly(user: User, item: DriveFile, what: string): DriveFile {
    if (item.userId !== user.id) throw new AppError(403, `Only the owner can ${what}.`);
    return item;
  }
  /** Root → … → the item, cut at the shared folder for a recipient: nothing above it is theirs to see. */
  function visibleAncestors(user: User, id: string): DriveFile[] {
    const all = repo.ancestors(id);
    if (!all.length || all[0]!.userId === user.id) return all;
    const roots = new Set(deps.grants?.rootsFor(user.id) ?? []);
    const top = all.findIndex((a) => roots.has(a.id));
    return top < 0 ? [] : all.slice(top);
  }
  function ownerOf(item: DriveFile): User {
    const owner = repo.user(item.userId);
    if (!owner) throw notFound("This folder");
    return owner;
  }
  function itemFor(user: User, id: string, action: Action, opts: { trashed?: boolean } = {}): DriveFile {
    const item = repo.byId(id);
    if (!can(user, action, item)) throw notFound("This item");
    if (!opts.trashed && item.trashedAt) throw notFound("This item");
    return item;
  }
  function rootOf(user: User): DriveFile {
    const existing = repo.rootOf(user.id);
    if (existing) return existing;
    const at = now();
    return repo.insert({ id: newId(), userId: user.id, parentId: null, kind: "folder", name: "", createdAt: at, updatedAt: at });
  }
  function folderFor(user: User, id: string | undefined, action: Action): DriveFile {
    if (!id) return rootOf(user);
    const folder = itemFor(user, id, action);
    if (folder.kind !== "folder") throw new AppError(400, "That is a file, not a folder.");
    return folder;
  }
  /** A free name in `parentId`: the name itself, or "name (n).ext". */
  function freeName(parentId: string, name: string): string {
    if (!repo.liveChild(parentId, name)) return name;
    const dot = name.lastIndexOf(".");
    const taken = new Set(repo.namesLike(parentId, dot > 0 ? name.slice(0, dot) : name));
    for (let n = 1; ; n++) if (!taken.has(numberedName(name, n))) return numberedName(name, n);
  }
  function placeName(parentId: string, name: string, conflict: Conflict, exceptId?: string): string {
    const existing = repo.liveChild(parentId, name);
    if (!existing || existing.id === exceptId) return name;
    if (conflict === "rename") return freeName(parentId, name);
    throw new AppError(409, `“${name}” already exists in this folder.`);
  }
  const pathNames = (id: string) =>
    repo
      .ancestors(id)
      .filter((a) => a.parentId !== null)
      .map((a) => a.name);

  function quotaLeft(user: User): number {
    const quota = repo.user(user.id)?.quotaBytes ?? null;
    return quota === null ? Number.POSITIVE_INFINITY : Math.max(0, quota - repo.usedBytes(user.id));
  }
  /**
   * Refuses a declared size up front: over quota → 413, more than the disk has free → 507. Content this person
   * already stores costs no quota, but that is only known before hashing when the client declares the SHA-256
   * (`?sha256=` or tus metadata `sha256`): then the quota check is skipped and the hash verified on arrival.
   */
  function checkSpace(user: User, bytes: number, declaredSha256?: string) {
    const alreadyStored = declaredSha256 !== undefined && !!repo.blob(user.id, declaredSha256);
    // Resumable uploads in progress into this person's folders (also a recipient's, into a folder shared by them) reserve their length.
    if (!alreadyStored && bytes > quotaLeft(user) - repo.pendingUploadBytes(user.id)) throw quotaError();
    if (bytes > blobs.freeBytes()) throw diskFullError();
  }
  function checkDeclaredSha256(received: Received, declared: string | undefined) {
    if (declared !== undefined && received.sha256 !== declared) {
      throw new AppError(400, "The content does not match the SHA-256 it was declared with; nothing was stored.");
    }
  }
  const quotaError = () =>
    new AppError(413, "This upload would exceed your storage quota. Delete files or empty the trash, or ask the administrator for more space.");

  function trashOne(item: DriveFile, at: Date) {
    if (item.parentId === null) throw new AppError(400, "The root folder cannot be deleted.");
    repo.markTrashed(item.id, at, pathNames(item.parentId));
  }
  function purgeTrashRoot(item: DriveFile) {
    const gone: string[] = [];
    repo.transaction(() => {
      const rows = repo.purgeSet(item.id);
      for (const r of rows) if (r.sha256 && repo.dropBlobRef(r.userId, r.sha256)) gone.push(r.sha256);
      repo.deleteRows(rows.map((r) => r.id));
    });
    for (const sha of gone) {
      blobs.removeBlob(item.userId, sha);
      deps.media?.contentRemoved(item.userId, sha);
    }
  }

  /**
   * Turns received bytes into a visible file: content to its address (fsynced), then the rows.
   * Runs without awaiting so no purge can slip between placing the blob and counting the reference.
   */
  function commitReceived(
    user: User,
    parentId: string,
    name: string,
    received: Received,
    mime: string,
    conflict: Conflict,
    author?: string,
    modifiedAt?: Date,
  ): DriveFile {
    let placed: { existed: boolean } | null = null;
    let owner: User | null = null;
    try {
      const parent = repo.byId(parentId);
      if (!can(user, "write", parent) || parent.trashedAt) throw new AppError(409, "The destination folder was deleted while uploading.");
      // Into a folder shared with the uploader: the owner's content, quota and rows; the uploader is its author.
      owner = ownerOf(parent);
      placed = blobs.place(owner.id, received);
      const at = now();
      return repo.transaction(() => {
        const existing = repo.liveChild(parentId, name);
        if (existing && conflict === "replace") {
          if (existing.kind === "folder") throw new AppError(409, `A folder named “${name}” exists here; it was not replaced.`);
          // Replacing never destroys: the old version goes to the trash.
          repo.markTrashed(existing.id, at, pathNames(parentId));
        }
        const finalName = existing && conflict !== "replace" ? placeName(parentId, name, conflict) : name;
        // The exact quota check, inside the synchronous transaction: uploads that each fitted when they started
        // cannot add up to more than the quota. Content this person already stores costs nothing.
        if (!repo.blob(owner!.id, received.sha256) && received.size > quotaLeft(owner!)) throw quotaError();
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
          createdBy: author ?? (owner!.id === user.id ? null : user.id),
        });
        deps.media?.fileAdded(file);
        return file;
      });
    } catch (e) {
      if (!placed) blobs.discard(received);
      else if (!placed.existed && !repo.blob(owner!.id, received.sha256)) blobs.removeBlob(owner!.id, received.sha256);
      throw e;
    }
  }

  function copyTree(user: User, item: DriveFile, targetId: string, name: string, at: Date): DriveFile {
    const copy = repo.insert({
      id: newId(),
      userId: item.userId,
      parentId: targetId,
      kind: item.kind,
      name,
      sha256: item.sha256,
      size: item.size,
      mime: item.mime,
      createdAt: at,
      updatedAt: at,
      createdBy: item.userId === user.id ? null : user.id,
    });
    if (item.sha256) repo.addBlobRef(item.userId, item.sha256, item.size, item.mime ?? "application/octet-stream", at);
    if (item.kind === "folder") {
      for (const child of repo.children(item.id, { sort: "name", desc: false, offset: 0, limit: 1_000_000 }).items)
        copyTree(user, child, copy.id, child.name, at);
    }
    return copy;
  }

  return {
    can,
    itemFor,
    rootOf,
    folderFor,
    usage: (user: User) => ({ used: repo.usedBytes(user.id), quota: repo.user(user.id)?.quotaBytes ?? null }),

    list(user: User, folderId: string | undefined, opts: ListOptions) {
      const folder = folderFor(user, folderId, "read");
      const { items, hasMore } = repo.children(folder.id, opts);
      return { folder, breadcrumbs: visibleAncestors(user, folder.id), items, hasMore };
    },
    breadcrumbs: (user: User, id: string) => visibleAncestors(user, itemFor(user, id, "read").id),
    /** The live item named `name` in a folder the user may read (WebDAV walks paths by name), or undefined. */
    childNamed: (user: User, folderId: string, name: string) => repo.liveChild(folderFor(user, folderId, "read").id, name),
    /** Whether two items are in one person's Drive (content moves between Drives only by copying its bytes). */
    sameDrive: (a: DriveFile, b: DriveFile) => a.userId === b.userId,
    /** The username of an item's owner, to tell two shared folders of the same name apart. */
    ownerName: (item: DriveFile) => repo.user(item.userId)?.username ?? "unknown",
    /** Whether `id` is inside the folder `folderId` (at any depth). */
    isBelow: (id: string, folderId: string) => repo.ancestors(id).some((a) => a.id === folderId && a.id !== id),
    /** An item by its number (`files.seq`: what Nextcloud clients know as the file id), checked like `itemFor`. */
    itemForSeq(user: User, seq: number, action: Action): DriveFile {
      const row = repo.bySeq(seq);
      return itemFor(user, row?.id ?? "", action);
    },
    /** A file's modification time as a client reports it (WebDAV `X-OC-Mtime`, `Win32LastModifiedTime`). */
    setModified(user: User, id: string, at: Date): DriveFile {
      const item = itemFor(user, id, "write");
      return repo.update(item.id, { updatedAt: at })!;
    },
    /** Folders other users shared with this one (live ones), for "Shared with me". */
    sharedWithMe: (user: User) =>
      (deps.grants?.rootsFor(user.id) ?? []).map((id) => repo.byId(id)).filter((f): f is DriveFile => !!f && !f.trashedAt && can(user, "read", f)),
    recent: (user: User) => repo.recent(user.id, 50),
    starred: (user: User) => repo.starred(user.id),
    trash: (user: User) => repo.trashRoots(user.id),
    search(user: User, q: string, limit = 10) {
      const match = ftsQuery(q);
      return match ? repo.search(user.id, match, limit) : [];
    },

    mkdir(user: User, parentId: string | undefined, rawName: string, conflict: Conflict = "fail"): DriveFile {
      const parent = folderFor(user, parentId, "write");
      const name = validateName(rawName);
      return repo.transaction(() => {
        const existing = repo.liveChild(parent.id, name);
        if (existing?.kind === "folder" && conflict === "replace") return existing;
        const at = now();
        return repo.insert({
          id: newId(),
          userId: parent.userId,
          parentId: parent.id,
          kind: "folder",
          name: placeName(parent.id, name, conflict),
          createdAt: at,
          updatedAt: at,
          createdBy: parent.userId === user.id ? null : user.id,
        });
      });
    },
    /** Creates each missing folder of `path` (names) under `parentId`, reusing existing ones: for folder uploads. */
    mkdirs(user: User, parentId: string | undefined, names: string[]): DriveFile {
      let folder = folderFor(user, parentId, "write");
      for (const n of names) folder = this.mkdir(user, folder.id, n, "replace");
      return folder;
    },
    rename(user: User, id: string, rawName: string): DriveFile {
      const item = changeable(user, id);
      if (item.parentId === null) throw new AppError(400, "The root folder cannot be renamed.");
      const name = validateName(rawName);
      return repo.transaction(() => repo.update(item.id, { name: placeName(item.parentId!, name, "fail", item.id), updatedAt: now() })!);
    },
    move(user: User, ids: string[], targetId: string): DriveFile[] {
      const target = folderFor(user, targetId, "write");
      const items = ids.map((id) => changeable(user, id));
      if (items.some((i) => i.userId !== target.userId)) throw new AppError(400, "Items move only within one person's Drive: copy them instead.");
      const targetPath = new Set(repo.ancestors(target.id).map((a) => a.id));
      return repo.transaction(() =>
        items.map((item) => {
          if (item.parentId === null) throw new AppError(400, "The root folder cannot be moved.");
          if (targetPath.has(item.id)) throw new AppError(400, `“${item.name}” cannot be moved into itself.`);
          if (item.parentId === target.id) return item;
          return repo.update(item.id, { parentId: target.id, name: placeName(target.id, item.name, "rename"), updatedAt: now() })!;
        }),
      );
    },
    copy(user: User, ids: string[], targetId: string): DriveFile[] {
      const target = folderFor(user, targetId, "write");
      const items = ids.map((id) => itemFor(user, id, "read"));
      // Content is shared between copies by reference, which only works inside one person's storage.
      if (items.some((i) => i.userId !== target.userId))
        throw new AppError(400, "Copying between two people's Drives is not supported yet: download and upload instead.");
      const targetPath = new Set(repo.ancestors(target.id).map((a) => a.id));
      return repo.transaction(() =>
        items.map((item) => {
          if (item.parentId === null || targetPath.has(item.id)) throw new AppError(400, `“${item.name || "Drive"}” cannot be copied into itself.`);
          return copyTree(user, item, target.id, freeName(target.id, item.name), now());
        }),
      );
    },
    star(user: User, id: string, starred: boolean) {
      return repo.update(ownerOnly(user, itemFor(user, id, "write"), "star items (stars are the owner's)").id, { starred })!;
    },
    moveToTrash(user: User, ids: string[]) {
      const items = ids.map((id) => changeable(user, id));
      const at = now();
      repo.transaction(() => items.forEach((item) => trashOne(item, at)));
      return items;
    },
    /** Back to the original folder; parents that were deleted meanwhile are recreated from the saved path. */
    restore(user: User, ids: string[]): DriveFile[] {
      const items = ids.map((id) => ownerOnly(user, itemFor(user, id, "write", { trashed: true }), "restore from the trash"));
      return repo.transaction(() =>
        items.map((item) => {
          if (!item.trashedAt || item.trashRootId !== item.id) throw new AppError(400, `“${item.name}” is not in the trash.`);
          const parent = item.parentId ? repo.byId(item.parentId) : undefined;
          const target = parent && can(user, "write", parent) && !parent.trashedAt ? parent : this.mkdirs(user, undefined, item.trashedFromPath ?? []);
          repo.unmarkTrashed(item.id, target.id, freeName(target.id, item.name));
          return repo.byId(item.id)!;
        }),
      );
    },
    purge(user: User, ids: string[]) {
      const items = ids.map((id) => ownerOnly(user, itemFor(user, id, "write", { trashed: true }), "delete forever"));
      for (const item of items) {
        if (item.trashRootId !== item.id) throw new AppError(400, `“${item.name}” is not in the trash.`);
        purgeTrashRoot(item);
      }
    },
    emptyTrash(user: User) {
      for (const item of repo.trashRoots(user.id)) purgeTrashRoot(item);
    },
    /** Start-up housekeeping: temp files of interrupted uploads, then trash past its retention. */
    sweep() {
      blobs.sweepTemp();
      return this.purgeExpiredTrash();
    },
    purgeExpiredTrash() {
      const before = new Date(now().getTime() - deps.trashRetentionDays() * 86_400_000);
      const expired = repo.expiredTrashRoots(before);
      for (const item of expired) purgeTrashRoot(item);
      return expired.length;
    },

    /**
     * Imports files copied into a user's import folder from outside the app into "Imported/…" in their Drive
     * (same hash → fsync → rename → row path as uploads); content the user already stores is skipped, not
     * stored twice. Bad names are skipped too.
     */
    async scanImports(minAgeMs = 60_000): Promise<{ imported: number; duplicates: number }> {
      const counts = { imported: 0, duplicates: 0 };
      for (const found of blobs.pendingImports(minAgeMs)) {
        const owner = repo.user(found.userId);
        if (!owner) continue;
        try {
          const names = found.parts.map(validateName);
          const received = await blobs.adopt(owner.id, found.path);
          const file = await this.importReceived(owner, ["Imported", ...names.slice(0, -1)], names.at(-1)!, received);
          counts[file ? "imported" : "duplicates"]++;
        } catch (e) {
          console.error(`drive import: skipped a file of user ${found.userId}: ${(e as Error).message}`);
        }
      }
      return counts;
    },
    /** Reads `source` into `folderNames` (created as needed); null when the user already stores this content. */
    async importFile(user: User, folderNames: string[], name: string, source: AsyncIterable<Uint8Array>): Promise<DriveFile | null> {
      const received = await blobs.receive(user.id, source, { maxBytes: quotaLeft(user), tooLarge: quotaError });
      return this.importReceived(user, folderNames, validateName(name), received);
    },
    async importReceived(user: User, folderNames: string[], name: string, received: Received): Promise<DriveFile | null> {
      if (repo.blob(user.id, received.sha256)) {
        blobs.discard(received);
        return null;
      }
      try {
        const folder = this.mkdirs(user, undefined, folderNames.map(validateName));
        const mime = await sniffMime(received.head, name).catch(() => "application/octet-stream");
        return commitReceived(user, folder.id, name, received, mime, "rename");
      } catch (e) {
        blobs.discard(received);
        throw e;
      }
    },
    /** A plain single-request upload, streamed to disk while hashing. */
    async upload(
      user: User,
      input: {
        parentId?: string;
        name: string;
        relativePath?: string[];
        declaredLength?: number;
        sha256?: string;
        conflict: Conflict;
        /** Recorded as `createdBy` when not the uploader: `link:<id>` for a drop-box share link. */
        author?: string;
        /** The modification time the client reports (WebDAV); default now. */
        modifiedAt?: Date;
      },
      source: AsyncIterable<Uint8Array>,
    ): Promise<DriveFile> {
      const name = validateName(input.name);
      const sha256 = validSha256(input.sha256);
      const parent = input.relativePath?.length
        ? this.mkdirs(user, input.parentId, input.relativePath.map(validateName))
        : folderFor(user, input.parentId, "write");
      const owner = ownerOf(parent); // the quota is the folder owner's, also for an upload into a folder shared with this user
      if (input.declaredLength !== undefined) checkSpace(owner, input.declaredLength, sha256);
      const known = sha256 === undefined ? undefined : repo.blob(owner.id, sha256);
      const received = await blobs.receive(user.id, source, {
        maxBytes: known ? known.size : quotaLeft(owner),
        expectedBytes: input.declaredLength,
        tooLarge: quotaError,
      });
      let mime: string;
      try {
        checkDeclaredSha256(received, sha256);
        mime = await sniffMime(received.head, name);
      } catch (e) {
        blobs.discard(received);
        throw e;
      }
      return commitReceived(user, parent.id, name, received, mime, input.conflict, input.author, input.modifiedAt);
    },
    /** Registers a tus upload at its first request: name, destination and declared length are checked here. */
    beginResumable(
      user: User,
      id: string,
      input: { parentId?: string; name: string; relativePath?: string[]; length: number; sha256?: string; conflict: Conflict },
    ) {
      const name = validateName(input.name);
      const parent = input.relativePath?.length
        ? this.mkdirs(user, input.parentId, input.relativePath.map(validateName))
        : folderFor(user, input.parentId, "write");
      checkSpace(ownerOf(parent), input.length, validSha256(input.sha256));
      repo.insertUpload({
        id,
        userId: user.id,
        parentId: parent.id,
        name,
        length: input.length,
        onConflict: input.conflict === "replace" ? "replace" : "rename",
        createdAt: now(),
      });
    },
    resumableFor(user: User, id: string) {
      const up = repo.upload(id);
      if (!up || up.userId !== user.id) throw notFound("This upload");
      return up;
    },
    async finishResumable(user: User, id: string, path: string, declaredSha256?: string): Promise<DriveFile> {
      const up = this.resumableFor(user, id);
      const received = await blobs.adopt(user.id, path);
      try {
        if (received.size !== up.length) throw new AppError(400, "The upload's size does not match its declared length.");
        checkDeclaredSha256(received, validSha256(declaredSha256));
        const mime = await sniffMime(received.head, up.name);
        const file = commitReceived(user, up.parentId, up.name, received, mime, up.onConflict);
        repo.deleteUpload(id);
        return file;
      } catch (e) {
        blobs.discard(received);
        repo.deleteUpload(id);
        throw e;
      }
    },
    forgetResumable: (id: string) => repo.deleteUpload(id),
    staleUploads: (olderThanMs: number) => repo.uploadsBefore(new Date(now().getTime() - olderThanMs)),

    /** What a download needs: the item and where its content is. */
    content(user: User, id: string) {
      const file = itemFor(user, id, "read");
      if (file.kind !== "file" || !file.sha256) throw new AppError(400, "Folders download as a zip.");
      return { file, path: blobs.blobPath(file.userId, file.sha256) };
    },
    /**
     * A preview-sized WebP of an image, made once per content by a child process (app/media/preview.ts)
     * and kept beside the blobs, until Photos' thumbnails exist. The web process never runs sharp.
     */
    async previewImage(user: User, id: string): Promise<string> {
      const { file, path } = this.content(user, id);
      const out = blobs.previewPath(file.userId, file.sha256!);
      if (existsSync(out)) return out;
      const result = await deps.runPreview(path, out);
      if (result.code !== 0 || !existsSync(out)) throw new AppError(415, "This image cannot be previewed.");
      return out;
    },
    /** Every file and folder under the selection, with its path inside a zip. */
    zipEntries(user: User, ids: string[]) {
      const entries: { path: string; kind: "folder" | "file"; file: DriveFile; blobPath: string | null }[] = [];
      const walk = (item: DriveFile, prefix: string) => {
        // A name is one path segment in Drive, but zip tools read a backslash as a separator and ".." as a way up.
        const segment = item.name.replace(/\\/g, "_") || "Drive";
        const path = prefix ? `${prefix}/${segment}` : segment;
        entries.push({ path, kind: item.kind, file: item, blobPath: item.sha256 ? blobs.blobPath(item.userId, item.sha256) : null });
        if (item.kind === "folder") for (const c of repo.children(item.id, { sort: "name", desc: false, offset: 0, limit: 1_000_000 }).items) walk(c, path);
      };
      for (const id of ids) walk(itemFor(user, id, "read"), "");
      return entries;
    },
  };
}

export type DriveService = ReturnType<typeof createDriveService>;
