import { writeTransaction } from "../platform/db/client";
/** Accounts: who exists, the admin adding and resetting people (they enrol through a one-time link), quotas. */
import { randomUUID } from "node:crypto";
import type { AuthContext } from "./context";
import { randomToken } from "../platform/crypto";
import type { Invites } from "./invites";
import { AppError } from "../platform/errors";
import { checkName } from "../platform/names";

export function validateUsername(raw: string): string {
  const u = raw.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,31}$/.test(u)) {
    throw new AppError(400, "Usernames are 1–32 characters: lower-case letters, digits, dot, dash or underscore, starting with a letter or digit.");
  }
  return u;
}

/** How a person is shown: the one name rule (app/platform/names.ts), at most 64 characters. */
export const validateDisplayName = (raw: string): string => checkName(raw, { what: "Display names", trim: true, maxChars: 64 });

export function createUsers({ repo, now }: Pick<AuthContext, "repo" | "now">, invites: Pick<Invites, "create">) {
  let setupDone = false;
  return {
    /** An admin exists (remembered once true: the wizard never comes back). */
    setupDone: () => (setupDone ||= repo.adminExists()),

    /** Admin/CLI: an account without a passkey yet; returns the one-time enrolment token. */
    add(input: { username: string; displayName?: string; role?: "admin" | "user" }, createdBy: string | null) {
      const username = validateUsername(input.username);
      const displayName = validateDisplayName(input.displayName ?? username);
      if (repo.userByName(username)) throw new AppError(409, "That username is taken.");
      const user = repo.insertUser({ id: randomUUID(), username, displayName, role: input.role ?? "user", webauthnUserId: randomToken(16), createdAt: now() });
      return { user, enrollToken: invites.create(createdBy, user.id) };
    },

    /** Admin reset: removes passkeys, sessions and recovery codes; the user enrols again through a one-time link. */
    reset(userId: string, by: string | null) {
      const user = repo.userById(userId);
      if (!user) throw new AppError(404, "Unknown user.");
      writeTransaction(repo.db, () => {
        repo.deletePasskeysOf(userId);
        repo.deleteSessionsOf(userId);
        repo.deleteRecoveryCodesOf(userId);
      });
      return { user, enrollToken: invites.create(by, userId) };
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

    byId: (id: string) => repo.userById(id),
    byName: (name: string) => repo.userByName(name),
    list: () => repo.listUsers(),
  };
}
