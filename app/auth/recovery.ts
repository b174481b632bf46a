/** Recovery codes: ten one-time codes, shown once, stored hashed; each signs its owner in once. */
import type { AuthContext } from "./context";
import { randomToken, sha256 } from "../platform/crypto";
import type { User } from "./repo";
import { AppError } from "../platform/errors";

const RECOVERY_CODE_COUNT = 10;

export function createRecovery({ repo, now, space }: Pick<AuthContext, "repo" | "now" | "space">) {
  /** A fresh set replacing the user's codes: 10 codes of 10 base32-ish characters. */
  function issue(userId: string): string[] {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
      const raw = randomToken(8).replace(/[-_]/g, "x").slice(0, 10).toLowerCase();
      return `${raw.slice(0, 5)}-${raw.slice(5)}`;
    });
    repo.replaceRecoveryCodes(userId, codes.map(sha256), now());
    return codes;
  }
  return {
    issue,
    regenerate: (userId: string) => issue(userId),
    unused: (userId: string) => repo.unusedRecoveryCodes(userId),
    /** Signs in with a code instead of a passkey; the code is used up. */
    recover(username: string, code: string): User {
      const user = repo.userByName(username.trim().toLowerCase());
      const normalized = code.trim().toLowerCase().replace(/\s+/g, "");
      // Signing in must work on a full disk: using up the code may take the space reserve.
      if (!user || user.disabledAt || !space.freeing(() => repo.consumeRecoveryCode(user.id, sha256(normalized), now()))) {
        throw new AppError(401, "That username and recovery code do not match an unused code.");
      }
      return user;
    },
  };
}

export type Recovery = ReturnType<typeof createRecovery>;
