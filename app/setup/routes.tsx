import { Elysia } from "elysia";
import type { AuthService } from "../auth/service";
import type { Config } from "../config";
import { requestContext, type ContextDeps } from "../http/context";
import type { SettingsService } from "../settings/service";
import { WizardPage } from "../../views/setup/WizardPage";

/** The first-run wizard exists only while there is no administrator. */
export function setupRoutes(deps: ContextDeps & { auth: AuthService; settings: SettingsService; config: Config }) {
  const timeZones = Intl.supportedValuesOf("timeZone");
  return new Elysia()
    .use(requestContext(deps))
    .get("/setup", ({ csrfToken, request, redirect }) => {
      if (deps.auth.setupDone()) return redirect("/login", 303);
      const origin = new URL(request.url).origin;
      return (
        <WizardPage csrfToken={csrfToken} deviceName={deps.settings.all().deviceName} rpID={deps.config.rpID} origins={deps.config.origins}
          timeZones={timeZones} wrongOrigin={deps.config.origins.includes(origin) ? null : origin} />
      );
    });
}
