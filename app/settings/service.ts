import { DEFAULT_HOSTNAME, InvalidHostnameError, isValidHostname, parseHostname } from "../../provision/hostname";
import { authorizedKeyProblem, isValidNtpServer, MAX_AUTHORIZED_KEYS, MAX_NTP_SERVERS, type SystemSettings } from "../../provision/settings";
import { sha256 } from "../platform/crypto";
import type { SettingsRepo } from "./repo";
import { AppError } from "../platform/errors";
import { checkName } from "../platform/names";
import { log } from "../platform/log";

/** Days of nightly database backups kept unless the admin chose otherwise (Dashboard → Backups). */
export const DEFAULT_BACKUP_KEEP_DAYS = 14;

export const REGISTRATION_POLICIES = ["closed", "invite", "open"] as const;
export type RegistrationPolicy = (typeof REGISTRATION_POLICIES)[number];

export type ApplianceSettings = {
  deviceName: string;
  timeZone: string;
  registrationPolicy: RegistrationPolicy;
  trashRetentionDays: number;
  /** How many days of nightly database backups the worker keeps. */
  backupKeepDays: number;
  /** Where new alerts are POSTed (an ntfy topic URL or any webhook); null: nowhere. */
  alertWebhook: string | null;
};

const defaults: ApplianceSettings = {
  deviceName: "nas",
  timeZone: "UTC",
  registrationPolicy: "invite",
  trashRetentionDays: 30,
  backupKeepDays: DEFAULT_BACKUP_KEEP_DAYS,
  alertWebhook: null,
};

/** Device names appear in page titles and mDNS: the one name rule (app/platform/names.ts), at most 63 characters. */
export function validateDeviceName(name: string): string | null {
  try {
    checkName(name, { what: "Device names", trim: true, maxChars: 63 });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Hands OS-level settings to root, which applies them on the appliance (provision/settings.ts validates both
 * sides, so the page can never write what root would refuse). Throws when the request could not be written.
 */
export type SystemSettingsSink = (patch: SystemSettings) => void;

/** An authorized key as pages see it: its type and comment, never the key itself. */
export type SshKeyView = { id: string; type: string; comment: string };

/** The box's host name (<name>.local), extra time servers and SSH access, as the system settings page shows them. */
export type HostSettings = {
  hostname: string;
  /** Empty: the image's default pool only. */
  ntpServers: string[];
  ssh: { enabled: boolean; keys: SshKeyView[] };
};

type StoredSsh = { enabled: boolean; authorizedKeys: string[] };
/** What an SSH change did: on or off, how many keys are left, and the keys added or removed. */
export type SshChange = { enabled: boolean; keys: number; changed: SshKeyView[] };

/** Identifies a key for removal by its key material (the comment may repeat or change). */
const keyId = (line: string) => sha256(line.split(" ")[1] ?? "").slice(0, 16);

function keyView(line: string): SshKeyView {
  const [type = "", , ...comment] = line.split(" ");
  return { id: keyId(line), type, comment: comment.join(" ") };
}

/** Lines of a textarea, trimmed, blanks dropped, with their 1-based line numbers for error messages. */
function nonEmptyLines(text: string): { n: number; line: string }[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line, i) => ({ n: i + 1, line: line.trim() }))
    .filter((l) => l.line !== "");
}

/** A short, printable excerpt of user input for an error message (the page escapes it). */
const excerpt = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** An http(s) URL without credentials (they would show on the page and in logs); empty means none. */
export function parseWebhookUrl(input: string): string | null {
  const text = input.trim();
  if (text === "") return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError(400, "Enter a full web address, e.g. https://ntfy.sh/my-nas-alerts.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new AppError(400, "The address must start with https:// or http://.");
  if (url.username || url.password) throw new AppError(400, "Put no user name or password in the address; use a private topic name instead.");
  if (text.length > 500) throw new AppError(400, "The address is too long (500 characters at most).");
  return url.toString();
}

/** The host name the device name suggests ("Attic NAS" → attic-nas), or the image's default. */
export function hostnameFromDeviceName(deviceName: string): string {
  const slug = deviceName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return isValidHostname(slug) ? slug : DEFAULT_HOSTNAME;
}

/** One time server per line; empty means the default pool. Same rule as root (provision/settings.ts). */
export function parseTimeServers(text: string): string[] {
  const lines = nonEmptyLines(text);
  if (lines.length > MAX_NTP_SERVERS) throw new AppError(400, `List at most ${MAX_NTP_SERVERS} time servers (this list has ${lines.length}).`);
  for (const { n, line } of lines) {
    if (!isValidNtpServer(line)) throw new AppError(400, `Line ${n}: ${excerpt(line)} is not a host name or IPv4 address.`);
  }
  return [...new Set(lines.map((l) => l.line.toLowerCase()))];
}

/** OpenSSH public keys, one per line. Same rule as root (provision/settings.ts). */
export function parseAuthorizedKeys(text: string): string[] {
  const lines = nonEmptyLines(text);
  if (lines.length > MAX_AUTHORIZED_KEYS) throw new AppError(400, `Paste at most ${MAX_AUTHORIZED_KEYS} keys (this list has ${lines.length}).`);
  for (const { n, line } of lines) {
    const problem = authorizedKeyProblem(line);
    if (problem) throw new AppError(400, `Key on line ${n} ${problem}.`);
  }
  return lines.map((l) => l.line);
}

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
      if (cached) return cached;
      cached = {
        deviceName: repo.get<string>("deviceName") ?? defaults.deviceName,
        timeZone: repo.get<string>("timeZone") ?? defaults.timeZone,
        registrationPolicy: repo.get<RegistrationPolicy>("registrationPolicy") ?? defaults.registrationPolicy,
        trashRetentionDays: repo.get<number>("trashRetentionDays") ?? defaults.trashRetentionDays,
        backupKeepDays: repo.get<number>("backupKeepDays") ?? defaults.backupKeepDays,
        alertWebhook: repo.get<string>("alertWebhook") || defaults.alertWebhook, // "" once removed
      };
      return cached;
    },
    update(patch: Partial<ApplianceSettings>) {
      cached = null;
      if (patch.deviceName !== undefined) {
        const err = validateDeviceName(patch.deviceName);
        if (err) throw new AppError(400, err);
        repo.set("deviceName", patch.deviceName.normalize("NFC").trim());
      }
      if (patch.timeZone !== undefined) {
        if (!isValidTimeZone(patch.timeZone)) throw new AppError(400, `Unknown time zone: ${patch.timeZone}`);
        repo.set("timeZone", patch.timeZone);
        // The app keeps its own copy: a time zone the OS lacks (or a failed write) is logged, not fatal.
        try {
          deps.toSystem?.({ timezone: patch.timeZone });
        } catch (e) {
          log.warn(`time zone not handed to the system: ${(e as Error).message}`);
        }
      }
      if (patch.registrationPolicy !== undefined) {
        if (!REGISTRATION_POLICIES.includes(patch.registrationPolicy)) throw new AppError(400, "Unknown registration policy.");
        repo.set("registrationPolicy", patch.registrationPolicy);
      }
      if (patch.trashRetentionDays !== undefined) {
        if (!Number.isInteger(patch.trashRetentionDays) || patch.trashRetentionDays < 1) throw new AppError(400, "Trash retention must be at least 1 day.");
        repo.set("trashRetentionDays", patch.trashRetentionDays);
      }
      if (patch.backupKeepDays !== undefined) {
        if (!Number.isInteger(patch.backupKeepDays) || patch.backupKeepDays < 1 || patch.backupKeepDays > 365) {
          throw new AppError(400, "Keep backups for 1 to 365 days.");
        }
        repo.set("backupKeepDays", patch.backupKeepDays);
      }
      if (patch.alertWebhook !== undefined) repo.set("alertWebhook", parseWebhookUrl(patch.alertWebhook ?? "") ?? "");
    },

    host(): HostSettings {
      const ssh = storedSsh();
      return {
        hostname: repo.get<string>("hostname") ?? DEFAULT_HOSTNAME,
        ntpServers: repo.get<string[]>("ntpServers") ?? [],
        ssh: { enabled: ssh.enabled, keys: ssh.authorizedKeys.map(keyView) },
      };
    },

    /**
     * Renames the box (<name>.local). Passkeys are bound to that name (it becomes the WebAuthn rpID), so a real
     * change must be confirmed. An unchanged name writes nothing.
     */
    setHostname(input: string, opts: { confirmed: boolean }): { previous: string; hostname: string } {
      let hostname: string;
      try {
        hostname = parseHostname(input);
      } catch (e) {
        if (e instanceof InvalidHostnameError) throw new AppError(400, e.message);
        throw e;
      }
      const previous = repo.get<string>("hostname") ?? DEFAULT_HOSTNAME;
      if (hostname === previous) return { previous, hostname };
      if (!opts.confirmed) throw new AppError(400, "Tick “I have my recovery codes” to rename the box: passkeys must be added again at the new address.");
      handOver({ hostname }, () => repo.set("hostname", hostname));
      return { previous, hostname };
    },

    setTimeServers(text: string): string[] {
      const servers = parseTimeServers(text);
      handOver({ ntpServers: servers }, () => repo.set("ntpServers", servers));
      return servers;
    },

    /** Adds pasted keys (duplicates of a stored key are skipped) and turns SSH on or off. On needs a key. */
    setSsh(input: { enabled: boolean; addKeys: string }): SshChange {
      const current = storedSsh();
      const byId = new Map(current.authorizedKeys.map((k) => [keyId(k), k]));
      const added: string[] = [];
      for (const key of parseAuthorizedKeys(input.addKeys)) {
        if (byId.has(keyId(key))) continue;
        byId.set(keyId(key), key);
        added.push(key);
      }
      if (byId.size > MAX_AUTHORIZED_KEYS) throw new AppError(400, `At most ${MAX_AUTHORIZED_KEYS} keys in all: remove some first.`);
      if (input.enabled && byId.size === 0) throw new AppError(400, "Paste at least one public key to turn SSH on.");
      const next = { enabled: input.enabled, authorizedKeys: [...byId.values()] };
      handOver({ ssh: next }, () => repo.set("ssh", next));
      return { enabled: next.enabled, keys: next.authorizedKeys.length, changed: added.map(keyView) };
    },

    /** Removes one key; removing the last one turns SSH off. */
    removeSshKey(id: string): SshChange {
      const current = storedSsh();
      const removed = current.authorizedKeys.filter((k) => keyId(k) === id);
      if (removed.length === 0) throw new AppError(400, "That key is not on the list any more.");
      const authorizedKeys = current.authorizedKeys.filter((k) => keyId(k) !== id);
      const next = { enabled: current.enabled && authorizedKeys.length > 0, authorizedKeys };
      handOver({ ssh: next }, () => repo.set("ssh", next));
      return { enabled: next.enabled, keys: authorizedKeys.length, changed: removed.map(keyView) };
    },
  };

  function storedSsh(): StoredSsh {
    return repo.get<StoredSsh>("ssh") ?? { enabled: false, authorizedKeys: [] };
  }

  /** The request file first, then the row: a change the system never received is not shown as saved. */
  function handOver(patch: SystemSettings, store: () => void) {
    try {
      deps.toSystem?.(patch);
    } catch (e) {
      log.warn(`system settings request not written: ${(e as Error).message}`);
      throw new AppError(400, "The change could not be handed to the system, so nothing was saved. The server log has the reason.");
    }
    store();
  }
}

export type SettingsService = ReturnType<typeof createSettingsService>;
