import { Elysia, t } from "elysia";
import { join } from "node:path";
import { createSmartReader, type SmartReader } from "../../hw/smart";
import { createSystemSampler, listBlockDevices, listFilesystems, type BlockDevice, type MountedFilesystem, type SystemSampler } from "../../hw/system";
import type { AuditRepo } from "../audit/repo";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { createDriveRepo } from "../drive/repo";
import { requestContext, requireAdmin, requireUser, type ContextDeps } from "../http/context";
import { HttpError } from "../http/errors";
import type { MediaService } from "../media/service";
import type { JobQueue } from "../jobs/service";
import { SettingsError, type SettingsService } from "../settings/service";
import type { AuthService } from "../auth/service";
import { createDashboardRepo } from "./repo";
import { createDiskHealth, directDiskChecks, queuedDiskChecks } from "./disk-health";
import { createDashboardService, systemdPower, type PowerControl } from "./service";
import { storageRoutes } from "./storage-routes";
import type { StorageService } from "./storage-service";
import type { Runner } from "../../hw/run";
import { AlertBanner } from "../../views/system/Shell";
import { DisksCard, HistoryCard, LiveCards, OverviewPage } from "../../views/system/OverviewPage";
import { DiskPage, SelfTestCard } from "../../views/system/DiskPage";
import { AlertItem, AlertsPage } from "../../views/system/AlertsPage";
import { PowerPage } from "../../views/system/PowerPage";
import { BackupsPage, BackupStatus } from "../../views/system/BackupsPage";
import { UsagePage, UsersPage } from "../../views/system/UsersPage";
import { diskHref } from "../../views/system/format";
import { APP_ROOT } from "../paths";

/** Hardware behind the dashboard; tests replace any part (fake smartctl runner, fake power). */
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
};

type Deps = ContextDeps & {
  config: Config;
  db: Db;
  audit: AuditRepo;
  settings: SettingsService;
  auth: AuthService;
  jobs: JobQueue;
  media?: MediaService;
  /** Built once by createApp: the setup wizard's storage step uses the same one. */
  storage: StorageService;
  hw?: Partial<SystemHw>;
};

const CSS_PATH = join(APP_ROOT, "views/system/dashboard.css");

export function systemRoutes(deps: Deps) {
  const drive = createDriveRepo(deps.db);
  const repo = createDashboardRepo(deps.db);
  const health = createDiskHealth({ repo, smart: deps.hw?.smart ?? createSmartReader(), blockDevices: deps.hw?.blockDevices ?? (() => listBlockDevices()) });
  const smartInWorker = deps.hw?.smartInWorker ?? process.env.NAS_SMART_IN_WORKER === "1";
  const dashboard = createDashboardService({
    repo,
    disks: smartInWorker ? queuedDiskChecks({ health, jobs: deps.jobs }) : directDiskChecks(health),
    liveSampler: deps.hw?.liveSampler ?? createSystemSampler(),
    minuteSampler: deps.hw?.minuteSampler ?? createSystemSampler(),
    power: deps.hw?.power ?? systemdPower(),
    filesystems: deps.hw?.filesystems ?? (() => listFilesystems()),
    jobs: deps.jobs,
    media: deps.media && (() => deps.media!.overview()),
    dataDir: deps.config.dataDir,
    listUsers: () => deps.auth.listUsers(),
    setQuota: (userId, gigabytes) => deps.auth.setQuota(userId, gigabytes),
    backupKeepDays: () => deps.settings.all().backupKeepDays,
    alertWebhook: () => deps.settings.all().alertWebhook,
    deviceName: () => deps.settings.all().deviceName,
    usedBytes: (userId) => drive.usedBytes(userId),
  });
  const base = (user: NonNullable<ReturnType<typeof requireUser>>, csrfToken: string) => ({ user, csrfToken, deviceName: deps.settings.all().deviceName });
  const banner = () => dashboard.bannerAlerts();
  const isHtmx = (request: Request) => request.headers.get("hx-request") === "true";
  const device = t.Object({ dev: t.String({ minLength: 1, maxLength: 200 }) });
  let stopBackground: (() => void) | null = null;

  return new Elysia({ prefix: "/dashboard" })
    .use(requestContext(deps))
    .use(storageRoutes({ ...deps, deviceName: () => deps.settings.all().deviceName, banner: () => dashboard.bannerAlerts() }))
    // Background sampling only in a listening server, never in tests that call app.handle().
    .onStart(() => {
      stopBackground ??= dashboard.start();
    })
    .onStop(() => {
      stopBackground?.();
      stopBackground = null;
    })
    .get("/assets/dashboard.css", () => new Response(Bun.file(CSS_PATH), { headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" } }))

    .get("/", async ({ user, csrfToken }) => {
      const u = requireUser(user);
      if (u.role !== "admin") return <UsagePage {...base(u, csrfToken)} usage={dashboard.usage(u)} />;
      const overview = await dashboard.overview();
      return <OverviewPage {...base(u, csrfToken)} overview={overview} hour={dashboard.series("hour")} day={dashboard.series("day")} />;
    })
    .get("/fragments/live", async ({ user }) => {
      requireAdmin(user);
      return <LiveCards overview={await dashboard.live()} hour={dashboard.series("hour")} />;
    })
    .get("/fragments/disks", async ({ user, csrfToken }) => {
      requireAdmin(user);
      return <DisksCard overview={await dashboard.overview()} csrfToken={csrfToken} />;
    })
    .get("/fragments/history", ({ user }) => {
      requireAdmin(user);
      return <HistoryCard day={dashboard.series("day")} />;
    })
    .get("/fragments/banner", ({ user }) => {
      requireAdmin(user);
      return <AlertBanner alerts={banner()} />;
    })
    /** Chart data as JSON: one point per minute. */
    .get("/series", ({ user, query }) => {
      requireAdmin(user);
      return { range: query.range, points: dashboard.series(query.range) };
    }, { query: t.Object({ range: t.Union([t.Literal("hour"), t.Literal("day")]) }) })

    .post("/disks/check", async ({ user, redirect }) => {
      requireAdmin(user);
      await dashboard.refreshDisks();
      return redirect("/dashboard", 303);
    })
    .get("/disk", ({ user, csrfToken, query }) => {
      const u = requireAdmin(user);
      return <DiskPage {...base(u, csrfToken)} disk={dashboard.disk(query.dev)} banner={banner()} />;
    }, { query: device })
    .post("/disk/refresh", async ({ user, query, redirect }) => {
      requireAdmin(user);
      await dashboard.refreshDisk(query.dev);
      return redirect(diskHref(query.dev), 303);
    }, { query: device })
    .post("/disk/selftest", async ({ user, csrfToken, query, body }) => {
      const u = requireAdmin(user);
      try {
        const message = await dashboard.startSelfTest(query.dev, body.kind);
        return <DiskPage {...base(u, csrfToken)} disk={dashboard.disk(query.dev)} banner={banner()} message={message} />;
      } catch (e) {
        if (!(e instanceof HttpError) || e.status !== 409) throw e;
        return <DiskPage {...base(u, csrfToken)} disk={dashboard.disk(query.dev)} banner={banner()} error={e.message} />;
      }
    }, { query: device, body: t.Object({ kind: t.Union([t.Literal("short"), t.Literal("long")]), _csrf: t.Optional(t.String()) }) })
    .get("/fragments/selftest", async ({ user, csrfToken, query }) => {
      requireAdmin(user);
      await dashboard.refreshDisk(query.dev);
      const disk = dashboard.disk(query.dev);
      if (!disk.report.available) return <p class="muted" safe>{disk.report.reason}</p>;
      return <SelfTestCard device={disk.device} report={disk.report} csrfToken={csrfToken} />;
    }, { query: device })

    .get("/alerts", ({ user, csrfToken }) => {
      const u = requireAdmin(user);
      return <AlertsPage {...base(u, csrfToken)} alerts={dashboard.alerts()} banner={banner()} webhook={dashboard.webhook()} />;
    })
    .post("/alerts/webhook", ({ user, csrfToken, body, set, redirect }) => {
      const u = requireAdmin(user);
      try {
        deps.settings.update({ alertWebhook: body.url });
      } catch (e) {
        if (!(e instanceof SettingsError)) throw e;
        set.status = 400;
        return <AlertsPage {...base(u, csrfToken)} alerts={dashboard.alerts()} banner={banner()} webhook={dashboard.webhook()} webhookError={{ message: e.message, value: body.url }} />;
      }
      void dashboard.deliverAlerts(); // open alerts go out now, not at the next minute
      return redirect("/dashboard/alerts", 303);
    }, { body: t.Object({ url: t.String({ maxLength: 2000 }), _csrf: t.Optional(t.String()) }) })
    .post("/alerts/webhook/test", async ({ user, csrfToken }) => {
      const u = requireAdmin(user);
      await dashboard.sendTestAlert();
      return <AlertsPage {...base(u, csrfToken)} alerts={dashboard.alerts()} banner={banner()} webhook={dashboard.webhook()} />;
    })
    .post("/alerts/:id/ack", ({ user, csrfToken, params, request, redirect }) => {
      const u = requireAdmin(user);
      dashboard.acknowledge(params.id, u);
      if (!isHtmx(request)) return redirect("/dashboard/alerts", 303);
      const row = dashboard.alerts().find((a) => a.id === params.id)!;
      return <AlertItem alert={row} csrfToken={csrfToken} />;
    }, { params: t.Object({ id: t.Numeric() }) })

    .get("/power", ({ user, csrfToken, query }) => {
      const u = requireAdmin(user);
      return <PowerPage {...base(u, csrfToken)} power={dashboard.power()} banner={banner()} confirm={query.confirm} />;
    }, { query: t.Object({ confirm: t.Optional(t.Union([t.Literal("reboot"), t.Literal("poweroff")])) }) })
    .post("/power/:action", async ({ user, csrfToken, params, body, ip }) => {
      const u = requireAdmin(user);
      if (body.confirm !== params.action) throw new HttpError(400, "Confirm the action on the confirmation page first.");
      // Recorded before the command: once it succeeds, this process may not live long enough to write anything.
      deps.audit.record({ userId: u.id, ip, action: `power.${params.action}`, objectId: null, ok: dashboard.power().available, detail: "requested from the dashboard" });
      const result = await dashboard.runPower(params.action);
      return <PowerPage {...base(u, csrfToken)} power={dashboard.power()} banner={banner()} result={result} />;
    }, {
      params: t.Object({ action: t.Union([t.Literal("reboot"), t.Literal("poweroff")]) }),
      body: t.Object({ confirm: t.String(), _csrf: t.Optional(t.String()) }),
    })

    .get("/backups", ({ user, csrfToken }) => {
      const u = requireAdmin(user);
      return <BackupsPage {...base(u, csrfToken)} backups={dashboard.backups()} banner={banner()} />;
    })
    .get("/fragments/backups", ({ user, csrfToken }) => {
      requireAdmin(user);
      return <BackupStatus backups={dashboard.backups()} csrfToken={csrfToken} />;
    })
    .post("/backups/keep", ({ user, csrfToken, body, set, redirect }) => {
      const u = requireAdmin(user);
      try {
        deps.settings.update({ backupKeepDays: /^\d{1,4}$/.test(body.days.trim()) ? Number(body.days.trim()) : Number.NaN });
      } catch (e) {
        if (!(e instanceof SettingsError)) throw e;
        set.status = 400;
        return <BackupsPage {...base(u, csrfToken)} backups={dashboard.backups()} banner={banner()} keepError={{ message: e.message, value: body.days }} />;
      }
      return redirect("/dashboard/backups", 303);
    }, { body: t.Object({ days: t.String({ maxLength: 20 }), _csrf: t.Optional(t.String()) }) })
    .post("/backups/run", ({ user, csrfToken, request, redirect }) => {
      requireAdmin(user);
      dashboard.runBackupNow();
      if (!isHtmx(request)) return redirect("/dashboard/backups", 303);
      return <BackupStatus backups={dashboard.backups()} csrfToken={csrfToken} />;
    })

    .get("/users", ({ user, csrfToken, query }) => {
      const u = requireAdmin(user);
      return <UsersPage {...base(u, csrfToken)} users={dashboard.users()} banner={banner()} saved={query.saved} />;
    }, { query: t.Object({ saved: t.Optional(t.String({ maxLength: 64 })) }) })
    .post("/users/:id/quota", ({ user, csrfToken, params, body, set, redirect }) => {
      const u = requireAdmin(user);
      try {
        dashboard.setQuota(params.id, body.quota);
      } catch (e) {
        if ((e as { status?: number }).status !== 400) throw e; // unknown user: 404 from the error handler
        set.status = 400;
        return <UsersPage {...base(u, csrfToken)} users={dashboard.users()} banner={banner()} error={{ userId: params.id, message: (e as Error).message, value: body.quota }} />;
      }
      return redirect(`/dashboard/users?saved=${encodeURIComponent(params.id)}`, 303);
    }, { params: t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) }), body: t.Object({ quota: t.String({ maxLength: 40 }), _csrf: t.Optional(t.String()) }) });
}
