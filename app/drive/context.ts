import type { Clock } from "../platform/clock";
import type { AccessPolicy } from "../access/policy";
import type { DriveFile } from "../platform/db/schema";
import type { SpaceReserve } from "../platform/space";
import type { BlobStore } from "./blobs";
import type { DriveRepo } from "./repo";

/** The media pipeline: told about each new file (in the transaction that records it) and each purged content. */
export type ContentListener = {
  fileAdded: (file: DriveFile) => void;
  contentRemoved: (userId: string, sha256: string) => void;
};

export type DriveDeps = {
  repo: DriveRepo;
  blobs: BlobStore;
  /** Decides who may touch which item (app/access): owners, folder shares, links. */
  access: AccessPolicy;
  trashRetentionDays: () => number;
  media?: ContentListener;
  /** Makes `out` (WebP) from the image at `input` in a child process; exit code 0 on success. */
  runPreview: (input: string, out: string) => Promise<{ code: number | null; stderr?: string }>;
  /** Deleting on a full disk releases it (app/platform/space.ts). */
  space: SpaceReserve;
  now: Clock;
};

/** What every Drive function works over (its first argument): the database, the content on disk, the policy, a clock. */
export type DriveContext = DriveDeps;

export const driveContext = (deps: DriveDeps): DriveContext => ({ ...deps });
