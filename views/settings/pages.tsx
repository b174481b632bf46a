import type { AppToken, AuditEntry, Invite, Passkey, Session, User } from "../../app/platform/db/schema";
import type { ApplianceSettings } from "../../app/settings/service";
import { Layout, type SignedInPage } from "../layout";
import { formatDate } from "../format";
import type { AuditKind } from "../../app/platform/audit";
import { Time } from "../Time";
import { PasskeysCard, RecoveryCard, SessionsCard, TokensCard } from "./account";
import { Csrf, OneTimeSecret, whenIn } from "./parts";
import { HostnameCard, NtpCard, SshCard, type SystemProps } from "./system";

type Base = { page: SignedInPage };

// The admin command line runs as nobody signed in: its rows (cli.*) are the administrator's, not a visitor's.
const actorName = (e: AuditEntry, users: Map<string, string>): string =>
  e.userId ? (users.get(e.userId) ?? e.userId) : e.action.startsWith("cli.") ? "the administrator" : "anonymous";

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
      <PasskeysCard page={p.page} passkeys={p.passkeys} />

      <RecoveryCard page={p.page} unusedRecoveryCodes={p.unusedRecoveryCodes} newRecoveryCodes={p.newRecoveryCodes} />

      <section class="card stack" id="devices-link">
        <h2>Phones and computers</h2>
        <p>
          <a href="/settings/devices">Devices</a>: app passwords for the Nextcloud apps, PhotoSync, Finder, Explorer and rclone, with what each device backed
          up. <a href="/settings/computers">Connect a computer</a> · <a href="/photos/backup">Back up your phone</a>
        </p>
      </section>

      <TokensCard page={p.page} tokens={p.tokens} newToken={p.newToken} />

      <SessionsCard page={p.page} sessions={p.sessions} currentSessionHash={p.currentSessionHash} />
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

export function SystemPage(p: SystemProps) {
  return (
    <Layout title="System" page={p.page} active="settings">
      <div class="spread">
        <h1>System</h1>
        <a class="button" href="/settings/admin">
          Administration
        </a>
      </div>

      <HostnameCard {...p} />

      <NtpCard {...p} />

      <SshCard {...p} />
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
