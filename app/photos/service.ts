// Photos' service: the plain functions of its modules, bound to one context. Read a capability in its module:
// timeline.ts (grids, on this day), memories.ts (trips, highlights, stories), search.ts, items.ts (info, marks, trash), albums.ts, shared.ts, map.ts.
import { bindContext } from "../platform/bind";
import {
  addToAlbum,
  album,
  albumEntries,
  albums,
  createAlbum,
  deleteAlbum,
  entryContent,
  entryOf,
  entryOriginal,
  entryPreview,
  ownerName,
  removableEntries,
  removeEntries,
  removeFromAlbum,
  renameAlbum,
  setCover,
} from "./albums";
import { photosContext, type PhotosDeps } from "./context";
import { duplicates, keepOne } from "./duplicates";
import { info, restore, setArchived, setFavourite, trash } from "./items";
import { clusterItems, clusters, places } from "./map";
import { featuredMemories, memory, memoryList, setMemoryHidden } from "./memories";
import { partnerInfo, partnerOverview, partnerPhoto, setPartnerTimeline, sharePartner, stopPartner, partnerLibrary, partnerVideoOriginal } from "./partners";
import { contributableAlbums, sharedAlbums, sharedFolderMedia } from "./shared";
import { buckets, latest, memories, memoryGroups, month, source } from "./timeline";

export type { AlbumEntry } from "./album-repo";
export type { PhotosDeps } from "./context";
export type { ClusterPoint } from "./map";
export type { MemoryGroup, MonthBucket } from "./timeline";
export type { Memory, MemoryList } from "./memories";

/** Photos' rules over the media rows: what a person sees, their marks and albums, albums shared with them, the map. */
export function createPhotosService(deps: PhotosDeps) {
  return bindContext(photosContext(deps), {
    source,
    buckets,
    month,
    latest,
    places,
    memories,
    memoryGroups,
    memoryList,
    featuredMemories,
    memory,
    setMemoryHidden,
    info,
    setFavourite,
    setArchived,
    trash,
    restore,
    albums,
    album,
    createAlbum,
    renameAlbum,
    deleteAlbum,
    addToAlbum,
    removeFromAlbum,
    setCover,
    albumEntries,
    entryOf,
    removeEntries,
    removableEntries,
    entryContent,
    entryOriginal,
    entryPreview,
    ownerName,
    sharedAlbums,
    contributableAlbums,
    sharedFolderMedia,
    clusters,
    clusterItems,
    partnerOverview,
    sharePartner,
    stopPartner,
    partnerLibrary,
    setPartnerTimeline,
    partnerPhoto,
    partnerInfo,
    partnerVideoOriginal,
    duplicates,
    keepOne,
  });
}

export type PhotosService = ReturnType<typeof createPhotosService>;
