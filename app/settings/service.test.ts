import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../platform/db/client";
import { createSettingsRepo } from "./repo";
import { parseSystemSettings } from "../../provision/settings";
import { loadConfig } from "../platform/config";
import { createServices } from "../services";
import { createSettingsService, hostnameFromDeviceName } from "./service";
import { AppError } from "../platform/errors";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

test("settings are validated, cached, and a change made by another process is seen within 0.2 s", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nas-settings-"));
  dirs.push(dir);
  const web = createSettingsService(createSettingsRepo(openDb(join(dir, "db.sqlite"), { log: () => {} })));
  const worker = createSettingsService(createSettingsRepo(openDb(join(dir, "db.sqlite"), { log: () => {} })));
  expect(web.all().trashRetentionDays).toBe(30);
  expect(worker.all().trashRetentionDays).toBe(30);
  web.update({ trashRetentionDays: 7, deviceName: "  Attic NAS  " });
  expect(web.all()).toMatchObject({ trashRetentionDays: 7, deviceName: "Attic NAS" });
  await Bun.sleep(250);
  expect(worker.all().trashRetentionDays).toBe(7); // the other connection's cache was invalidated by data_version

  expect(() => web.update({ timeZone: "Mars/Olympus" })).toThrow(/Unknown time zone/);
  expect(() => web.update({ deviceName: "a\u0000b" })).toThrow(/control characters/i);
  expect(() => web.update({ trashRetentionDays: 0 })).toThrow(/at least 1 day/);
  expect(web.all().timeZone).toBe("UTC");
});

test("a time zone change is handed to the OS (the request file root applies on the appliance)", () => {
  const dir = mkdtempSync(join(tmpdir(), "nas-settings-"));
  dirs.push(dir);
  const requests: { timezone?: string }[] = [];
  const settings = createSettingsService(createSettingsRepo(openDb(join(dir, "db.sqlite"), { log: () => {} })), { toSystem: (p) => requests.push(p) });
  settings.update({ deviceName: "nas2" });
  settings.update({ timeZone: "Europe/Paris" });
  expect(() => settings.update({ timeZone: "Nowhere/Land" })).toThrow();
  expect(requests).toEqual([{ timezone: "Europe/Paris" }]);
});

describe("host name, time servers and SSH: what the page writes is exactly what root accepts", () => {
  const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILkQAUmwU51aLeynpCMsI9GJUz8nDDQyvnKTWu1bJodp me@laptop";
  const ECDSA =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBE5E+bG8UhHaxEzYVas7zt7/+Zppw1AwXXi/bUotrdzHqsovji/bQfA3k2s4VCQvy2PztFjlc09j/GZxdP3zfbk=";

  function box() {
    const dataDir = mkdtempSync(join(tmpdir(), "nas-settings-"));
    dirs.push(dataDir);
    const config = loadConfig([], { DATA_DIR: dataDir, PORT: "8080" });
    const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
    const file = join(dataDir, "system-settings.json");
    return {
      settings: createServices({ db, config }).settings,
      file,
      /** The request file as root reads it: parsed by provision's own validator. */
      requested: () => parseSystemSettings(JSON.parse(readFileSync(file, "utf8"))),
      raw: () => JSON.parse(readFileSync(file, "utf8")),
      reopened: () => createServices({ db: openDb(join(dataDir, "db.sqlite"), { log: () => {} }), config }).settings,
    };
  }

  test("a rename, time servers and SSH keys reach the request file, root's parser accepts it unchanged, and they come back after a restart", () => {
    const b = box();
    expect(b.settings.host()).toEqual({ hostname: "nas", ntpServers: [], ssh: { enabled: false, keys: [] } });
    expect(existsSync(b.file)).toBe(false);

    b.settings.update({ timeZone: "Europe/Berlin" });
    expect(b.settings.setHostname(" Attic.local ", { confirmed: true })).toEqual({ previous: "nas", hostname: "attic" });
    expect(b.settings.setTimeServers("\n fritz.box \r\n192.168.1.1\n\nFRITZ.BOX\n")).toEqual(["fritz.box", "192.168.1.1"]);
    b.settings.setSsh({ enabled: true, addKeys: `${ED25519}\n${ECDSA}\n${ED25519}` });

    const written = {
      timezone: "Europe/Berlin",
      hostname: "attic",
      ntpServers: ["fritz.box", "192.168.1.1"],
      ssh: { enabled: true, authorizedKeys: [ED25519, ECDSA] },
    };
    expect(b.raw()).toEqual(written);
    expect(b.requested()).toEqual(written);
    expect((statSync(b.file).mode & 0o777).toString(8)).toBe("640");
    expect(existsSync(`${b.file}.tmp`)).toBe(false);

    const again = b.reopened().host();
    expect(again.hostname).toBe("attic");
    expect(again.ntpServers).toEqual(["fritz.box", "192.168.1.1"]);
    expect(again.ssh.enabled).toBe(true);
    expect(again.ssh.keys.map(({ type, comment }) => ({ type, comment }))).toEqual([
      { type: "ssh-ed25519", comment: "me@laptop" },
      { type: "ecdsa-sha2-nistp256", comment: "" },
    ]);
    expect(JSON.stringify(again)).not.toContain("AAAA"); // the page's data never carries key material

    b.settings.setTimeServers("  \n");
    expect(b.requested().ntpServers).toEqual([]); // empty: the default pool (root writes an empty sources file)
  });

  test("removing the last key turns SSH off; SSH can be off with keys kept, and never on without one", () => {
    const b = box();
    expect(() => b.settings.setSsh({ enabled: true, addKeys: "" })).toThrow(/at least one public key/);
    expect(existsSync(b.file)).toBe(false);
    b.settings.setSsh({ enabled: false, addKeys: ED25519 });
    expect(b.requested().ssh).toEqual({ enabled: false, authorizedKeys: [ED25519] });
    b.settings.setSsh({ enabled: true, addKeys: ECDSA });
    const [first, second] = b.settings.host().ssh.keys;
    expect(b.settings.removeSshKey(first!.id)).toEqual({ enabled: true, keys: 1, changed: [{ id: first!.id, type: "ssh-ed25519", comment: "me@laptop" }] });
    expect(() => b.settings.removeSshKey(first!.id)).toThrow(/not on the list/);
    expect(b.settings.removeSshKey(second!.id).enabled).toBe(false);
    expect(b.requested().ssh).toEqual({ enabled: false, authorizedKeys: [] });
    expect(b.settings.host().ssh).toEqual({ enabled: false, keys: [] });
  });

  test("hostile input is refused with a clear message and nothing is written", () => {
    const b = box();
    b.settings.setTimeServers("pool.ntp.org");
    b.settings.setSsh({ enabled: true, addKeys: ED25519 });
    const before = readFileSync(b.file, "utf8");
    const refusals: [() => unknown, RegExp][] = [
      [() => b.settings.setHostname("my.nas", { confirmed: true }), /letters a–z, digits and hyphens/],
      [() => b.settings.setHostname("my_nas", { confirmed: true }), /letters a–z, digits and hyphens/],
      [() => b.settings.setHostname("-nas", { confirmed: true }), /start or end with a hyphen/],
      [() => b.settings.setHostname("x".repeat(64), { confirmed: true }), /1 to 63 characters/],
      [() => b.settings.setHostname("1234", { confirmed: true }), /at least one letter/],
      [() => b.settings.setHostname("attic", { confirmed: false }), /recovery codes/],
      [() => b.settings.setTimeServers(Array.from({ length: 500 }, (_, i) => `t${i}.example.org`).join("\n")), /at most 20 time servers \(this list has 500\)/],
      [() => b.settings.setTimeServers("pool.ntp.org\npool.ntp.org iburst\nx"), /Line 2: "pool\.ntp\.org iburst" is not a host name/],
      [() => b.settings.setTimeServers(`${"a".repeat(300)}.org`), /Line 1: "a{40}…" is not/],
      [
        () => b.settings.setSsh({ enabled: true, addKeys: `${ED25519}\nssh-dss AAAAB3NzaC1kc3MAAACBAP dsa@old` }),
        /line 2 does not start with a supported key type/,
      ],
      [() => b.settings.setSsh({ enabled: true, addKeys: `${ED25519} a\u0000b` }), /line 1 contains control characters/],
      [() => b.settings.setSsh({ enabled: true, addKeys: `${ED25519} ${"c".repeat(9000)}` }), /longer than 8192/],
      [() => b.settings.setSsh({ enabled: true, addKeys: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA" }), /private key/],
      [() => b.settings.setSsh({ enabled: true, addKeys: "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB x" }), /not a valid ssh-ed25519 key/],
      [() => b.settings.setSsh({ enabled: true, addKeys: Array(33).fill(ED25519).join("\n") }), /at most 32 keys/],
    ];
    for (const [attempt, message] of refusals) {
      expect(attempt).toThrow(AppError);
      expect(attempt).toThrow(message);
    }
    expect(readFileSync(b.file, "utf8")).toBe(before);
    expect(b.settings.host().hostname).toBe("nas");
    expect(b.settings.host().ntpServers).toEqual(["pool.ntp.org"]);
    expect(b.settings.host().ssh.keys).toHaveLength(1);
  });

  test("an unchanged host name writes nothing; the suggestion comes from the device name", () => {
    const b = box();
    expect(b.settings.setHostname("NAS", { confirmed: false })).toEqual({ previous: "nas", hostname: "nas" });
    expect(existsSync(b.file)).toBe(false);
    expect(hostnameFromDeviceName("Attic NAS")).toBe("attic-nas");
    expect(hostnameFromDeviceName("Müller's Büro – 2")).toBe("muller-s-buro-2");
    expect(hostnameFromDeviceName("📦")).toBe("nas");
    expect(hostnameFromDeviceName("2024")).toBe("nas");
    expect(hostnameFromDeviceName(`${"a".repeat(62)} b`)).toBe("a".repeat(62));
  });

  test("when the request file cannot be written, the change is refused and not stored", () => {
    const b = box();
    mkdirSync(b.file); // a directory where the file should be: the rename fails
    expect(() => b.settings.setTimeServers("pool.ntp.org")).toThrow(/could not be handed to the system, so nothing was saved/);
    expect(b.settings.host().ntpServers).toEqual([]);
  });
});
