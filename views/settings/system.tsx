import type { HostSettings } from "../../app/settings/service";
import type { SignedInPage } from "../layout";
import { Csrf } from "./parts";

/** Which card of the system page a message belongs to. */
export type SystemCard = "hostname" | "ntp" | "ssh";

export type SystemProps = {
  page: SignedInPage;
  host: HostSettings;
  /** The host name the device name suggests, offered when it differs from the current one. */
  suggestedHostname: string;
  /** What the admin typed, re-shown when it was refused. */
  typed?: { hostname?: string; ntpServers?: string; sshKeys?: string; sshEnabled?: boolean };
  error?: { card: SystemCard; message: string };
  saved?: { card: SystemCard; message: string };
};

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

/** Marks a card's field invalid and points it at the card's message when the message is a problem. */
const invalidIn = (p: SystemProps) => (card: SystemCard) => (p.error?.card === card ? { "aria-invalid": "true", "aria-describedby": `${card}-error` } : {});

export function HostnameCard(p: SystemProps) {
  const hostname = p.typed?.hostname ?? p.host.hostname;
  const invalid = invalidIn(p);
  return (
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
  );
}

export function NtpCard(p: SystemProps) {
  const invalid = invalidIn(p);
  return (
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
  );
}

export function SshCard(p: SystemProps) {
  const sshEnabled = p.typed?.sshEnabled ?? p.host.ssh.enabled;
  const invalid = invalidIn(p);
  return (
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
  );
}
