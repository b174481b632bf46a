import { Layout, type PageChrome } from "../layout";

type Base = { page: PageChrome };

/** Shown on pages that need WebAuthn when the browser is not in a secure context. Alpine reveals it. */
export function SecureContextWarning({ rpID, origins }: { rpID: string; origins: string[] }) {
  return (
    <div class="notice warn" x-show="!secure" x-cloak>
      <strong>Passkeys cannot work on this address.</strong>
      <p>
        Browsers only allow passkeys on a secure page: <code>https://</code>, or <code>http://localhost</code> on the box itself. Plain <code>http://</code> on
        a network name or an IP address is not secure, and passkeys never work on a bare IP.
      </p>
      <p>
        Open{" "}
        <a href={origins[0]} safe>
          {origins[0]}
        </a>{" "}
        instead (passkeys here belong to <code safe>{rpID}</code>). On the appliance, install the box's certificate first:{" "}
        <a href="/setup/trust">how to trust this NAS</a>.
      </p>
    </div>
  );
}

export function LoginPage(p: Base & { rpID: string; origins: string[]; next: string; error?: string }) {
  return (
    <Layout title="Sign in" page={p.page} anonymous scripts={["vendor/simplewebauthn-browser.min.js"]}>
      <section class="card auth-card stack" x-data="passkeyLogin" data-next={p.next}>
        <div class="logo">
          <img src="/static/icons/icon.svg" alt="" width="56" height="56" />
        </div>
        <h1>
          Sign in to <span safe>{p.page.deviceName}</span>
        </h1>
        <SecureContextWarning rpID={p.rpID} origins={p.origins} />
        {p.error ? (
          <div class="notice bad" safe>
            {p.error}
          </div>
        ) : (
          ""
        )}
        <div class="notice bad" x-show="error" x-text="error" x-cloak role="alert"></div>
        <button class="primary" type="button" x-on:click="signIn" x-bind:disabled="busy || !secure" id="passkey-login">
          Sign in with a passkey
        </button>
        <details>
          <summary>Lost your passkey? Use a recovery code</summary>
          <form method="post" action="/auth/recover" class="stack">
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <div>
              <label for="rc-user">Username</label>
              <input id="rc-user" type="text" name="username" autocomplete="username" required />
            </div>
            <div>
              <label for="rc-code">Recovery code</label>
              <input id="rc-code" type="text" name="code" autocomplete="one-time-code" required />
            </div>
            <button type="submit">Sign in with recovery code</button>
          </form>
        </details>
        <p class="muted small">
          No account? <a href="/register">Register</a> (if the administrator allows it) or ask for an invite link.
        </p>
      </section>
    </Layout>
  );
}

/** Sign-up with an invite (or open registration), and passkey enrolment for an admin-created or reset account. */
export function RegisterPage(
  p: Base & {
    rpID: string;
    origins: string[];
    mode: "signup" | "enroll";
    inviteToken: string | null;
    allowed: boolean;
    reason?: string;
    username?: string;
  },
) {
  return (
    <Layout title={p.mode === "enroll" ? "Set up your passkey" : "Create account"} page={p.page} anonymous scripts={["vendor/simplewebauthn-browser.min.js"]}>
      <section class="card auth-card stack" x-data="passkeyRegister" data-kind={p.mode} data-invite={p.inviteToken ?? ""}>
        <h1>
          {p.mode === "enroll" ? (
            "Set up your passkey"
          ) : (
            <>
              Join <span safe>{p.page.deviceName}</span>
            </>
          )}
        </h1>
        <SecureContextWarning rpID={p.rpID} origins={p.origins} />
        {!p.allowed ? (
          <div class="notice warn" safe>
            {p.reason ?? "Registration is not available."}
          </div>
        ) : (
          <>
            <div x-show="!codes" class="stack">
              {p.mode === "signup" ? (
                <>
                  <div>
                    <label for="username">Username</label>
                    <input id="username" type="text" x-model="username" autocomplete="username" required maxlength="32" />
                    <p class="hint">Lower-case letters, digits, dot, dash, underscore.</p>
                  </div>
                  <div>
                    <label for="display">Your name</label>
                    <input id="display" type="text" x-model="displayName" autocomplete="name" required maxlength="64" />
                  </div>
                </>
              ) : (
                <p>
                  Account <strong safe>{p.username ?? ""}</strong>: create a passkey on this device to sign in. Your phone, computer or security key stores it;
                  no password needed.
                </p>
              )}
              <div class="notice bad" x-show="error" x-text="error" x-cloak role="alert"></div>
              <button class="primary" type="button" id="create-passkey" x-on:click="register" x-bind:disabled="busy || !secure">
                Create passkey
              </button>
            </div>
            <RecoveryCodesPanel />
          </>
        )}
        <p class="muted small">
          <a href="/login">Back to sign in</a>
        </p>
      </section>
    </Layout>
  );
}

/** Filled by Alpine right after a passkey registration: the codes exist only in this response. */
export function RecoveryCodesPanel() {
  return (
    <div x-show="codes" x-cloak class="stack" id="recovery-codes" data-codes>
      <div class="notice ok">
        <strong>Your passkey is ready.</strong>
      </div>
      <h2>Save your recovery codes</h2>
      <p>If you lose every passkey, each of these codes signs you in once. They are shown only now: print them or keep them in a password manager.</p>
      <div class="codes">
        <template x-for="code in codes">
          <span x-text="code"></span>
        </template>
      </div>
      <CodeButtons />
      <button class="primary" type="button" x-on:click="done" id="codes-saved">
        I saved them — continue
      </button>
    </div>
  );
}

/** Copy, download and print for the recovery codes around it (inside an Alpine scope with `codeActions`). */
export function CodeButtons() {
  return (
    <div class="row no-print">
      <button type="button" x-on:click="copyCodes" id="codes-copy">
        Copy
      </button>
      <button type="button" x-on:click="downloadCodes" id="codes-download">
        Download (.txt)
      </button>
      <button type="button" x-on:click="printCodes" id="codes-print">
        Print
      </button>
      <span class="muted small" x-show="copiedCodes" x-cloak role="status">
        Copied.
      </span>
    </div>
  );
}
