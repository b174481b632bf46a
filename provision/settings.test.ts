import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  authorizedKeyProblem,
  InvalidSettingsError,
  isValidNtpServer,
  MAX_AUTHORIZED_KEYS,
  MAX_NTP_SERVERS,
  parseSystemSettings,
  readSystemSettings,
  renderSystemFiles,
  requestSystemSettings,
  writeSystemFiles,
} from "./settings";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0 admin@laptop";

test("valid wizard settings become system files under the given root", () => {
  const root = mkdtempSync(join(tmpdir(), "nas-root-"));
  dirs.push(root);
  const settings = parseSystemSettings({
    hostname: "Attic",
    timezone: "Europe/Berlin",
    ntpServers: ["ptbtime1.ptb.de"],
    ssh: { enabled: true, authorizedKeys: [KEY] },
  });
  writeSystemFiles(root, renderSystemFiles(settings));
  expect(readFileSync(join(root, "etc/hostname"), "utf8")).toBe("attic\n");
  expect(readlinkSync(join(root, "etc/localtime"))).toBe("/usr/share/zoneinfo/Europe/Berlin");
  expect(readFileSync(join(root, "etc/chrony/sources.d/nas.sources"), "utf8")).toBe("server ptbtime1.ptb.de iburst\n");
  expect(readFileSync(join(root, "etc/ssh/authorized_keys/root"), "utf8")).toBe(`${KEY}\n`);

  writeSystemFiles(root, renderSystemFiles(parseSystemSettings({ ssh: { enabled: false, authorizedKeys: [] } })));
  expect(existsSync(join(root, "etc/ssh/authorized_keys/root"))).toBe(false);
});

test("refuses unknown time zones, bad hosts, keyless SSH and non-keys", () => {
  const bad = [
    { timezone: "Mars/Olympus" },
    { timezone: "../../etc/passwd" },
    { hostname: "my nas" },
    { ntpServers: ["pool.ntp.org; rm -rf /"] },
    { ssh: { enabled: true, authorizedKeys: [] } },
    { ssh: { enabled: true, authorizedKeys: ["hunter2"] } },
  ];
  for (const input of bad) expect(() => parseSystemSettings(input)).toThrow();
  expect(() => parseSystemSettings("nope")).toThrow(InvalidSettingsError);
});

test("the web process's request file round-trips, and a bad request writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "nas-req-"));
  dirs.push(dir);
  const path = join(dir, "system-settings.json");
  requestSystemSettings(path, { timezone: "America/New_York", hostname: "Den" });
  expect(readSystemSettings(path)).toEqual({ timezone: "America/New_York", hostname: "den" });
  expect(() => requestSystemSettings(path, { timezone: "Nowhere/Land" })).toThrow(InvalidSettingsError);
  expect(readSystemSettings(path).timezone).toBe("America/New_York");
});

test("the key and time-server rules the settings page shares: real keys pass, fragments, options, control characters and lists too long fail", () => {
  const ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILkQAUmwU51aLeynpCMsI9GJUz8nDDQyvnKTWu1bJodp me@ed25519";
  const ecdsa =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBE5E+bG8UhHaxEzYVas7zt7/+Zppw1AwXXi/bUotrdzHqsovji/bQfA3k2s4VCQvy2PztFjlc09j/GZxdP3zfbk=";
  expect(authorizedKeyProblem(ed25519)).toBeNull();
  expect(authorizedKeyProblem(ecdsa)).toBeNull();
  expect(authorizedKeyProblem(`${ed25519} <img src=x onerror=alert(1)>`)).toBeNull(); // a comment is free text; the page escapes it
  expect(authorizedKeyProblem("ssh-dss AAAAB3NzaC1kc3MAAACBAP")).toMatch(/supported key type/);
  expect(authorizedKeyProblem(`from="10.0.0.0/8" ${ed25519}`)).toMatch(/supported key type/);
  expect(authorizedKeyProblem("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAILkQ")).toMatch(/not a valid ssh-rsa key/); // an ed25519 blob labelled rsa
  expect(authorizedKeyProblem("ssh-ed25519 hunter2")).toMatch(/not a valid/);
  expect(authorizedKeyProblem("ssh-ed25519")).toMatch(/no base64 key/);
  expect(authorizedKeyProblem(`${ed25519}\u0000evil`)).toMatch(/control characters/);
  expect(authorizedKeyProblem(`${ed25519}\rcommand="sh"`)).toMatch(/control characters/);
  expect(authorizedKeyProblem(`${ed25519} ${"x".repeat(9000)}`)).toMatch(/longer than/);
  expect(authorizedKeyProblem("-----BEGIN OPENSSH PRIVATE KEY-----")).toMatch(/private key/);

  for (const ok of ["pool.ntp.org", "192.168.1.1", "fritz.box"]) expect(isValidNtpServer(ok)).toBe(true);
  for (const bad of ["", "-x.org", "a b", "time.example.org iburst", "pool.ntp.org\nserver evil", "fe80::1"]) expect(isValidNtpServer(bad)).toBe(false);

  expect(() => parseSystemSettings({ ntpServers: Array.from({ length: MAX_NTP_SERVERS + 1 }, (_, i) => `t${i}.example.org`) })).toThrow(InvalidSettingsError);
  expect(() => parseSystemSettings({ ssh: { enabled: true, authorizedKeys: Array(MAX_AUTHORIZED_KEYS + 1).fill(ed25519) } })).toThrow(InvalidSettingsError);
  expect(() => parseSystemSettings({ ssh: { enabled: true, authorizedKeys: [`${ed25519}\u001b[2J`] } })).toThrow(InvalidSettingsError);
  expect(parseSystemSettings({ ssh: { enabled: true, authorizedKeys: [ed25519, ecdsa] } }).ssh).toEqual({ enabled: true, authorizedKeys: [ed25519, ecdsa] });
});
