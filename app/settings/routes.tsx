import { Elysia, t } from "elysia";
import { groupAudit, isAuditKind, type AuditEvents, type AuditRepo, type AuditVocabulary } from "../platform/audit";
import { sha256 } from "../platform/crypto";
import type { AuthService } from "../auth/service";
import type { Config } from "../platform/config";
import type { AccessControl } from "../platform/http/access";
import { AccountPage, AdminPage, AuditPage, SystemPage } from "../../views/settings/pages";
import type { SystemCard } from "../../views/settings/system";
import { hostnameFromDeviceName, type ApplianceSettings, type SettingsService, type SshChange } from "./service";
import { AppError } from "../platform/errors";
import { formatDate, startOfDay } from "../../views/format";
import { withFormError } from "../platform/http/forms";
import type { SignedInPage } from "../../views/layout";

/** The audit log's words for the system changes recorded by name (`settings.ssh.on`/`.off` read as `settings.ssh`). */
export const settingsEvents: AuditEvents = {
  "settings.hostname": { kind: "settings", did: "changed the host name" },
  "settings.ntp": { kind: "settings", did: "changed the time servers" },
  "settings.ssh": { kind: "settings", did: "changed SSH access" },
  "settings.ssh.key-removed": { kind: "settings", did: "removed an SSH key" },
};

type Deps = {
  access: AccessControl;
  auth: AuthService;
  settings: SettingsService;
  audit: AuditRepo;
  /** The audit log's words, from every route's declaration and the features' named events (built by createApp). */
  auditWords: AuditVocabulary;
  config: Config;
};

/** The page helpers every group of settings routes shares: each reads what its page shows, once per request. */
function settingsParts(deps: Deps) {
  const { auth, settings, audit, config } = deps;
  const timeZones = Intl.supportedValuesOf("timeZone");

  const accountPage = (page: SignedInPage, sessionId: string | null, extra: Partial<Parameters<typeof AccountPage>[0]> = {}) => {
    const u = page.user;
    return (
      <AccountPage
        page={page}
        passkeys={auth.passkeys.of(u.id)}
        tokens={auth.tokens.of(u.id)}
        sessions={auth.sessions.of(u.id)}
        currentSessionHash={sessionId ? sha256(sessionId) : null}
        unusedRecoveryCodes={auth.recovery.unused(u.id)}
        {...extra}
      />
    );
  };
  const adminPage = (page: SignedInPage, extra: Partial<Parameters<typeof AdminPage>[0]> = {}) => (
    <AdminPage
      page={page}
      settings={settings.all()}
      timeZones={timeZones}
      users={auth.users.list()}
      invites={auth.invites.open()}
      origin={config.origins[0]!}
      {...extra}
    />
  );
  const systemPage = (page: SignedInPage, extra: Partial<Parameters<typeof SystemPage>[0]> = {}) => (
    <SystemPage page={page} host={settings.host()} suggestedHostname={hostnameFromDeviceName(page.deviceName)} {...extra} />
  );
  /**
   * One system-page form: the change, a specific audit row saying what it did (the generic row only names the route),
   * and on a refusal the page again with the message beside the field and what was typed, as 422 so the generic row reads "refused".
   */
  const systemChange = (
    c: { page: SignedInPage; ip: string | null; set: { status?: number | string } },
    card: SystemCard,
    typed: Parameters<typeof SystemPage>[0]["typed"],
    change: () => { action: string; detail: string; message: string },
  ) => {
    return withFormError(
      c.set,
      () => {
        const done = change();
        audit.record({ userId: c.page.user.id, ip: c.ip, action: done.action, ok: true, detail: done.detail.slice(0, 500) });
        return systemPage(c.page, { saved: { card, message: done.message } });
      },
      (e) => {
        c.set.status = 422;
        return systemPage(c.page, { error: { card, message: e.message }, typed });
      },
    );
  };
  const keyList = (r: SshChange) => r.changed.map((k) => `${k.type} ${k.comment}`.trim()).join(", ");
  // Not echoed back: a huge paste (the message says what was wrong) or a private key pasted by mistake.
  const keep = (text: string) => (text.length <= 64 * 1024 && !text.includes("PRIVATE KEY") ? text : "");

  return { auth, settings, audit, config, accountPage, adminPage, systemPage, systemChange, keyList, keep };
}

/** Settings: the signed-in person's account (passkeys, recovery codes, app tokens, browsers). */
function accountRoutes(deps: Deps) {
  const { auth, accountPage } = settingsParts(deps);
  return new Elysia({ prefix: "/settings" })
    .use(deps.access)
    .get("/", ({ page, viewer, query }) => accountPage(page, viewer?.sessionId ?? null, { recovered: query.recovered === "1" }), {
      auth: "user",
    })
    .post(
      "/passkeys/:id/delete",
      ({ user, page, viewer, params, set }) => {
        return withFormError(
          set,
          () => {
            auth.passkeys.remove(user.id, params.id);
            return accountPage(page, viewer?.sessionId ?? null);
          },
          ({ message: error }) => accountPage(page, viewer?.sessionId ?? null, { error }),
        );
      },
      { auth: "user", audit: { kind: "accounts", did: "removed a passkey" } },
    )
    .post(
      "/passkeys/:id/rename",
      ({ user, page, viewer, params, body, set }) => {
        return withFormError(
          set,
          () => {
            auth.passkeys.rename(user.id, params.id, body.name);
            return accountPage(page, viewer?.sessionId ?? null);
          },
          ({ message: error }) => accountPage(page, viewer?.sessionId ?? null, { error }),
        );
      },
      {
        auth: "user",
        audit: { kind: "accounts", did: "renamed a passkey" },
        body: t.Object({ name: t.String({ maxLength: 200 }), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/recovery-codes",
      ({ user, page, viewer }) => {
        return accountPage(page, viewer?.sessionId ?? null, { newRecoveryCodes: auth.recovery.regenerate(user.id) });
      },
      { auth: "user", audit: { kind: "accounts", did: "made new recovery codes" } },
    )
    .post(
      "/tokens",
      ({ user, page, viewer, body, set }) => {
        return withFormError(
          set,
          () => {
            const { token } = auth.tokens.create(user.id, body.name);
            return accountPage(page, viewer?.sessionId ?? null, { newToken: { name: body.name, token } });
          },
          ({ message: error }) => accountPage(page, viewer?.sessionId ?? null, { error }),
        );
      },
      {
        auth: "user",
        audit: { kind: "accounts", did: "created an app token" },
        body: t.Object({ name: t.String({ maxLength: 200 }), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/sessions/:id/end",
      ({ user, page, viewer, params, set, redirect }) => {
        return withFormError(
          set,
          () => {
            auth.sessions.end(user.id, params.id);
            return redirect("/settings#sessions", 303);
          },
          ({ message: error }) => accountPage(page, viewer?.sessionId ?? null, { error }),
        );
      },
      { auth: "user", audit: { kind: "sign-in", did: "signed out another browser" } },
    )
    .post(
      "/tokens/:id/revoke",
      ({ user, page, viewer, params, set }) => {
        return withFormError(
          set,
          () => {
            auth.tokens.revoke(user.id, params.id);
            return accountPage(page, viewer?.sessionId ?? null);
          },
          ({ message: error }) => accountPage(page, viewer?.sessionId ?? null, { error }),
        );
      },
      { auth: "user", audit: { kind: "accounts", did: "revoked an app token" } },
    );
}

/** Settings → Administration: the device name, invitations, people. */
function adminRoutes(deps: Deps) {
  const { auth, settings, config, adminPage } = settingsParts(deps);
  return new Elysia({ prefix: "/settings" })
    .use(deps.access)
    .get("/admin", ({ page }) => adminPage(page), { auth: "admin" })
    .post(
      "/admin/device",
      ({ page, body, set }) => {
        return withFormError(
          set,
          () => {
            settings.update({
              deviceName: body.deviceName,
              timeZone: body.timeZone,
              registrationPolicy: body.registrationPolicy as ApplianceSettings["registrationPolicy"],
              trashRetentionDays: body.trashRetentionDays ? Number(body.trashRetentionDays) : undefined,
            });
            return adminPage(page, { saved: true });
          },
          ({ message: error }) => adminPage(page, { error }),
        );
      },
      {
        auth: "admin",
        audit: { kind: "settings", did: "changed the box's name, time zone or registration" },
        body: t.Object({
          deviceName: t.String(),
          timeZone: t.String(),
          registrationPolicy: t.String(),
          trashRetentionDays: t.Optional(t.String()),
          _csrf: t.Optional(t.String()),
        }),
      },
    )
    .post(
      "/admin/invites",
      ({ user, page }) => {
        const token = auth.invites.create(user.id);
        return adminPage(page, {
          newLink: { label: "Invite link (one person, valid 7 days)", url: `${config.origins[0]}/register?invite=${token}` },
        });
      },
      { auth: "admin", audit: { kind: "accounts", did: "created an invite link" } },
    )
    .post(
      "/admin/users",
      ({ user, page, body, set }) => {
        return withFormError(
          set,
          () => {
            const { user: created, enrollToken } = auth.users.add({ username: body.username }, user.id);
            return adminPage(page, {
              newLink: { label: `Passkey enrolment link for ${created.username}`, url: `${config.origins[0]}/enroll/${enrollToken}` },
            });
          },
          ({ message: error }) => adminPage(page, { error }),
        );
      },
      {
        auth: "admin",
        audit: { kind: "accounts", did: "added an account" },
        body: t.Object({ username: t.String({ maxLength: 64 }), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/admin/users/:id/reset",
      ({ user, page, params, set }) => {
        return withFormError(
          set,
          () => {
            if (params.id === user.id) throw new AppError(400, "Use your recovery codes or another admin to reset your own account.");
            const { user: target, enrollToken } = auth.users.reset(params.id, user.id);
            return adminPage(page, {
              newLink: { label: `New passkey enrolment link for ${target.username}`, url: `${config.origins[0]}/enroll/${enrollToken}` },
            });
          },
          ({ message: error }) => adminPage(page, { error }),
        );
      },
      { auth: "admin", audit: { kind: "accounts", did: "reset someone's sign-in" } },
    );
}

/** Settings → System: host name, time servers, SSH. */
function systemRoutes(deps: Deps) {
  const { settings, systemPage, systemChange, keyList, keep } = settingsParts(deps);
  return new Elysia({ prefix: "/settings" })
    .use(deps.access)
    .get("/system", ({ page }) => systemPage(page), { auth: "admin" })
    .post(
      "/system/hostname",
      (c) =>
        systemChange(c, "hostname", { hostname: keep(c.body.hostname) }, () => {
          const r = settings.setHostname(c.body.hostname, { confirmed: c.body.confirm === "yes" });
          if (r.hostname === r.previous)
            return { action: "settings.hostname", detail: `${r.hostname} (unchanged)`, message: `The host name is already ${r.hostname}.` };
          return {
            action: "settings.hostname",
            detail: `${r.previous} → ${r.hostname}`,
            message: `Renamed to ${r.hostname}. Within a minute the box answers at https://${r.hostname}.local instead of https://${r.previous}.local: continue there.`,
          };
        }),
      {
        auth: "admin",
        audit: { kind: "settings", did: "saved the host name" },
        body: t.Object({ hostname: t.String(), confirm: t.Optional(t.String()), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/system/time-servers",
      (c) =>
        systemChange(c, "ntp", { ntpServers: keep(c.body.servers) }, () => {
          const servers = settings.setTimeServers(c.body.servers);
          return servers.length === 0
            ? { action: "settings.ntp", detail: "default pool", message: "Saved: the box uses the public time server pool." }
            : {
                action: "settings.ntp",
                detail: servers.join(" "),
                message: `Saved: ${servers.length} time server${servers.length === 1 ? "" : "s"} as well as the pool.`,
              };
        }),
      { auth: "admin", audit: { kind: "settings", did: "saved the time servers" }, body: t.Object({ servers: t.String(), _csrf: t.Optional(t.String()) }) },
    )
    .post(
      "/system/ssh",
      (c) => {
        const enabled = c.body.enabled === "on";
        return systemChange(c, "ssh", { sshKeys: keep(c.body.keys ?? ""), sshEnabled: enabled }, () => {
          const r = settings.setSsh({ enabled, addKeys: c.body.keys ?? "" });
          return {
            action: r.enabled ? "settings.ssh.on" : "settings.ssh.off",
            detail: `${r.keys} key${r.keys === 1 ? "" : "s"}${r.changed.length ? `; added: ${keyList(r)}` : ""}`,
            message: r.enabled ? `SSH is on with ${r.keys} key${r.keys === 1 ? "" : "s"}.` : "SSH is off.",
          };
        });
      },
      {
        auth: "admin",
        audit: { kind: "settings", did: "saved SSH access" },
        body: t.Object({ keys: t.Optional(t.String()), enabled: t.Optional(t.String()), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/system/ssh/keys/:id/remove",
      (c) =>
        systemChange(c, "ssh", undefined, () => {
          const r = settings.removeSshKey(c.params.id);
          return {
            action: "settings.ssh.key-removed",
            detail: `${keyList(r)}; ${r.keys} left, SSH ${r.enabled ? "on" : "off"}`,
            message: r.keys === 0 ? "Key removed. That was the last one: SSH is off." : "Key removed.",
          };
        }),
      { auth: "admin", audit: { kind: "settings", did: "removed an SSH key" } },
    );
}

/** Settings → Audit log. */
function auditRoutes(deps: Deps) {
  const { auth, audit } = settingsParts(deps);
  return new Elysia({ prefix: "/settings" }).use(deps.access).get(
    "/audit",
    ({ page, query }) => {
      const kind = isAuditKind(query.kind) ? query.kind : undefined;
      const day = query.date && /^\d{4}-\d{2}-\d{2}$/.test(query.date) ? query.date : undefined;
      const filter = { user: query.user || undefined, action: query.action || undefined, kind, date: day };
      const from = day ? startOfDay(day, page.timeZone) : undefined;
      const entries = audit.list({
        userId: filter.user,
        action: filter.action,
        actions: kind ? deps.auditWords.actionsOfKind(kind) : undefined,
        from,
        to: from ? new Date(from.getTime() + 26 * 3600_000) : undefined,
        before: query.before ? Number(query.before) : undefined,
        limit: 200,
      });
      // A day's window is cut at the next midnight in the box's zone (26 h covers a DST change).
      const inDay = day ? entries.filter((e) => formatDate(e.at, page.timeZone).startsWith(day)) : entries;
      const users = new Map(auth.users.list().map((x) => [x.id, x.username]));
      const lines = groupAudit(inDay).map((g) => ({ ...g, ...deps.auditWords.describe(g.entry.action, g.entry.detail) }));
      return <AuditPage page={page} lines={lines} users={users} filter={filter} nextBefore={entries.length === 200 ? entries[entries.length - 1]!.id : null} />;
    },
    {
      auth: "admin",
      query: t.Object({
        user: t.Optional(t.String()),
        action: t.Optional(t.String({ maxLength: 100 })),
        kind: t.Optional(t.String()),
        date: t.Optional(t.String()),
        before: t.Optional(t.String()),
      }),
    },
  );
}

export function settingsRoutes(deps: Deps) {
  return new Elysia({ name: "settings" }).use(accountRoutes(deps)).use(adminRoutes(deps)).use(systemRoutes(deps)).use(auditRoutes(deps));
}
