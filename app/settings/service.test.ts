import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../db/client";
import { createSettingsRepo } from "./repo";
import { createSettingsService } from "./service";

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
  expect(() => web.update({ deviceName: "a\u0000b" })).toThrow(/Control characters/);
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
