import { Elysia } from "elysia";
import { authRoutes } from "./auth/routes";
import type { Config } from "./config";
import type { Db } from "./db/client";
import { requestContext, requireUser } from "./http/context";
import { HttpError } from "./http/errors";
import { htmlResponses } from "./http/html";
import { createRateLimiter } from "./http/rate-limit";
import { securityPlugin } from "./http/security";
import { manifest, staticRoutes } from "./http/static";
import { createDrive } from "./drive/module";
import { driveRoutes } from "./drive/routes";
import { mediaRoutes } from "./media/routes";
import { createPhotosRepo } from "./photos/repo";
import { photosRoutes } from "./photos/routes";
import { createPhotosService } from "./photos/service";
import { createServices } from "./services";
import { settingsRoutes } from "./settings/routes";
import { setupRoutes } from "./setup/routes";
import { createStorageRepo } from "./system/storage-repo";
import { createStorageService } from "./system/storage-service";
import { listFilesystems } from "../hw/system";
import { systemRoutes } from "./system/routes";
import { tlsRoutes } from "./tls/routes";
import { ErrorPage, ErrorToast } from "../views/ErrorPage";
import { HomePage } from "../views/home/HomePage";

export type AppDeps = {
  config: Config;
  db: Db;
  /** 32 random bytes kept in the data dir; keys the CSRF tokens. */
  secret: Buffer;
  /** Tests pass a fixed address; the real server asks Bun for the peer address. */
  clientIp?: (request: Request) => string | null;
  now?: () => Date;
  /** Dashboard hardware (smartctl, samplers, power); tests pass fakes. */
  system?: Partial<import("./system/routes").SystemHw>;
  /** After the wizard staged a database restore; default: exit so systemd restarts the server. Tests record the call. */
  requestRestart?: () => void;
};

/** Builds the services once and composes every feature's routes. Tests call `createApp(deps).handle(request)`. */
export function createApp(deps: AppDeps) {
  const { config, db } = deps;
  const services = createServices({ db, config, now: deps.now });
  const { audit, settings, auth } = services;
  const drive = createDrive({ db, dataDir: config.dataDir, media: services.media, trashRetentionDays: () => settings.all().trashRetentionDays, now: deps.now });
  // The data disk is chosen in the wizard's last step and on Dashboard → Storage: one service for both.
  const storage = createStorageService({
    dataDir: config.dataDir,
    repo: createStorageRepo(db),
    jobs: services.jobs,
    listUsers: () => auth.listUsers(),
    filesystems: deps.system?.filesystems ?? (() => listFilesystems()),
    run: deps.system?.storageRun,
    includeLoop: deps.system?.storageLoopDevices ?? process.env.NAS_STORAGE_LOOP_DEVICES === "1",
  });
  const photos = createPhotosService({ repo: createPhotosRepo(db), drive: drive.drive, now: deps.now });
  const ctx = { auth, secret: deps.secret, secureCookies: config.secureCookies, clientIp: deps.clientIp };
  const limits = {
    loginByIp: createRateLimiter({ limit: 20, windowMs: 5 * 60_000 }),
    loginByAccount: createRateLimiter({ limit: 10, windowMs: 5 * 60_000 }),
    recoveryByIp: createRateLimiter({ limit: 10, windowMs: 15 * 60_000 }),
    recoveryByAccount: createRateLimiter({ limit: 5, windowMs: 15 * 60_000 }),
  };

  const app = new Elysia()
    .use(htmlResponses)
    .use(requestContext(ctx))
    .use(securityPlugin({ config, audit }))
    .onError({ as: "global" }, (c) => {
      const { error, code, request, set } = c;
      const ctxUser = (c as unknown as { user?: import("./db/schema").User | null }).user ?? null;
      const csrfToken = (c as unknown as { csrfToken?: string }).csrfToken ?? "";
      // Errors we raised on purpose (HttpError, or a feature error carrying a status such as 507) speak for themselves.
      const framework = code === "VALIDATION" || code === "PARSE" || code === "NOT_FOUND";
      const intended = !framework && (error instanceof HttpError || (typeof error === "object" && error !== null && typeof (error as { status?: unknown }).status === "number" && error instanceof Error));
      const status = intended ? (error as { status: number }).status : code === "NOT_FOUND" ? 404 : code === "VALIDATION" || code === "PARSE" ? 400 : 500;
      const message = intended ? (error as Error).message : code === "VALIDATION" ? "Some input was missing or malformed." : code === "PARSE" ? "The request body could not be read." : status === 404 ? "Not found." : "The server hit an unexpected problem. It has been logged.";
      if (!intended && status >= 500) console.error(error);
      const url = new URL(request.url);
      const wantsJson = (request.headers.get("accept") ?? "").includes("application/json") || url.pathname.startsWith("/api/") || url.pathname.startsWith("/auth/");
      const loginUrl = `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
      if (status === 401 && !wantsJson && request.method === "GET" && !request.headers.get("hx-request")) {
        return Response.redirect(`${url.origin}${loginUrl}`, 303);
      }
      // A poll or click after the session expired: send the whole page to the sign-in screen, not a toast per poll.
      if (status === 401 && request.headers.get("hx-request")) {
        const page = new URL(request.headers.get("hx-current-url") ?? url.href, url.origin);
        return new Response(null, { status: 401, headers: { "hx-redirect": `/login?next=${encodeURIComponent(page.pathname + page.search)}` } });
      }
      set.status = status;
      if (wantsJson) return Response.json({ error: message }, { status });
      if (request.headers.get("hx-request")) {
        return new Response(ErrorToast({ message }) as string, {
          status, headers: { "content-type": "text/html; charset=utf-8", "hx-retarget": "#toasts", "hx-reswap": "beforeend" },
        });
      }
      return new Response(ErrorPage({ status, message, user: ctxUser, csrfToken, deviceName: settings.all().deviceName }) as string, {
        status, headers: { "content-type": "text/html; charset=utf-8" },
      });
    })
    .get("/healthz", () => {
      const ok = db.$client.query("select 1 as ok").get() as { ok: number } | null;
      return { status: ok?.ok === 1 ? "ok" : "degraded", setupDone: auth.setupDone() };
    })
    .get("/manifest.webmanifest", ({ set }) => {
      set.headers["content-type"] = "application/manifest+json";
      return JSON.stringify(manifest(settings.all().deviceName));
    })
    .use(staticRoutes())
    .use(tlsRoutes({ tlsDir: config.tlsDir }))
    .use(setupRoutes({ ...ctx, settings, config, storage, requestRestart: deps.requestRestart }))
    .use(authRoutes({ ...ctx, config, settings, audit, limits }))
    .use(settingsRoutes({ ...ctx, settings, audit, config }))
    .use(driveRoutes({ ...ctx, settings, drive: drive.drive, tus: drive.tus, media: services.media }))
    .use(mediaRoutes({ ...ctx, drive: drive.drive, media: services.media }))
    .use(photosRoutes({ ...ctx, settings, photos, media: services.media }))
    .use(systemRoutes({ ...ctx, config, db, audit, settings, auth, jobs: services.jobs, media: services.media, storage, hw: deps.system }))
    .get("/", ({ user, csrfToken, redirect }) => {
      if (!auth.setupDone()) return redirect("/setup", 303);
      const u = requireUser(user);
      return HomePage({ user: u, csrfToken, deviceName: settings.all().deviceName });
    });

  return Object.assign(app, { services: { ...services, drive: drive.drive, photos } });
}

export type App = ReturnType<typeof createApp>;
