import type { SettingsRepo } from "./repo";

export const REGISTRATION_POLICIES = ["closed", "invite", "open"] as const;
export type RegistrationPolicy = (typeof REGISTRATION_POLICIES)[number];

export type ApplianceSettings = {
  deviceName: string;
  timeZone: string;
  registrationPolicy: RegistrationPolicy;
  trashRetentionDays: number;
};

const defaults: ApplianceSettings = { deviceName: "nas", timeZone: "UTC", registrationPolicy: "invite", trashRetentionDays: 30 };

/** Device names appear in page titles and mDNS: printable, short. */
export function validateDeviceName(name: string): string | null {
  const n = name.normalize("NFC").trim();
  if (!n) return "Give the device a name.";
  if (n.length > 63) return "Use at most 63 characters.";
  if (/[\u0000-\u001f\u007f]/.test(n)) return "Control characters are not allowed.";
  return null;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Hands OS-level settings (time zone) to root, which applies them on the appliance (provision/settings.ts). */
export type SystemSettingsSink = (patch: { timezone?: string }) => void;

export function createSettingsService(repo: SettingsRepo, deps: { toSystem?: SystemSettingsSink } = {}) {
  // Read on every page: cached until this process changes them or another process commits anything.
  let cached: ApplianceSettings | null = null;
  let cachedAt = -1;
  return {
    all(): ApplianceSettings {
      const version = repo.dataVersion();
      if (version !== cachedAt) {
        cached = null;
        cachedAt = version;
      }
      return cached ??= {
        deviceName: repo.get<string>("deviceName") ?? defaults.deviceName,
        timeZone: repo.get<string>("timeZone") ?? defaults.timeZone,
        registrationPolicy: repo.get<RegistrationPolicy>("registrationPolicy") ?? defaults.registrationPolicy,
        trashRetentionDays: repo.get<number>("trashRetentionDays") ?? defaults.trashRetentionDays,
      };
    },
    update(patch: Partial<ApplianceSettings>) {
      cached = null;
      if (patch.deviceName !== undefined) {
        const err = validateDeviceName(patch.deviceName);
        if (err) throw new SettingsError(err);
        repo.set("deviceName", patch.deviceName.normalize("NFC").trim());
      }
      if (patch.timeZone !== undefined) {
        if (!isValidTimeZone(patch.timeZone)) throw new SettingsError(`Unknown time zone: ${patch.timeZone}`);
        repo.set("timeZone", patch.timeZone);
        deps.toSystem?.({ timezone: patch.timeZone });
      }
      if (patch.registrationPolicy !== undefined) {
        if (!REGISTRATION_POLICIES.includes(patch.registrationPolicy)) throw new SettingsError("Unknown registration policy.");
        repo.set("registrationPolicy", patch.registrationPolicy);
      }
      if (patch.trashRetentionDays !== undefined) {
        if (!Number.isInteger(patch.trashRetentionDays) || patch.trashRetentionDays < 1) throw new SettingsError("Trash retention must be at least 1 day.");
        repo.set("trashRetentionDays", patch.trashRetentionDays);
      }
    },
  };
}

export class SettingsError extends Error {}
export type SettingsService = ReturnType<typeof createSettingsService>;
