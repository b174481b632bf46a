import { Layout, type PageChrome } from "../layout";
import { RecoveryCodesPanel, SecureContextWarning } from "../auth/pages";
import type { RestoreCandidate } from "../../app/setup/restore";
import { RestorePanel } from "./RestorePanel";

export type WizardProps = {
  page: PageChrome;
  rpID: string;
  origins: string[];
  timeZones: string[];
  /** The origin the browser used, when it is not one passkeys are valid for. */
  wrongOrigin: string | null;
  /** Database backups found on this box: offered before starting over. */
  backups?: RestoreCandidate[];
  restoreError?: string;
};

const policies = [
  { id: "invite", title: "Invite only (recommended)", text: "People join with a one-time link you create." },
  { id: "closed", title: "Closed", text: "Only you add accounts, from Settings or the command line." },
  { id: "open", title: "Open", text: "Anyone who can reach this box on your network can create an account." },
] as const;

/** Five steps on this page, then the storage step (views/setup/StorageStep.tsx) once the admin is signed in. */
const STEPS = 6;

/** The progress bar; on this page Alpine marks the steps done, the storage step passes `done`. */
export function WizardSteps(p: { done?: number }) {
  return (
    <div class="steps" aria-hidden="true">
      {Array.from({ length: STEPS }, (_, i) =>
        p.done === undefined ? <span x-bind:class={`step >= ${i + 1} ? 'done' : ''`}></span> : <span class={i < p.done ? "done" : undefined}></span>,
      )}
    </div>
  );
}

/** First-run setup: five steps in one page (Alpine keeps the state), ending in the admin's passkey; then the storage step. */
export function WizardPage(p: WizardProps) {
  return (
    <Layout title="Set up your NAS" page={p.page} anonymous scripts={["vendor/simplewebauthn-browser.min.js"]}>
      <section class="card stack" x-data="setupWizard" id="wizard" data-next="/setup/storage" data-start={p.restoreError ? "restore" : "new"}>
        <WizardSteps />
        <SecureContextWarning rpID={p.rpID} origins={p.origins} />
        {p.wrongOrigin ? (
          <div class="notice warn">
            You opened this page as <code safe>{p.wrongOrigin}</code>, but passkeys on this box are set up for <code safe>{p.rpID}</code>. Continue at{" "}
            <a href={p.origins[0]} safe>
              {p.origins[0]}
            </a>
            .
          </div>
        ) : (
          ""
        )}

        <form x-on:submit="submitStep" class="stack" x-show="!codes">
          <div x-show="step === 1" class="stack">
            <h1>Welcome to your NAS</h1>
            <p>A few questions and you are ready: this takes about a minute. Everything stays on this box.</p>
            {p.backups?.length ? (
              <fieldset class="stack plain" id="start-choice">
                <legend class="visually-hidden">How do you want to start?</legend>
                <label class="choice">
                  <input type="radio" name="start" value="new" x-model="start" />
                  <span>
                    <strong>Set up a new box</strong>
                    <span class="muted">Start with no accounts and no files.</span>
                  </span>
                </label>
                <label class="choice">
                  <input type="radio" name="start" value="restore" x-model="start" id="start-restore" />
                  <span>
                    <strong>Restore from a backup</strong>
                    <span class="muted">This box holds backups of an earlier setup: bring its accounts, files and settings back.</span>
                  </span>
                </label>
              </fieldset>
            ) : (
              ""
            )}
            <p class="small">
              Replacing a box that was backed up to a disk, a server or another box? <a href="/setup/restore/backup">Restore it from its backup</a> with the
              emergency kit.
            </p>
            <div x-show="start === 'new'">
              <label for="device-name">Name this device</label>
              <input id="device-name" type="text" x-model="deviceName" maxlength="63" required aria-describedby="device-name-rule" />
              <p class="hint" id="device-name-rule">
                Shown in the browser tab and to people you invite.
              </p>
            </div>
          </div>

          <div x-show="step === 2" x-cloak class="stack">
            <h1>Your administrator account</h1>
            <div>
              <label for="admin-username">Username</label>
              <input
                id="admin-username"
                type="text"
                x-model="username"
                x-on:blur="checkUsername"
                autocomplete="username"
                maxlength="32"
                aria-describedby="admin-username-rule"
                x-bind:aria-invalid="usernameError ? 'true' : 'false'"
              />
              <p class="hint" id="admin-username-rule" x-bind:class="usernameError ? 'field-error' : ''">
                1–32 lower-case letters, digits, dot, dash or underscore; no spaces. You type it to sign in on a new device.
              </p>
            </div>
            <div>
              <label for="admin-display">Your name</label>
              <input
                id="admin-display"
                type="text"
                x-model="displayName"
                x-on:blur="checkDisplayName"
                autocomplete="name"
                maxlength="64"
                aria-describedby="admin-display-rule"
                x-bind:aria-invalid="displayNameError ? 'true' : 'false'"
              />
              <p class="hint" id="admin-display-rule" x-bind:class="displayNameError ? 'field-error' : ''">
                How you are shown to others, e.g. "Ada Lovelace". Required.
              </p>
            </div>
            <p class="muted small">You will sign in with a passkey (your fingerprint, face or device PIN): there is no password to forget or leak.</p>
          </div>

          <div x-show="step === 3" x-cloak class="stack">
            <h1>Time zone</h1>
            <div>
              <label for="tz">Time zone</label>
              <select id="tz" x-model="timeZone">
                {p.timeZones.map((tz) => (
                  <option value={tz} safe>
                    {tz}
                  </option>
                ))}
              </select>
              <p class="hint">Used for photo dates, backups at night and the dashboard's clock.</p>
            </div>
          </div>

          <div x-show="step === 4" x-cloak class="stack">
            <h1>Who can create accounts?</h1>
            {policies.map((pol) => (
              <label class="choice">
                <input type="radio" name="policy" value={pol.id} x-model="policy" />
                <span>
                  <strong>{pol.title}</strong>
                  <span class="muted">{pol.text}</span>
                </span>
              </label>
            ))}
          </div>

          <div x-show="step === 5" x-cloak class="stack">
            <h1>Ready?</h1>
            <table id="summary">
              <tbody>
                <tr>
                  <th>Device name</th>
                  <td x-text="deviceName"></td>
                </tr>
                <tr>
                  <th>Administrator</th>
                  <td>
                    <span x-text="displayName"></span> (<span x-text="username"></span>)
                  </td>
                </tr>
                <tr>
                  <th>Time zone</th>
                  <td x-text="timeZone"></td>
                </tr>
                <tr>
                  <th>Registration</th>
                  <td x-text="policyLabel"></td>
                </tr>
              </tbody>
            </table>
            <p>
              Next, your browser asks to create a passkey for <code safe>{p.rpID}</code>.
            </p>
          </div>

          <div class="notice bad" x-show="error" x-text="error" x-cloak role="alert"></div>
          <div class="spread" x-show="start === 'new'">
            <button type="button" x-on:click="back" x-show="step > 1" x-cloak>
              Back
            </button>
            <span></span>
            <button type="submit" class="primary" id="wizard-next" x-bind:disabled="busy" x-text="step === 5 ? 'Create passkey and finish' : 'Continue'">
              Continue
            </button>
          </div>
        </form>
        {p.backups?.length ? <RestorePanel backups={p.backups} page={p.page} error={p.restoreError} /> : ""}
        <RecoveryCodesPanel />
      </section>
    </Layout>
  );
}
