/** Invite links: a one-time token to register (or, `forUserId`, to enrol a passkey for an existing account). */
import type { AuthContext } from "./context";
import { randomToken, sha256 } from "../platform/crypto";
import type { User } from "./repo";
import { AppError } from "../platform/errors";

const INVITE_TTL_MS = 7 * 24 * 3600_000;

export function createInvites({ repo, now, registrationPolicy }: Pick<AuthContext, "repo" | "now" | "registrationPolicy">) {
  /** The invite a token stands for; null without a token; 403 for one that is unknown, used or expired. */
  function check(token: string | null | undefined) {
    if (!token) return null;
    const invite = repo.validInvite(sha256(token), now());
    if (!invite) throw new AppError(403, "This invite link is invalid, expired or already used.");
    return invite;
  }
  return {
    check,
    create(createdBy: string | null, forUserId: string | null = null) {
      const token = randomToken();
      const at = now();
      repo.insertInvite({ tokenHash: sha256(token), createdBy, createdAt: at, expiresAt: new Date(at.getTime() + INVITE_TTL_MS), forUserId });
      return token;
    },
    open: () => repo.openInvites(now()),
    /** The account an enrolment link is for; null for anything else. */
    enrollmentUser(token: string): User | null {
      try {
        const invite = check(token);
        return invite?.forUserId ? (repo.userById(invite.forUserId) ?? null) : null;
      } catch {
        return null;
      }
    },
    /** Whether the registration page may offer a sign-up, under the admin's policy (with this invite link). */
    canRegister(inviteToken?: string | null): { allowed: boolean; reason?: string } {
      const policy = registrationPolicy();
      if (policy === "open") return { allowed: true };
      if (policy === "invite") {
        if (!inviteToken) return { allowed: false, reason: "Registration needs an invite link from the administrator." };
        try {
          const invite = check(inviteToken);
          if (invite?.forUserId) return { allowed: false, reason: "This link is for enrolling a passkey, not for registering." };
          return { allowed: true };
        } catch (e) {
          return { allowed: false, reason: (e as Error).message };
        }
      }
      return { allowed: false, reason: "Registration is closed. Ask the administrator to add your account." };
    },
  };
}

export type Invites = ReturnType<typeof createInvites>;
