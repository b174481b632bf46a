import { createAuditRepo } from "./audit/repo";
import { createAuthRepo } from "./auth/repo";
import { createAuthService } from "./auth/service";
import type { Config } from "./config";
import type { Db } from "./db/client";
import { createJobRepo } from "./jobs/repo";
import { createJobQueue } from "./jobs/service";
import { createMediaRepo } from "./media/repo";
import { createMediaService } from "./media/service";
import { createSettingsRepo } from "./settings/repo";
import { createSettingsService, type SystemSettingsSink } from "./settings/service";
import { readSystemSettings, requestSystemSettings } from "../provision/settings";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Merges OS settings into the request file root applies on the appliance (nas-settings.path); throws if not written. */
function systemSettingsFile(path: string): SystemSettingsSink {
  return (patch) => {
    const current = existsSync(path) ? readSystemSettings(path) : {};
    requestSystemSettings(path, { ...current, ...patch });
  };
}

export type ServiceDeps = { db: Db; config: Config; now?: () => Date };

/** The feature services over one database, built the same way by the web server, the worker and the admin CLI. */
export function createServices({ db, config, now }: ServiceDeps) {
  const audit = createAuditRepo(db);
  const settingsRepo = createSettingsRepo(db);
  const settings = createSettingsService(settingsRepo, { toSystem: systemSettingsFile(join(config.dataDir, "system-settings.json")) });
  const auth = createAuthService({
    repo: createAuthRepo(db),
    config,
    now,
    deviceName: () => settings.all().deviceName,
    registrationPolicy: () => settings.all().registrationPolicy,
    applySetup: (s) => settings.update(s),
  });
  const jobs = createJobQueue({ repo: createJobRepo(db), now });
  // The web side of the media pipeline only: it queues work and finds derivatives; the worker decodes.
  const media = createMediaService({ repo: createMediaRepo(db), jobs, dataDir: config.dataDir, setting: settingsRepo.get, now });
  return { audit, settings, auth, jobs, media };
}

export type Services = ReturnType<typeof createServices>;
