import type { Clock } from "../platform/clock";
import type Supercluster from "supercluster";
import type { AccessPolicy } from "../access/policy";
import type { DriveFile, User } from "../platform/db/schema";
import type { RangedBody } from "../drive/download";
import type { DriveService } from "../drive/service";
import type { AlbumRepo } from "./album-repo";
import type { MemoryRepo } from "./memory-repo";
import type { PartnerRepo } from "./partner-repo";
import type { PhotosRepo } from "./repo";
import type { Trip } from "./trips";

export type PhotosDeps = {
  repo: PhotosRepo;
  albums: AlbumRepo;
  /** Where and when per day (trips) and the memories each person hid. */
  memories: MemoryRepo;
  /** Items are Drive files: Drive finds them for a viewer, trashes and restores them, and serves their content. */
  drive: DriveService;
  /** Decides who may see or change an album (app/access): its owner, people it is shared with, a link to it. */
  access: AccessPolicy;
  userById: (id: string) => User | undefined;
  /** Partner sharing's rows (app/photos/partners.ts) and the person a share is given to, by name. */
  partners: PartnerRepo;
  userByName: (username: string) => User | undefined;
  /**
   * A file's bytes without its places (Sharing's cleaners, app/share/clean): a shared album's photo for anyone but
   * the person who added it. Throws a 403 AppError for what cannot be proven clean.
   */
  withoutPlace: (file: DriveFile, path: string) => Promise<{ file: DriveFile; body: string | RangedBody }>;
  now: Clock;
};

/**
 * What every Photos function works over: its repos, Drive, the policy, a clock, and per-user caches. Results are
 * keyed by the data's version (repo.version) plus Photos' own writes (flags, albums): a scrubber over 200k rows is a
 * full index walk, and it only changes when the library does.
 */
export type PhotosContext = PhotosDeps & {
  results: Map<string, { version: string; values: Map<string, unknown> }>;
  localWrites: Map<string, number>;
  maps: Map<string, { at: number; done: number; index: Supercluster<{ sha256: string }> }>;
  /** Each person's trips (memories.ts), kept while the library is unchanged or for minutes: finding them reads every photo's place. */
  trips: Map<string, { at: number; writes: number; version: string; trips: Trip[] }>;
};

export const photosContext = (deps: PhotosDeps): PhotosContext => ({
  ...deps,
  results: new Map(),
  localWrites: new Map(),
  maps: new Map(),
  trips: new Map(),
});

/** Photos changed something of `user`'s (a flag, an album): their cached results and map are stale. */
export function touched(ctx: PhotosContext, user: User) {
  ctx.localWrites.set(user.id, (ctx.localWrites.get(user.id) ?? 0) + 1);
  ctx.maps.delete(user.id);
}

export function cached<T>(ctx: PhotosContext, user: User, key: string, compute: () => T): T {
  const version = `${ctx.repo.version(user.id)}:${ctx.localWrites.get(user.id) ?? 0}`;
  let entry = ctx.results.get(user.id);
  if (entry?.version !== version) ctx.results.set(user.id, (entry = { version, values: new Map() }));
  if (!entry.values.has(key)) {
    if (entry.values.size >= 64) entry.values.delete(entry.values.keys().next().value!);
    entry.values.set(key, compute());
  }
  return entry.values.get(key) as T;
}
