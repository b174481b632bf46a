import { Elysia } from "elysia";
import { authEvents, authRoutes } from "./auth/routes";
import type { Config } from "./platform/config";
import type { Db } from "./platform/db/client";
import { accessControl } from "./platform/http/access";
import { requestContext } from "./platform/http/context";
import { errorHandler, requestIds } from "./platform/http/errors";
import { htmlResponses } from "./platform/http/html";
import { pageChrome } from "./platform/http/page";
import { homeRoutes } from "./home/routes";
import { createRateLimiter } from "./platform/http/rate-limit";
import { forgetSpooled } from "./platform/http/body";
import { dataPaths } from "./platform/paths";
import { rmSync } from "node:fs";
import { log } from "./platform/log";
import { startCheckProblems } from "./platform/db/client";
import { checkBackup, restoreCandidates, stageRestore } from "./setup/restore";
import { securityPlugin } from "./platform/http/security";
import { manifest, staticRoutes } from "./platform/http/static";
import { driveRoutes } from "./drive/routes";
import { mediaRoutes } from "./media/routes";
import { photosRoutes } from "./photos/routes";
import { editRoutes } from "./photos/edit/routes";
import { peopleRoutes } from "./people/routes";
import { mapsRoutes } from "./maps/routes";
import { offlineRoutes } from "./offline/routes";
import { sharePaths } from "./share/openapi";
import { shareRoutes } from "./share/routes";
import { shareEvents } from "./share/context";
import { auditVocabulary } from "./platform/audit";
import { createWebServices, type SystemHw } from "./services";
import { settingsEvents, settingsRoutes } from "./settings/routes";
import { exitForRestart, setupRoutes } from "./setup/routes";
import { backupRoutes, restoreBoxRoutes } from "./backup/routes";
import { dashboardEvents, dashboardRoutes } from "./dashboard/routes";
import { storageRoutes } from "./storage/routes";
import { systemUpdateRoutes, updateEvents } from "./update/routes";
import { tlsRoutes } from "./tls/routes";
import { davRoutes } from "./dav/routes";
import { nextcloudRoutes } from "./dav/nextcloud";
import { devicePages } from "./dav/pages";
import { clientErrorResponse } from "./dav/errors";
import { hmac } from "./platform/crypto";
import { requireAdmin } from "./access/policy";
import { isAdmin } from "./access/viewer";
import type { Clock } from "./platform/clock";

export type AppDeps = {
  config: Config;
  db: Db;
  /** 32 random bytes kept in the data dir; keys the CSRF tokens. */
  secret: Buffer;
  /** Tests pass a fixed address; the real server asks Bun for the peer address. */
  clientIp?: (request: Request) => string | null;
  /** The clock every service reads; default: the system's. Tests pass one they can move. */
  now?: Clock;
  /** Dashboard hardware (smartctl, samplers, power); tests pass fakes. */
  hw?: Partial<SystemHw>;
  /** After the wizard staged a database restore; default: exit so systemd restarts the server. Tests record the call. */
  requestRestart?: () => void;
};

/** Builds the services once and composes every feature's routes. Tests call `createApp(deps).handle(request)`. */
export function createApp(deps: AppDeps) {
  const { config, db } = deps;
  const services = createWebServices({ db, config, now: deps.now, hw: deps.hw, secret: deps.secret });
  const { now, audit, settings, auth, drive, share, tus, storage, dashboard, media, photos, people, update, updateUploads, home, devices, davMethods, backup } =
    services;
  // Built once: who is asking, the page chrome derived from it, and the access rules every route declares (app/platform/http/access.ts).
  const context = requestContext({ auth, devices, secret: deps.secret, secureCookies: config.secureCookies, clientIp: deps.clientIp });
  const page = pageChrome({ context, settings: () => settings.all(), isAdmin, banner: () => dashboard.alerts.banner() });
  const formFiles = dataPaths(config.dataDir).formFiles;
  const access = accessControl({ context, page, origins: config.origins, spoolDir: formFiles, requireAdmin });
  // The audit log's words: each route's own (`{ audit }`, read from the finished route table) and the named events.
  const auditWords = auditVocabulary(
    () => app.routes,
    [
      authEvents,
      settingsEvents,
      dashboardEvents,
      updateEvents,
      shareEvents,
      // The admin CLI's rows, cli.<command> (app/cli.ts); an import says what it brought in.
      {
        cli: { kind: "system", did: "used the admin command line" },
        "cli.import": { kind: "files", did: "imported files on the command line", about: "imported {} on the command line" },
      },
    ],
  );
  const limits = {
    loginByIp: createRateLimiter({ limit: 20, windowMs: 5 * 60_000, now }),
    loginByAccount: createRateLimiter({ limit: 10, windowMs: 5 * 60_000, now }),
    recoveryByIp: createRateLimiter({ limit: 10, windowMs: 15 * 60_000, now }),
    recoveryByAccount: createRateLimiter({ limit: 5, windowMs: 15 * 60_000, now }),
  };

  // Mounted disks other than the data disk: where a USB or second-disk backup can go.
  const backupDisks = async () => (await storage.copyTargets()).map((fs) => ({ mount: fs.mount, label: `${fs.mount} (${fs.device})` }));
  const databaseCheck = reportDatabaseCheck(deps, dashboard);
  /** Stages a database to replace this one and restarts the service (a whole box from a backup, or a database copy after a failed check). */
  const stage = (dbFile: string) => {
    const staged = stageRestore(config.dataDir, dbFile);
    if (staged.ok) (deps.requestRestart ?? exitForRestart)();
    return staged;
  };

  const app = new Elysia()
    // A multipart form's files live on disk while their request runs; a crash leaves them for the next start.
    .onStart(() => {
      rmSync(formFiles, { recursive: true, force: true });
      try {
        services.space.ensure();
      } catch (e) {
        log.warn(`space reserve not made: ${(e as Error).message}`);
      }
    })
    .onAfterResponse({ as: "global" }, ({ request }) => forgetSpooled(request))
    .use(requestIds)
    .use(htmlResponses)
    .use(access)
    .use(securityPlugin({ audit, space: services.space }))
    // After the security plugin, whose error hook writes the audit row of a refused change first.
    // An unknown address matched no route, so no route resolved the viewer: the error page asks for it (layout with navigation).
    .use(
      errorHandler({
        pageOf: (cookieValue) => {
          const user = cookieValue ? auth.sessions.resolve(cookieValue)?.user : undefined;
          return user ? page.chrome(user, hmac(deps.secret, `csrf:${cookieValue}`)) : page.chrome(null, "");
        },
        clientError: (request, error, status, message) => clientErrorResponse(request, error, status, message, settings.all().deviceName),
      }),
    )
    .get(
      "/healthz",
      () => {
        const ok = db.$client.query("select 1 as ok").get() as { ok: number } | null;
        return { status: ok?.ok === 1 ? "ok" : "degraded", setupDone: auth.users.setupDone() };
      },
      { public: true },
    )
    .get(
      "/manifest.webmanifest",
      ({ page, set }) => {
        set.headers["content-type"] = "application/manifest+json";
        return JSON.stringify(manifest(page.deviceName));
      },
      { public: true },
    )
    .use(staticRoutes())
    .use(offlineRoutes())
    .use(tlsRoutes({ tlsDir: config.tlsDir }))
    .use(setupRoutes({ access, auth, config, storage, requestRestart: deps.requestRestart }))
    .use(authRoutes({ access, auth, config, audit, limits }))
    .use(settingsRoutes({ access, auth, settings, audit, auditWords, config }))
    .use(driveRoutes({ access, drive, tus, media, apiPaths: sharePaths }))
    .use(davRoutes({ access, methods: davMethods }))
    .use(
      nextcloudRoutes({
        access,
        flows: services.loginFlows,
        devices,
        dav: services.dav,
        drive,
        media,
        share,
        deviceName: () => settings.all().deviceName,
        timeZone: () => settings.all().timeZone,
        now,
        browserOrigin: config.origins[0]!,
      }),
    )
    .use(devicePages({ access, devices, statuses: services.deviceStatus, drive, media, server: config.origins[0]! }))
    .use(mediaRoutes({ access, drive, media }))
    .use(photosRoutes({ access, photos, media, drive, maps: services.maps }))
    .use(mapsRoutes({ access, maps: services.maps }))
    .use(editRoutes({ access, drive, edits: services.edits }))
    .use(peopleRoutes({ access, people, media }))
    .use(shareRoutes({ access, share, secureCookies: config.secureCookies, now }))
    .use(dashboardRoutes({ access, audit, settings, dashboard }))
    .use(backupRoutes({ access, settings, backup, dashboard, disks: backupDisks, databaseCheck, restoreDatabase: stage }))
    .use(
      restoreBoxRoutes({
        access,
        backup,
        setupDone: () => auth.users.setupDone(),
        disks: backupDisks,
        stage,
      }),
    )
    .use(storageRoutes({ access, storage }))
    .use(systemUpdateRoutes({ access, audit, update, uploads: updateUploads }))
    .use(
      homeRoutes({
        access,
        auth,
        home,
      }),
    );

  return Object.assign(app, { services, auditWords });
}

export type App = ReturnType<typeof createApp>;

/**
 * A database that failed `quick_check` when this process opened it: a critical alert on the dashboard naming the newest
 * backup that passes its own check, which Dashboard → Backups then offers to restore.
 */
function reportDatabaseCheck(deps: AppDeps, dashboard: ReturnType<typeof createWebServices>["dashboard"]) {
  const problems = startCheckProblems(deps.db);
  if (!problems.length) return null;
  const newestGood = restoreCandidates(deps.config.dataDir).find((b) => checkBackup(b.path).ok) ?? null;
  const offer = newestGood
    ? `Restore the newest good backup, ${newestGood.name}, on Dashboard → Backups.`
    : "No backup passes its own check: copy the data disk before anything else, then ask for help.";
  try {
    dashboard.alerts.raise({
      severity: "critical",
      code: "database-check",
      subject: "database",
      message: `The database failed its integrity check at start (${problems.slice(0, 2).join("; ").slice(0, 300)}). ${offer}`,
    });
  } catch (e) {
    log.error(`the database check's alert could not be stored: ${(e as Error).message}`);
  }
  return { problems, newestGood };
}
