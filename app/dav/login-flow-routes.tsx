// Login Flow v2 (Nextcloud's way for an app to get an app password): the app posts /index.php/login/v2 and polls;
// the person opens the page it names in a browser, signs in with their passkey and allows "Pixel 8 wants access".
// The flows' state is login-flow.ts.
import { Elysia, t } from "elysia";
import { AppError } from "../platform/errors";
import { LoginFlowDone, LoginFlowPage } from "../../views/dav/pages";
import type { NextcloudDeps } from "./nextcloud";

export function loginFlowRoutes(deps: NextcloudDeps) {
  const { flows } = deps;
  return (
    new Elysia({ name: "nextcloud-login-flow" })
      .use(deps.access)
      // Login Flow v2: the app's side.
      .post(
        "/index.php/login/v2",
        ({ request }) => {
          const { loginToken, pollToken } = flows.start(request.headers.get("user-agent"));
          const here = new URL(request.url).origin;
          return {
            poll: { token: pollToken, endpoint: `${here}/index.php/login/v2/poll` },
            login: `${deps.browserOrigin}/index.php/login/v2/flow/${loginToken}`,
          };
        },
        { device: "public", audit: { kind: "sign-in", did: "an app asked to sign in" } },
      )
      .post(
        "/index.php/login/v2/poll",
        ({ request, body }) => {
          // The form the apps post (token=…), read by the access step at most BODY_LIMIT; or the token in the address.
          const sent = body && typeof body === "object" ? (body as Record<string, unknown>).token : null;
          const token = typeof sent === "string" ? sent : new URL(request.url).searchParams.get("token");
          const result = token ? flows.poll(token) : null;
          if (!result) throw new AppError(404, "Not approved yet.");
          return { server: new URL(request.url).origin, ...result };
        },
        { device: "public", audit: { kind: "sign-in", did: "an app checked whether its sign-in was allowed" } },
      )
      // Login Flow v2: the person's side, signed in with their passkey (a signed-out visit goes to /login first).
      .get(
        "/index.php/login/v2/flow/:token",
        ({ page, params }) => <LoginFlowPage page={page} token={params.token} client={flows.pending(params.token).client} />,
        { auth: "user" },
      )
      .post(
        "/index.php/login/v2/flow/:token",
        ({ user, page, params, body }) => {
          if (body.decision !== "allow") {
            flows.deny(params.token);
            return <LoginFlowDone page={page} allowed={false} name="" />;
          }
          flows.approve(user, params.token, body.name, body.readOnly === "1" ? "files-read" : "files");
          return <LoginFlowDone page={page} allowed name={body.name} />;
        },
        {
          auth: "user",
          audit: { kind: "accounts", did: "answered an app's sign-in request" },
          body: t.Object({ decision: t.String(), name: t.String({ maxLength: 200 }), readOnly: t.Optional(t.String()), _csrf: t.Optional(t.String()) }),
        },
      )
  );
}
