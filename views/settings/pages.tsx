import Html from "@kitajs/html";
import type { AppToken, AuditEntry, Invite, Passkey, Session, User } from "../../app/platform/db/schema";
import type { ApplianceSettings, HostSettings } from "../../app/settings/service";
import { Layout, type SignedInPage } from "../layout";
import { CodeButtons } from "../auth/pages";
import { describeBrowser, formatDate, formatWhen } from "../format";
import type { AuditKind } from "../../app/platform/audit";
import { Time } from "../Time";

type Base = { page: SignedInPage };

/** Times in the page's time zone. */
const whenIn = (tz: string) => (d: Date | null | undefined) => formatWhen(d, tz);

// The admin command line runs as nobody signed in: its rows (cli.*) are the administrator's, not a visitor's.
const actorName = (e: AuditEntry, users: Map<string, string>): string =>
  e.userId ? (users.get(e.userId) ?? e.userId) : e.action.startsWith("cli.") ? "the administrator" : "anonymous";

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
        <button type="button" x-on:click="copy" data-copy={`#${id}`}>
          Copy
        </button>
        <span class="muted small" x-show="copied" x-cloak>
          Copied.
        </span>
        <span class="muted small">It is shown only this once.</span>
      </div>
    </div>
  );
}

export function AccountPage(
  p: Base & {
    passkeys: Passkey[];
    tokens: AppToken[];
    sessions: Session[];
    currentSessionHash: string | null;
    unusedRecoveryCodes: number;
    newToken?: { name: string; token: string };
    newRecoveryCodes?: string[];
    recovered?: boolean;
    error?: string;
  },
) {
  const when = whenIn(p.page.timeZone);
  return (
    <Layout title="Settings" page={p.page} active="settings" scripts={["vendor/simplewebauthn-browser.min.js"]}>
      <div class="spread">
        <h1>Settings</h1>
        {p.page.admin ? (
          <a class="button" href="/settings/admin">
            Administration
          </a>
        ) : (
          ""
        )}
      </div>
      {p.recovered ? <div class="notice warn">You signed in with a recovery code. Add a new passkey now, then the lost one can be removed.</div> : ""}
      {p.error ? (
        <div class="notice bad" safe>
          {p.error}
        </div>
      ) : (
        ""
      )}
      <section class="card stack" id="passkeys" x-data="passkeyRegister" data-kind="add">
        <h2>Passkeys</h2>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Synced</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {p.passkeys.map((k) => (
              <tr>
                <td>
                  <form method="post" action={`/settings/passkeys/${encodeURIComponent(k.id)}/rename`} class="row">
                    <Csrf token={p.page.csrfToken} />
                    <input type="text" name="name" value={k.name} maxlength="64" aria-label="Passkey name" required />
                    <button type="submit">Rename</button>
                  </form>
                </td>
                <td safe>{when(k.createdAt)}</td>
                <td safe>{when(k.lastUsedAt)}</td>
                <td>{k.backedUp ? "yes" : "no"}</td>
                <td>
                  <form method="post" action={`/settings/passkeys/${encodeURIComponent(k.id)}/delete`}>
                    <Csrf token={p.page.csrfToken} />
                    <button class="danger" type="submit" disabled={p.passkeys.length <= 1}>
                      Remove
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="notice bad" x-show="error" x-text="error" x-cloak role="alert"></div>
        <button type="button" class="primary" id="add-passkey" x-on:click="register" x-bind:disabled="busy || !secure">
          Add a passkey
        </button>
        <p class="hint">Add one on each phone or computer you use, or a security key as a spare.</p>
      </section>

      <section class="card stack" id="recovery">
        <h2>Recovery codes</h2>
        <p>
          <span safe>{String(p.unusedRecoveryCodes)}</span> unused codes left. Each signs you in once if you lose every passkey.
        </p>
        {p.newRecoveryCodes ? (
          <div class="stack" x-data="codeActions" data-codes id="recovery-codes">
            <div class="codes" id="new-codes">
              {p.newRecoveryCodes.map((c) => (
                <span safe>{c}</span>
              ))}
            </div>
            <CodeButtons />
          </div>
        ) : (
          ""
        )}
        <form method="post" action="/settings/recovery-codes">
          <Csrf token={p.page.csrfToken} />
          <button type="submit">Make new codes (old ones stop working)</button>
        </form>
      </section>

      <section class="card stack" id="devices-link">
        <h2>Phones and computers</h2>
        <p>
          <a href="/settings/devices">Devices</a>: app passwords for the Nextcloud apps, PhotoSync, Finder, Explorer and rclone, with what each device backed
          up. <a href="/settings/computers">Connect a computer</a> · <a href="/photos/backup">Back up your phone</a>
        </p>
      </section>

      <section class="card stack" id="tokens">
        <h2>App tokens</h2>
        <p class="muted">
          For scripts, sync clients and the API: send <code>{Html.escapeHtml("Authorization: Bearer <token>")}</code>. Revoke a token when a device is lost.
        </p>
        {p.newToken ? <OneTimeSecret label={`Token for ${p.newToken.name}`} value={p.newToken.token} id="new-token" /> : ""}
        <table>
          <thead>
            <tr>
              <th>Device</th>
              <th>Created</th>
              <th>Last used</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {p.tokens.map((tk) => (
              <tr>
                <td safe>{tk.name}</td>
                <td safe>{when(tk.createdAt)}</td>
                <td safe>{when(tk.lastUsedAt)}</td>
                <td>
                  <form method="post" action={`/settings/tokens/${tk.id}/revoke`}>
                    <Csrf token={p.page.csrfToken} />
                    <button class="danger" type="submit">
                      Revoke
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/settings/tokens" class="row">
          <Csrf token={p.page.csrfToken} />
          <input type="text" name="name" placeholder="e.g. laptop backup script" required maxlength="64" aria-label="Token name" />
          <button type="submit">Create token</button>
        </form>
      </section>

      <section class="card stack" id="sessions">
        <h2>Signed-in browsers</h2>
        <ul class="session-list">
          {p.sessions.map((s) => {
            const current = s.idHash === p.currentSessionHash;
            return (
              <li class="session" data-current={current ? "true" : undefined}>
                <div>
                  <strong safe>{describeBrowser(s.userAgent)}</strong>
                  <div class="muted small">
                    last seen <Time at={s.lastSeenAt} tz={p.page.timeZone} relative />
                    {s.ip ? <span safe>{` · ${s.ip}`}</span> : ""}
                    {current ? <strong> · this browser</strong> : ""}
                  </div>
                </div>
                {current ? (
                  <form method="post" action="/logout">
                    <Csrf token={p.page.csrfToken} />
                    <button type="submit" id="sign-out-here">
                      Sign out
                    </button>
                  </form>
                ) : (
                  <form method="post" action={`/settings/sessions/${encodeURIComponent(s.idHash)}/end`}>
                    <Csrf token={p.page.csrfToken} />
                    <button type="submit" class="danger" aria-label={`Sign out ${describeBrowser(s.userAgent)}`}>
                      Sign out
                    </button>
                  </form>
                )}
              </li>
            );
          })}
        </ul>
        <form method="post" action="/logout-all">
          <Csrf token={p.page.csrfToken} />
          <button class="danger" type="submit">
            Sign out everywhere
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function AdminPage(
  p: Base & {
    settings: ApplianceSettings;
    timeZones: string[];
    users: User[];
    invites: Invite[];
    origin: string;
    newLink?: { label: string; url: string };
    saved?: boolean;
    error?: string;
  },
) {
  const when = whenIn(p.page.timeZone);
  return (
    <Layout title="Administration" page={p.page} active="settings">
      <div class="spread">
        <h1>Administration</h1>
        <div class="row">
          <a class="button" href="/settings/system">
            System: name, time, SSH
          </a>
          <a class="button" href="/settings/audit">
            Audit log
          </a>
        </div>
      </div>
      {p.saved ? <div class="notice ok">Saved.</div> : ""}
      {p.error ? (
        <div class="notice bad" safe>
          {p.error}
        </div>
      ) : (
        ""
      )}
      {p.newLink ? <OneTimeSecret label={p.newLink.label} value={p.newLink.url} id="new-link" /> : ""}
      <section class="card stack" id="device">
        <h2>This device</h2>
        <form method="post" action="/settings/admin/device" class="stack">
          <Csrf token={p.page.csrfToken} />
          <div>
            <label for="dn">Device name</label>
            <input id="dn" type="text" name="deviceName" value={p.settings.deviceName} maxlength="63" required />
          </div>
          <div>
            <label for="tz">Time zone</label>
            <select id="tz" name="timeZone">
              {p.timeZones.map((tz) => (
                <option value={tz} selected={tz === p.settings.timeZone} safe>
                  {tz}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="policy">Registration</label>
            <select id="policy" name="registrationPolicy">
              <option value="invite" selected={p.settings.registrationPolicy === "invite"}>
                Invite only
              </option>
              <option value="closed" selected={p.settings.registrationPolicy === "closed"}>
                Closed
              </option>
              <option value="open" selected={p.settings.registrationPolicy === "open"}>
                Open
              </option>
            </select>
          </div>
          <div>
            <label for="trash">Keep deleted files in the trash for (days)</label>
            <input id="trash" type="number" name="trashRetentionDays" min="1" value={String(p.settings.trashRetentionDays)} />
          </div>
          <button type="submit" class="primary">
            Save
          </button>
        </form>
      </section>
      <section class="card stack" id="users">
        <h2>People</h2>
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Username</th>
              <th>Role</th>
              <th>Since</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {p.users.map((u) => (
              <tr>
                <td safe>{u.displayName}</td>
                <td safe>{u.username}</td>
                <td>{u.role}</td>
                <td safe>{when(u.createdAt)}</td>
                <td>
                  {u.id === p.page.user.id ? (
                    ""
                  ) : (
                    <form method="post" action={`/settings/admin/users/${u.id}/reset`}>
                      <Csrf token={p.page.csrfToken} />
                      <button type="submit" class="danger" title="Removes their passkeys and sessions and makes a new enrolment link">
                        Reset sign-in
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="row">
          <form method="post" action="/settings/admin/invites">
            <Csrf token={p.page.csrfToken} />
            <button type="submit" class="primary" id="create-invite">
              Create invite link
            </button>
          </form>
          <form method="post" action="/settings/admin/users" class="row">
            <Csrf token={p.page.csrfToken} />
            <input type="text" name="username" placeholder="username" required maxlength="32" aria-label="New username" />
            <button type="submit">Add person</button>
          </form>
        </div>
        <p class="hint">
          <span safe>{String(p.invites.length)}</span> open invite or enrolment links (valid 7 days, one use each).
        </p>
      </section>
    </Layout>
  );
}

/** Which card of the system page a message belongs to. */
export type SystemCard = "hostname" | "ntp" | "ssh";

/** A card's message: a problem (shown beside the field, typed values kept) or what a save did. */
function CardNotice({ card, p }: { card: SystemCard; p: { error?: { card: SystemCard; message: string }; saved?: { card: SystemCard; message: string } } }) {
  if (p.error?.card === card)
    return (
      <div class="notice bad" id={`${card}-error`} role="alert" safe>
        {p.error.message}
      </div>
    );
  if (p.saved?.card === card)
    return (
      <div class="notice ok" role="status" safe>
        {p.saved.message}
      </div>
    );
  return "";
}

export function SystemPage(
  p: Base & {
    host: HostSettings;
    /** The host name the device name suggests, offered when it differs from the current one. */
    suggestedHostname: string;
    /** What the admin typed, re-shown when it was refused. */
    typed?: { hostname?: string; ntpServers?: string; sshKeys?: string; sshEnabled?: boolean };
    error?: { card: SystemCard; message: string };
    saved?: { card: SystemCard; message: string };
  },
) {
  const hostname = p.typed?.hostname ?? p.host.hostname;
  const sshEnabled = p.typed?.sshEnabled ?? p.host.ssh.enabled;
  const invalid = (card: SystemCard) => (p.error?.card === card ? { "aria-invalid": "true", "aria-describedby": `${card}-error` } : {});
  return (
    <Layout title="System" page={p.page} active="settings">
      <div class="spread">
        <h1>System</h1>
        <a class="button" href="/settings/admin">
          Administration
        </a>
      </div>

      <section class="card stack" id="hostname">
        <h2>Host name</h2>
        <p class="muted">
          The box's name on your network. It is reached at <code safe>{`https://${p.host.hostname}.local`}</code>; after a rename that address changes, and the
          box re-issues its certificate for the new name by itself within a minute (same certificate authority: nothing to install again).
        </p>
        <CardNotice card="hostname" p={p} />
        <form method="post" action="/settings/system/hostname" class="stack">
          <Csrf token={p.page.csrfToken} />
          <div>
            <label for="hostname-input">Host name</label>
            <input
              id="hostname-input"
              type="text"
              name="hostname"
              value={hostname}
              maxlength="63"
              required
              autocomplete="off"
              spellcheck="false"
              autocapitalize="none"
              list="hostname-suggestions"
              {...invalid("hostname")}
            />
            <datalist id="hostname-suggestions">{p.suggestedHostname !== p.host.hostname ? <option value={p.suggestedHostname} /> : ""}</datalist>
            <p class="hint">
              Letters a–z, digits and hyphens, up to 63; the address is this name followed by <code>.local</code>.
              {p.suggestedHostname !== p.host.hostname ? (
                <>
                  {" "}
                  From the device name: <code safe>{p.suggestedHostname}</code>.
                </>
              ) : (
                ""
              )}
            </p>
          </div>
          <label class="choice">
            <input type="checkbox" name="confirm" value="yes" />
            <span>
              <strong>I have my recovery codes</strong>
              Passkeys belong to the address: after a rename everyone signs in once at the new address with a recovery code (or an enrolment link from you) and
              adds a passkey there.
            </span>
          </label>
          <button type="submit" class="primary">
            Rename
          </button>
        </form>
      </section>

      <section class="card stack" id="ntp">
        <h2>Time servers (NTP)</h2>
        <p class="muted">Leave empty to use the public pool. Servers listed here are asked as well, e.g. your router when the box has no internet.</p>
        <CardNotice card="ntp" p={p} />
        <form method="post" action="/settings/system/time-servers" class="stack">
          <Csrf token={p.page.csrfToken} />
          <div>
            <label for="ntp-input">Servers, one per line</label>
            <textarea
              id="ntp-input"
              name="servers"
              rows="4"
              spellcheck="false"
              autocapitalize="none"
              placeholder="e.g. fritz.box or 192.168.1.1"
              {...invalid("ntp")}
              safe
            >
              {p.typed?.ntpServers ?? p.host.ntpServers.join("\n")}
            </textarea>
            <p class="hint">Host names or IPv4 addresses, at most 20.</p>
          </div>
          <button type="submit" class="primary">
            Save time servers
          </button>
        </form>
      </section>

      <section class="card stack" id="ssh">
        <h2>SSH access {p.host.ssh.enabled ? <span class="badge warn">on</span> : <span class="badge">off</span>}</h2>
        <div class="notice warn">
          SSH signs in as <strong>root</strong>: whoever holds one of these keys controls the whole box, every person's files and every setting. Only with a
          public key, never a password. For people who administer Linux machines; nothing else needs it.
        </div>
        <CardNotice card="ssh" p={p} />
        {p.host.ssh.keys.length > 0 ? (
          <table id="ssh-keys">
            <thead>
              <tr>
                <th>Key (comment and type)</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {p.host.ssh.keys.map((k) => (
                <tr>
                  <td>
                    {k.comment ? (
                      <div title={k.comment.length > 60 ? k.comment : undefined} safe>
                        {k.comment.length > 60 ? `${k.comment.slice(0, 60)}…` : k.comment}
                      </div>
                    ) : (
                      <div class="muted">(no comment)</div>
                    )}
                    <div class="mono small muted" safe>
                      {k.type}
                    </div>
                  </td>
                  <td>
                    <form method="post" action={`/settings/system/ssh/keys/${k.id}/remove`}>
                      <Csrf token={p.page.csrfToken} />
                      <button class="danger" type="submit">
                        Remove
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">No keys yet.</p>
        )}
        <form method="post" action="/settings/system/ssh" class="stack">
          <Csrf token={p.page.csrfToken} />
          <div>
            <label for="ssh-keys-input">Add public keys, one per line</label>
            <textarea
              id="ssh-keys-input"
              name="keys"
              rows="3"
              spellcheck="false"
              autocapitalize="none"
              class="mono"
              placeholder="ssh-ed25519 AAAA… you@laptop"
              {...invalid("ssh")}
              safe
            >
              {p.typed?.sshKeys ?? ""}
            </textarea>
            <p class="hint">
              The line from your <code>~/.ssh/id_ed25519.pub</code> (ed25519, RSA, ECDSA or security-key types).
            </p>
          </div>
          <label class="choice">
            <input type="checkbox" name="enabled" value="on" checked={sshEnabled} />
            <span>
              <strong>Allow SSH</strong> Root may sign in with the keys above. Removing the last key turns this off.
            </span>
          </label>
          <button type="submit" class="primary">
            Save SSH access
          </button>
        </form>
      </section>
    </Layout>
  );
}

/** The audit log's filter: the kinds of action, in words. */
const AUDIT_KINDS: Record<AuditKind, string> = {
  files: "Files",
  "sign-in": "Signing in",
  accounts: "Accounts and access",
  settings: "Settings",
  system: "Disks, backups and power",
};

/**
 * One entry of the audit log: a row, or consecutive rows of one action folded into one (an upload's parts), with what
 * it means in words (`detailUsed`: the words already name what the detail says).
 */
export type AuditLine = { entry: AuditEntry; count: number; first: Date; words: string; detailUsed: boolean };

export function AuditPage(
  p: Base & {
    lines: AuditLine[];
    users: Map<string, string>;
    filter: { user?: string; action?: string; kind?: AuditKind; date?: string };
    nextBefore: number | null;
  },
) {
  const query = (extra: Record<string, string>) =>
    new URLSearchParams(
      Object.entries({ user: p.filter.user ?? "", kind: p.filter.kind ?? "", date: p.filter.date ?? "", ...extra }).filter(([, v]) => v),
    ).toString();
  return (
    <Layout title="Audit log" page={p.page} active="settings">
      <h1>Audit log</h1>
      <form method="get" action="/settings/audit" class="card audit-filter" id="audit-filter">
        <div>
          <label for="audit-user">Person</label>
          <select name="user" id="audit-user">
            <option value="">Everyone</option>
            {[...p.users].map(([id, name]) => (
              <option value={id} selected={p.filter.user === id} safe>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="audit-kind">What</label>
          <select name="kind" id="audit-kind">
            <option value="">Everything</option>
            {Object.entries(AUDIT_KINDS).map(([id, label]) => (
              <option value={id} selected={p.filter.kind === id} safe>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="audit-date">Day</label>
          <input type="date" name="date" id="audit-date" value={p.filter.date ?? ""} />
        </div>
        <button type="submit">Show</button>
      </form>
      <p class="muted small" safe>{`Times in ${p.page.timeZone}. Repeated steps of one action (an upload's parts) are shown once.`}</p>
      {p.lines.length === 0 ? (
        <p class="muted">Nothing matches.</p>
      ) : (
        <ul class="audit-list" id="audit">
          {p.lines.map(({ entry: e, count, first, words, detailUsed }) => {
            return (
              <li class={e.ok ? undefined : "refused"}>
                <div>
                  {e.ok ? "" : <span class="badge bad">refused</span>} <strong safe>{actorName(e, p.users)}</strong> <span safe>{words}</span>
                  {count > 1 ? <span class="muted" safe>{` (${count} steps)`}</span> : ""}
                  {e.detail && !detailUsed ? <span class="muted" safe>{`: ${e.detail}`}</span> : ""}
                </div>
                <div class="muted small">
                  <Time at={e.at} tz={p.page.timeZone} />
                  {count > 1 ? <span safe>{` (from ${formatDate(first, p.page.timeZone)})`}</span> : ""}
                  {e.ip ? <span safe>{` · ${e.ip}`}</span> : ""}
                  <span class="audit-raw" title="What the server recorded" safe>{` · ${e.action}`}</span>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {p.nextBefore ? (
        <p>
          <a href={`/settings/audit?${query({ before: String(p.nextBefore) })}`}>Older entries</a>
        </p>
      ) : (
        ""
      )}
    </Layout>
  );
}
