/**
 * Sign-in, split by capability: each is a plain module over the same explicit context (context.ts) — sessions.ts,
 * passkeys.ts (the WebAuthn ceremonies), recovery.ts, tokens.ts (app tokens), invites.ts and users.ts.
 */
import type { AuthContext } from "./context";
import { createInvites } from "./invites";
import { createPasskeys } from "./passkeys";
import { createRecovery } from "./recovery";
import { createSessions } from "./sessions";
import { createTokens } from "./tokens";
import { createUsers } from "./users";

export function createAuthService(deps: AuthContext) {
  const ctx: AuthContext = { ...deps };
  const invites = createInvites(ctx);
  const recovery = createRecovery(ctx);
  return {
    sessions: createSessions(ctx),
    passkeys: createPasskeys(ctx, { invites, recovery }),
    recovery,
    tokens: createTokens(ctx),
    invites,
    users: createUsers(ctx, invites),
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
