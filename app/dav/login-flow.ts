// Nextcloud's Login Flow v2, as the apps and the desktop client start it: the app POSTs /index.php/login/v2 and opens
// the `login` address in a browser, where the person signs in with their passkey and approves "<device> wants
// access"; the app polls with its secret token and receives, once, a new app password for that device. Flows live
// in memory for 20 minutes: nothing secret is written down, and a restart only means trying again.
import { randomToken, sha256 } from "../platform/crypto";
import type { AppPasswords, DeviceScope } from "../auth/app-passwords";
import type { Clock } from "../platform/clock";
import type { User } from "../platform/db/schema";
import { AppError } from "../platform/errors";

const TTL_MS = 20 * 60_000;
const MAX_FLOWS = 1000;

type Flow = { client: string; expiresAt: number; pollHash: string; result?: { loginName: string; appPassword: string } };

/** A name for the device from its User-Agent ("Nextcloud-android/3.25" → "Android phone"), editable on approval. */
export function deviceNameFrom(userAgent: string | null): string {
  const ua = userAgent ?? "";
  if (/android/i.test(ua)) return "Android phone";
  if (/ios|iphone|ipad/i.test(ua)) return "iPhone";
  if (/mirall|nextcloud.*desktop|nextcloudcmd/i.test(ua)) return /windows/i.test(ua) ? "Windows computer" : /mac/i.test(ua) ? "Mac" : "Computer";
  return "New device";
}

export function createLoginFlows(deps: { devices: AppPasswords; now: Clock }) {
  const now = () => deps.now().getTime();
  // Keyed by the hash of the token in the browser address; the app's poll token is kept as a hash too.
  const flows = new Map<string, Flow>();
  const sweep = () => {
    for (const [k, f] of flows) if (f.expiresAt <= now()) flows.delete(k);
  };
  const byLoginToken = (loginToken: string) => {
    sweep();
    const flow = flows.get(sha256(loginToken));
    if (!flow || flow.result) throw new AppError(404, "This sign-in request expired or was already answered: start again in the app.");
    return flow;
  };
  return {
    start(userAgent: string | null) {
      sweep();
      if (flows.size >= MAX_FLOWS) throw new AppError(503, "Too many sign-in requests are waiting: try again in a few minutes.");
      const loginToken = randomToken();
      const pollToken = randomToken();
      flows.set(sha256(loginToken), { client: deviceNameFrom(userAgent), expiresAt: now() + TTL_MS, pollHash: sha256(pollToken) });
      return { loginToken, pollToken };
    },
    /** What the approval page shows. */
    pending: (loginToken: string) => ({ client: byLoginToken(loginToken).client }),
    approve(user: User, loginToken: string, name: string, scope: DeviceScope) {
      const flow = byLoginToken(loginToken);
      const { password } = deps.devices.create(user.id, name, scope);
      flow.result = { loginName: user.username, appPassword: password };
    },
    deny(loginToken: string) {
      flows.delete(sha256(loginToken));
    },
    /** The app's poll: the credentials once approved (then the flow is gone), else null. */
    poll(pollToken: string): { loginName: string; appPassword: string } | null {
      sweep();
      const hash = sha256(pollToken);
      for (const [key, flow] of flows) {
        if (flow.pollHash !== hash) continue;
        if (!flow.result) return null;
        flows.delete(key);
        return flow.result;
      }
      return null;
    },
  };
}

export type LoginFlows = ReturnType<typeof createLoginFlows>;
