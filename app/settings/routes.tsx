import { Elysia, t } from "elysia";
import type { AuditRepo } from "../audit/repo";
import { sha256 } from "../auth/crypto";
import { AuthError, type AuthService } from "../auth/service";
import type { Config } from "../config";
import { requestContext, requireAdmin, requireUser, type ContextDeps } from "../http/context";
import { AccountPage, AdminPage, AuditPage } from "../../views/settings/pages";
import { SettingsError, type ApplianceSettings, type SettingsService } from "./service";

type Deps = ContextDeps & { auth: AuthService; settings: SettingsService; audit: AuditRepo; config: Config };

export function settingsRoutes(deps: Deps) {
  const { auth, settings, audit, config } = deps;
  const deviceName = () => settings.all().deviceName;
  const timeZones = Intl.supportedValuesOf("timeZone");

  const accountPage = (u: NonNullable<ReturnType<AuthService["userById"]>>, csrfToken: string, sessionId: string | null, extra: Partial<Parameters<typeof AccountPage>[0]> = {}) => (
    <AccountPage user={u} csrfToken={csrfToken} deviceName={deviceName()} passkeys={auth.passkeysOf(u.id)} tokens={auth.tokensOf(u.id)}
      sessions={auth.sessionsOf(u.id)} currentSessionHash={sessionId ? sha256(sessionId) : null} unusedRecoveryCodes={auth.unusedRecoveryCodes(u.id)} {...extra} />
  );
  const adminPage = (u: NonNullable<ReturnType<AuthService["userById"]>>, csrfToken: string, extra: Partial<Parameters<typeof AdminPage>[0]> = {}) => (
    <AdminPage user={u} csrfToken={csrfToken} deviceName={deviceName()} settings={settings.all()} timeZones={timeZones} users={auth.listUsers()}
      invites={auth.openInvites()} origin={config.origins[0]!} {...extra} />
  );
  const catchUserError = (fn: () => JSX.Element | string, render: (error: string) => JSX.Element | string) => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof AuthError || e instanceof SettingsError) return render(e.message);
      throw e;
    }
  };

  return new Elysia({ prefix: "/settings" })
    .use(requestContext(deps))
    .get("/", ({ user, csrfToken, viewer, query }) => accountPage(requireUser(user), csrfToken, viewer?.sessionId ?? null, { recovered: query.recovered === "1" }))
    .post("/passkeys/:id/delete", ({ user, csrfToken, viewer, params }) => {
      const u = requireUser(user);
      return catchUserError(() => {
        auth.deletePasskey(u.id, params.id);
        return accountPage(u, csrfToken, viewer?.sessionId ?? null);
      }, (error) => accountPage(u, csrfToken, viewer?.sessionId ?? null, { error }));
    })
    .post("/passkeys/:id/rename", ({ user, csrfToken, viewer, params, body }) => {
      const u = requireUser(user);
      return catchUserError(() => {
        auth.renamePasskey(u.id, params.id, body.name);
        return accountPage(u, csrfToken, viewer?.sessionId ?? null);
      }, (error) => accountPage(u, csrfToken, viewer?.sessionId ?? null, { error }));
    }, { body: t.Object({ name: t.String({ maxLength: 200 }), _csrf: t.Optional(t.String()) }) })
    .post("/recovery-codes", ({ user, csrfToken, viewer }) => {
      const u = requireUser(user);
      return accountPage(u, csrfToken, viewer?.sessionId ?? null, { newRecoveryCodes: auth.regenerateRecoveryCodes(u.id) });
    })
    .post("/tokens", ({ user, csrfToken, viewer, body }) => {
      const u = requireUser(user);
      return catchUserError(() => {
        const { token } = auth.createAppToken(u.id, body.name);
        return accountPage(u, csrfToken, viewer?.sessionId ?? null, { newToken: { name: body.name, token } });
      }, (error) => accountPage(u, csrfToken, viewer?.sessionId ?? null, { error }));
    }, { body: t.Object({ name: t.String({ maxLength: 200 }), _csrf: t.Optional(t.String()) }) })
    .post("/tokens/:id/revoke", ({ user, csrfToken, viewer, params }) => {
      const u = requireUser(user);
      return catchUserError(() => {
        auth.revokeAppToken(u.id, params.id);
        return accountPage(u, csrfToken, viewer?.sessionId ?? null);
      }, (error) => accountPage(u, csrfToken, viewer?.sessionId ?? null, { error }));
    })

    .get("/admin", ({ user, csrfToken }) => adminPage(requireAdmin(user), csrfToken))
    .post("/admin/device", ({ user, csrfToken, body }) => {
      const u = requireAdmin(user);
      return catchUserError(() => {
        settings.update({
          deviceName: body.deviceName,
          timeZone: body.timeZone,
          registrationPolicy: body.registrationPolicy as ApplianceSettings["registrationPolicy"],
          trashRetentionDays: body.trashRetentionDays ? Number(body.trashRetentionDays) : undefined,
        });
        return adminPage(u, csrfToken, { saved: true });
      }, (error) => adminPage(u, csrfToken, { error }));
    }, { body: t.Object({ deviceName: t.String(), timeZone: t.String(), registrationPolicy: t.String(), trashRetentionDays: t.Optional(t.String()), _csrf: t.Optional(t.String()) }) })
    .post("/admin/invites", ({ user, csrfToken }) => {
      const u = requireAdmin(user);
      const token = auth.createInvite(u.id);
      return adminPage(u, csrfToken, { newLink: { label: "Invite link (one person, valid 7 days)", url: `${config.origins[0]}/register?invite=${token}` } });
    })
    .post("/admin/users", ({ user, csrfToken, body }) => {
      const u = requireAdmin(user);
      return catchUserError(() => {
        const { user: created, enrollToken } = auth.addUser({ username: body.username }, u.id);
        return adminPage(u, csrfToken, { newLink: { label: `Passkey enrolment link for ${created.username}`, url: `${config.origins[0]}/enroll/${enrollToken}` } });
      }, (error) => adminPage(u, csrfToken, { error }));
    }, { body: t.Object({ username: t.String({ maxLength: 64 }), _csrf: t.Optional(t.String()) }) })
    .post("/admin/users/:id/reset", ({ user, csrfToken, params }) => {
      const u = requireAdmin(user);
      return catchUserError(() => {
        if (params.id === u.id) throw new AuthError("Use your recovery codes or another admin to reset your own account.");
        const { user: target, enrollToken } = auth.resetUser(params.id, u.id);
        return adminPage(u, csrfToken, { newLink: { label: `New passkey enrolment link for ${target.username}`, url: `${config.origins[0]}/enroll/${enrollToken}` } });
      }, (error) => adminPage(u, csrfToken, { error }));
    })
    .get("/audit", ({ user, csrfToken, query }) => {
      const u = requireAdmin(user);
      const filter = { user: query.user || undefined, action: query.action || undefined };
      const entries = audit.list({ userId: filter.user, action: filter.action, before: query.before ? Number(query.before) : undefined, limit: 100 });
      const users = new Map(auth.listUsers().map((x) => [x.id, x.username]));
      return <AuditPage user={u} csrfToken={csrfToken} deviceName={deviceName()} entries={entries} users={users} filter={filter}
        nextBefore={entries.length === 100 ? entries[entries.length - 1]!.id : null} />;
    });
}
