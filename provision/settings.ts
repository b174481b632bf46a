import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
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

const NTP_SERVER = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i;
const SSH_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/=]+( [^\n\r]*)?$/;

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
    if (!Array.isArray(input.ntpServers) || !input.ntpServers.every((s) => typeof s === "string" && NTP_SERVER.test(s))) {
      throw new InvalidSettingsError("ntpServers must be host names or addresses");
    }
    settings.ntpServers = input.ntpServers as string[];
  }
  if (input.ssh !== undefined) {
    const ssh = input.ssh as { enabled?: unknown; authorizedKeys?: unknown };
    const keys = Array.isArray(ssh.authorizedKeys) ? ssh.authorizedKeys.map((k) => String(k).trim()) : [];
    if (!keys.every((k) => SSH_KEY.test(k))) throw new InvalidSettingsError("authorizedKeys must be OpenSSH public keys");
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
  writeFileSync(`${path}.tmp`, JSON.stringify(valid, null, 2) + "\n", { mode: 0o640 });
  renameSync(`${path}.tmp`, path);
  return valid;
}
