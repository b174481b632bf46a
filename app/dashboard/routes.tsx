import { Elysia, t } from "elysia";
import { join } from "node:path";
import type { AuditEvents, AuditRepo } from "../platform/audit";
import type { AccessControl } from "../platform/http/access";
import type { SettingsService } from "../settings/service";
import type { DashboardService } from "./service";
import { AlertBanner } from "../../views/dashboard/Shell";
import { DisksCard, HistoryCard, LiveCards, OverviewPage } from "../../views/dashboard/OverviewPage";
import { DiskPage, SelfTestCard } from "../../views/dashboard/DiskPage";
import { AlertItem, AlertsPage } from "../../views/dashboard/AlertsPage";
import { PowerPage } from "../../views/dashboard/PowerPage";
import { UsagePage, UsersPage } from "../../views/dashboard/UsersPage";
import { diskHref } from "../../views/dashboard/links";
import { APP_ROOT } from "../platform/paths";
import { AppError } from "../platform/errors";
import { isAdmin } from "../access/viewer";
import { withFormError } from "../platform/http/forms";

type Deps = {
  access: AccessControl;
  audit: AuditRepo;
  settings: SettingsService;
  dashboard: DashboardService;
};

/** The audit log's words for what these routes record by name: the power request, before the command runs. */
export const dashboardEvents: AuditEvents = {
  "power.reboot": { kind: "system", did: "restarted the box" },
  "power.poweroff": { kind: "system", did: "shut the box down" },
};

const CSS_PATH = join(APP_ROOT, "views/dashboard/dashboard.css");

const isHtmx = (request: Request) => request.headers.get("hx-request") === "true";

/** Dashboard: the overview and its fragments, then one plugin per page (disks, alerts, power, users); Backups is app/backup's. */
export function dashboardRoutes(deps: Deps) {
  return new Elysia({ prefix: "/dashboard" })
    .use(deps.access)
    .get(
      "/assets/dashboard.css",
      () => new Response(Bun.file(CSS_PATH), { headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" } }),
      { public: true },
    )
    .use(overviewRoutes(deps))
    .use(diskRoutes(deps))
    .use(alertRoutes(deps))
    .use(powerRoutes(deps))
    .use(userRoutes(deps));
}

function overviewRoutes(deps: Deps) {
  const { dashboard } = deps;
  return (
    new Elysia()
      .use(deps.access)
      .get(
        "/",
        async ({ user, page }) => {
          if (!isAdmin(user)) return <UsagePage page={page} usage={dashboard.quotas.of(user)} />;
          const overview = await dashboard.overview();
          return <OverviewPage page={page} overview={overview} hour={dashboard.samples.series("hour")} day={dashboard.samples.series("day")} />;
        },
        { auth: "user" },
      )
      .get(
        "/fragments/live",
        async ({ user }) => {
          user;
          return <LiveCards overview={await dashboard.live()} hour={dashboard.samples.series("hour")} />;
        },
        { auth: "admin" },
      )
      .get(
        "/fragments/disks",
        async ({ user, page }) => {
          user;
          return <DisksCard overview={await dashboard.overview()} page={page} />;
        },
        { auth: "admin" },
      )
      .get(
        "/fragments/history",
        ({ user, page }) => {
          user;
          return <HistoryCard day={dashboard.samples.series("day")} timeZone={page.timeZone} />;
        },
        { auth: "admin" },
      )
      .get(
        "/fragments/banner",
        ({ user }) => {
          user;
          return <AlertBanner alerts={dashboard.alerts.banner()} />;
        },
        { auth: "admin" },
      )
      /** Chart data as JSON: one point per minute. */
      .get(
        "/series",
        ({ user, query }) => {
          user;
          return { range: query.range, points: dashboard.samples.series(query.range) };
        },
        { auth: "admin", query: t.Object({ range: t.Union([t.Literal("hour"), t.Literal("day")]) }) },
      )
  );
}

function diskRoutes(deps: Deps) {
  const { dashboard } = deps;
  const device = t.Object({ dev: t.String({ minLength: 1, maxLength: 200 }) });
  return new Elysia()
    .use(deps.access)
    .post(
      "/disks/check",
      async ({ user, redirect }) => {
        user;
        await dashboard.checkDisks();
        return redirect("/dashboard", 303);
      },
      { auth: "admin", audit: { kind: "system", did: "checked the disks" } },
    )
    .get(
      "/disk",
      ({ page, query }) => {
        return <DiskPage page={page} disk={dashboard.disk(query.dev)} />;
      },
      { auth: "admin", query: device },
    )
    .post(
      "/disk/refresh",
      async ({ user, query, redirect }) => {
        user;
        await dashboard.checkDisk(query.dev);
        return redirect(diskHref(query.dev), 303);
      },
      { auth: "admin", audit: { kind: "system", did: "refreshed a disk's SMART report" }, query: device },
    )
    .post(
      "/disk/selftest",
      async ({ page, query, body, set }) => {
        return withFormError(
          set,
          async () => {
            const message = await dashboard.health.startSelfTest(query.dev, body.kind);
            return <DiskPage page={page} disk={dashboard.disk(query.dev)} message={message} />;
          },
          (e) => <DiskPage page={page} disk={dashboard.disk(query.dev)} error={e.message} />,
        );
      },
      {
        auth: "admin",
        audit: { kind: "system", did: "started a disk self-test" },
        query: device,
        body: t.Object({ kind: t.Union([t.Literal("short"), t.Literal("long")]), _csrf: t.Optional(t.String()) }),
      },
    )
    .get(
      "/fragments/selftest",
      async ({ user, page, query }) => {
        user;
        await dashboard.checkDisk(query.dev);
        const disk = dashboard.disk(query.dev);
        if (!disk.report.available)
          return (
            <p class="muted" safe>
              {disk.report.reason}
            </p>
          );
        return <SelfTestCard device={disk.device} report={disk.report} page={page} />;
      },
      { auth: "admin", query: device },
    );
}

function alertRoutes(deps: Deps) {
  const { dashboard } = deps;
  return new Elysia()
    .use(deps.access)
    .get(
      "/alerts",
      ({ page }) => {
        return <AlertsPage page={page} alerts={dashboard.alerts.list()} webhook={dashboard.alerts.webhook()} />;
      },
      { auth: "admin" },
    )
    .post(
      "/alerts/webhook",
      ({ page, body, set, redirect }) => {
        return withFormError(
          set,
          () => {
            deps.settings.update({ alertWebhook: body.url });
            void dashboard.alerts.deliver(); // open alerts go out now, not at the next minute
            return redirect("/dashboard/alerts", 303);
          },
          (e) => (
            <AlertsPage
              page={page}
              alerts={dashboard.alerts.list()}
              webhook={dashboard.alerts.webhook()}
              webhookError={{ message: e.message, value: body.url }}
            />
          ),
        );
      },
      {
        auth: "admin",
        audit: { kind: "settings", did: "set where alerts are sent" },
        body: t.Object({ url: t.String({ maxLength: 2000 }), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/alerts/webhook/test",
      async ({ page }) => {
        await dashboard.alerts.sendTest();
        return <AlertsPage page={page} alerts={dashboard.alerts.list()} webhook={dashboard.alerts.webhook()} />;
      },
      { auth: "admin", audit: { kind: "settings", did: "sent a test alert" } },
    )
    .post(
      "/alerts/:id/ack",
      ({ user, page, params, request, redirect }) => {
        dashboard.alerts.acknowledge(params.id, user);
        if (!isHtmx(request)) return redirect("/dashboard/alerts", 303);
        const row = dashboard.alerts.list().find((a) => a.id === params.id)!;
        return <AlertItem alert={row} page={page} />;
      },
      { auth: "admin", audit: { kind: "system", did: "acknowledged an alert" }, params: t.Object({ id: t.Numeric() }) },
    );
}

function powerRoutes(deps: Deps) {
  const { dashboard } = deps;
  return new Elysia()
    .use(deps.access)
    .get(
      "/power",
      ({ page, query }) => {
        return <PowerPage page={page} power={dashboard.power.availability()} confirm={query.confirm} />;
      },
      { auth: "admin", query: t.Object({ confirm: t.Optional(t.Union([t.Literal("reboot"), t.Literal("poweroff")])) }) },
    )
    .post(
      "/power/:action",
      async ({ user, page, params, body, ip }) => {
        if (body.confirm !== params.action) throw new AppError(400, "Confirm the action on the confirmation page first.");
        // Recorded before the command: once it succeeds, this process may not live long enough to write anything.
        deps.audit.record({
          userId: user.id,
          ip,
          action: `power.${params.action}`,
          objectId: null,
          ok: dashboard.power.availability().available,
          detail: "requested from the dashboard",
        });
        const result = await dashboard.power.run(params.action);
        return <PowerPage page={page} power={dashboard.power.availability()} result={result} />;
      },
      {
        auth: "admin",
        audit: { kind: "system", did: "asked the box to restart or shut down" },
        params: t.Object({ action: t.Union([t.Literal("reboot"), t.Literal("poweroff")]) }),
        body: t.Object({ confirm: t.String(), _csrf: t.Optional(t.String()) }),
      },
    );
}

function userRoutes(deps: Deps) {
  const { dashboard } = deps;
  return new Elysia()
    .use(deps.access)
    .get(
      "/users",
      ({ page, query }) => {
        return <UsersPage page={page} users={dashboard.quotas.users()} saved={query.saved} />;
      },
      { auth: "admin", query: t.Object({ saved: t.Optional(t.String({ maxLength: 64 })) }) },
    )
    .post(
      "/users/:id/quota",
      ({ page, params, body, set, redirect }) => {
        return withFormError(
          set,
          () => {
            dashboard.quotas.set(params.id, body.quota);
            return redirect(`/dashboard/users?saved=${encodeURIComponent(params.id)}`, 303);
          },
          (e) => <UsersPage page={page} users={dashboard.quotas.users()} error={{ userId: params.id, message: e.message, value: body.quota }} />,
        );
      },
      {
        auth: "admin",
        audit: { kind: "accounts", did: "set a storage quota" },
        params: t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) }),
        body: t.Object({ quota: t.String({ maxLength: 40 }), _csrf: t.Optional(t.String()) }),
      },
    );
}
