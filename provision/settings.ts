import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileDurably } from "../hw/files";
import { parseHostname } from "./hostname";

/**
 * System settings chosen in the web wizard. The web process (unprivileged) writes them as JSON to
 * /data/nasd/system-settings.json; nas-settings.path runs `provision/cli.ts apply-settings` as root,
 * which validates them here and writes the system files. An ACME domain can join this shape later.
 */
export type SystemSettings = {
  hostname?: string;
  timezone?: string;
  ntpServers?: string[];
  ssh?: { enabled: boolean; authorizedKeys: string[] };
};

export class InvalidSettingsError extends Error {}

/** Limits shared by the settings page and root: more than this is a mistake, not a configuration. */
export const MAX_NTP_SERVERS = 20;
export const MAX_AUTHORIZED_KEYS = 32;
/** An RSA 16384-bit public key line is about 2,800 characters. */
export const MAX_AUTHORIZED_KEY_LENGTH = 8192;

const NTP_SERVER = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i;

/** A host name or IPv4 address chrony can be pointed at (no ports, no options, nothing a config line could abuse). */
export function isValidNtpServer(server: string): boolean {
  return NTP_SERVER.test(server);
}

export const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
] as const;

/**
 * Why one authorized_keys line is refused, or null: `<type> <base64 key> [comment]`, a type from SSH_KEY_TYPES
 * that the key blob itself names, no options and no control characters anywhere.
 */
export function authorizedKeyProblem(line: string): string | null {
  if (line.length > MAX_AUTHORIZED_KEY_LENGTH) return `is longer than ${MAX_AUTHORIZED_KEY_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(line)) return "contains control characters";
  if (line.includes("PRIVATE KEY")) return "is a private key: paste the public key (the .pub file) and keep the private one secret";
  const [type = "", blob = ""] = line.split(" ");
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) return `does not start with a supported key type (${SSH_KEY_TYPES.join(", ")})`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return "has no base64 key after the type";
  // The blob starts with its own type name (uint32 length + name): catches a pasted fragment or a mislabelled key.
  const bytes = Buffer.from(blob, "base64");
  const nameLength = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
  if (nameLength !== type.length || bytes.subarray(4, 4 + nameLength).toString("latin1") !== type) return `is not a valid ${type} key`;
  return null;
}

export function parseSystemSettings(raw: unknown, zoneinfoDir = "/usr/share/zoneinfo"): SystemSettings {
  if (typeof raw !== "object" || raw === null) throw new InvalidSettingsError("settings must be an object");
  const input = raw as Record<string, unknown>;
  const settings: SystemSettings = {};
  if (input.hostname !== undefined) settings.hostname = parseHostname(String(input.hostname));
  if (input.timezone !== undefined) {
    const tz = String(input.timezone);
    if (!/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(tz) || !existsSync(join(zoneinfoDir, tz))) {
      throw new InvalidSettingsError(`unknown time zone ${tz}`);
    }
    settings.timezone = tz;
  }
  if (input.ntpServers !== undefined) {
    if (!Array.isArray(input.ntpServers) || !input.ntpServers.every((s) => typeof s === "string" && isValidNtpServer(s))) {
      throw new InvalidSettingsError("ntpServers must be host names or addresses");
    }
    if (input.ntpServers.length > MAX_NTP_SERVERS) throw new InvalidSettingsError(`at most ${MAX_NTP_SERVERS} ntpServers`);
    settings.ntpServers = input.ntpServers as string[];
  }
  if (input.ssh !== undefined) {
    const ssh = input.ssh as { enabled?: unknown; authorizedKeys?: unknown };
    const keys = Array.isArray(ssh.authorizedKeys) ? ssh.authorizedKeys.map((k) => String(k).trim()) : [];
    if (!keys.every((k) => authorizedKeyProblem(k) === null)) throw new InvalidSettingsError("authorizedKeys must be OpenSSH public keys");
    if (keys.length > MAX_AUTHORIZED_KEYS) throw new InvalidSettingsError(`at most ${MAX_AUTHORIZED_KEYS} authorizedKeys`);
    // SSH only ever with a key: enabling it without one is refused.
    if (ssh.enabled === true && keys.length === 0) throw new InvalidSettingsError("SSH needs at least one public key");
    settings.ssh = { enabled: ssh.enabled === true, authorizedKeys: keys };
  }
  return settings;
}

/** A file the settings produce, relative to the system root. */
export type SystemFile = { path: string; content: string | null; symlinkTo?: string; mode?: number };

export function renderSystemFiles(settings: SystemSettings): SystemFile[] {
  const files: SystemFile[] = [];
  if (settings.hostname) {
    files.push({ path: "etc/hostname", content: `${settings.hostname}\n` });
    files.push({
      path: "etc/hosts",
      content: `127.0.0.1\tlocalhost\n127.0.1.1\t${settings.hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
    });
  }
  if (settings.timezone) {
    files.push({ path: "etc/timezone", content: `${settings.timezone}\n` });
    files.push({ path: "etc/localtime", content: null, symlinkTo: `/usr/share/zoneinfo/${settings.timezone}` });
  }
  if (settings.ntpServers) {
    files.push({
      path: "etc/chrony/sources.d/nas.sources",
      content: settings.ntpServers.map((s) => `server ${s} iburst\n`).join(""),
    });
  }
  if (settings.ssh) {
    files.push({
      path: "etc/ssh/authorized_keys/root",
      content: settings.ssh.enabled ? settings.ssh.authorizedKeys.join("\n") + "\n" : null,
      mode: 0o600,
    });
  }
  return files;
}

export function writeSystemFiles(root: string, files: SystemFile[]) {
  for (const file of files) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    if (file.symlinkTo) symlinkSync(file.symlinkTo, path);
    else if (file.content !== null) writeFileSync(path, file.content, { mode: file.mode ?? 0o644 });
  }
}

export function readSystemSettings(path: string): SystemSettings {
  return parseSystemSettings(JSON.parse(readFileSync(path, "utf8")));
}

/**
 * Called by the web process (unprivileged) when the wizard or settings change a system setting:
 * validates, then writes the request file atomically. On the box, nas-settings.path sees the
 * change and root applies it. Path: <DATA_DIR>/system-settings.json.
 */
export function requestSystemSettings(path: string, settings: SystemSettings, zoneinfoDir?: string): SystemSettings {
  const valid = parseSystemSettings(settings, zoneinfoDir);
  mkdirSync(dirname(path), { recursive: true });
  // After a power cut root finds the old request or the new one, never half.
  writeFileDurably(path, JSON.stringify(valid, null, 2) + "\n", 0o640);
  return valid;
}

/** The OpenSSH unit of this image: Buildroot installs sshd.service, Debian ssh.service (sshd.service is only its alias). */
export function sshUnit(root: string): string {
  return existsSync(join(root, "usr/lib/systemd/system/sshd.service")) ? "sshd.service" : "ssh.service";
}
