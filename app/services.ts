import { createAuditRepo } from "./audit/repo";
import { createAuthRepo } from "./auth/repo";
import { createAuthService } from "./auth/service";
import type { Config } from "./config";
import type { Db } from "./db/client";
import { createJobRepo } from "./jobs/repo";
import { createJobQueue } from "./jobs/service";
import { createSettingsRepo } from "./settings/repo";
import { createSettingsService } from "./settings/service";

export type ServiceDeps = { db: Db; config: Config; now?: () => Date };

/** The feature services over one database, built the same way by the web server, the worker and the admin CLI. */
export function createServices({ db, config, now }: ServiceDeps) {
  const audit = createAuditRepo(db);
  const settings = createSettingsService(createSettingsRepo(db));
  const auth = createAuthService({
    repo: createAuthRepo(db),
    config,
    now,
    deviceName: () => settings.all().deviceName,
    registrationPolicy: () => settings.all().registrationPolicy,
    applySetup: (s) => settings.update(s),
  });
  const jobs = createJobQueue({ repo: createJobRepo(db), now });
  return { audit, settings, auth, jobs };
}

export type Services = ReturnType<typeof createServices>;
