import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidSettingsError, parseSystemSettings, readSystemSettings, renderSystemFiles, requestSystemSettings, writeSystemFiles } from "./settings";

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
