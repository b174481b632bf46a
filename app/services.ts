import { createAuditRepo } from "./audit/repo";
import { createAuthRepo } from "./auth/repo";
import { createAuthService } from "./auth/service";
import type { Config } from "./config";
import type { Db } from "./db/client";
import { createJobRepo } from "./jobs/repo";
import { createJobQueue } from "./jobs/service";
import { createMediaRepo } from "./media/repo";
import { createMediaService } from "./media/service";
import { createSettingsRepo } from "./settings/repo";
import { createSettingsService, type SystemSettingsSink } from "./settings/service";
import { readSystemSettings, requestSystemSettings } from "../provision/settings";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runCommand, type Runner } from "../hw/run";
import { createSmartReader, type SmartReader } from "../hw/smart";
import { createSystemSampler, listBlockDevices, listFilesystems, type BlockDevice, type MountedFilesystem, type SystemSampler } from "../hw/system";
import { createDriveRepo } from "./drive/repo";
import { createDriveService } from "./drive/service";
import { createBlobStore } from "./drive/blobs";
import { createTusUploads } from "./drive/tus";
import { APP_ROOT } from "./paths";
import { createPhotosRepo } from "./photos/repo";
import { createPhotosService } from "./photos/service";
import { createDiskHealth, directDiskChecks, queuedDiskChecks } from "./dashboard/disk-health";
import { createDashboardRepo } from "./dashboard/repo";
import { createDashboardService, systemdPower, type PowerControl } from "./dashboard/service";
import { createDataDiskRepo } from "./datadisk/repo";
import { createDataDiskService } from "./datadisk/service";
import { createRateLimiter } from "./http/rate-limit";
import { createShareRepo } from "./share/repo";
import { createShareService } from "./share/service";
import { boxCompatible, imageVersion } from "./jobs/update";
import { createUpdateService, type UpdateServiceDeps } from "./update/service";
import { createUpdateUploads } from "./update/tus";
import { createAppPasswords } from "./auth/app-passwords";
import { createDavRepo } from "./dav/repo";
import { createDavService } from "./dav/service";
import { createLocks } from "./dav/locks";
import { createDavMethods } from "./dav/methods";
import { createChunkedUploads } from "./dav/chunks";
import { createLoginFlows } from "./dav/login-flow";
import { createDeviceStatus } from "./dav/devices";
import { startOfDay } from "../views/format";

/** Merges OS settings into the request file root applies on the appliance (nas-settings.path); throws if not written. */
function systemSettingsFile(path: string): SystemSettingsSink {
  return (patch) => {
    const current = existsSync(path) ? readSystemSettings(path) : {};
    requestSystemSettings(path, { ...current, ...patch });
  };
}

export type ServiceDeps = { db: Db; config: Config; now?: () => Date };

/** The feature services over one database, built the same way by the web server, the worker and the admin CLI. */
export function createServices({ db, config, now }: ServiceDeps) {
  const audit = createAuditRepo(db);
  const settingsRepo = createSettingsRepo(db);
  const settings = createSettingsService(settingsRepo, { toSystem: systemSettingsFile(join(config.dataDir, "system-settings.json")) });
  const auth = createAuthService({
    repo: createAuthRepo(db),
    config,
    now,
    deviceName: () => settings.all().deviceName,
    registrationPolicy: () => settings.all().registrationPolicy,
    applySetup: (s) => settings.update(s),
  });
  const jobs = createJobQueue({ repo: createJobRepo(db), now });
  // The web side of the media pipeline only: it queues work and finds derivatives; the worker decodes.
  const media = createMediaService({ repo: createMediaRepo(db), jobs, dataDir: config.dataDir, setting: settingsRepo.get, now });
  return { audit, settings, auth, jobs, media };
}

export type Services = ReturnType<typeof createServices>;

/** Dashboard hardware (smartctl, samplers, power, lsblk); tests replace any part with fakes. */
export type SystemHw = {
  smart: SmartReader;
  liveSampler: SystemSampler;
  minuteSampler: SystemSampler;
  power: PowerControl;
  blockDevices: () => Promise<BlockDevice[]>;
  filesystems: () => Promise<MountedFilesystem[]>;
  /** Runs lsblk/blkid for the storage page; `storageLoopDevices` also offers loop devices as disks (tests). */
  storageRun: Runner;
  storageLoopDevices: boolean;
  /** The web process may not open disks (the image): SMART is read by the root worker through `smart.*` jobs. */
  smartInWorker: boolean;
  /** What updates need to know about the box (RAUC compatible, version, keyring) and the network; tests pass their own. */
  updates: Partial<Pick<UpdateServiceDeps, "compatible" | "version" | "keyring" | "run" | "fetch" | "freeBytes">>;
};

/** Drive over one database and data dir, telling the media pipeline about new content: the web process and the admin CLI's import. */
export function createDrive(core: Services, { db, config, now }: ServiceDeps) {
  const previewScript = join(APP_ROOT, "app/media/preview.ts");
  return createDriveService({
    repo: createDriveRepo(db),
    blobs: createBlobStore({ dataDir: config.dataDir, now }),
    media: core.media,
    runPreview: (input, out) => runCommand([process.execPath, previewScript, input, out], { timeoutMs: 20_000 }),
    trashRetentionDays: () => core.settings.all().trashRetentionDays,
    grants: folderShareGrants(db),
    now,
  });
}

/** What Drive's can() reads about folders shared between users (app/share), on every check. */
function folderShareGrants(db: Db) {
  const shares = createShareRepo(db);
  return { access: (userId: string, folderIds: string[]) => shares.bestAccess(userId, folderIds), rootsFor: (userId: string) => shares.folderIdsFor(userId) };
}

/**
 * The web process's composition root: every service its routes use, built once here from the database, the config
 * and the hardware (real by default, fakes in tests). Routes receive these; none builds a service or touches `hw/`.
 */
export function createWebServices(deps: ServiceDeps & { hw?: Partial<SystemHw>; secret: Buffer }) {
  const { db, config, now, hw = {} } = deps;
  const core = createServices({ db, config, now });
  const { settings, auth, jobs } = core;
  const driveRepo = createDriveRepo(db);
  const drive = createDrive(core, deps);
  const filesystems = hw.filesystems ?? (() => listFilesystems());
  // The data disk is chosen in the wizard's last step and on Dashboard → Storage: one service for both.
  const storage = createDataDiskService({
    dataDir: config.dataDir,
    repo: createDataDiskRepo(db),
    jobs,
    listUsers: () => auth.listUsers(),
    filesystems,
    run: hw.storageRun,
    includeLoop: hw.storageLoopDevices ?? process.env.NAS_STORAGE_LOOP_DEVICES === "1",
  });
  const dashboardRepo = createDashboardRepo(db);
  const health = createDiskHealth({ repo: dashboardRepo, smart: hw.smart ?? createSmartReader(), blockDevices: hw.blockDevices ?? (() => listBlockDevices()) });
  const smartInWorker = hw.smartInWorker ?? process.env.NAS_SMART_IN_WORKER === "1";
  const dashboard = createDashboardService({
    repo: dashboardRepo,
    disks: smartInWorker ? queuedDiskChecks({ health, jobs }) : directDiskChecks(health),
    liveSampler: hw.liveSampler ?? createSystemSampler(),
    minuteSampler: hw.minuteSampler ?? createSystemSampler(),
    power: hw.power ?? systemdPower(),
    filesystems,
    jobs,
    dataDir: config.dataDir,
    media: () => core.media.overview(),
    listUsers: () => auth.listUsers(),
    setQuota: (userId, gigabytes) => auth.setQuota(userId, gigabytes),
    backupKeepDays: () => settings.all().backupKeepDays,
    alertWebhook: () => settings.all().alertWebhook,
    deviceName: () => settings.all().deviceName,
    usedBytes: (userId) => driveRepo.usedBytes(userId),
  });
  const shareRepo = createShareRepo(db);
  const photos = createPhotosService({
    repo: createPhotosRepo(db),
    drive,
    // Albums shared between users (app/share), read on every check.
    albumGrants: { access: (userId, albumId) => shareRepo.albumAccess(userId, albumId), albumIdsFor: (userId) => shareRepo.albumIdsFor(userId) },
    userById: (id) => auth.userById(id),
    now,
  });
  const share = createShareService({
    repo: shareRepo,
    drive,
    photos,
    playableVideo: (file) => core.media.derivativeOf(file, "video"),
    mediaThumb: (file) => core.media.derivativeOf(file, "thumb"),
    audit: core.audit,
    userById: (id) => auth.userById(id),
    userByName: (username) => auth.listUsers().find((u) => u.username === username),
    secret: deps.secret,
    // Link passwords: 10 tries per link and 30 per address in 15 minutes, checked before the slow hash runs.
    attempts: { byLink: createRateLimiter({ limit: 10, windowMs: 15 * 60_000 }), byIp: createRateLimiter({ limit: 30, windowMs: 15 * 60_000 }) },
    now,
  });
  const update = createUpdateService({
    dataDir: config.dataDir,
    jobs,
    settings: createSettingsRepo(db),
    // NAS_RAUC_SYSTEM_CONF: another system.conf (browser tests of the page without an image).
    compatible: () => boxCompatible(process.env.NAS_RAUC_SYSTEM_CONF),
    version: () => (existsSync("/usr/lib/os-release") ? imageVersion() : "unknown"),
    run: runCommand,
    keyring: "/etc/rauc/keyring.pem",
    now,
    ...hw.updates,
  });
  const updateUploads = createUpdateUploads({ update, dataDir: config.dataDir });
  // Devices' app passwords (WebDAV, Nextcloud clients): 10 wrong ones per account and 30 per address in 15 minutes.
  const devices = createAppPasswords({
    db,
    now,
    limits: { byAccount: createRateLimiter({ limit: 10, windowMs: 15 * 60_000 }), byIp: createRateLimiter({ limit: 30, windowMs: 15 * 60_000 }) },
  });
  const davRepo = createDavRepo(db);
  const clock = now ?? (() => new Date());
  const dav = createDavService({ drive, repo: davRepo, locks: createLocks({ repo: davRepo, now: clock }), dataDir: config.dataDir, now: clock });
  const chunks = createChunkedUploads({ dataDir: config.dataDir, freeBytes: () => dav.freeBytes(), now: clock });
  const davMethods = createDavMethods({ dav, drive, chunks });
  return {
    ...core,
    drive,
    share,
    tus: createTusUploads({ drive, dataDir: config.dataDir }),
    storage,
    dashboard,
    photos,
    update,
    updateUploads,
    devices,
    dav,
    davMethods,
    chunks,
    loginFlows: createLoginFlows({ devices }),
    deviceStatus: createDeviceStatus({
      repo: davRepo,
      devices,
      now: clock,
      // Midnight in the box's time zone: "today" on the status pages is the family's day.
      startOfToday: () => startOfDay(new Intl.DateTimeFormat("en-CA", { timeZone: settings.all().timeZone }).format(clock())),
    }),
  };
}

export type WebServices = ReturnType<typeof createWebServices>;
