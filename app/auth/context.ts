import type { Config } from "../platform/config";
import type { ApplianceSettings } from "../settings/service";
import type { SpaceReserve } from "../platform/space";
import type { AuthRepo } from "./repo";

/** What every sign-in capability (sessions, passkeys, recovery, tokens, invites, users) is built over. */
export type AuthContext = {
  repo: AuthRepo;
  config: Pick<Config, "origins" | "rpID">;
  now: () => Date;
  /** The relying party's name passkeys show (the device name). */
  deviceName: () => string;
  registrationPolicy: () => ApplianceSettings["registrationPolicy"];
  /** Runs inside the transaction that creates the first admin. */
  applySetup: (settings: Partial<ApplianceSettings>) => void;
  /** Signing in on a full disk releases it (app/platform/space.ts). */
  space: SpaceReserve;
};
