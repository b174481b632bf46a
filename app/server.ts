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
import { securityPlugin } from "./platform/http/security";
import { manifest, staticRoutes } from "./platform/http/static";
import { driveRoutes } from "./drive/routes";
import { mediaRoutes } from "./media/routes";
import { photosRoutes } from "./photos/routes";
import { sharePaths } from "./share/openapi";
import { shareRoutes } from "./share/routes";
import { shareEvents } from "./share/context";
import { auditVocabulary } from "./platform/audit";
import { createWebServices, type SystemHw } from "./services";
import { settingsEvents, settingsRoutes } from "./settings/routes";
import { setupRoutes } from "./setup/routes";
import { dashboardEvents, dashboardRoutes } from "./dashboard/routes";
import { systemUpdateRoutes, updateEvents } from "./update/routes";
import { tlsRoutes } from "./tls/routes";
import { hmac } from "./auth/crypto";
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
  const { now, audit, settings, auth, drive, share, tus, storage, dashboard, media, photos, update, updateUploads, home } = services;
  // Built once: who is asking, the page chrome derived from it, and the access rules every route declares (app/platform/http/access.ts).
  const context = requestContext({ auth, secret: deps.secret, secureCookies: config.secureCookies, clientIp: deps.clientIp });
  const page = pageChrome({ context, settings: () => settings.all(), banner: () => dashboard.alerts.banner() });
  const access = accessControl({ page, origins: config.origins });
  // The audit log's words: each route's own (`{ audit }`, read from the finished route table) and the named events.
  const auditWords = auditVocabulary(
    () => app.routes,
    [
      authEvents,
      settingsEvents,
      dashboardEvents,
      updateEvents,
      shareEvents,
      { cli: { kind: "system", did: "used the admin command line" } }, // the admin CLI's rows, cli.<command> (app/cli.ts)
    ],
  );
  const limits = {
    loginByIp: createRateLimiter({ limit: 20, windowMs: 5 * 60_000, now }),
    loginByAccount: createRateLimiter({ limit: 10, windowMs: 5 * 60_000, now }),
    recoveryByIp: createRateLimiter({ limit: 10, windowMs: 15 * 60_000, now }),
    recoveryByAccount: createRateLimiter({ limit: 5, windowMs: 15 * 60_000, now }),
  };

  const app = new Elysia()
    .use(requestIds)
    .use(htmlResponses)
    .use(access)
    .use(securityPlugin({ audit }))
    // After the security plugin, whose error hook writes the audit row of a refused change first.
    // An unknown address matched no route, so no route resolved the viewer: the error page asks for it (layout with navigation).
    .use(
      errorHandler({
        pageOf: (cookieValue) => {
          const user = cookieValue ? auth.sessions.resolve(cookieValue)?.user : undefined;
          return user ? page.chrome(user, hmac(deps.secret, `csrf:${cookieValue}`)) : page.chrome(null, "");
        },
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
    .use(tlsRoutes({ tlsDir: config.tlsDir }))
    .use(setupRoutes({ access, auth, config, storage, requestRestart: deps.requestRestart }))
    .use(authRoutes({ access, auth, config, audit, limits }))
    .use(settingsRoutes({ access, auth, settings, audit, auditWords, config }))
    .use(driveRoutes({ access, drive, tus, media, apiPaths: sharePaths }))
    .use(mediaRoutes({ access, drive, media }))
    .use(photosRoutes({ access, photos, media, drive }))
    .use(shareRoutes({ access, share, secureCookies: config.secureCookies, now }))
    .use(dashboardRoutes({ access, audit, settings, dashboard, storage }))
    .use(systemUpdateRoutes({ access, audit, update, uploads: updateUploads }))
    .use(homeRoutes({ access, auth, home }));

  return Object.assign(app, { services, auditWords });
}

export type App = ReturnType<typeof createApp>;
