// The Nextcloud client protocol beside WebDAV, enough for Nextcloud's own apps, its desktop client (nextcloudcmd)
// and apps written for Nextcloud: the server's status, OCS capabilities and the current user here; Login Flow v2 in
// login-flow-routes.tsx; the preview endpoints the apps ask thumbnails from in previews.ts.
import { Elysia, t } from "elysia";
import type { AppPasswords } from "../auth/app-passwords";
import type { User } from "../platform/db/schema";
import type { DriveService } from "../drive/service";
import { AppError } from "../platform/errors";
import type { AccessControl } from "../platform/http/access";
import type { MediaService } from "../media/service";
import { loginFlowRoutes } from "./login-flow-routes";
import { previewRoutes } from "./previews";
import type { LoginFlows } from "./login-flow";
import type { DavService } from "./service";
import { sharingRoutes } from "./sharing";
import type { ShareService } from "../share/service";
import type { Clock } from "../platform/clock";

/** The Nextcloud version we answer as: the clients turn features on by it (chunking v2, Login Flow v2). */
const VERSION = { major: 28, minor: 0, micro: 4, string: "28.0.4", edition: "", extendedSupport: false };

export type NextcloudDeps = {
  access: AccessControl;
  flows: LoginFlows;
  devices: AppPasswords;
  dav: DavService;
  drive: DriveService;
  media: MediaService;
  share: ShareService;
  deviceName: () => string;
  /** The box's time zone (a link's expiry date ends with that day there). */
  timeZone: () => string;
  now: Clock;
  /** Where people sign in with their passkey (passkeys are bound to it). */
  browserOrigin: string;
};

/** OCS envelope: v1 says 100 for OK, v2 says 200. */
const ocs = (version: string, data: unknown) => ({ ocs: { meta: { status: "ok", statuscode: version === "v1.php" ? 100 : 200, message: "OK" }, data } });

/** The server as the clients first see it: status, OCS capabilities, the current user, signing an app out. */
function ocsRoutes(deps: NextcloudDeps) {
  const { dav } = deps;

  const capabilities = () => ({
    version: VERSION,
    capabilities: {
      core: { pollinterval: 60, "webdav-root": "remote.php/webdav" },
      // "1.0" is what Nextcloud answers for chunking v2 (/remote.php/dav/uploads).
      dav: { chunking: "1.0" },
      files: { bigfilechunking: true, undelete: true, versioning: false, comments: false }, // undelete: Drive's trash (trashbin.ts)
      // SHA-256 is what Drive hashes anyway: a client that sends it costs the box nothing more.
      checksums: { supportedTypes: ["SHA256", "SHA1", "MD5"], preferredUploadType: "SHA256" },
      // Public links through Nextcloud's sharing API (sharing.ts), as this box's links behave: a password and an expiry
      // date are optional (neither enforced nor set by default), several links per item, a folder link may be a file drop.
      files_sharing: {
        api_enabled: true,
        public: {
          enabled: true,
          password: { enforced: false, askForOptionalPassword: false },
          expire_date: { enabled: false, enforced: false },
          multiple_links: true,
          send_mail: false,
          upload: false,
          upload_files_drop: true,
        },
        resharing: false,
        group_sharing: false,
        default_permissions: 1,
        user: { send_mail: false, expire_date: { enabled: false } },
        group: { enabled: false },
        federation: { outgoing: false, incoming: false },
      },
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

  return (
    new Elysia({ name: "nextcloud-ocs" })
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
  );
}

/** Nextcloud's protocol beside WebDAV: the server and its user (OCS), public links (OCS shares), Login Flow v2, previews. */
export function nextcloudRoutes(deps: NextcloudDeps) {
  return new Elysia({ name: "nextcloud" }).use(ocsRoutes(deps)).use(sharingRoutes(deps)).use(loginFlowRoutes(deps)).use(previewRoutes(deps));
}
