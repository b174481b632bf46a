import { Elysia, t } from "elysia";
import type { AuthService } from "../auth/service";
import type { Config } from "../platform/config";
import type { AccessControl } from "../platform/http/access";
import type { StorageService } from "../storage/service";
import { RESTART_EXIT_CODE, restoreCandidates, stageRestore } from "./restore";
import { WizardPage } from "../../views/setup/WizardPage";
import { RestoringPage } from "../../views/setup/RestorePanel";
import { StorageStepPage } from "../../views/setup/StorageStep";
import { AppError } from "../platform/errors";
import { withFormError } from "../platform/http/forms";
import type { PageChrome } from "../../views/layout";

/** Exits so that systemd starts the server again (on a restored database); a moment later, so the answer goes out first. */
export const exitForRestart = () => void setTimeout(() => process.exit(RESTART_EXIT_CODE), 500);

/**
 * The first-run wizard exists only while there is no administrator. Its last step, choosing the data disk, comes after
 * the admin's passkey (the admin is signed in then) and uses the storage service exactly as Dashboard → Storage does.
 */
export function setupRoutes(deps: { access: AccessControl; auth: AuthService; config: Config; storage: StorageService; requestRestart?: () => void }) {
  const timeZones = Intl.supportedValuesOf("timeZone");
  const requestRestart = deps.requestRestart ?? exitForRestart;
  const wizard = (request: Request, page: PageChrome, restoreError?: string) => {
    const origin = new URL(request.url).origin;
    return (
      <WizardPage
        page={page}
        rpID={deps.config.rpID}
        origins={deps.config.origins}
        timeZones={timeZones}
        wrongOrigin={deps.config.origins.includes(origin) ? null : origin}
        backups={restoreCandidates(deps.config.dataDir)}
        restoreError={restoreError}
      />
    );
  };
  const storageStep = async (page: PageChrome, refused?: { error: string; device: string }) => (
    <StorageStepPage page={page} disks={await deps.storage.disks()} location={deps.storage.location()} error={refused?.error} chosen={refused?.device} />
  );
  return (
    new Elysia()
      .use(deps.access)
      .get(
        "/setup",
        ({ page, request, redirect }) => {
          if (deps.auth.users.setupDone()) return redirect("/login", 303);
          return wizard(request, page);
        },
        { public: true },
      )
      .post(
        "/setup/restore",
        ({ page, request, body, set }) => {
          if (deps.auth.users.setupDone()) throw new AppError(403, "This box is already set up; restore a backup only on a fresh box.");
          const disk = body.name.startsWith("disk:");
          const name = disk ? body.name.slice(5) : body.name;
          const backup = restoreCandidates(deps.config.dataDir).find((b) => b.name === name && (b.source === "data disk") === disk);
          if (!backup) {
            set.status = 404;
            return wizard(request, page, "That backup is not here any more.");
          }
          const check = stageRestore(deps.config.dataDir, backup.path);
          if (!check.ok) {
            set.status = 400;
            return wizard(request, page, `This backup cannot be restored: ${check.reason}.`);
          }
          requestRestart();
          return <RestoringPage page={page} admins={check.admins} />;
        },
        {
          public: true,
          audit: { kind: "system", did: "restored a backup in setup" },
          body: t.Object({ name: t.String({ minLength: 1, maxLength: 200 }), _csrf: t.Optional(t.String()) }),
        },
      )
      .get("/setup/storage", ({ page }) => storageStep(page), { auth: "admin" })
      // A refusal (wrong confirmation, system disk, disk in use, a move under way) comes back on the step with its reason.
      .post(
        "/setup/storage/use",
        async ({ page, body, set, redirect }) => {
          return withFormError(
            set,
            async () => {
              await deps.storage.requestMove(body.device, body.confirm);
              return redirect("/setup/storage", 303);
            },
            (e) => storageStep(page, { error: e.message, device: body.device }),
          );
        },
        {
          auth: "admin",
          audit: { kind: "system", did: "chose the data disk in setup" },
          body: t.Object({ device: t.String({ minLength: 1, maxLength: 200 }), confirm: t.String({ maxLength: 200 }), _csrf: t.Optional(t.String()) }),
        },
      )
      // Polled by the restoring page: once the restarted server has the restored accounts, go to sign-in.
      .get(
        "/setup/restore/status",
        ({ set }) => {
          if (!deps.auth.users.setupDone())
            return (
              <p hx-get="/setup/restore/status" hx-trigger="every 2s" hx-swap="outerHTML">
                Still restarting…
              </p>
            );
          set.headers["hx-redirect"] = "/login";
          return (
            <p>
              <a href="/login">Sign in</a>
            </p>
          );
        },
        { public: true },
      )
  );
}
