// What each device sent: the backup status a family can check ("Pixel 8: 14 photos today, newest taken 09:12"), and
// the warning when a phone that backed up regularly (at least 5 of 14 days) has gone quiet.
import type { AppPasswords, Device } from "../auth/app-passwords";
import type { Alert } from "../../hw/alerts";
import type { User } from "../platform/db/schema";
import type { DavRepo } from "./repo";

const DAY = 86_400_000;
/** Quiet this long, after backing up on at least 5 of the 14 days before, is worth a warning. */
export const SILENT_AFTER_DAYS = 3;

export type Counts = { photos: number; videos: number; others: number; bytes: number };
export type DeviceStatus = {
  device: Device;
  today: Counts;
  week: Counts;
  ever: Counts;
  lastUploadAt: Date | null;
  newestCaptureAt: Date | null;
  /** Backed up on at least 5 of the 14 days before its last upload, and nothing for 3 days since. */
  silent: boolean;
  /** Whole days since the last upload. */
  quietDays: number;
};

/** Where a device's camera uploads go: the folder the setup steps name (Photos' timeline shows them from there). */
export const cameraFolder = (device: { name: string }) => `Photos/Camera/${device.name}`;

export function createDeviceStatus(deps: { repo: DavRepo; devices: AppPasswords; startOfToday: () => Date; now: () => Date }) {
  const { repo } = deps;
  const counts = (deviceId: string, since: Date): Counts => {
    const c = repo.uploadCounts(deviceId, since);
    return { photos: c.photos, videos: c.videos, others: c.others, bytes: c.bytes };
  };
  function statusOf(device: Device): DeviceStatus {
    const today = deps.startOfToday();
    const ever = repo.uploadCounts(device.id, new Date(0));
    const lastUploadAt = ever.lastAt === null ? null : new Date(ever.lastAt);
    let silent = false;
    if (lastUploadAt && deps.now().getTime() - lastUploadAt.getTime() >= SILENT_AFTER_DAYS * DAY) {
      const before = repo.uploadCounts(device.id, new Date(lastUploadAt.getTime() - 14 * DAY));
      silent = before.days >= 5;
    }
    return {
      device,
      today: counts(device.id, today),
      week: counts(device.id, new Date(today.getTime() - 6 * DAY)),
      ever: { photos: ever.photos, videos: ever.videos, others: ever.others, bytes: ever.bytes },
      lastUploadAt,
      newestCaptureAt: repo.newestCapture(device.id),
      silent,
      quietDays: lastUploadAt ? Math.floor((deps.now().getTime() - lastUploadAt.getTime()) / DAY) : 0,
    };
  }
  const silentFor = (user: User) =>
    deps.devices
      .list(user.id)
      .map(statusOf)
      .filter((s) => s.silent);
  return {
    statusOf,
    /** Every device of a person with its status, newest first. */
    forUser: (user: User) => deps.devices.list(user.id).map(statusOf),
    /** The person's devices that went quiet (the start page warns about them). */
    silentFor,
    /** Every quiet device on the box, as the dashboard's alerts (open while it stays quiet, cleared when it sends again). */
    alerts: (users: User[]): Alert[] =>
      users.flatMap((user) =>
        silentFor(user).map((s) => ({
          severity: "warning" as const,
          code: "device-silent" as const,
          subject: `device:${s.device.id}`,
          message: `${user.displayName}'s “${s.device.name}” has not backed up for ${s.quietDays} days, after backing up on at least 5 of the 14 days before. Check its backup app (Photos → Back up your phone).`,
        })),
      ),
  };
}

export type DeviceStatuses = ReturnType<typeof createDeviceStatus>;
