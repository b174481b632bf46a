// The pages people use to connect devices: Settings → Devices (app passwords and each device's backup status),
// Settings → Connect a computer, Photos → Back up your phone.
import { Elysia, t } from "elysia";
import QRCode from "qrcode";
import type { AppPasswords } from "../auth/app-passwords";
import type { SignedInPage } from "../../views/layout";
import type { DriveService } from "../drive/service";
import type { AccessControl } from "../platform/http/access";
import type { MediaService } from "../media/service";
import { withFormError } from "../platform/http/forms";
import { validateName } from "../drive/model";
import { BackupPage, ComputersPage, DevicesPage } from "../../views/dav/pages";
import { cameraFolder, type DeviceStatuses } from "./devices";

type Deps = {
  access: AccessControl;
  devices: AppPasswords;
  statuses: DeviceStatuses;
  drive: DriveService;
  media: MediaService;
  server: string;
};

const qr = async (text: string) =>
  `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(text, { type: "svg", margin: 1, errorCorrectionLevel: "M" })).toString("base64")}`;

export function devicePages(deps: Deps) {
  const { devices, statuses, drive } = deps;
  const base = (page: SignedInPage) => ({ page, server: deps.server, username: page.user.username });
  return new Elysia({ name: "device-pages" })
    .use(deps.access)
    .get("/settings/devices", ({ user, page }) => <DevicesPage {...base(page)} statuses={statuses.forUser(user)} />, { auth: "user" })
    .post(
      "/settings/devices",
      ({ user, page, body, set }) =>
        withFormError(
          set,
          async () => {
            // The camera folder is the person's choice (Photos/Camera/<device> unless they name another): checked
            // before the device is made, so a refused name makes no app password that was never shown.
            const chosen = (body.folder ?? "").split("/").filter((n) => n.trim() !== "");
            for (const name of chosen) validateName(name);
            const { device, password } = devices.create(user.id, body.name, body.readOnly === "1" ? "files-read" : "files");
            // It exists from the start, so the app can be pointed at it; the setup steps name it.
            const folder = chosen.length ? chosen.join("/") : cameraFolder(device);
            if (device.scope === "files") drive.mkdirs(user, undefined, folder.split("/"));
            const login = `nc://login/user:${user.username}&password:${password}&server:${deps.server}`;
            return (
              <DevicesPage {...base(page)} statuses={statuses.forUser(user)} created={{ name: device.name, password, qrDataUrl: await qr(login), folder }} />
            );
          },
          (e) => <DevicesPage {...base(page)} statuses={statuses.forUser(user)} error={e.message} />,
        ),
      {
        auth: "user",
        audit: { kind: "accounts", did: "made an app password for a device" },
        body: t.Object({
          name: t.String({ maxLength: 200 }),
          folder: t.Optional(t.String({ maxLength: 1024 })),
          readOnly: t.Optional(t.String()),
          _csrf: t.Optional(t.String()),
        }),
      },
    )
    .post(
      "/settings/devices/:id/revoke",
      ({ user, params, redirect }) => {
        devices.revoke(user.id, params.id);
        return redirect("/settings/devices", 303);
      },
      { auth: "user", audit: { kind: "accounts", did: "revoked a device's app password" } },
    )
    .get("/settings/computers", ({ page }) => <ComputersPage {...base(page)} />, { auth: "user" })
    .get(
      "/photos/backup",
      async ({ user, page }) => (
        <BackupPage {...base(page)} statuses={statuses.forUser(user)} serverQr={await qr(deps.server)} progress={deps.media.progressFor(user)} />
      ),
      {
        auth: "user",
      },
    );
}
