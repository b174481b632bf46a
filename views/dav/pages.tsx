import type { User } from "../../app/db/schema";
import { Layout } from "../layout";

type Base = { user: User; csrfToken: string; deviceName: string };

/** Login Flow v2: an app asks for access; the person names the device and allows or denies it. */
export function LoginFlowPage(p: Base & { token: string; client: string }) {
  return (
    <Layout title="Connect a device" user={p.user} csrfToken={p.csrfToken} deviceName={p.deviceName} active="settings">
      <h1 safe>{`${p.client} wants access to your files`}</h1>
      <p>
        An app asked to sign in to <strong safe>{p.deviceName}</strong> as <strong safe>{p.user.username}</strong>. Allow it only if you just started this on
        your own device. It gets an app password for your files (WebDAV), nothing else, and you can revoke it in Settings → Devices.
      </p>
      <form method="post" action={`/index.php/login/v2/flow/${encodeURIComponent(p.token)}`} class="stack narrow">
        <input type="hidden" name="_csrf" value={p.csrfToken} />
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
    <Layout title="Connect a device" user={p.user} csrfToken={p.csrfToken} deviceName={p.deviceName} active="settings">
      <h1>{p.allowed ? "Access granted" : "Access denied"}</h1>
      <p id="flow-result" safe>
        {p.allowed
          ? `“${p.name}” is connected: go back to the app, it continues by itself. You can close this page.`
          : "Nothing was connected. You can close this page."}
      </p>
    </Layout>
  );
}
