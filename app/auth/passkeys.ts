import { writeTransaction } from "../platform/db/client";
/**
 * Passkeys (WebAuthn): registration for the setup wizard's admin, a sign-up, an enrolment link or another passkey
 * of a signed-in person; sign-in with a discoverable credential; the person's list of passkeys.
 */
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { randomUUID } from "node:crypto";
import type { ApplianceSettings } from "../settings/service";
import type { AuthContext } from "./context";
import { randomToken, sha256 } from "../platform/crypto";
import type { Invites } from "./invites";
import type { Recovery } from "./recovery";
import type { User } from "./repo";
import { validateDisplayName, validateUsername } from "./users";
import { AppError } from "../platform/errors";
import { checkName } from "../platform/names";

const CHALLENGE_TTL_MS = 5 * 60_000;

/** What a passkey registration will create or attach to once the browser answers the challenge. */
export type PendingRegistration =
  | { kind: "setup"; username: string; displayName: string; settings: Partial<ApplianceSettings> }
  | { kind: "signup"; username: string; displayName: string; inviteHash: string | null }
  | { kind: "enroll"; userId: string; inviteHash: string }
  | { kind: "add"; userId: string; passkeyName: string };

/** What the challenge row keeps until the browser answers: the pending account and its WebAuthn user handle. */
type StoredRegistration = PendingRegistration & { handle: string };

export type RegistrationResult = { user: User; recoveryCodes: string[] | null };

export type RegistrationStart =
  | { kind: "setup"; username: string; displayName: string; settings: Partial<ApplianceSettings> }
  | { kind: "signup"; username: string; displayName: string; inviteToken?: string | null }
  | { kind: "enroll"; inviteToken: string }
  | { kind: "add"; userId: string; userAgent: string | null };

/** @simplewebauthn/server and its CBOR/ASN.1 stack load on the first passkey ceremony, not with every process. */
const webauthn = () => import("@simplewebauthn/server");

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

/** The challenges a ceremony waits on: stored with what they will create, taken (deleted) when the browser answers. */
function challenges({ repo, now, space }: AuthContext) {
  return {
    /** Signing in must work on a full disk: the challenge's row may use the space reserve (app/platform/space.ts). */
    store(challenge: string, purpose: "register" | "login", pending?: StoredRegistration) {
      const id = randomToken(18);
      space.freeing(() => {
        repo.deleteExpiredChallenges(now());
        repo.insertChallenge({ id, challenge, purpose, pending: pending ?? null, expiresAt: new Date(now().getTime() + CHALLENGE_TTL_MS) });
      });
      return id;
    },
    /** Single use: the row is deleted before we look at the answer, so a failed or replayed attempt cannot reuse it. */
    take(id: string, purpose: "register" | "login") {
      const c = space.freeing(() => repo.takeChallenge(id));
      if (!c || c.purpose !== purpose || c.expiresAt.getTime() < now().getTime()) {
        throw new AppError(400, "This sign-in attempt expired or was already used. Please try again.");
      }
      return c;
    },
  };
}

/** Everything that can be checked before the browser is involved; what the challenge will remember. */
function pendingFor({ repo }: AuthContext, invites: Invites, input: RegistrationStart) {
  if (input.kind === "setup") {
    if (repo.adminExists()) throw new AppError(409, "Setup is already complete.");
    const username = validateUsername(input.username);
    const displayName = validateDisplayName(input.displayName);
    return {
      username,
      displayName,
      handle: randomToken(16),
      exclude: [],
      pending: { kind: "setup", username, displayName, settings: input.settings } as const,
    };
  }
  if (input.kind === "signup") {
    if (!repo.adminExists()) throw new AppError(409, "Finish the setup wizard first.");
    const gate = invites.canRegister(input.inviteToken);
    if (!gate.allowed) throw new AppError(403, gate.reason!);
    const username = validateUsername(input.username);
    const displayName = validateDisplayName(input.displayName);
    if (repo.userByName(username)) throw new AppError(409, "That username is taken.");
    const inviteHash = input.inviteToken ? sha256(input.inviteToken) : null;
    return { username, displayName, handle: randomToken(16), exclude: [], pending: { kind: "signup", username, displayName, inviteHash } as const };
  }
  if (input.kind === "enroll") {
    const invite = invites.check(input.inviteToken);
    const user = invite?.forUserId ? repo.userById(invite.forUserId) : undefined;
    if (!invite || !user) throw new AppError(403, "This enrolment link is not valid.");
    const pending = { kind: "enroll", userId: user.id, inviteHash: invite.tokenHash } as const;
    return { username: user.username, displayName: user.displayName, handle: user.webauthnUserId, exclude: [], pending };
  }
  const user = repo.userById(input.userId);
  if (!user) throw new AppError(404, "Unknown user.");
  const exclude = repo.passkeysOf(user.id).map((p) => ({ id: p.id, transports: p.transports ?? undefined }));
  const pending = { kind: "add", userId: user.id, passkeyName: passkeyNameFrom(input.userAgent) } as const;
  return { username: user.username, displayName: user.displayName, handle: user.webauthnUserId, exclude, pending };
}

/** A new account (setup wizard or sign-up), re-checking what may have changed since the options were issued. */
function createAccount(ctx: AuthContext, pending: StoredRegistration & { kind: "setup" | "signup" }, at: Date) {
  const { repo } = ctx;
  if (pending.kind === "setup" && repo.adminExists()) throw new AppError(409, "Setup is already complete.");
  if (repo.userByName(pending.username)) throw new AppError(409, "That username is taken.");
  if (pending.kind === "signup" && ctx.registrationPolicy() !== "open" && !pending.inviteHash) {
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
  if (pending.kind === "setup") ctx.applySetup(pending.settings);
  return user;
}

/** Registering a passkey: options for the browser, then its answer verified and stored. */
function createRegistration(ctx: AuthContext, parts: { invites: Invites; recovery: Recovery }) {
  const { repo, now } = ctx;
  const challenge = challenges(ctx);
  return {
    /** Starts a passkey registration; validates everything that can be validated before the browser is involved. */
    async startRegistration(input: RegistrationStart) {
      const { username, displayName, handle, exclude, pending } = pendingFor(ctx, parts.invites, input);
      const options = await (await webauthn()).generateRegistrationOptions({
        rpName: ctx.deviceName(),
        rpID: ctx.config.rpID,
        userName: username,
        userDisplayName: displayName,
        userID: new TextEncoder().encode(handle),
        attestationType: "none",
        excludeCredentials: exclude,
        authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
      });
      return { challengeId: challenge.store(options.challenge, "register", { ...pending, handle }), options };
    },

    async finishRegistration(challengeId: string, response: RegistrationResponseJSON, userAgent: string | null): Promise<RegistrationResult> {
      const c = challenge.take(challengeId, "register");
      const pending = c.pending as StoredRegistration | null;
      if (!pending) throw new AppError(400, "Broken registration state.");
      let verification;
      try {
        verification = await (await webauthn()).verifyRegistrationResponse({
          response,
          expectedChallenge: c.challenge,
          expectedOrigin: ctx.config.origins,
          expectedRPID: ctx.config.rpID,
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

      return writeTransaction(repo.db, () => {
        if (pending.kind === "add" || pending.kind === "enroll") {
          const user = repo.userById(pending.userId);
          if (!user) throw new AppError(404, "Unknown user.");
          if (pending.kind === "enroll" && !repo.useInvite(pending.inviteHash, user.id, at)) {
            throw new AppError(409, "This enrolment link was already used.");
          }
          repo.insertPasskey(passkeyRow(user.id, pending.kind === "add" ? pending.passkeyName : passkeyNameFrom(userAgent)));
          const codes = repo.unusedRecoveryCodes(user.id) === 0 ? parts.recovery.issue(user.id) : null;
          return { user, recoveryCodes: codes };
        }
        const user = createAccount(ctx, pending, at);
        repo.insertPasskey(passkeyRow(user.id, passkeyNameFrom(userAgent)));
        return { user, recoveryCodes: parts.recovery.issue(user.id) };
      });
    },
  };
}

/** Signing in with a discoverable passkey. */
function createSignIn(ctx: AuthContext) {
  const { repo, now } = ctx;
  const challenge = challenges(ctx);
  return {
    async startLogin() {
      // Discoverable credentials: no username needed, the authenticator offers the account.
      const options = await (await webauthn()).generateAuthenticationOptions({ rpID: ctx.config.rpID, userVerification: "preferred" });
      return { challengeId: challenge.store(options.challenge, "login"), options };
    },

    /** Returns the user, or throws AppError. */
    async finishLogin(challengeId: string, response: AuthenticationResponseJSON): Promise<User> {
      const c = challenge.take(challengeId, "login");
      const passkey = typeof response?.id === "string" ? repo.passkeyById(response.id) : undefined;
      if (!passkey) throw new AppError(401, "This passkey is not registered on this device.");
      const user = repo.userById(passkey.userId);
      if (!user || user.disabledAt) throw new AppError(403, "This account is disabled.");
      let result;
      try {
        result = await (await webauthn()).verifyAuthenticationResponse({
          response,
          expectedChallenge: c.challenge,
          expectedOrigin: ctx.config.origins,
          expectedRPID: ctx.config.rpID,
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
      // The counter guards against cloned keys: written like the session, with the space reserve on a full disk.
      ctx.space.freeing(() => repo.touchPasskey(passkey.id, result.authenticationInfo.newCounter, now()));
      return user;
    },
  };
}

export function createPasskeys(ctx: AuthContext, parts: { invites: Invites; recovery: Recovery }) {
  const { repo } = ctx;
  return {
    ...createRegistration(ctx, parts),
    ...createSignIn(ctx),
    /** Whose passkey this is (for rate limits and the audit log before the signature is checked). */
    owner: (credentialId: string) => repo.passkeyById(credentialId)?.userId ?? null,
    of: (userId: string) => repo.passkeysOf(userId),
    rename(userId: string, id: string, name: string) {
      if (!name.trim()) throw new AppError(400, "Give the passkey a name.");
      const n = checkName(name, { trim: true, maxChars: 64 });
      if (!repo.renamePasskey(userId, id, n)) throw new AppError(404, "No such passkey.");
    },
    remove(userId: string, id: string) {
      if (repo.passkeysOf(userId).length <= 1) throw new AppError(409, "You cannot remove your last passkey: add another one first.");
      if (!repo.deletePasskey(userId, id)) throw new AppError(404, "No such passkey.");
    },
  };
}
