import Html from "@kitajs/html";
import type { AppToken, Passkey, Session } from "../../app/platform/db/schema";
import type { SignedInPage } from "../layout";
import { CodeButtons } from "../auth/pages";
import { describeBrowser } from "../format";
import { Time } from "../Time";
import { Csrf, OneTimeSecret, whenIn } from "./parts";

/** The account page's cards (views/settings/pages.tsx AccountPage), one per capability. */
type Card = { page: SignedInPage };

export function PasskeysCard(p: Card & { passkeys: Passkey[] }) {
  const when = whenIn(p.page.timeZone);
  return (
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
  );
}

export function RecoveryCard(p: Card & { unusedRecoveryCodes: number; newRecoveryCodes?: string[] }) {
  return (
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
  );
}

export function TokensCard(p: Card & { tokens: AppToken[]; newToken?: { name: string; token: string } }) {
  const when = whenIn(p.page.timeZone);
  return (
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
  );
}

export function SessionsCard(p: Card & { sessions: Session[]; currentSessionHash: string | null }) {
  return (
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
  );
}
