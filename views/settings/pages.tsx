import type { AppToken, AuditEntry, Invite, Passkey, Session, User } from "../../app/db/schema";
import type { ApplianceSettings } from "../../app/settings/service";
import { Layout } from "../layout";

type Base = { user: User; csrfToken: string; deviceName: string };

const when = (d: Date | null | undefined) => (d ? d.toISOString().replace("T", " ").slice(0, 16) : "never");

const actorName = (e: AuditEntry, users: Map<string, string>): string => (e.userId ? (users.get(e.userId) ?? e.userId) : "anonymous");

function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A secret shown exactly once (new app token, invite link). */
export function OneTimeSecret({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div class="notice ok stack" x-data="copyButton">
      <strong safe>{label}</strong>
      <input type="text" readonly value={value} id={id} class="mono" />
      <div class="row">
        <button type="button" x-on:click="copy" data-copy={`#${id}`}>Copy</button>
        <span class="muted small" x-show="copied" x-cloak>Copied.</span>
        <span class="muted small">It is shown only this once.</span>
      </div>
    </div>
  );
}

export function AccountPage(p: Base & {
  passkeys: Passkey[];
  tokens: AppToken[];
  sessions: Session[];
  currentSessionHash: string | null;
  unusedRecoveryCodes: number;
  newToken?: { name: string; token: string };
  newRecoveryCodes?: string[];
  recovered?: boolean;
  error?: string;
}) {
  return (
    <Layout title="Settings" user={p.user} csrfToken={p.csrfToken} deviceName={p.deviceName} active="settings" scripts={["vendor/simplewebauthn-browser.min.js"]}>
      <div class="spread">
        <h1>Settings</h1>
        {p.user.role === "admin" ? <a class="button" href="/settings/admin">Administration</a> : ""}
      </div>
      {p.recovered ? <div class="notice warn">You signed in with a recovery code. Add a new passkey now, then the lost one can be removed.</div> : ""}
      {p.error ? <div class="notice bad" safe>{p.error}</div> : ""}
      <section class="card stack" id="passkeys" x-data="passkeyRegister" data-kind="add">
        <h2>Passkeys</h2>
        <table>
          <thead><tr><th>Name</th><th>Created</th><th>Last used</th><th>Synced</th><th></th></tr></thead>
          <tbody>
            {p.passkeys.map((k) => (
              <tr>
                <td>
                  <form method="post" action={`/settings/passkeys/${encodeURIComponent(k.id)}/rename`} class="row">
                    <Csrf token={p.csrfToken} />
                    <input type="text" name="name" value={k.name} maxlength="64" aria-label="Passkey name" required />
                    <button type="submit">Rename</button>
                  </form>
                </td>
                <td safe>{when(k.createdAt)}</td>
                <td safe>{when(k.lastUsedAt)}</td>
                <td>{k.backedUp ? "yes" : "no"}</td>
                <td>
                  <form method="post" action={`/settings/passkeys/${encodeURIComponent(k.id)}/delete`}>
                    <Csrf token={p.csrfToken} />
                    <button class="danger" type="submit" disabled={p.passkeys.length <= 1}>Remove</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="notice bad" x-show="error" x-text="error" x-cloak role="alert"></div>
        <button type="button" class="primary" id="add-passkey" x-on:click="register" x-bind:disabled="busy || !secure">Add a passkey</button>
        <p class="hint">Add one on each phone or computer you use, or a security key as a spare.</p>
      </section>

      <section class="card stack" id="recovery">
        <h2>Recovery codes</h2>
        <p><span safe>{String(p.unusedRecoveryCodes)}</span> unused codes left. Each signs you in once if you lose every passkey.</p>
        {p.newRecoveryCodes ? (
          <div class="codes" id="new-codes">{p.newRecoveryCodes.map((c) => <span safe>{c}</span>)}</div>
        ) : ""}
        <form method="post" action="/settings/recovery-codes">
          <Csrf token={p.csrfToken} />
          <button type="submit">Make new codes (old ones stop working)</button>
        </form>
      </section>

      <section class="card stack" id="tokens">
        <h2>App tokens</h2>
        <p class="muted">For scripts, sync clients and the API: send <code>Authorization: Bearer &lt;token&gt;</code>. Revoke a token when a device is lost.</p>
        {p.newToken ? <OneTimeSecret label={`Token for ${p.newToken.name}`} value={p.newToken.token} id="new-token" /> : ""}
        <table>
          <thead><tr><th>Device</th><th>Created</th><th>Last used</th><th></th></tr></thead>
          <tbody>
            {p.tokens.map((tk) => (
              <tr>
                <td safe>{tk.name}</td>
                <td safe>{when(tk.createdAt)}</td>
                <td safe>{when(tk.lastUsedAt)}</td>
                <td>
                  <form method="post" action={`/settings/tokens/${tk.id}/revoke`}>
                    <Csrf token={p.csrfToken} />
                    <button class="danger" type="submit">Revoke</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/settings/tokens" class="row">
          <Csrf token={p.csrfToken} />
          <input type="text" name="name" placeholder="e.g. laptop backup script" required maxlength="64" aria-label="Token name" />
          <button type="submit">Create token</button>
        </form>
      </section>

      <section class="card stack" id="sessions">
        <h2>Signed-in browsers</h2>
        <table>
          <thead><tr><th>Browser</th><th>Address</th><th>Last seen</th></tr></thead>
          <tbody>
            {p.sessions.map((s) => (
              <tr>
                <td safe>{(s.userAgent ?? "unknown").slice(0, 80)}</td>
                <td safe>{s.ip ?? ""}</td>
                <td safe>{`${when(s.lastSeenAt)}${s.idHash === p.currentSessionHash ? " (this one)" : ""}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/logout-all">
          <Csrf token={p.csrfToken} />
          <button class="danger" type="submit">Sign out everywhere</button>
        </form>
      </section>
    </Layout>
  );
}

export function AdminPage(p: Base & {
  settings: ApplianceSettings;
  timeZones: string[];
  users: User[];
  invites: Invite[];
  origin: string;
  newLink?: { label: string; url: string };
  saved?: boolean;
  error?: string;
}) {
  return (
    <Layout title="Administration" user={p.user} csrfToken={p.csrfToken} deviceName={p.deviceName} active="settings">
      <div class="spread">
        <h1>Administration</h1>
        <a class="button" href="/settings/audit">Audit log</a>
      </div>
      {p.saved ? <div class="notice ok">Saved.</div> : ""}
      {p.error ? <div class="notice bad" safe>{p.error}</div> : ""}
      {p.newLink ? <OneTimeSecret label={p.newLink.label} value={p.newLink.url} id="new-link" /> : ""}
      <section class="card stack" id="device">
        <h2>This device</h2>
        <form method="post" action="/settings/admin/device" class="stack">
          <Csrf token={p.csrfToken} />
          <div><label for="dn">Device name</label><input id="dn" type="text" name="deviceName" value={p.settings.deviceName} maxlength="63" required /></div>
          <div>
            <label for="tz">Time zone</label>
            <select id="tz" name="timeZone">
              {p.timeZones.map((tz) => <option value={tz} selected={tz === p.settings.timeZone} safe>{tz}</option>)}
            </select>
          </div>
          <div>
            <label for="policy">Registration</label>
            <select id="policy" name="registrationPolicy">
              <option value="invite" selected={p.settings.registrationPolicy === "invite"}>Invite only</option>
              <option value="closed" selected={p.settings.registrationPolicy === "closed"}>Closed</option>
              <option value="open" selected={p.settings.registrationPolicy === "open"}>Open</option>
            </select>
          </div>
          <div><label for="trash">Keep deleted files in the trash for (days)</label><input id="trash" type="number" name="trashRetentionDays" min="1" value={String(p.settings.trashRetentionDays)} /></div>
          <button type="submit" class="primary">Save</button>
        </form>
      </section>
      <section class="card stack" id="users">
        <h2>People</h2>
        <table>
          <thead><tr><th>Name</th><th>Username</th><th>Role</th><th>Since</th><th></th></tr></thead>
          <tbody>
            {p.users.map((u) => (
              <tr>
                <td safe>{u.displayName}</td>
                <td safe>{u.username}</td>
                <td>{u.role}</td>
                <td safe>{when(u.createdAt)}</td>
                <td>
                  {u.id === p.user.id ? "" : (
                    <form method="post" action={`/settings/admin/users/${u.id}/reset`}>
                      <Csrf token={p.csrfToken} />
                      <button type="submit" class="danger" title="Removes their passkeys and sessions and makes a new enrolment link">Reset sign-in</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="row">
          <form method="post" action="/settings/admin/invites">
            <Csrf token={p.csrfToken} />
            <button type="submit" class="primary" id="create-invite">Create invite link</button>
          </form>
          <form method="post" action="/settings/admin/users" class="row">
            <Csrf token={p.csrfToken} />
            <input type="text" name="username" placeholder="username" required maxlength="32" aria-label="New username" />
            <button type="submit">Add person</button>
          </form>
        </div>
        <p class="hint"><span safe>{String(p.invites.length)}</span> open invite or enrolment links (valid 7 days, one use each).</p>
      </section>
    </Layout>
  );
}

export function AuditPage(p: Base & { entries: AuditEntry[]; users: Map<string, string>; filter: { user?: string; action?: string }; nextBefore: number | null }) {
  return (
    <Layout title="Audit log" user={p.user} csrfToken={p.csrfToken} deviceName={p.deviceName} active="settings">
      <h1>Audit log</h1>
      <form method="get" action="/settings/audit" class="row card">
        <input type="text" name="action" value={p.filter.action ?? ""} placeholder="action contains…" aria-label="Action filter" />
        <select name="user" aria-label="User filter">
          <option value="">everyone</option>
          {[...p.users].map(([id, name]) => <option value={id} selected={p.filter.user === id} safe>{name}</option>)}
        </select>
        <button type="submit">Filter</button>
      </form>
      <table id="audit">
        <thead><tr><th>When (UTC)</th><th>Who</th><th>Address</th><th>Action</th><th>Object</th><th>Result</th></tr></thead>
        <tbody>
          {p.entries.map((e) => (
            <tr>
              <td safe>{when(e.at)}</td>
              <td safe>{actorName(e, p.users)}</td>
              <td safe>{e.ip ?? ""}</td>
              <td class="mono" safe>{e.action}</td>
              <td class="mono small" safe>{e.objectId ?? ""}</td>
              <td>{e.ok ? <span class="badge ok">ok</span> : <span class="badge bad" title={e.detail ?? ""}>refused</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.nextBefore ? <p><a href={`/settings/audit?before=${p.nextBefore}&action=${encodeURIComponent(p.filter.action ?? "")}&user=${encodeURIComponent(p.filter.user ?? "")}`}>Older entries</a></p> : ""}
    </Layout>
  );
}
