/** Dashboard → Power: reboot and shut down through systemd (logind decides whether the nasd user may). */
import { existsSync } from "node:fs";
import { runCommand, type Runner } from "../../hw/run";
import { AppError } from "../platform/errors";

export type PowerAction = "reboot" | "poweroff";
export type PowerAvailability = { available: true } | { available: false; reason: string };

export interface PowerControl {
  availability(): PowerAvailability;
  run(action: PowerAction): Promise<{ ok: boolean; message: string }>;
}

/**
 * Only on the appliance (`appliance`: the image's web unit sets NAS_APPLIANCE=1), and systemd must be PID 1. On a
 * developer's machine the buttons stay disabled, so a click in a test or a demo never reboots the host.
 */
export function systemdPower(deps: { appliance: boolean; run?: Runner; systemdBooted?: () => boolean }): PowerControl {
  const run = deps.run ?? runCommand;
  const systemdBooted = deps.systemdBooted ?? (() => existsSync("/run/systemd/system"));
  return {
    availability() {
      if (!deps.appliance)
        return {
          available: false,
          reason:
            "Restart and shut down work only on the NAS appliance itself. This copy of the software runs on another computer (for trying it out or development), so these buttons stay off and never switch that computer off.",
        };
      if (!systemdBooted())
        return { available: false, reason: "systemd is not running on this machine, so there is no safe way to reboot or shut down from here." };
      return { available: true };
    },
    async run(action) {
      const res = await run(["systemctl", action, "--no-wall"], { timeoutMs: 15_000 });
      if (res.code === 0) return { ok: true, message: action === "reboot" ? "Rebooting now…" : "Shutting down now…" };
      return { ok: false, message: `systemctl ${action} failed: ${res.stderr.trim() || `exit ${res.code}`}` };
    },
  };
}

/** What the power page does: the control's availability, and an action that refuses (409) when it is off. */
export function createPower(control: PowerControl) {
  return {
    availability: () => control.availability(),
    async run(action: PowerAction) {
      const availability = control.availability();
      if (!availability.available) throw new AppError(409, availability.reason);
      return control.run(action);
    },
  };
}
