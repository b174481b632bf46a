import { Layout, type SignedInPage } from "../layout";

type Base = { page: SignedInPage };

/** Login Flow v2: an app asks for access; the person names the device and allows or denies it. */
export function LoginFlowPage(p: Base & { token: string; client: string }) {
  return (
    <Layout title="Connect a device" page={p.page} active="settings">
      <h1 safe>{`${p.client} wants access to your files`}</h1>
      <p>
        An app asked to sign in to <strong safe>{p.page.deviceName}</strong> as <strong safe>{p.page.user.username}</strong>. Allow it only if you just started
        this on your own device. It gets an app password for your files (WebDAV), nothing else, and you can revoke it in Settings → Devices.
      </p>
      <form method="post" action={`/index.php/login/v2/flow/${encodeURIComponent(p.token)}`} class="stack narrow">
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        <label>
          Name this device
          <input type="text" name="name" value={p.client} maxlength="64" required id="device-name" />
        </label>
        <label class="row">
          <input type="checkbox" name="readOnly" value="1" /> Read only (it can see your files but not change them)
        </label>
        <div class="row">
          <button type="submit" name="decision" value="allow" class="primary" id="allow">
            Allow access
          </button>
          <button type="submit" name="decision" value="deny" id="deny">
            Deny
          </button>
        </div>
      </form>
    </Layout>
  );
}

export function LoginFlowDone(p: Base & { allowed: boolean; name: string }) {
  return (
    <Layout title="Connect a device" page={p.page} active="settings">
      <h1>{p.allowed ? "Access granted" : "Access denied"}</h1>
      {p.allowed ? (
        <p id="flow-result">
          “<strong safe>{p.name}</strong>” is connected: go back to the app, it continues by itself. You can close this page.
        </p>
      ) : (
        <p id="flow-result">Nothing was connected. You can close this page.</p>
      )}
    </Layout>
  );
}

import type { DeviceStatus } from "../../app/dav/devices";
import { formatBytes, formatWhen } from "../format";
import { OneTimeSecret } from "../settings/parts";
import { PhotosShell } from "../photos/PhotosPage";

type Connect = { server: string; username: string };
/** Written where a phone is told where to upload; escaped like any text (it holds "<…>"). */
const PHONE_FOLDER: string = "Photos/Camera/<phone name>";

const countLine = (c: { photos: number; videos: number }) => `${c.photos} photo${c.photos === 1 ? "" : "s"}, ${c.videos} video${c.videos === 1 ? "" : "s"}`;

/** Each device: what it may do, when it was last seen and from where, and what it sent. */
function DeviceRows(p: { statuses: DeviceStatus[]; csrfToken: string; timeZone: string; revoke: boolean }) {
  if (!p.statuses.length) return <p class="muted">No device is connected yet.</p>;
  return (
    <div class="table-wrap">
      <table id="devices">
        <thead>
          <tr>
            <th>Device</th>
            <th>Last seen</th>
            <th>Today</th>
            <th>This week</th>
            <th>Ever</th>
            <th>Newest photo taken</th>
            {p.revoke ? <th></th> : ""}
          </tr>
        </thead>
        <tbody>
          {p.statuses.map((s) => (
            <tr class={s.silent ? "warn" : undefined}>
              <td>
                <strong safe>{s.device.name}</strong>
                <div class="muted small">{s.device.scope === "files-read" ? "read only" : "read and write"}</div>
                {s.silent ? <div class="badge warn" safe>{`no backup for ${s.quietDays} days`}</div> : ""}
              </td>
              <td>
                <span safe>{formatWhen(s.device.lastUsedAt, p.timeZone)}</span>
                {s.device.lastUsedIp ? <div class="muted small" safe>{`from ${s.device.lastUsedIp}`}</div> : ""}
                <div class="muted small" safe>{`last upload ${formatWhen(s.lastUploadAt, p.timeZone)}`}</div>
              </td>
              <td safe>{countLine(s.today)}</td>
              <td safe>{countLine(s.week)}</td>
              <td>
                <span safe>{countLine(s.ever)}</span>
                <div class="muted small" safe>{`${s.ever.others} other files · ${formatBytes(s.ever.bytes)}`}</div>
              </td>
              <td safe>{formatWhen(s.newestCaptureAt, p.timeZone)}</td>
              {p.revoke ? (
                <td>
                  <form method="post" action={`/settings/devices/${encodeURIComponent(s.device.id)}/revoke`}>
                    <input type="hidden" name="_csrf" value={p.csrfToken} />
                    <button class="danger" type="submit">
                      Revoke
                    </button>
                  </form>
                </td>
              ) : (
                ""
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Settings → Devices: app passwords for phones and computers, made here or by an app's login flow. */
export function DevicesPage(
  p: Base & Connect & { statuses: DeviceStatus[]; created?: { name: string; password: string; qrDataUrl: string; folder: string }; error?: string },
) {
  return (
    <Layout title="Devices" page={p.page} active="settings">
      <div class="connect stack">
        <h1>Devices</h1>
        <p>
          Phones and computers sign in with your username and an <strong>app password</strong> of their own: WebDAV, the Nextcloud apps, PhotoSync, rclone,
          Finder, Explorer. An app password opens your files only, and revoking it disconnects that one device. See also{" "}
          <a href="/photos/backup">Back up your phone</a> and <a href="/settings/computers">Connect a computer</a>.
        </p>
        {p.error ? (
          <div class="notice error" role="alert" safe>
            {p.error}
          </div>
        ) : (
          ""
        )}
        {p.created ? (
          <section class="card stack" id="new-device">
            <h2 safe>{`App password for ${p.created.name}`}</h2>
            <OneTimeSecret label="App password" value={p.created.password} id="new-app-password" />
            <p>
              Server: <code safe>{p.server}</code> · Username: <code safe>{p.username}</code> · Camera uploads folder: <code safe>{p.created.folder}</code>
            </p>
            <p class="muted">The Nextcloud app can scan this code instead (Log in → scan QR code): it holds the server, your username and this password.</p>
            <img src={p.created.qrDataUrl} alt="QR code to sign the Nextcloud app in" width="220" height="220" />
          </section>
        ) : (
          ""
        )}
        <section class="card stack">
          <h2>Add a device</h2>
          <form method="post" action="/settings/devices" class="stack narrow">
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <label>
              Name
              <input type="text" name="name" required maxlength="64" placeholder="Pixel 8 — camera backup" id="device-name" />
            </label>
            <label>
              Camera uploads folder (optional)
              <input type="text" name="folder" maxlength="1024" placeholder="Photos/Camera/<device name>" id="device-folder" />
            </label>
            <label class="row">
              <input type="checkbox" name="readOnly" value="1" /> Read only
            </label>
            <button type="submit" class="primary">
              Make an app password
            </button>
          </form>
        </section>
        <section class="card stack">
          <h2>Connected devices</h2>
          <DeviceRows statuses={p.statuses} csrfToken={p.page.csrfToken} timeZone={p.page.timeZone} revoke />
        </section>
      </div>
    </Layout>
  );
}

/** Settings → Connect a computer: the exact steps per system. */
export function ComputersPage(p: Base & Connect) {
  const dav = `${p.server}/remote.php/dav/files/${encodeURIComponent(p.username)}/`;
  const host = p.server.replace(/^https?:\/\//, "");
  return (
    <Layout title="Connect a computer" page={p.page} active="settings">
      <div class="connect stack">
        <h1>Connect a computer</h1>
        <p>
          Your Drive is a WebDAV folder at <code safe>{dav}</code> (or the shorter <code safe>{`${p.server}/dav/`}</code>). Make an app password for each
          computer in <a href="/settings/devices">Settings → Devices</a> and sign in with your username <code safe>{p.username}</code> and that password.
          Passwords only travel over HTTPS (or on the box itself).
        </p>
        <section class="card stack">
          <h2>macOS Finder</h2>
          <ol>
            <li>Finder → Go → Connect to Server… (⌘K).</li>
            <li>
              Server address: <code safe>{dav}</code>
            </li>
            <li>Connect as “Registered User”, your username and the app password. The Drive opens as a disk you can write to.</li>
          </ol>
          <p class="muted">Finder writes “._name” and “.DS_Store” files for its own bookkeeping: the box accepts them and does not store them.</p>
        </section>
        <section class="card stack">
          <h2>Windows Explorer</h2>
          <ol>
            <li>
              Trust the box's certificate first (<a href="/setup/trust">how</a>): Windows sends passwords only over HTTPS.
            </li>
            <li>This PC → Map network drive… → Folder:</li>
            <li>
              <code safe>{dav}</code>
            </li>
            <li>Tick “Connect using different credentials”, then your username and the app password.</li>
          </ol>
          <p class="muted">
            Windows' WebDAV client refuses files over 50 MB until you raise <code>FileSizeLimitInBytes</code> under
            <code>HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\WebClient\Parameters</code> (e.g. to 4294967295) and restart the WebClient service. For
            large folders the Nextcloud desktop client below is the better choice.
          </p>
        </section>
        <section class="card stack">
          <h2>GNOME Files (Linux)</h2>
          <ol>
            <li>Other Locations → Connect to Server:</li>
            <li>
              <code safe>{`davs://${host}/remote.php/dav/files/${encodeURIComponent(p.username)}/`}</code>
            </li>
          </ol>
        </section>
        <section class="card stack">
          <h2>rclone</h2>
          <pre safe>
            {`rclone config create nas webdav url=${dav} vendor=nextcloud user=${p.username} pass=$(rclone obscure 'APP-PASSWORD')
rclone sync ~/Documents nas:Documents
rclone about nas:`}
          </pre>
        </section>
        <section class="card stack">
          <h2>Nextcloud desktop client (Windows, macOS, Linux)</h2>
          <ol>
            <li>
              Install the Nextcloud desktop client, choose “Log in”, and enter <code safe>{p.server}</code>.
            </li>
            <li>A browser page of this box opens: sign in with your passkey and allow the computer. The client receives its own app password.</li>
            <li>Choose which folders to keep in sync. Changes on either side follow; a file changed on both keeps both versions.</li>
          </ol>
          <p class="muted">
            On a server or without a screen: <code safe>{`nextcloudcmd -u ${p.username} -p APP-PASSWORD ~/Drive ${p.server}`}</code>
          </p>
        </section>
        <section class="card stack">
          <h2>Why not a Windows share (SMB)?</h2>
          <p>
            Drive stores each file's content once, under its SHA-256, with names, trash, quota, sharing and the photo pipeline kept in its database. A Samba
            share would write beside all of that and bypass its rules, so the box speaks WebDAV instead.
          </p>
        </section>
      </div>
    </Layout>
  );
}

/** Photos → Back up your phone: steps per platform, the server as a QR code, and what each phone sent. */
export function BackupPage(p: Base & Connect & { statuses: DeviceStatus[]; serverQr: string; progress: Parameters<typeof PhotosShell>[0]["progress"] }) {
  const dav = `${p.server}/remote.php/dav/files/${encodeURIComponent(p.username)}/`;
  return (
    <PhotosShell title="Back up your phone" page={p.page} tab="backup" progress={p.progress}>
      <div class="stack connect">
        <h1 class="photos-heading">Back up your phone</h1>
        <p>
          Phones back up on their own through an app that speaks WebDAV or Nextcloud's protocol; what they send lands in your Drive (in{" "}
          <code safe>{PHONE_FOLDER}</code>) and shows in Photos. Below, each phone's last backup says whether it is still working.
        </p>
        <div class="row">
          <img src={p.serverQr} alt="QR code of the server address" width="180" height="180" />
          <p>
            Server address: <code safe>{p.server}</code>
            <br />
            Username: <code safe>{p.username}</code>
            <br />
            Password: an app password from <a href="/settings/devices">Settings → Devices</a> (the Nextcloud app gets one by itself).
          </p>
        </div>
        <section class="card stack">
          <h2>Android</h2>
          <p>
            <strong>Nextcloud app</strong> (Play Store or F-Droid): Log in → enter the server address → sign in on the page that opens and allow the phone. Then
            Settings → Auto upload → turn on the Camera folder, set its remote folder to <code safe>{PHONE_FOLDER}</code>, and allow the app to run in the
            background (Android's battery settings → Unrestricted), or backups stop when the screen is off.
          </p>
          <p>
            <strong>FolderSync</strong>: add a WebDAV account with <code safe>{dav}</code>, your username and an app password; sync the DCIM/Camera folder to{" "}
            <code safe>{PHONE_FOLDER}</code>, one-way to the remote, on a schedule.
          </p>
        </section>
        <section class="card stack">
          <h2>iPhone</h2>
          <p>
            <strong>PhotoSync</strong>: Settings → Configure → WebDAV → server <code safe>{dav}</code> with an app password, target folder{" "}
            <code safe>{PHONE_FOLDER}</code>; turn on Autotransfer (and background transfer with a location or a charger trigger, as iOS allows).
          </p>
          <p>
            <strong>Nextcloud app</strong> (App Store): Log in with the server address, allow the phone on the page that opens, then Settings → Auto upload.
          </p>
        </section>
        <section class="card stack">
          <h2>Your phones</h2>
          <DeviceRows statuses={p.statuses} csrfToken={p.page.csrfToken} timeZone={p.page.timeZone} revoke={false} />
        </section>
      </div>
    </PhotosShell>
  );
}
