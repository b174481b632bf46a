// Drive's service: the plain functions of its modules, bound to one context. Read a capability in its module:
// items.ts (finding what a viewer may touch), tree.ts, upload.ts, imports.ts, trash.ts, search.ts, content.ts.
import { bindContext } from "../platform/bind";
import { content, contentOf, localPathOf, previewImage, previewOf, zipEntries } from "./content";
import { driveContext, type DriveDeps } from "./context";
import { importFile, importReceived, restoreFile, scanImports } from "./imports";
import { folderFor, itemBySeq, itemFor, movableInto, ownerName, rootOf } from "./items";
import { search } from "./search";
import {
  emptyTrash,
  ensureSpaceReserve,
  moveToTrash,
  purge,
  purgeExpiredTrash,
  restore,
  sweep,
  trash,
  trashedChildNamed,
  trashedChildPages,
  trashedContent,
} from "./trash";
import {
  breadcrumbs,
  childNamed,
  childPages,
  copy,
  isBelow,
  list,
  mkdir,
  mkdirs,
  move,
  recent,
  rename,
  setModified,
  sharedWithMe,
  star,
  starred,
  usage,
} from "./tree";
import { beginResumable, finishResumable, forgetResumable, resumableFor, staleUploads, upload } from "./upload";

export type { ContentListener, DriveDeps } from "./context";

export function createDriveService(deps: DriveDeps) {
  return bindContext(driveContext(deps), {
    itemFor,
    itemBySeq,
    folderFor,
    rootOf,
    ownerName,
    movableInto,
    usage,
    list,
    childPages,
    breadcrumbs,
    childNamed,
    isBelow,
    sharedWithMe,
    recent,
    starred,
    search,
    mkdir,
    mkdirs,
    rename,
    move,
    copy,
    star,
    setModified,
    trash,
    trashedChildNamed,
    trashedChildPages,
    trashedContent,
    moveToTrash,
    restore,
    purge,
    emptyTrash,
    sweep,
    purgeExpiredTrash,
    scanImports,
    importFile,
    importReceived,
    restoreFile,
    upload,
    beginResumable,
    resumableFor,
    finishResumable,
    forgetResumable,
    staleUploads,
    content,
    contentOf,
    localPathOf,
    previewImage,
    previewOf,
    zipEntries,
    ensureSpaceReserve,
  });
}

export type DriveService = ReturnType<typeof createDriveService>;
