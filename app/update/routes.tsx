import { Elysia, t } from "elysia";
import type { AuditEvents, AuditRepo } from "../platform/audit";
import type { AccessControl } from "../platform/http/access";
import { userFacing } from "../platform/errors";
import { SupportStatus, SystemPage, UpdateStatus, type SystemPageProps } from "../../views/dashboard/SystemPage";
import type { SignedInPage } from "../../views/layout";
import { RESET_PHRASES, type ResetMode, type UpdateService } from "./service";
import type { UpdateUploads } from "./tus";

type Deps = {
  access: AccessControl;
  audit: AuditRepo;
  update: UpdateService;
  uploads: UpdateUploads;
};

/** The audit log's words for what these routes record by name, with what was done. */
export const updateEvents: AuditEvents = {
  "update.install": { kind: "system", did: "installed an update", about: "installed the update ({})" },
  "update.reboot": { kind: "system", did: "rebooted into an update" },
  "update.channel": { kind: "system", did: "changed the update channel" },
  "support.bundle": { kind: "system", did: "made a support bundle" },
  "support.download": { kind: "system", did: "downloaded a support bundle" },
  "system.factory-reset.keep-files": { kind: "system", did: "reset the box, keeping the files" },
  "system.factory-reset.erase-all": { kind: "system", did: "reset the box and erased everything" },
};

const csrfField = { _csrf: t.Optional(t.String()) };
const mode = t.Union([t.Literal("keep-files"), t.Literal("erase-all")]);
/** The reset to confirm and the words the update service expects typed. */
const resetPrompt = (m: ResetMode | undefined) => (m ? { mode: m, phrase: RESET_PHRASES[m] } : undefined);

/** What the System page's groups of routes share: the page with the current state, and a refused action shown on it. */
function updateParts(deps: Deps) {
  const { update } = deps;
  const systemPage = (page: SignedInPage, extra: Partial<SystemPageProps> = {}) => <SystemPage page={page} state={update.state()} {...extra} />;
  /** A refused action re-renders the page with the reason (422/4xx), as the other dashboard forms do. */
  const orPage = async (set: { status?: number | string }, page: SignedInPage, action: () => unknown | Promise<unknown>, redirectTo: () => Response) => {
    try {
      await action();
      return redirectTo();
    } catch (e) {
      const known = userFacing(e);
      if (!known) throw e;
      set.status = known.status;
      return systemPage(page, { error: known.message });
    }
  };

  return { update, systemPage, orPage };
}

/** Dashboard → System: the page, its fragments and its state as JSON. */
function statusRoutes(deps: Deps) {
  const { update, systemPage } = updateParts(deps);
  return (
    new Elysia({ prefix: "/dashboard/system" })
      .use(deps.access)
      .get("", ({ page, query }) => systemPage(page, { confirmReset: resetPrompt(query.reset) }), {
        auth: "admin",
        query: t.Object({ reset: t.Optional(mode) }),
      })
      .get("/fragments/update", ({ page }) => <UpdateStatus state={update.state()} page={page} />, { auth: "admin" })
      .get("/fragments/support", ({ page }) => <SupportStatus state={update.state()} page={page} />, { auth: "admin" })
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
  );
}

/** Dashboard → System → Update: upload, install, reboot, discard, refresh, the channel. */
function updateRoutes(deps: Deps) {
  const { update, systemPage, orPage } = updateParts(deps);
  return new Elysia({ prefix: "/dashboard/system" })
    .use(deps.access)
    .all("/update/uploads", ({ request }) => deps.uploads.handle(request, undefined), {
      auth: "admin",
      audit: { POST: { kind: "system", did: "started uploading an update bundle" } },
      parse: "none",
    })
    .all("/update/uploads/:id", ({ request, params }) => deps.uploads.handle(request, params.id), {
      auth: "admin",
      audit: {
        PATCH: { kind: "system", did: "uploaded an update bundle" },
        DELETE: { kind: "system", did: "cancelled uploading an update bundle" },
      },
      parse: "none",
    })
    .post(
      "/update/install",
      ({ user, page, body, set, ip, redirect }) =>
        orPage(
          set,
          page,
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
      {
        auth: "admin",
        audit: { kind: "system", did: "asked to install an update" },
        body: t.Object({ bundleId: t.String({ maxLength: 64 }), ...csrfField }),
      },
    )
    .post(
      "/update/reboot",
      ({ user, page, set, ip, redirect }) =>
        orPage(
          set,
          page,
          () => {
            update.reboot();
            deps.audit.record({ userId: user.id, ip, action: "update.reboot", objectId: null, ok: true, detail: "into the newly installed slot" });
          },
          () => redirect("/dashboard/system", 303),
        ),
      { auth: "admin", audit: { kind: "system", did: "asked to reboot into the update" }, body: t.Optional(t.Object(csrfField)) },
    )
    .post(
      "/update/discard",
      ({ page, set, redirect }) =>
        orPage(
          set,
          page,
          () => update.discard(),
          () => redirect("/dashboard/system", 303),
        ),
      { auth: "admin", audit: { kind: "system", did: "discarded an update bundle" }, body: t.Optional(t.Object(csrfField)) },
    )
    .post(
      "/update/refresh",
      ({ redirect }) => {
        update.refreshSlots();
        return redirect("/dashboard/system", 303);
      },
      { auth: "admin", audit: { kind: "system", did: "read the update slots again" }, body: t.Optional(t.Object(csrfField)) },
    )
    .post(
      "/update/channel",
      ({ user, page, body, set, ip, redirect }) => {
        try {
          update.setChannel(body.url, body.auto === "1");
        } catch (e) {
          const known = userFacing(e);
          if (!known) throw e;
          set.status = known.status;
          return systemPage(page, { channelError: { message: known.message, value: body.url } });
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
      {
        auth: "admin",
        audit: { kind: "system", did: "changed the update channel" },
        body: t.Object({ url: t.String({ maxLength: 2000 }), auto: t.Optional(t.String({ maxLength: 5 })), ...csrfField }),
      },
    )
    .post(
      "/update/channel/check",
      async ({ page, body, set }) => {
        try {
          const result = await update.checkChannel({ download: body?.download === "1" });
          return systemPage(page, {
            message: result.state === "newer" ? `Version ${result.entry.version} is available.` : "This box is up to date.",
          });
        } catch (e) {
          const known = userFacing(e);
          if (!known) throw e;
          set.status = known.status;
          return systemPage(page, { error: known.message });
        }
      },
      {
        auth: "admin",
        audit: { kind: "system", did: "checked the update channel" },
        body: t.Optional(t.Object({ download: t.Optional(t.String({ maxLength: 5 })), ...csrfField })),
      },
    );
}

/** Dashboard → System: the support bundle and the factory reset. */
function supportAndResetRoutes(deps: Deps) {
  const { update, systemPage } = updateParts(deps);
  return new Elysia({ prefix: "/dashboard/system" })
    .use(deps.access)
    .post(
      "/support",
      ({ user, page, ip, request, redirect }) => {
        const name = update.requestSupportBundle();
        deps.audit.record({ userId: user.id, ip, action: "support.bundle", objectId: null, ok: true, detail: name });
        if (request.headers.get("hx-request") === "true") return <SupportStatus state={update.state()} page={page} />;
        return redirect("/dashboard/system", 303);
      },
      { auth: "admin", audit: { kind: "system", did: "asked for a support bundle" }, body: t.Optional(t.Object(csrfField)) },
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
      ({ user, page, body, set, ip }) => {
        try {
          update.requestFactoryReset(body.mode, body.confirm);
        } catch (e) {
          const known = userFacing(e);
          if (!known) throw e;
          set.status = known.status;
          deps.audit.record({ userId: user.id, ip, action: `system.factory-reset.${body.mode}`, objectId: null, ok: false, detail: known.message });
          return systemPage(page, { confirmReset: resetPrompt(body.mode), resetError: known.message });
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
        return systemPage(page, { message: "The box is resetting and restarts into the setup wizard in a minute or two." });
      },
      {
        auth: "admin",
        audit: { kind: "system", did: "asked for a factory reset" },
        body: t.Object({ mode, confirm: t.String({ maxLength: 100 }), ...csrfField }),
      },
    );
}

/** Dashboard → System: updates (upload, check, install, reboot, channel), the support bundle and factory reset. Admin only. */
export function systemUpdateRoutes(deps: Deps) {
  return new Elysia({ name: "system-update" }).use(statusRoutes(deps)).use(updateRoutes(deps)).use(supportAndResetRoutes(deps));
}
