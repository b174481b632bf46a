import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { LOG_LEVELS, type LogLevel } from "./log";
import { dataPaths } from "./paths";

export type Config = {
  dataDir: string;
  port: number;
  hostname: string;
  /** Public origin the browser uses, e.g. https://nas.local. WebAuthn checks it exactly. */
  origins: string[];
  /** WebAuthn relying-party id: the host name of the origin, never an IP. */
  rpID: string;
  tls: { cert: string; key: string } | null;
  /** Where the box's local CA lives (served at /ca.crt): beside the server certificate. */
  tlsDir: string;
  /** Port for the http→https redirector when TLS is on (0 = off). */
  httpRedirectPort: number;
  deviceNameFallback: string;
  secureCookies: boolean;
  /** Log lines below this level are dropped (LOG_LEVEL: debug, info, warn, error). */
  logLevel: LogLevel;
  /** NAS_APPLIANCE=1 (the image's web unit): this is the appliance, so the dashboard may reboot and shut it down. */
  appliance: boolean;
  /** NAS_SMART_IN_WORKER=1 (the image): the web process may not open disks; the root worker reads SMART in jobs. */
  smartInWorker: boolean;
  /** NAS_STORAGE_LOOP_DEVICES=1: loop devices are offered as data disks (tests, trying it out in a VM). */
  storageLoopDevices: boolean;
  /** NAS_WORKER_KINDS (comma-separated): the only job kinds this worker takes; null: every kind it may run. */
  workerKinds: string[] | null;
  /** NAS_WORKER_OFFLINE=1 (the image's sandboxed worker): no network here, so the kinds that need it are left to another worker. */
  workerOffline: boolean;
  /** BACKUP_HOST_PORT: where this box hosts other boxes' backups (restic's REST protocol, app/backup/host.ts); 0: it does not. */
  backupHostPort: number;
  /**
   * NAS_MEDIA_WORKERS: media jobs run side by side, 1 to 4 (default 2: libjpeg decodes a photo on one core, so two
   * photos keep a 2-core box's cores busy; videos and HEIC decodes still go one at a time; the worker runs niced).
   */
  mediaWorkers: number;
  /** NAS_RAUC_SYSTEM_CONF: another RAUC system.conf than the box's (browser tests of the System page); null: the box's. */
  raucSystemConf: string | null;
  /**
   * NAS_PEOPLE_PAUSE_ABOVE: face and object indexing (app/people) waits while other work uses more than this share of
   * the processor, in percent (default 50); 0: it never waits.
   */
  peoplePauseAbove: number;
};

/** Flags shared by every entry point (web server, worker, CLI). */
export const configFlags = {
  "data-dir": { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  origin: { type: "string", multiple: true },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
} as const;

/** Flags win over env, env wins over defaults. Throws with a readable message on bad values. */
export function loadConfig(argv: string[] = [], env: Record<string, string | undefined> = process.env): Config {
  const { values } = parseArgs({ args: argv, options: configFlags, strict: false, allowPositionals: true });
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

  const dataDir = resolve(str(values["data-dir"]) ?? env.DATA_DIR ?? "./data");
  const port = Number(str(values.port) ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, got ${port}`);

  const certPath = str(values["tls-cert"]) ?? env.TLS_CERT;
  const keyPath = str(values["tls-key"]) ?? env.TLS_KEY;
  if (Boolean(certPath) !== Boolean(keyPath)) throw new Error("TLS_CERT and TLS_KEY must be given together");
  const tls = certPath && keyPath ? { cert: resolve(certPath), key: resolve(keyPath) } : null;

  const originList =
    (values.origin as string[] | undefined) ??
    env.ORIGIN?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const origins = originList?.length ? originList : [`${tls ? "https" : "http"}://localhost${port === 80 || port === 443 ? "" : `:${port}`}`];
  for (const o of origins) {
    const u = new URL(o);
    if (u.origin !== o) throw new Error(`ORIGIN must be a bare origin like https://nas.local, got ${o}`);
  }
  const rpID = env.RP_ID ?? new URL(origins[0]!).hostname;
  const logLevel = (env.LOG_LEVEL ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got ${logLevel}`);
  const mediaWorkers = Number.parseInt(env.NAS_MEDIA_WORKERS ?? "", 10);
  const backupHostPort = Number(env.BACKUP_HOST_PORT ?? 0);
  if (!Number.isInteger(backupHostPort) || backupHostPort < 0 || backupHostPort > 65535)
    throw new Error(`BACKUP_HOST_PORT must be 0-65535, got ${env.BACKUP_HOST_PORT}`);
  const peoplePauseAbove = Number(env.NAS_PEOPLE_PAUSE_ABOVE ?? 50);
  if (!Number.isFinite(peoplePauseAbove) || peoplePauseAbove < 0 || peoplePauseAbove > 100)
    throw new Error(`NAS_PEOPLE_PAUSE_ABOVE must be 0-100 (percent; 0: never pause), got ${env.NAS_PEOPLE_PAUSE_ABOVE}`);
  const workerKinds = env.NAS_WORKER_KINDS?.split(",")
    .map((k) => k.trim())
    .filter(Boolean);

  return {
    dataDir,
    port,
    hostname: str(values.host) ?? env.HOST ?? "0.0.0.0",
    origins,
    rpID,
    tls,
    tlsDir: resolve(env.TLS_DIR ?? (tls ? dirname(tls.cert) : dataPaths(dataDir).tls)),
    httpRedirectPort: Number(env.HTTP_REDIRECT_PORT ?? 0),
    deviceNameFallback: env.DEVICE_NAME ?? "nas",
    secureCookies: origins.every((o) => o.startsWith("https:")),
    logLevel,
    appliance: env.NAS_APPLIANCE === "1",
    smartInWorker: env.NAS_SMART_IN_WORKER === "1",
    storageLoopDevices: env.NAS_STORAGE_LOOP_DEVICES === "1",
    workerKinds: workerKinds ?? null,
    workerOffline: env.NAS_WORKER_OFFLINE === "1",
    backupHostPort,
    mediaWorkers: Number.isNaN(mediaWorkers) ? 2 : Math.max(1, Math.min(4, mediaWorkers)),
    raucSystemConf: str(env.NAS_RAUC_SYSTEM_CONF) ?? null,
    peoplePauseAbove,
  };
}

/**
 * The data dir holds everyone's files and the database: private to the service (0700), and every file this process
 * creates from now on (tus partial files, previews, backups) is 0600 whatever the caller's umask.
 */
export function makeDataDirPrivate(dataDir: string) {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}

/** The web server notes the origins it serves, so the admin CLI prints links for them without being told again. */
export function recordServedOrigins(dataDir: string, origins: string[]) {
  writeFileSync(dataPaths(dataDir).servedOrigins, JSON.stringify({ origins }), { mode: 0o600 });
}

/** Where printed links point: an explicit --origin/ORIGIN, else what the server last served, else the default. */
export function linkOrigin(config: Config, argv: string[], env: Record<string, string | undefined>): string {
  const explicit = argv.some((a) => a === "--origin" || a.startsWith("--origin=")) || !!env.ORIGIN;
  if (!explicit) {
    try {
      const served = JSON.parse(readFileSync(dataPaths(config.dataDir).servedOrigins, "utf8")) as { origins?: unknown };
      if (Array.isArray(served.origins) && typeof served.origins[0] === "string") return served.origins[0];
    } catch {} // no server has run on this data dir yet
  }
  return config.origins[0]!;
}
