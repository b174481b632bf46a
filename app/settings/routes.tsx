import { Elysia, t } from "elysia";
import type { AuditRepo } from "../platform/audit";
import { sha256 } from "../auth/crypto";
import type { AuthService } from "../auth/service";
import type { Config } from "../platform/config";
import type { AccessControl } from "../platform/http/access";
import type { User } from "../platform/db/schema";
import { AccountPage, AdminPage, AuditPage, SystemPage, type SystemCard } from "../../views/settings/pages";
import { hostnameFromDeviceName, type ApplianceSettings, type SettingsService, type SshChange } from "./service";
import { AppError } from "../platform/errors";
import { actionsOfKind, AUDIT_KINDS, type AuditKind } from "../../views/settings/audit";
import { formatDate, startOfDay } from "../../views/format";
import { withFormError } from "../platform/http/forms";

type Deps = { access: AccessControl; auth: AuthService; settings: SettingsService; audit: AuditRepo; config: Config };

export function settingsRoutes(deps: Deps) {
  const { auth, settings, audit, config } = deps;
  const deviceName = () => settings.all().deviceName;
  const timeZones = Intl.supportedValuesOf("timeZone");

  const accountPage = (
    u: NonNullable<ReturnType<AuthService["users"]["byId"]>>,
    csrfToken: string,
    sessionId: string | null,
    extra: Partial<Parameters<typeof AccountPage>[0]> = {},
  ) => (
    <AccountPage
      user={u}
      csrfToken={csrfToken}
      deviceName={deviceName()}
      passkeys={auth.passkeys.of(u.id)}
      tokens={auth.tokens.of(u.id)}
      sessions={auth.sessions.of(u.id)}
      currentSessionHash={sessionId ? sha256(sessionId) : null}
      unusedRecoveryCodes={auth.recovery.unused(u.id)}
      {...extra}
    />
  );
  const adminPage = (u: NonNullable<ReturnType<AuthService["users"]["byId"]>>, csrfToken: string, extra: Partial<Parameters<typeof AdminPage>[0]> = {}) => (
    <AdminPage
      user={u}
      csrfToken={csrfToken}
      deviceName={deviceName()}
      settings={settings.all()}
      timeZones={timeZones}
      users={auth.users.list()}
      invites={auth.invites.open()}
      origin={config.origins[0]!}
      {...extra}
    />
  );
  const systemPage = (u: NonNullable<ReturnType<AuthService["users"]["byId"]>>, csrfToken: string, extra: Partial<Parameters<typeof SystemPage>[0]> = {}) => (
    <SystemPage
      user={u}
      csrfToken={csrfToken}
      deviceName={deviceName()}
      host={settings.host()}
      suggestedHostname={hostnameFromDeviceName(deviceName())}
      {...extra}
    />
  );
  /**
   * One system-page form: the change, a specific audit row saying what it did (the generic row only names the route),
   * and on a refusal the page again with the message beside the field and what was typed, as 422 so the generic row reads "refused".
   */
  const systemChange = (
    c: { user: User; csrfToken: string; ip: string | null; set: { status?: number | string } },
    card: SystemCard,
    typed: Parameters<typeof SystemPage>[0]["typed"],
    change: () => { action: string; detail: string; message: string },
  ) => {
    const u = c.user;
    return withFormError(
      c.set,
      () => {
        const done = change();
        audit.record({ userId: u.id, ip: c.ip, action: done.action, ok: true, detail: done.detail.slice(0, 500) });
        return systemPage(u, c.csrfToken, { saved: { card, message: done.message } });
      },
      (e) => {
        c.set.status = 422;
        return systemPage(u, c.csrfToken, { error: { card, message: e.message }, typed });
      },
    );
  };
  const keyList = (r: SshChange) => r.changed.map((k) => `${k.type} ${k.comment}`.trim()).join(", ");
  // Not echoed back: a huge paste (the message says what was wrong) or a private key pasted by mistake.
  const keep = (text: string) => (text.length <= 64 * 1024 && !text.includes("PRIVATE KEY") ? text : "");

  return new Elysia({ prefix: "/settings" })
    .use(deps.access)
    .get("/", ({ user, csrfToken, viewer, query }) => accountPage(user, csrfToken, viewer?.sessionId ?? null, { recovered: query.recovered === "1" }), {
      auth: "user",
    })
    .post(
      "/passkeys/:id/delete",
      ({ user, csrfToken, viewer, params, set }) => {
        return withFormError(
          set,
          () => {
            auth.passkeys.remove(user.id, params.id);
            return accountPage(user, csrfToken, viewer?.sessionId ?? null);
          },
          ({ message: error }) => accountPage(user, csrfToken, viewer?.sessionId ?? null, { error }),
        );
      },
      { auth: "user" },
    )
    .post(
      "/passkeys/:id/rename",
      ({ user, csrfToken, viewer, params, body, set }) => {
        return withFormError(
          set,
          () => {
            auth.passkeys.rename(user.id, params.id, body.name);
            return accountPage(user, csrfToken, viewer?.sessionId ?? null);
          },
          ({ message: error }) => accountPage(user, csrfToken, viewer?.sessionId ?? null, { error }),
        );
      },
      { auth: "user", body: t.Object({ name: t.String({ maxLength: 200 }), _csrf: t.Optional(t.String()) }) },
    )
    .post(
      "/recovery-codes",
      ({ user, csrfToken, viewer }) => {
        return accountPage(user, csrfToken, viewer?.sessionId ?? null, { newRecoveryCodes: auth.recovery.regenerate(user.id) });
      },
      { auth: "user" },
    )
    .post(
      "/tokens",
      ({ user, csrfToken, viewer, body, set }) => {
        return withFormError(
          set,
          () => {
            const { token } = auth.tokens.create(user.id, body.name);
            return accountPage(user, csrfToken, viewer?.sessionId ?? null, { newToken: { name: body.name, token } });
          },
          ({ message: error }) => accountPage(user, csrfToken, viewer?.sessionId ?? null, { error }),
        );
      },
      { auth: "user", body: t.Object({ name: t.String({ maxLength: 200 }), _csrf: t.Optional(t.String()) }) },
    )
    .post(
      "/sessions/:id/end",
      ({ user, csrfToken, viewer, params, set, redirect }) => {
        return withFormError(
          set,
          () => {
            auth.sessions.end(user.id, params.id);
            return redirect("/settings#sessions", 303);
          },
          ({ message: error }) => accountPage(user, csrfToken, viewer?.sessionId ?? null, { error }),
        );
      },
      { auth: "user" },
    )
    .post(
      "/tokens/:id/revoke",
      ({ user, csrfToken, viewer, params, set }) => {
        return withFormError(
          set,
          () => {
            auth.tokens.revoke(user.id, params.id);
            return accountPage(user, csrfToken, viewer?.sessionId ?? null);
          },
          ({ message: error }) => accountPage(user, csrfToken, viewer?.sessionId ?? null, { error }),
        );
      },
      { auth: "user" },
    )

    .get("/admin", ({ user, csrfToken }) => adminPage(user, csrfToken), { auth: "admin" })
    .post(
      "/admin/device",
      ({ user, csrfToken, body, set }) => {
        return withFormError(
          set,
          () => {
            settings.update({
              deviceName: body.deviceName,
              timeZone: body.timeZone,
              registrationPolicy: body.registrationPolicy as ApplianceSettings["registrationPolicy"],
              trashRetentionDays: body.trashRetentionDays ? Number(body.trashRetentionDays) : undefined,
            });
            return adminPage(user, csrfToken, { saved: true });
          },
          ({ message: error }) => adminPage(user, csrfToken, { error }),
        );
      },
      {
        auth: "admin",
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
      ({ user, csrfToken }) => {
        const token = auth.invites.create(user.id);
        return adminPage(user, csrfToken, {
          newLink: { label: "Invite link (one person, valid 7 days)", url: `${config.origins[0]}/register?invite=${token}` },
        });
      },
      { auth: "admin" },
    )
    .post(
      "/admin/users",
      ({ user, csrfToken, body, set }) => {
        return withFormError(
          set,
          () => {
            const { user: created, enrollToken } = auth.users.add({ username: body.username }, user.id);
            return adminPage(user, csrfToken, {
              newLink: { label: `Passkey enrolment link for ${created.username}`, url: `${config.origins[0]}/enroll/${enrollToken}` },
            });
          },
          ({ message: error }) => adminPage(user, csrfToken, { error }),
        );
      },
      { auth: "admin", body: t.Object({ username: t.String({ maxLength: 64 }), _csrf: t.Optional(t.String()) }) },
    )
    .post(
      "/admin/users/:id/reset",
      ({ user, csrfToken, params, set }) => {
        return withFormError(
          set,
          () => {
            if (params.id === user.id) throw new AppError(400, "Use your recovery codes or another admin to reset your own account.");
            const { user: target, enrollToken } = auth.users.reset(params.id, user.id);
            return adminPage(user, csrfToken, {
              newLink: { label: `New passkey enrolment link for ${target.username}`, url: `${config.origins[0]}/enroll/${enrollToken}` },
            });
          },
          ({ message: error }) => adminPage(user, csrfToken, { error }),
        );
      },
      { auth: "admin" },
    )
    .get("/system", ({ user, csrfToken }) => systemPage(user, csrfToken), { auth: "admin" })
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
      { auth: "admin", body: t.Object({ hostname: t.String(), confirm: t.Optional(t.String()), _csrf: t.Optional(t.String()) }) },
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
      { auth: "admin", body: t.Object({ servers: t.String(), _csrf: t.Optional(t.String()) }) },
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
      { auth: "admin", body: t.Object({ keys: t.Optional(t.String()), enabled: t.Optional(t.String()), _csrf: t.Optional(t.String()) }) },
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
      { auth: "admin" },
    )
    .get(
      "/audit",
      ({ user, csrfToken, query }) => {
        const kind = query.kind && query.kind in AUDIT_KINDS ? (query.kind as AuditKind) : undefined;
        const day = query.date && /^\d{4}-\d{2}-\d{2}$/.test(query.date) ? query.date : undefined;
        const filter = { user: query.user || undefined, action: query.action || undefined, kind, date: day };
        const from = day ? startOfDay(day, settings.all().timeZone) : undefined;
        const entries = audit.list({
          userId: filter.user,
          action: filter.action,
          actions: kind ? actionsOfKind(kind) : undefined,
          from,
          to: from ? new Date(from.getTime() + 26 * 3600_000) : undefined,
          before: query.before ? Number(query.before) : undefined,
          limit: 200,
        });
        // A day's window is cut at the next midnight in the box's zone (26 h covers a DST change).
        const inDay = day ? entries.filter((e) => formatDate(e.at).startsWith(day)) : entries;
        const users = new Map(auth.users.list().map((x) => [x.id, x.username]));
        return (
          <AuditPage
            user={user}
            csrfToken={csrfToken}
            deviceName={deviceName()}
            entries={inDay}
            users={users}
            filter={filter}
            nextBefore={entries.length === 200 ? entries[entries.length - 1]!.id : null}
          />
        );
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
