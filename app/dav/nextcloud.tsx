// The Nextcloud client protocol beside WebDAV, enough for Nextcloud's own apps, its desktop client (nextcloudcmd)
// and apps written for Nextcloud: the server's status, OCS capabilities and the current user, Login Flow v2 and the
// preview endpoints the apps ask thumbnails from (served from the media pipeline's derivatives).
import { Elysia, t } from "elysia";
import type { AppPasswords } from "../auth/app-passwords";
import type { User } from "../platform/db/schema";
import type { DriveService } from "../drive/service";
import { AppError } from "../platform/errors";
import type { AccessControl } from "../platform/http/access";
import type { MediaService } from "../media/service";
import { LoginFlowDone, LoginFlowPage } from "../../views/dav/pages";
import type { LoginFlows } from "./login-flow";
import type { DavService } from "./service";

/** The Nextcloud version we answer as: the clients turn features on by it (chunking v2, Login Flow v2). */
const VERSION = { major: 28, minor: 0, micro: 4, string: "28.0.4", edition: "", extendedSupport: false };

type Deps = {
  access: AccessControl;
  flows: LoginFlows;
  devices: AppPasswords;
  dav: DavService;
  drive: DriveService;
  media: MediaService;
  deviceName: () => string;
  /** Where people sign in with their passkey (passkeys are bound to it). */
  browserOrigin: string;
};

/** OCS envelope: v1 says 100 for OK, v2 says 200. */
const ocs = (version: string, data: unknown) => ({ ocs: { meta: { status: "ok", statuscode: version === "v1.php" ? 100 : 200, message: "OK" }, data } });

export function nextcloudRoutes(deps: Deps) {
  const { flows, dav, drive, media } = deps;

  const capabilities = () => ({
    version: VERSION,
    capabilities: {
      core: { pollinterval: 60, "webdav-root": "remote.php/webdav" },
      // "1.0" is what Nextcloud answers for chunking v2 (/remote.php/dav/uploads).
      dav: { chunking: "1.0" },
      files: { bigfilechunking: true, undelete: true, versioning: false, comments: false }, // undelete: Drive's trash (trashbin.ts)
      // SHA-256 is what Drive hashes anyway: a client that sends it costs the box nothing more.
      checksums: { supportedTypes: ["SHA256", "SHA1", "MD5"], preferredUploadType: "SHA256" },
      files_sharing: { api_enabled: false, public: { enabled: false }, resharing: false, user: { send_mail: false } },
      theming: { name: deps.deviceName(), productName: deps.deviceName(), url: deps.browserOrigin, color: "#1f6feb", "color-text": "#ffffff" },
    },
  });

  const userInfo = (user: User) => {
    const { used, available } = dav.quota({ user, device: null, base: "/dav/", requestUrl: deps.browserOrigin });
    const total = used + available;
    return {
      id: user.username,
      enabled: true,
      "display-name": user.displayName,
      displayname: user.displayName,
      email: null,
      quota: { free: available, used, total, relative: total ? Math.round((used / total) * 10_000) / 100 : 0, quota: user.quotaBytes ?? -3 },
    };
  };

  /** A thumbnail for the apps: the pipeline's grid thumbnail (≤ 256 px asked) or its preview, else made on demand. */
  async function preview(user: User, file: ReturnType<DriveService["itemFor"]>, size: number) {
    if (file.kind !== "file") throw new AppError(404, "Folders have no preview.");
    const path =
      media.derivativeOf(file, size <= 256 ? "thumb" : "preview") ?? media.derivativeOf(file, "preview") ?? (await drive.previewImage(user, file.id));
    return new Response(Bun.file(path), { headers: { "content-type": "image/webp", "cache-control": "private, max-age=3600" } });
  }

  return (
    new Elysia({ name: "nextcloud" })
      .use(deps.access)
      .get(
        "/status.php",
        () => ({
          installed: true,
          maintenance: false,
          needsDbUpgrade: false,
          version: `${VERSION.string}.0`,
          versionstring: VERSION.string,
          productversion: VERSION.string,
          edition: "",
          productname: deps.deviceName(),
          extendedSupport: false,
        }),
        { device: "public" },
      )
      // The Android app checks it can reach the server before uploading.
      .get(
        "/index.php/204",
        ({ set }) => {
          set.status = 204;
          return "";
        },
        { device: "public" },
      )
      .get("/ocs/:version/cloud/capabilities", ({ params }) => ocs(params.version, capabilities()), {
        device: "public",
        params: t.Object({ version: t.Union([t.Literal("v1.php"), t.Literal("v2.php")]) }),
      })
      .get("/ocs/:version/cloud/user", ({ params, user }) => ocs(params.version, userInfo(user!)), {
        device: true,
        params: t.Object({ version: t.Union([t.Literal("v1.php"), t.Literal("v2.php")]) }),
      })
      .get(
        "/ocs/:version/cloud/users/:id",
        ({ params, user }) => {
          if (params.id.toLowerCase() !== user!.username) throw new AppError(404, "No such user.");
          return ocs(params.version, userInfo(user!));
        },
        { device: true, params: t.Object({ version: t.Union([t.Literal("v1.php"), t.Literal("v2.php")]), id: t.String() }) },
      )
      // An app removing its account revokes its own app password.
      .delete(
        "/ocs/v2.php/core/apppassword",
        ({ user, viewer }) => {
          deps.devices.revoke(user!.id, viewer!.device!.id);
          return ocs("v2.php", []);
        },
        { device: true, audit: { kind: "accounts", did: "signed a device out (its app password revoked)" } },
      )

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

      // Thumbnails the apps show: by file id (Nextcloud's oc:fileid), by path, and the old files-app address.
      .get(
        "/index.php/core/preview",
        ({ user, query }) => preview(user!, drive.itemBySeq(user!, Number(query.fileId), "file.read"), Math.max(query.x ?? 256, query.y ?? 256)),
        { device: true, query: t.Object({ fileId: t.Numeric(), x: t.Optional(t.Numeric()), y: t.Optional(t.Numeric()), a: t.Optional(t.String()) }) },
      )
      .get(
        "/index.php/core/preview.png",
        ({ user, query, request }) => {
          const names = query.file.split("/").filter(Boolean);
          if (names.some((n) => n === "." || n === "..")) throw new AppError(400, "“.” and “..” are not names.");
          const space = { user: user!, device: null, base: "/dav/", requestUrl: request.url };
          const node = dav.resolve(
            space,
            names.map((n) => n.normalize("NFC")),
          ).node;
          if (!node) throw new AppError(404, "This file does not exist.");
          return preview(user!, node.item, Math.max(query.x ?? 256, query.y ?? 256));
        },
        { device: true, query: t.Object({ file: t.String(), x: t.Optional(t.Numeric()), y: t.Optional(t.Numeric()), a: t.Optional(t.String()) }) },
      )
  );
}
