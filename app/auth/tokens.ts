/** App tokens for scripts and clients (`Authorization: Bearer`): shown once, stored hashed, revocable per device. */
import { randomUUID } from "node:crypto";
import type { AuthContext } from "./context";
import { randomToken, sha256 } from "../platform/crypto";
import { AppError } from "../platform/errors";
import { checkName } from "../platform/names";
import { bookkeeping } from "../platform/space";

export function createTokens({ repo, now }: Pick<AuthContext, "repo" | "now">) {
  return {
    create(userId: string, name: string) {
      if (!name.trim()) throw new AppError(400, "Name the device or script this token is for.");
      const n = checkName(name, { trim: true, maxChars: 64 });
      const token = `nas_${randomToken()}`;
      const id = randomUUID();
      repo.insertToken({ id, userId, name: n, tokenHash: sha256(token), createdAt: now() });
      return { id, token };
    },
    resolve(token: string) {
      if (!token.startsWith("nas_")) return null;
      const row = repo.tokenWithUser(sha256(token));
      // A device's app password (scope "files") opens WebDAV only (app/auth/app-passwords.ts), never the API.
      if (!row || row.user.disabledAt || row.token.scope !== "api") return null;
      if (!row.token.lastUsedAt || now().getTime() - row.token.lastUsedAt.getTime() > 60_000) bookkeeping(() => repo.touchToken(row.token.id, now()));
      return row;
    },
    of: (userId: string) => repo.tokensOf(userId).filter((t) => t.scope === "api"),
    revoke(userId: string, id: string) {
      if (!repo.revokeToken(userId, id, now())) throw new AppError(404, "No such token.");
    },
    /** The admin CLI: any user's token, by its id. */
    revokeById(id: string) {
      if (!repo.revokeTokenById(id, now())) throw new AppError(404, "No such token.");
    },
  };
}
