/** Browser sessions: the cookie holds a random id, the database only its hash. */
import type { AuthContext } from "./context";
import { randomToken, sha256 } from "../platform/crypto";
import type { AuthRepo } from "./repo";
import { AppError } from "../platform/errors";
import { bookkeeping } from "../platform/space";

export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;

/** Forgets expired sign-in challenges and sessions (the hourly `auth.cleanup` job). */
export function deleteExpired(repo: AuthRepo, now: Date) {
  repo.deleteExpiredChallenges(now);
  repo.deleteExpiredSessions(new Date(now.getTime() - SESSION_IDLE_MS), new Date(now.getTime() - SESSION_ABSOLUTE_MS));
}

export function createSessions({ repo, now, space }: Pick<AuthContext, "repo" | "now" | "space">) {
  return {
    /** A new session for `userId` (replacing the browser's previous one); returns the cookie value. */
    create(userId: string, meta: { ip: string | null; userAgent: string | null }, replacing?: string | null) {
      const id = randomToken();
      const at = now();
      // Signing in is a write nobody may be locked out of: on a full disk it uses the space reserve.
      space.freeing(() => {
        if (replacing) repo.deleteSession(sha256(replacing));
        repo.insertSession({ idHash: sha256(id), userId, createdAt: at, lastSeenAt: at, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) ?? null });
      });
      return id;
    },

    resolve(cookieValue: string | undefined | null) {
      if (!cookieValue) return null;
      const idHash = sha256(cookieValue);
      const row = repo.sessionWithUser(idHash);
      if (!row) return null;
      const t = now().getTime();
      if (t - row.session.lastSeenAt.getTime() > SESSION_IDLE_MS || t - row.session.createdAt.getTime() > SESSION_ABSOLUTE_MS || row.user.disabledAt) {
        bookkeeping(() => repo.deleteSession(idHash));
        return null;
      }
      // Write the "last seen" at most once a minute: a page of thumbnails must not cost 50 fsyncs. Bookkeeping: on a
      // full disk it waits, and the request goes on.
      if (t - row.session.lastSeenAt.getTime() > 60_000) bookkeeping(() => repo.touchSession(idHash, now()));
      return row;
    },

    logout: (cookieValue: string) => space.freeing(() => repo.deleteSession(sha256(cookieValue))),
    logoutEverywhere: (userId: string) => repo.deleteSessionsOf(userId),
    /** Signs one of the user's own browsers out (by the session's hash, as the settings page lists them). */
    end(userId: string, idHash: string) {
      if (repo.deleteSessionOf(userId, idHash) === 0) throw new AppError(404, "That browser is signed out already.");
    },
    of: (userId: string) => repo.sessionsOf(userId),
  };
}
