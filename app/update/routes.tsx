import { Elysia, t } from "elysia";
import type { AuditRepo } from "../platform/audit";
import type { AccessControl } from "../platform/http/access";
import type { User } from "../platform/db/schema";
import { userFacing } from "../platform/errors";
import { SupportStatus, SystemPage, UpdateStatus, type SystemPageProps } from "../../views/dashboard/SystemPage";
import type { AlertRow } from "../dashboard/repo";
import type { UpdateService } from "./service";
import type { UpdateUploads } from "./tus";

type Deps = {
  access: AccessControl;
  audit: AuditRepo;
  update: UpdateService;
  uploads: UpdateUploads;
  deviceName: () => string;
  banner: () => AlertRow[];
};

const csrfField = { _csrf: t.Optional(t.String()) };
const mode = t.Union([t.Literal("keep-files"), t.Literal("erase-all")]);

/** Dashboard → System: updates (upload, check, install, reboot, channel), the support bundle and factory reset. Admin only. */
export function systemUpdateRoutes(deps: Deps) {
  const { update } = deps;
  const page = (user: User, csrfToken: string, extra: Partial<SystemPageProps> = {}) => (
    <SystemPage user={user} csrfToken={csrfToken} deviceName={deps.deviceName()} state={update.state()} banner={deps.banner()} {...extra} />
  );
  /** A refused action re-renders the page with the reason (422/4xx), as the other dashboard forms do. */
  const orPage = async (
    set: { status?: number | string },
    user: User,
    csrfToken: string,
    action: () => unknown | Promise<unknown>,
    redirectTo: () => Response,
  ) => {
    try {
      await action();
      return redirectTo();
    } catch (e) {
      const known = userFacing(e);
      if (!known) throw e;
      set.status = known.status;
      return page(user, csrfToken, { error: known.message });
    }
  };

  return (
    new Elysia({ prefix: "/dashboard/system" })
      .use(deps.access)
      .get("", ({ user, csrfToken, query }) => page(user, csrfToken, { confirmReset: query.reset }), {
        auth: "admin",
        query: t.Object({ reset: t.Optional(mode) }),
      })
      .get("/fragments/update", ({ csrfToken }) => <UpdateStatus state={update.state()} csrfToken={csrfToken} />, { auth: "admin" })
      .get("/fragments/support", ({ csrfToken }) => <SupportStatus state={update.state()} csrfToken={csrfToken} />, { auth: "admin" })
      /** The same state as JSON (scripts, the image test): never a secret, never a path. */
      .get(
        "/state",
        () => {
          const s = update.state();
          return {
            box: s.box,
            slots: s.slots,
            staged: s.staged,
            install: s.install,
            rebootRequested: s.rebootRequested,
            support: s.support.files.map((f) => f.name),
          };
        },
        { auth: "admin" },
      )
      .all("/update/uploads", ({ request }) => deps.uploads.handle(request, undefined), { auth: "admin", parse: "none" })
      .all("/update/uploads/:id", ({ request, params }) => deps.uploads.handle(request, params.id), { auth: "admin", parse: "none" })
      .post(
        "/update/install",
        ({ user, csrfToken, body, set, ip, redirect }) =>
          orPage(
            set,
            user,
            csrfToken,
            () => {
              update.startInstall(body.bundleId);
              const staged = update.state().staged;
              deps.audit.record({
                userId: user.id,
                ip,
                action: "update.install",
                objectId: null,
                ok: true,
                detail: `version ${staged?.info?.ok ? staged.info.version : "?"}`,
              });
            },
            () => redirect("/dashboard/system", 303),
          ),
        { auth: "admin", body: t.Object({ bundleId: t.String({ maxLength: 64 }), ...csrfField }) },
      )
      .post(
        "/update/reboot",
        ({ user, csrfToken, set, ip, redirect }) =>
          orPage(
            set,
            user,
            csrfToken,
            () => {
              update.reboot();
              deps.audit.record({ userId: user.id, ip, action: "update.reboot", objectId: null, ok: true, detail: "into the newly installed slot" });
            },
            () => redirect("/dashboard/system", 303),
          ),
        { auth: "admin", body: t.Optional(t.Object(csrfField)) },
      )
      .post(
        "/update/discard",
        ({ user, csrfToken, set, redirect }) =>
          orPage(
            set,
            user,
            csrfToken,
            () => update.discard(),
            () => redirect("/dashboard/system", 303),
          ),
        { auth: "admin", body: t.Optional(t.Object(csrfField)) },
      )
      .post(
        "/update/refresh",
        ({ redirect }) => {
          update.refreshSlots();
          return redirect("/dashboard/system", 303);
        },
        { auth: "admin", body: t.Optional(t.Object(csrfField)) },
      )
      .post(
        "/update/channel",
        ({ user, csrfToken, body, set, ip, redirect }) => {
          try {
            update.setChannel(body.url, body.auto === "1");
          } catch (e) {
            const known = userFacing(e);
            if (!known) throw e;
            set.status = known.status;
            return page(user, csrfToken, { channelError: { message: known.message, value: body.url } });
          }
          deps.audit.record({
            userId: user.id,
            ip,
            action: "update.channel",
            objectId: null,
            ok: true,
            detail: body.url.trim() ? "channel set" : "channel removed",
          });
          return redirect("/dashboard/system", 303);
        },
        { auth: "admin", body: t.Object({ url: t.String({ maxLength: 2000 }), auto: t.Optional(t.String({ maxLength: 5 })), ...csrfField }) },
      )
      .post(
        "/update/channel/check",
        async ({ user, csrfToken, body, set }) => {
          try {
            const result = await update.checkChannel({ download: body?.download === "1" });
            return page(user, csrfToken, {
              message: result.state === "newer" ? `Version ${result.entry.version} is available.` : "This box is up to date.",
            });
          } catch (e) {
            const known = userFacing(e);
            if (!known) throw e;
            set.status = known.status;
            return page(user, csrfToken, { error: known.message });
          }
        },
        { auth: "admin", body: t.Optional(t.Object({ download: t.Optional(t.String({ maxLength: 5 })), ...csrfField })) },
      )
      .post(
        "/support",
        ({ user, csrfToken, ip, request, redirect }) => {
          const name = update.requestSupportBundle();
          deps.audit.record({ userId: user.id, ip, action: "support.bundle", objectId: null, ok: true, detail: name });
          if (request.headers.get("hx-request") === "true") return <SupportStatus state={update.state()} csrfToken={csrfToken} />;
          return redirect("/dashboard/system", 303);
        },
        { auth: "admin", body: t.Optional(t.Object(csrfField)) },
      )
      .get(
        "/support/:name",
        ({ user, params, ip }) => {
          const path = update.supportFile(params.name);
          deps.audit.record({ userId: user.id, ip, action: "support.download", objectId: null, ok: true, detail: params.name });
          return new Response(Bun.file(path), {
            headers: { "content-type": "application/gzip", "content-disposition": `attachment; filename="${params.name}"`, "cache-control": "no-store" },
          });
        },
        { auth: "admin", params: t.Object({ name: t.String({ maxLength: 100 }) }) },
      )
      .post(
        "/reset",
        ({ user, csrfToken, body, set, ip }) => {
          try {
            update.requestFactoryReset(body.mode, body.confirm);
          } catch (e) {
            const known = userFacing(e);
            if (!known) throw e;
            set.status = known.status;
            deps.audit.record({ userId: user.id, ip, action: `system.factory-reset.${body.mode}`, objectId: null, ok: false, detail: known.message });
            return page(user, csrfToken, { confirmReset: body.mode, resetError: known.message });
          }
          // Recorded before the reset: afterwards the database this row lives in is moved aside or erased.
          deps.audit.record({
            userId: user.id,
            ip,
            action: `system.factory-reset.${body.mode}`,
            objectId: null,
            ok: true,
            detail: "requested from the dashboard",
          });
          return page(user, csrfToken, { message: "The box is resetting and restarts into the setup wizard in a minute or two." });
        },
        { auth: "admin", body: t.Object({ mode, confirm: t.String({ maxLength: 100 }), ...csrfField }) },
      )
  );
}
