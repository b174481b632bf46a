import { Elysia, t } from "elysia";
import { CLEAR_SITE_DATA } from "../offline/routes";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { AuditEvents, AuditRepo } from "../platform/audit";
import type { Config } from "../platform/config";
import type { AccessControl } from "../platform/http/access";
import type { AuthService } from "./service";
import { sessionCookie, SESSION_COOKIE, PRE_COOKIE } from "../platform/http/context";
import { beginAttempt, type Guard, type RateLimiter } from "../platform/http/rate-limit";
import { LoginPage, RegisterPage } from "../../views/auth/pages";
import { AppError, tooManyRequests } from "../platform/errors";
import { withFormError } from "../platform/http/forms";

export type AuthRouteDeps = {
  access: AccessControl;
  auth: AuthService;
  config: Config;
  audit: AuditRepo;
  limits: { loginByIp: RateLimiter; loginByAccount: RateLimiter; recoveryByIp: RateLimiter; recoveryByAccount: RateLimiter };
};

/** The audit log's words for what these routes record by name (beside each route's own words). */
export const authEvents: AuditEvents = {
  "auth.login": { kind: "sign-in", did: "signed in with a passkey" },
  "auth.recover": { kind: "sign-in", did: "signed in with a recovery code" },
  "auth.passkey.registered": { kind: "sign-in", did: "registered a passkey" },
};

/** Only same-site paths may be a post-login destination. */
export const safeNext = (next: unknown) => (typeof next === "string" && /^\/(?!\/)[^\\]*$/.test(next) ? next : "/");

const RegisterStart = t.Union([
  t.Object({
    kind: t.Literal("setup"),
    username: t.String(),
    displayName: t.String(),
    settings: t.Object({
      deviceName: t.Optional(t.String()),
      timeZone: t.Optional(t.String()),
      registrationPolicy: t.Optional(t.Union([t.Literal("closed"), t.Literal("invite"), t.Literal("open")])),
    }),
  }),
  t.Object({ kind: t.Literal("signup"), username: t.String(), displayName: t.String(), inviteToken: t.Optional(t.Nullable(t.String())) }),
  t.Object({ kind: t.Literal("enroll"), inviteToken: t.String() }),
  t.Object({ kind: t.Literal("add") }),
]);
const Verify = t.Object({ challengeId: t.String(), response: t.Any() });

/** What the sign-in routes share: what the pages need beside the chrome, and starting a session. */
function parts(deps: AuthRouteDeps) {
  const { auth, config } = deps;
  type Cookies = Record<string, { value?: unknown; set: (c: { value: string }) => unknown; remove: () => unknown }>;
  return {
    passkeyOrigin: { rpID: config.rpID, origins: config.origins },
    /** Signs the browser in: a new session id (replacing the one it had: rotation) and no pre-login cookie left behind. */
    startSession(cookie: Cookies, userId: string, ip: string | null, userAgent: string | undefined) {
      const sid = auth.sessions.create(userId, { ip, userAgent: userAgent ?? null }, cookie[SESSION_COOKIE]?.value as string | undefined);
      cookie[SESSION_COOKIE]!.set({ value: sid, ...sessionCookie(config.secureCookies) });
      cookie[PRE_COOKIE]!.remove();
    },
  };
}

/** Sign-in: the pages, the passkey ceremonies, recovery codes and signing out. */
export function authRoutes(deps: AuthRouteDeps) {
  return new Elysia().use(deps.access).use(signInPages(deps)).use(passkeyRoutes(deps)).use(recoveryAndLogoutRoutes(deps));
}

function signInPages(deps: AuthRouteDeps) {
  const { auth } = deps;
  const { passkeyOrigin } = parts(deps);
  return new Elysia()
    .use(deps.access)
    .get(
      "/login",
      ({ user, page, query, redirect }) => {
        if (!auth.users.setupDone()) return redirect("/setup", 303);
        if (user) return redirect(safeNext(query.next), 303);
        return <LoginPage page={page} {...passkeyOrigin} next={safeNext(query.next)} />;
      },
      { public: true },
    )
    .get(
      "/register",
      ({ page, query, redirect }) => {
        if (!auth.users.setupDone()) return redirect("/setup", 303);
        const invite = typeof query.invite === "string" ? query.invite : null;
        const gate = auth.invites.canRegister(invite);
        return <RegisterPage page={page} {...passkeyOrigin} mode="signup" inviteToken={invite} allowed={gate.allowed} reason={gate.reason} />;
      },
      { public: true },
    )
    .get(
      "/enroll/:token",
      ({ page, params }) => {
        // An enrolment link is for an account the admin created or reset; the token is checked again on use.
        const user = auth.invites.enrollmentUser(params.token);
        return (
          <RegisterPage
            page={page}
            {...passkeyOrigin}
            mode="enroll"
            inviteToken={params.token}
            allowed={!!user}
            reason="This link is invalid, expired or already used. Ask the administrator for a new one."
            username={user?.username}
          />
        );
      },
      { public: true },
    );
}

/** The WebAuthn ceremonies: registration (wizard, sign-up, enrolment link, another passkey) and sign-in, rate limited. */
function passkeyRoutes(deps: AuthRouteDeps) {
  const { auth, audit, limits } = deps;
  const { startSession } = parts(deps);
  return new Elysia()
    .use(deps.access)
    .post(
      "/auth/register/options",
      async ({ body, user, headers }) => {
        // Public for the wizard, sign-up and enrolment links; adding a passkey to an account needs that account.
        if (body.kind !== "add") return auth.passkeys.startRegistration(body);
        if (!user) throw new AppError(401, "Please sign in.");
        return auth.passkeys.startRegistration({ kind: "add", userId: user.id, userAgent: headers["user-agent"] ?? null });
      },
      { public: true, audit: { kind: "sign-in", did: "began registering a passkey" }, body: RegisterStart },
    )

    .post(
      "/auth/register/verify",
      async ({ body, headers, cookie, ip, user }) => {
        const result = await auth.passkeys.finishRegistration(body.challengeId, body.response as RegistrationResponseJSON, headers["user-agent"] ?? null);
        if (user && user.id !== result.user.id) throw new AppError(403, "Signed in as someone else.");
        if (!user) startSession(cookie, result.user.id, ip, headers["user-agent"]);
        audit.record({ userId: result.user.id, ip, action: "auth.passkey.registered", objectId: result.user.id, ok: true });
        return { redirect: user ? "/settings" : "/", recoveryCodes: result.recoveryCodes };
      },
      { public: true, audit: { kind: "sign-in", did: "finished registering a passkey" }, body: Verify },
    )

    .post(
      "/auth/login/options",
      async ({ ip }) => {
        if (ip && limits.loginByIp.blocked(`ip:${ip}`))
          throw tooManyRequests("Too many sign-in attempts from this address. Wait a few minutes.", limits.loginByIp.retryAfterSeconds(`ip:${ip}`));
        return auth.passkeys.startLogin();
      },
      { public: true, audit: { kind: "sign-in", did: "opened sign-in" } },
    )

    .post(
      "/auth/login/verify",
      async ({ body, ip, headers, cookie }) => {
        const response = body.response as AuthenticationResponseJSON;
        const owner = typeof response?.id === "string" ? auth.passkeys.owner(response.id) : null;
        const guards: Guard[] = [[limits.loginByIp, `ip:${ip ?? "unknown"}`]];
        if (owner) guards.push([limits.loginByAccount, `user:${owner}`]);
        let attempt: ReturnType<typeof beginAttempt>;
        try {
          attempt = beginAttempt(guards, "Too many sign-in attempts. Wait a few minutes and try again.");
        } catch (e) {
          audit.record({ userId: owner, ip, action: "auth.login", ok: false, detail: "rate limited" });
          throw e;
        }
        try {
          const user = await auth.passkeys.finishLogin(body.challengeId, response);
          attempt.succeeded();
          startSession(cookie, user.id, ip, headers["user-agent"]);
          audit.record({ userId: user.id, ip, action: "auth.login", objectId: response.id, ok: true });
          return { ok: true };
        } catch (e) {
          audit.record({
            userId: owner,
            ip,
            action: "auth.login",
            objectId: typeof response?.id === "string" ? response.id : null,
            ok: false,
            detail: (e as Error).message.slice(0, 200),
          });
          throw e;
        }
      },
      { public: true, audit: { kind: "sign-in", did: "checked a passkey" }, body: Verify },
    );
}

function recoveryAndLogoutRoutes(deps: AuthRouteDeps) {
  const { auth, audit, limits } = deps;
  const { passkeyOrigin, startSession } = parts(deps);
  return new Elysia()
    .use(deps.access)
    .post(
      "/auth/recover",
      ({ body, ip, headers, cookie, page, redirect, set }) => {
        let attempt: ReturnType<typeof beginAttempt>;
        try {
          attempt = beginAttempt(
            [
              [limits.recoveryByIp, `ip:${ip ?? "unknown"}`],
              [limits.recoveryByAccount, `user:${body.username.trim().toLowerCase()}`],
            ],
            "Too many recovery attempts. Wait 15 minutes and try again.",
          );
        } catch (e) {
          audit.record({ ip, action: "auth.recover", ok: false, detail: "rate limited" });
          throw e;
        }
        return withFormError(
          set,
          () => {
            const user = auth.recovery.recover(body.username, body.code);
            attempt.succeeded();
            startSession(cookie, user.id, ip, headers["user-agent"]);
            audit.record({ userId: user.id, ip, action: "auth.recover", ok: true });
            return redirect("/settings?recovered=1", 303);
          },
          (e) => {
            audit.record({ ip, action: "auth.recover", ok: false, detail: body.username.slice(0, 64) });
            return <LoginPage page={page} {...passkeyOrigin} next="/" error={e.message} />;
          },
        );
      },
      {
        public: true,
        audit: { kind: "sign-in", did: "used a recovery code" },
        body: t.Object({ username: t.String({ maxLength: 64 }), code: t.String({ maxLength: 64 }), _csrf: t.Optional(t.String()) }),
      },
    )

    .post(
      "/logout",
      ({ cookie, redirect, viewer, set }) => {
        if (viewer?.sessionId) auth.sessions.logout(viewer.sessionId);
        cookie[SESSION_COOKIE]!.remove();
        // Nothing private stays in this browser: the offline copy (app/offline) and the HTTP cache go too.
        set.headers["clear-site-data"] = CLEAR_SITE_DATA;
        return redirect("/login", 303);
      },
      { public: true, audit: { kind: "sign-in", did: "signed out" } },
    )
    .post(
      "/logout-all",
      ({ cookie, redirect, user, set }) => {
        auth.sessions.logoutEverywhere(user.id);
        cookie[SESSION_COOKIE]!.remove();
        set.headers["clear-site-data"] = CLEAR_SITE_DATA;
        return redirect("/login", 303);
      },
      { auth: "user", audit: { kind: "sign-in", did: "signed out everywhere" } },
    );
}
