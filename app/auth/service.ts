import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { randomUUID } from "node:crypto";
import type { Config } from "../config";
import type { ApplianceSettings } from "../settings/service";
import { randomToken, sha256 } from "./crypto";
import type { AuthRepo, User } from "./repo";
import { AppError } from "../errors";

export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;
const CHALLENGE_TTL_MS = 5 * 60_000;
const INVITE_TTL_MS = 7 * 24 * 3600_000;
const RECOVERY_CODE_COUNT = 10;

/** What a passkey registration will create or attach to once the browser answers the challenge. */
export type PendingRegistration =
  | { kind: "setup"; username: string; displayName: string; settings: Partial<ApplianceSettings> }
  | { kind: "signup"; username: string; displayName: string; inviteHash: string | null }
  | { kind: "enroll"; userId: string; inviteHash: string }
  | { kind: "add"; userId: string; passkeyName: string };

/** What the challenge row keeps until the browser answers: the pending account and its WebAuthn user handle. */
type StoredRegistration = PendingRegistration & { handle: string };

export type RegistrationResult = { user: User; recoveryCodes: string[] | null };

/** @simplewebauthn/server and its CBOR/ASN.1 stack load on the first passkey ceremony, not with every process. */
const webauthn = () => import("@simplewebauthn/server");

export function validateUsername(raw: string): string {
  const u = raw.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,31}$/.test(u)) {
    throw new AppError(400, "Usernames are 1–32 characters: lower-case letters, digits, dot, dash or underscore, starting with a letter or digit.");
  }
  return u;
}

export function validateDisplayName(raw: string): string {
  const n = raw.normalize("NFC").trim();
  if (!n) throw new AppError(400, "Enter a display name.");
  if (n.length > 64) throw new AppError(400, "Display names are at most 64 characters.");
  if (/[\u0000-\u001f\u007f]/.test(n)) throw new AppError(400, "Display names cannot contain control characters.");
  return n;
}

function passkeyNameFrom(userAgent: string | null): string {
  const ua = userAgent ?? "";
  const os = /iPhone|iPad/.test(ua)
    ? "iPhone/iPad"
    : /Android/.test(ua)
      ? "Android"
      : /Mac OS X/.test(ua)
        ? "Mac"
        : /Windows/.test(ua)
          ? "Windows"
          : /Linux/.test(ua)
            ? "Linux"
            : "Passkey";
  return `${os} passkey`;
}

type Deps = {
  repo: AuthRepo;
  config: Pick<Config, "origins" | "rpID">;
  deviceName: () => string;
  registrationPolicy: () => ApplianceSettings["registrationPolicy"];
  /** Runs inside the transaction that creates the first admin. */
  applySetup: (settings: Partial<ApplianceSettings>) => void;
  now?: () => Date;
};

export function createAuthService(deps: Deps) {
  const { repo } = deps;
  const now = deps.now ?? (() => new Date());
  let setupDone = false;

  function newRecoveryCodes(userId: string): string[] {
    // 10 codes of 10 base32-ish characters, shown once, stored hashed.
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
      const raw = randomToken(8).replace(/[-_]/g, "x").slice(0, 10).toLowerCase();
      return `${raw.slice(0, 5)}-${raw.slice(5)}`;
    });
    repo.replaceRecoveryCodes(userId, codes.map(sha256), now());
    return codes;
  }

  function storeChallenge(challenge: string, purpose: "register" | "login", pending?: StoredRegistration) {
    const id = randomToken(18);
    repo.deleteExpiredChallenges(now());
    repo.insertChallenge({ id, challenge, purpose, pending: pending ?? null, expiresAt: new Date(now().getTime() + CHALLENGE_TTL_MS) });
    return id;
  }

  /** Single use: the row is deleted before we look at the answer, so a failed or replayed attempt cannot reuse it. */
  function takeChallenge(id: string, purpose: "register" | "login") {
    const c = repo.takeChallenge(id);
    if (!c || c.purpose !== purpose || c.expiresAt.getTime() < now().getTime()) {
      throw new AppError(400, "This sign-in attempt expired or was already used. Please try again.");
    }
    return c;
  }

  function checkInvite(token: string | null | undefined) {
    if (!token) return null;
    const invite = repo.validInvite(sha256(token), now());
    if (!invite) throw new AppError(403, "This invite link is invalid, expired or already used.");
    return invite;
  }

  return {
    setupDone: () => (setupDone ||= repo.adminExists()),

    canRegister(inviteToken?: string | null): { allowed: boolean; reason?: string } {
      const policy = deps.registrationPolicy();
      if (policy === "open") return { allowed: true };
      if (policy === "invite") {
        if (!inviteToken) return { allowed: false, reason: "Registration needs an invite link from the administrator." };
        try {
          const invite = checkInvite(inviteToken);
          if (invite?.forUserId) return { allowed: false, reason: "This link is for enrolling a passkey, not for registering." };
          return { allowed: true };
        } catch (e) {
          return { allowed: false, reason: (e as Error).message };
        }
      }
      return { allowed: false, reason: "Registration is closed. Ask the administrator to add your account." };
    },

    /** Starts a passkey registration; validates everything that can be validated before the browser is involved. */
    async startRegistration(
      input:
        | { kind: "setup"; username: string; displayName: string; settings: Partial<ApplianceSettings> }
        | { kind: "signup"; username: string; displayName: string; inviteToken?: string | null }
        | { kind: "enroll"; inviteToken: string }
        | { kind: "add"; userId: string; userAgent: string | null },
    ) {
      let pending: PendingRegistration;
      let userName: string;
      let displayName: string;
      let handle: string;
      let exclude: { id: string; transports?: string[] }[] = [];
      if (input.kind === "setup") {
        if (repo.adminExists()) throw new AppError(409, "Setup is already complete.");
        userName = validateUsername(input.username);
        displayName = validateDisplayName(input.displayName);
        handle = randomToken(16);
        pending = { kind: "setup", username: userName, displayName, settings: input.settings };
      } else if (input.kind === "signup") {
        if (!repo.adminExists()) throw new AppError(409, "Finish the setup wizard first.");
        const gate = this.canRegister(input.inviteToken);
        if (!gate.allowed) throw new AppError(403, gate.reason!);
        userName = validateUsername(input.username);
        displayName = validateDisplayName(input.displayName);
        if (repo.userByName(userName)) throw new AppError(409, "That username is taken.");
        handle = randomToken(16);
        pending = { kind: "signup", username: userName, displayName, inviteHash: input.inviteToken ? sha256(input.inviteToken) : null };
      } else if (input.kind === "enroll") {
        const invite = checkInvite(input.inviteToken);
        const user = invite?.forUserId ? repo.userById(invite.forUserId) : undefined;
        if (!invite || !user) throw new AppError(403, "This enrolment link is not valid.");
        userName = user.username;
        displayName = user.displayName;
        handle = user.webauthnUserId;
        pending = { kind: "enroll", userId: user.id, inviteHash: invite.tokenHash };
      } else {
        const user = repo.userById(input.userId);
        if (!user) throw new AppError(404, "Unknown user.");
        userName = user.username;
        displayName = user.displayName;
        handle = user.webauthnUserId;
        exclude = repo.passkeysOf(user.id).map((p) => ({ id: p.id, transports: p.transports ?? undefined }));
        pending = { kind: "add", userId: user.id, passkeyName: passkeyNameFrom(input.userAgent) };
      }
      const options = await (await webauthn()).generateRegistrationOptions({
        rpName: deps.deviceName(),
        rpID: deps.config.rpID,
        userName,
        userDisplayName: displayName,
        userID: new TextEncoder().encode(handle),
        attestationType: "none",
        excludeCredentials: exclude,
        authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
      });
      return { challengeId: storeChallenge(options.challenge, "register", { ...pending, handle }), options };
    },

    async finishRegistration(challengeId: string, response: RegistrationResponseJSON, userAgent: string | null): Promise<RegistrationResult> {
      const c = takeChallenge(challengeId, "register");
      const pending = c.pending as StoredRegistration | null;
      if (!pending) throw new AppError(400, "Broken registration state.");
      let verification;
      try {
        verification = await (await webauthn()).verifyRegistrationResponse({
          response,
          expectedChallenge: c.challenge,
          expectedOrigin: deps.config.origins,
          expectedRPID: deps.config.rpID,
          requireUserVerification: false,
        });
      } catch (e) {
        throw new AppError(400, `Passkey was not accepted: ${(e as Error).message}`);
      }
      if (!verification.verified) throw new AppError(400, "Passkey was not accepted.");
      const info = verification.registrationInfo;
      if (repo.passkeyById(info.credential.id)) throw new AppError(409, "This passkey is already registered.");
      const at = now();
      const passkeyRow = (userId: string, name: string) => ({
        id: info.credential.id,
        userId,
        publicKey: Buffer.from(info.credential.publicKey),
        counter: info.credential.counter,
        transports: info.credential.transports ?? null,
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        name,
        createdAt: at,
      });

      return repo.db.transaction(() => {
        if (pending.kind === "add" || pending.kind === "enroll") {
          const user = repo.userById(pending.userId);
          if (!user) throw new AppError(404, "Unknown user.");
          if (pending.kind === "enroll" && !repo.useInvite(pending.inviteHash, user.id, at)) {
            throw new AppError(409, "This enrolment link was already used.");
          }
          repo.insertPasskey(passkeyRow(user.id, pending.kind === "add" ? pending.passkeyName : passkeyNameFrom(userAgent)));
          const codes = repo.unusedRecoveryCodes(user.id) === 0 ? newRecoveryCodes(user.id) : null;
          return { user, recoveryCodes: codes };
        }
        // New account (setup wizard or sign-up): re-check what may have changed since the options were issued.
        if (pending.kind === "setup" && repo.adminExists()) throw new AppError(409, "Setup is already complete.");
        if (repo.userByName(pending.username)) throw new AppError(409, "That username is taken.");
        if (pending.kind === "signup" && deps.registrationPolicy() !== "open" && !pending.inviteHash) {
          throw new AppError(403, "Registration is not open.");
        }
        const user = repo.insertUser({
          id: randomUUID(),
          username: pending.username,
          displayName: pending.displayName,
          role: pending.kind === "setup" ? "admin" : "user",
          webauthnUserId: pending.handle,
          createdAt: at,
        });
        if (pending.kind === "signup" && pending.inviteHash && !repo.useInvite(pending.inviteHash, user.id, at)) {
          throw new AppError(409, "This invite link was already used.");
        }
        if (pending.kind === "setup") deps.applySetup(pending.settings);
        repo.insertPasskey(passkeyRow(user.id, passkeyNameFrom(userAgent)));
        return { user, recoveryCodes: newRecoveryCodes(user.id) };
      });
    },

    async startLogin() {
      // Discoverable credentials: no username needed, the authenticator offers the account.
      const options = await (await webauthn()).generateAuthenticationOptions({ rpID: deps.config.rpID, userVerification: "preferred" });
      return { challengeId: storeChallenge(options.challenge, "login"), options };
    },

    /** Returns the user, or throws AppError. `accountKey` tells the caller which account was targeted, for rate limits and audit. */
    async finishLogin(challengeId: string, response: AuthenticationResponseJSON): Promise<User> {
      const c = takeChallenge(challengeId, "login");
      const passkey = typeof response?.id === "string" ? repo.passkeyById(response.id) : undefined;
      if (!passkey) throw new AppError(401, "This passkey is not registered on this device.");
      const user = repo.userById(passkey.userId);
      if (!user || user.disabledAt) throw new AppError(403, "This account is disabled.");
      let result;
      try {
        result = await (await webauthn()).verifyAuthenticationResponse({
          response,
          expectedChallenge: c.challenge,
          expectedOrigin: deps.config.origins,
          expectedRPID: deps.config.rpID,
          credential: {
            id: passkey.id,
            publicKey: new Uint8Array(passkey.publicKey),
            counter: passkey.counter,
            transports: (passkey.transports ?? undefined) as never,
          },
          requireUserVerification: false,
        });
      } catch (e) {
        throw new AppError(401, `Sign-in failed: ${(e as Error).message}`);
      }
      if (!result.verified) throw new AppError(401, "Sign-in failed: the passkey signature did not verify.");
      // simplewebauthn rejects a counter that did not grow unless both are 0 (synced passkeys always send 0).
      repo.touchPasskey(passkey.id, result.authenticationInfo.newCounter, now());
      return user;
    },

    enrollmentUser(token: string): User | null {
      try {
        const invite = checkInvite(token);
        return invite?.forUserId ? (repo.userById(invite.forUserId) ?? null) : null;
      } catch {
        return null;
      }
    },

    passkeyOwner: (credentialId: string) => repo.passkeyById(credentialId)?.userId ?? null,

    recover(username: string, code: string): User {
      const user = repo.userByName(username.trim().toLowerCase());
      const normalized = code.trim().toLowerCase().replace(/\s+/g, "");
      if (!user || user.disabledAt || !repo.consumeRecoveryCode(user.id, sha256(normalized), now())) {
        throw new AppError(401, "That username and recovery code do not match an unused code.");
      }
      return user;
    },

    regenerateRecoveryCodes: (userId: string) => newRecoveryCodes(userId),
    unusedRecoveryCodes: (userId: string) => repo.unusedRecoveryCodes(userId),

    // Sessions: the cookie holds a random id; the database holds only its hash.
    createSession(userId: string, meta: { ip: string | null; userAgent: string | null }, replacing?: string | null) {
      if (replacing) repo.deleteSession(sha256(replacing));
      const id = randomToken();
      const at = now();
      repo.insertSession({ idHash: sha256(id), userId, createdAt: at, lastSeenAt: at, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) ?? null });
      return id;
    },

    resolveSession(cookieValue: string | undefined | null) {
      if (!cookieValue) return null;
      const idHash = sha256(cookieValue);
      const row = repo.sessionWithUser(idHash);
      if (!row) return null;
      const t = now().getTime();
      if (t - row.session.lastSeenAt.getTime() > SESSION_IDLE_MS || t - row.session.createdAt.getTime() > SESSION_ABSOLUTE_MS || row.user.disabledAt) {
        repo.deleteSession(idHash);
        return null;
      }
      // Write the "last seen" at most once a minute: a page of thumbnails must not cost 50 fsyncs.
      if (t - row.session.lastSeenAt.getTime() > 60_000) repo.touchSession(idHash, now());
      return row;
    },

    logout: (cookieValue: string) => repo.deleteSession(sha256(cookieValue)),
    logoutEverywhere: (userId: string) => repo.deleteSessionsOf(userId),
    /** Signs one of the user's own browsers out (by the session's hash, as the settings page lists them). */
    endSession(userId: string, idHash: string) {
      if (repo.deleteSessionOf(userId, idHash) === 0) throw new AppError(404, "That browser is signed out already.");
    },
    sessionsOf: (userId: string) => repo.sessionsOf(userId),
    passkeysOf: (userId: string) => repo.passkeysOf(userId),
    renamePasskey(userId: string, id: string, name: string) {
      const n = name.normalize("NFC").trim().slice(0, 64);
      if (!n) throw new AppError(400, "Give the passkey a name.");
      if (!repo.renamePasskey(userId, id, n)) throw new AppError(404, "No such passkey.");
    },
    deletePasskey(userId: string, id: string) {
      if (repo.passkeysOf(userId).length <= 1) throw new AppError(409, "You cannot remove your last passkey: add another one first.");
      if (!repo.deletePasskey(userId, id)) throw new AppError(404, "No such passkey.");
    },

    // App tokens for scripts and clients: shown once, stored hashed, revocable per device.
    createAppToken(userId: string, name: string) {
      const n = name.normalize("NFC").trim().slice(0, 64);
      if (!n) throw new AppError(400, "Name the device or script this token is for.");
      const token = `nas_${randomToken()}`;
      const id = randomUUID();
      repo.insertToken({ id, userId, name: n, tokenHash: sha256(token), createdAt: now() });
      return { id, token };
    },
    resolveAppToken(token: string) {
      if (!token.startsWith("nas_")) return null;
      const row = repo.tokenWithUser(sha256(token));
      // A device's app password (scope "files") opens WebDAV only (app/auth/app-passwords.ts), never the API.
      if (!row || row.user.disabledAt || row.token.scope !== "api") return null;
      if (!row.token.lastUsedAt || now().getTime() - row.token.lastUsedAt.getTime() > 60_000) repo.touchToken(row.token.id, now());
      return row;
    },
    tokensOf: (userId: string) => repo.tokensOf(userId).filter((t) => t.scope === "api"),
    revokeAppToken(userId: string, id: string) {
      if (!repo.revokeToken(userId, id, now())) throw new AppError(404, "No such token.");
    },
    revokeAppTokenById(id: string) {
      if (!repo.revokeTokenById(id, now())) throw new AppError(404, "No such token.");
    },

    createInvite(createdBy: string | null, forUserId: string | null = null) {
      const token = randomToken();
      const at = now();
      repo.insertInvite({ tokenHash: sha256(token), createdBy, createdAt: at, expiresAt: new Date(at.getTime() + INVITE_TTL_MS), forUserId });
      return token;
    },
    openInvites: () => repo.openInvites(now()),

    /** Admin/CLI: an account without a passkey yet; returns the one-time enrolment token. */
    addUser(input: { username: string; displayName?: string; role?: "admin" | "user" }, createdBy: string | null) {
      const username = validateUsername(input.username);
      const displayName = validateDisplayName(input.displayName ?? username);
      if (repo.userByName(username)) throw new AppError(409, "That username is taken.");
      const user = repo.insertUser({ id: randomUUID(), username, displayName, role: input.role ?? "user", webauthnUserId: randomToken(16), createdAt: now() });
      return { user, enrollToken: this.createInvite(createdBy, user.id) };
    },

    /** Admin reset: removes passkeys, sessions and recovery codes; the user enrols again through a one-time link. */
    resetUser(userId: string, by: string | null) {
      const user = repo.userById(userId);
      if (!user) throw new AppError(404, "Unknown user.");
      repo.db.transaction(() => {
        repo.deletePasskeysOf(userId);
        repo.deleteSessionsOf(userId);
        repo.deleteRecoveryCodesOf(userId);
      });
      return { user, enrollToken: this.createInvite(by, userId) };
    },

    /**
     * The admin sets how much a person may store, in GB as typed ("1.5", "2,5"); empty means no limit. Drive checks
     * it on every upload. A quota below what the person already stores deletes nothing: new uploads are refused.
     */
    setQuota(userId: string, gigabytes: string) {
      const user = repo.userById(userId);
      if (!user) throw new AppError(404, "Unknown user.");
      const text = gigabytes.trim().replace(",", ".");
      const gb = Number(text);
      if (text !== "" && (!/^\d+(\.\d+)?$/.test(text) || !(gb > 0 && gb <= 1_000_000))) {
        throw new AppError(400, "Enter the quota in GB, as a number greater than 0 (at most 1000000), or leave it empty for no limit.");
      }
      const quotaBytes = text === "" ? null : Math.max(1, Math.round(gb * 1e9));
      repo.updateUser(userId, { quotaBytes });
      return { ...user, quotaBytes };
    },

    userById: (id: string) => repo.userById(id),
    userByName: (name: string) => repo.userByName(name),
    listUsers: () => repo.listUsers(),
    cleanup: () => {
      repo.deleteExpiredChallenges(now());
      repo.deleteExpiredSessions(new Date(now().getTime() - SESSION_IDLE_MS), new Date(now().getTime() - SESSION_ABSOLUTE_MS));
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
