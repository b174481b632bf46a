import { createAccessPolicy } from "./access/policy";
import { createAccessRepo } from "./access/repo";
import { createAuditRepo } from "./platform/audit";
import { createAuthRepo } from "./auth/repo";
import { createAuthService } from "./auth/service";
import type { Config } from "./platform/config";
import { changeCounter, type Db } from "./platform/db/client";
import { createJobRepo } from "./platform/queue/repo";
import { createJobQueue } from "./platform/queue/queue";
import type { JobPayloads } from "./jobs";
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
import { APP_ROOT, dataPaths } from "./platform/paths";
import { createPartnerRepo } from "./photos/partner-repo";
import { createAlbumRepo } from "./photos/album-repo";
import { createPhotosRepo } from "./photos/repo";
import { createPhotosService } from "./photos/service";
import { createMemoryRepo } from "./photos/memory-repo";
import { createPhotoEdits } from "./photos/edit/edits";
import { createEditRepo } from "./photos/edit/repo";
import { createPeopleService } from "./people/service";
import { createMapsService } from "./maps/service";
import { createHomeSummaries } from "./home/summary";
import { createDiskHealth, directDiskChecks, queuedDiskChecks } from "./dashboard/disk-health";
import { createDashboardRepo } from "./dashboard/repo";
import { systemdPower, type PowerControl } from "./dashboard/power";
import { createDashboardService } from "./dashboard/service";
import { createStorageRepo } from "./storage/repo";
import { createStorageService } from "./storage/service";
import { createRateLimiter } from "./platform/http/rate-limit";
import { createShareRepo } from "./share/repo";
import { cleanContent } from "./share/clean";
import { createShareService } from "./share/service";
import { boxCompatible, imageVersion } from "./update/root-jobs";
import { createUpdateService, type UpdateServiceDeps } from "./update/service";
import { createUpdateUploads } from "./update/tus";
import { type Clock, systemClock } from "./platform/clock";
import { createAppPasswords } from "./auth/app-passwords";
import { createDavRepo } from "./dav/repo";
import { createDavService } from "./dav/service";
import { createLocks } from "./dav/locks";
import { createDavMethods } from "./dav/methods";
import { createChunkedUploads } from "./dav/chunks";
import { createLoginFlows } from "./dav/login-flow";
import { createDeviceStatus } from "./dav/devices";
import { startOfDay } from "../views/format";
import { createBackupRepo } from "./backup/repo";
import { createBackupService } from "./backup/service";
import { createBackupHost, createHostListener, hostCertificate } from "./backup/host";
import { createSpaceReserve } from "./platform/space";

/** Merges OS settings into the request file root applies on the appliance (nas-settings.path); throws if not written. */
function systemSettingsFile(path: string): SystemSettingsSink {
  return (patch) => {
    const current = existsSync(path) ? readSystemSettings(path) : {};
    requestSystemSettings(path, { ...current, ...patch });
  };
}

/** `now`: the clock every service reads; default: the system's (tests pass one they can move). */
export type ServiceDeps = { db: Db; config: Config; now?: Clock };

/** The feature services over one database, built the same way by the web server, the worker and the admin CLI. */
export function createServices(deps: ServiceDeps) {
  const { db, config } = deps;
  const now = deps.now ?? systemClock;
  const audit = createAuditRepo(db, now);
  // On a full disk: deleting, emptying the trash, signing in and their audit rows release it (app/platform/space.ts).
  const space = createSpaceReserve(dataPaths(config.dataDir).spaceReserve, config.dataDir);
  const settingsRepo = createSettingsRepo(db);
  const settings = createSettingsService(settingsRepo, { toSystem: systemSettingsFile(dataPaths(config.dataDir).systemSettings) });
  const auth = createAuthService({
    repo: createAuthRepo(db),
    config,
    now,
    deviceName: () => settings.all().deviceName,
    registrationPolicy: () => settings.all().registrationPolicy,
    applySetup: (s) => settings.update(s),
    space,
  });
  const jobs = createJobQueue<JobPayloads>({ repo: createJobRepo(db), now });
  // The web side of the media pipeline only: it queues work and finds derivatives; the worker decodes.
  const media = createMediaService({ repo: createMediaRepo(db), jobs, dataDir: config.dataDir, setting: settingsRepo.get, now });
  // Who may touch what (app/access): every feature asks it, grants are read on every check.
  const access = createAccessPolicy({ repo: createAccessRepo(db), now });
  return { now, audit, settings, auth, jobs, media, access, space };
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
export function createDrive(core: Services, { db, config }: ServiceDeps) {
  const { now } = core;
  const previewScript = join(APP_ROOT, "app/media/preview.ts");
  return createDriveService({
    repo: createDriveRepo(db),
    blobs: createBlobStore({ dataDir: config.dataDir, now }),
    media: core.media,
    runPreview: (input, out) => runCommand([process.execPath, previewScript, input, out], { timeoutMs: 20_000 }),
    trashRetentionDays: () => core.settings.all().trashRetentionDays,
    access: core.access,
    space: core.space,
    now,
  });
}

/**
 * Offsite backups (app/backup) on the web side: the Backups page's service, and when this box hosts other boxes'
 * backups (BACKUP_HOST_PORT), the REST host and its listener (started by main.ts; tests call the host directly).
 */
function createBackup(core: Services, { db, config }: ServiceDeps) {
  const repo = createBackupRepo(db);
  const settingsRepo = createSettingsRepo(db);
  const host = config.backupHostPort > 0 ? createBackupHost({ repo, dataDir: config.dataDir, now: core.now }) : null;
  const scheme = config.tls ? "https" : "http";
  const hostAddress = () =>
    settingsRepo.get<string>(BACKUP_HOST_ADDRESS) ?? (host ? `${scheme}://${new URL(config.origins[0]!).hostname}:${config.backupHostPort}` : null);
  // The names the host's certificate covers: the address guests use, and the box's own names on the LAN.
  const certNames = () => [...new Set([new URL(hostAddress() ?? config.origins[0]!).hostname, ...config.origins.map((o) => new URL(o).hostname), "localhost"])];
  const listener = host
    ? createHostListener({ host, port: config.backupHostPort, hostname: config.hostname, tls: !!config.tls, dataDir: config.dataDir, names: certNames })
    : null;
  const service = createBackupService({
    repo,
    jobs: core.jobs,
    dataDir: config.dataDir,
    now: core.now,
    timeZone: () => core.settings.all().timeZone,
    deviceName: () => core.settings.all().deviceName,
    host,
    hostAddress,
    setHostAddress: async (address) => {
      settingsRepo.set(BACKUP_HOST_ADDRESS, address);
      await listener?.restart();
    },
    hostCertificate: async () => (config.tls ? (await hostCertificate(config.dataDir, certNames())).cert : null),
  });
  return { service, listener };
}
const BACKUP_HOST_ADDRESS = "backupHostAddress";

/**
 * The web process's composition root: every service its routes use, built once here from the database, the config
 * and the hardware (real by default, fakes in tests). Routes receive these; none builds a service or touches `hw/`.
 */
export function createWebServices(deps: ServiceDeps & { hw?: Partial<SystemHw>; secret: Buffer }) {
  const { db, config, hw = {} } = deps;
  const core = createServices(deps);
  const { now, settings, auth, jobs } = core;
  const driveRepo = createDriveRepo(db);
  const drive = createDrive(core, deps);
  const filesystems = hw.filesystems ?? (() => listFilesystems());
  // The data disk is chosen in the wizard's last step and on Dashboard → Storage: one service for both.
  const storage = createStorageService({
    dataDir: config.dataDir,
    repo: createStorageRepo(db),
    jobs,
    listUsers: () => auth.users.list(),
    filesystems,
    run: hw.storageRun,
    includeLoop: hw.storageLoopDevices ?? config.storageLoopDevices,
    now,
  });
  const backup = createBackup(core, deps);
  const dashboardRepo = createDashboardRepo(db);
  const health = createDiskHealth({
    repo: dashboardRepo,
    smart: hw.smart ?? createSmartReader(),
    blockDevices: hw.blockDevices ?? (() => listBlockDevices()),
    now,
  });
  const smartInWorker = hw.smartInWorker ?? config.smartInWorker;
  // Devices' app passwords (WebDAV, Nextcloud clients): 10 wrong ones per account and 30 per address in 15 minutes.
  const devices = createAppPasswords({
    db,
    now,
    limits: { byAccount: createRateLimiter({ limit: 10, windowMs: 15 * 60_000, now }), byIp: createRateLimiter({ limit: 30, windowMs: 15 * 60_000, now }) },
  });
  const davRepo = createDavRepo(db);
  const deviceStatus = createDeviceStatus({
    repo: davRepo,
    devices,
    now,
    // Midnight in the box's time zone: "today" on the status pages is the family's day.
    startOfToday: () => {
      const { timeZone } = settings.all();
      return startOfDay(new Intl.DateTimeFormat("en-CA", { timeZone }).format(now()), timeZone);
    },
  });
  const people = createPeopleService({ db, dataDir: config.dataDir, access: core.access, settings: createSettingsRepo(db), now });
  const maps = createMapsService({ settings: createSettingsRepo(db), dataDir: config.dataDir });
  const dashboard = createDashboardService({
    repo: dashboardRepo,
    disks: smartInWorker ? queuedDiskChecks({ health, jobs, now }) : directDiskChecks(health, now),
    liveSampler: hw.liveSampler ?? createSystemSampler(),
    minuteSampler: hw.minuteSampler ?? createSystemSampler(),
    power: hw.power ?? systemdPower({ appliance: config.appliance }),
    filesystems,
    jobs,
    dataDir: config.dataDir,
    media: () => core.media.overview(),
    people: () => people.overview(),
    listUsers: () => auth.users.list(),
    setQuota: (userId, gigabytes) => auth.users.setQuota(userId, gigabytes),
    backupKeepDays: () => settings.all().backupKeepDays,
    alertWebhook: () => settings.all().alertWebhook,
    deviceName: () => settings.all().deviceName,
    usedBytes: (userId) => driveRepo.usedBytes(userId),
    moreAlerts: () => [...deviceStatus.alerts(auth.users.list()), ...backup.service.alerts()],
    now,
  });
  const photos = createPhotosService({
    repo: createPhotosRepo(db),
    albums: createAlbumRepo(db),
    memories: createMemoryRepo(db),
    drive,
    access: core.access,
    userById: (id) => auth.users.byId(id),
    partners: createPartnerRepo(db),
    userByName: (name) => auth.users.byName(name),
    withoutPlace: cleanContent,
    now,
  });
  const edits = createPhotoEdits({
    repo: createEditRepo(db),
    drive,
    jobs,
    dataDir: config.dataDir,
    userName: (id) => auth.users.byId(id)?.username,
    now,
  });
  const share = createShareService({
    repo: createShareRepo(db),
    access: core.access,
    drive,
    photos,
    playableVideo: (file) => core.media.derivativeOf(file, "video"),
    mediaThumb: (file) => core.media.derivativeOf(file, "thumb"),
    editedPhoto: (file) => edits.editedOriginal(file),
    audit: core.audit,
    userByName: (username) => auth.users.list().find((u) => u.username === username),
    secret: deps.secret,
    // Link passwords: 10 tries per link and 30 per address in 15 minutes, each counted before the slow hash runs.
    attempts: { byLink: createRateLimiter({ limit: 10, windowMs: 15 * 60_000, now }), byIp: createRateLimiter({ limit: 30, windowMs: 15 * 60_000, now }) },
    now,
  });
  const update = createUpdateService({
    dataDir: config.dataDir,
    jobs,
    settings: createSettingsRepo(db),
    compatible: () => boxCompatible(config.raucSystemConf ?? undefined),
    version: () => (existsSync("/usr/lib/os-release") ? imageVersion() : "unknown"),
    run: runCommand,
    keyring: "/etc/rauc/keyring.pem",
    now,
    ...hw.updates,
  });
  const updateUploads = createUpdateUploads({ update, dataDir: config.dataDir });
  const dav = createDavService({ drive, access: core.access, repo: davRepo, locks: createLocks({ repo: davRepo, now }), dataDir: config.dataDir, now });
  const chunks = createChunkedUploads({ dataDir: config.dataDir, freeBytes: () => dav.freeBytes() });
  const davMethods = createDavMethods({ dav, drive, chunks });
  const home = createHomeSummaries({
    drive,
    photos,
    health: () => dashboard.alerts.health(),
    silentDevices: (user) => deviceStatus.silentFor(user).map((s) => ({ name: s.device.name, days: s.quietDays })),
    changes: changeCounter(db),
  });
  return {
    ...core,
    drive,
    share,
    tus: createTusUploads({ drive, dataDir: config.dataDir }),
    storage,
    dashboard,
    photos,
    edits,
    people,
    maps,
    update,
    updateUploads,
    home,
    devices,
    dav,
    davMethods,
    chunks,
    loginFlows: createLoginFlows({ devices, now }),
    deviceStatus,
    backup: backup.service,
    backupListener: backup.listener,
  };
}

export type WebServices = ReturnType<typeof createWebServices>;
