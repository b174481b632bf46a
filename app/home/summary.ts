import type { DriveService } from "../drive/service";
import type { PhotosService } from "../photos/service";
import type { DriveFile, User } from "../platform/db/schema";
import type { GridItem } from "../photos/repo";

type Health = { level: "green" | "amber" | "red"; reason: string };
export type HomeSummary = {
  usage: { used: number; quota: number | null };
  recent: DriveFile[];
  photos: GridItem[];
  /** Phones of this person gone quiet (app/dav/devices.ts). */
  silentDevices: { name: string; days: number }[];
};

export type HomeDeps = {
  drive: DriveService;
  photos: PhotosService;
  /** The box's health from its open alerts (written by the worker's checks). */
  health: () => Health;
  /**
   * This person's phones gone quiet. Kept with the rest: it changes with time too, and the minute sample the web
   * process writes (a commit) brings it back within a minute.
   */
  silentDevices: (user: User) => { name: string; days: number }[];
  /** Changes with every committed write, from any process (app/platform/db/client.ts `changeCounter`). */
  changes: () => string;
};

/** Users whose start page is kept; past that the oldest is dropped. */
const KEPT = 1000;

/**
 * What the start page shows (storage used, the newest photos and files, the box's health) is read from a dozen
 * queries over Drive, Photos and the alerts, yet changes only when something is written. It is kept per person and
 * the health once for the box, and read again after the next write anywhere (another process's within 200 ms): a
 * page view costs one counter read, and never writes anything itself.
 */
export function createHomeSummaries(deps: HomeDeps) {
  let version = "";
  const byUser = new Map<string, HomeSummary>();
  let health: Health | null = null;
  const current = () => {
    const v = deps.changes();
    if (v !== version) {
      byUser.clear();
      health = null;
      version = v;
    }
  };
  return {
    of(user: User): HomeSummary {
      current();
      let summary = byUser.get(user.id);
      if (!summary) {
        summary = {
          usage: deps.drive.usage(user),
          recent: deps.drive
            .recent(user)
            .filter((f) => f.kind === "file")
            .slice(0, 8),
          photos: deps.photos.latest(user, 8),
          silentDevices: deps.silentDevices(user),
        };
        if (byUser.size >= KEPT) byUser.delete(byUser.keys().next().value!);
        byUser.set(user.id, summary);
      }
      return summary;
    },
    health(): Health {
      current();
      return (health ??= deps.health());
    },
  };
}
export type HomeSummaries = ReturnType<typeof createHomeSummaries>;
