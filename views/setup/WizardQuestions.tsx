import type { RestoreCandidate } from "../../app/setup/restore";

/** The wizard's questions (views/setup/WizardPage.tsx), one step each; Alpine shows the current one. */

export function WelcomeStep(p: { backups?: RestoreCandidate[] }) {
  return (
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
        Replacing a box that was backed up to a disk, a server or another box? <a href="/setup/restore/backup">Restore it from its backup</a> with the emergency
        kit.
      </p>
      <div x-show="start === 'new'">
        <label for="device-name">Name this device</label>
        <input id="device-name" type="text" x-model="deviceName" maxlength="63" required aria-describedby="device-name-rule" />
        <p class="hint" id="device-name-rule">
          Shown in the browser tab and to people you invite.
        </p>
      </div>
    </div>
  );
}

export function AdminStep() {
  return (
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
  );
}

export function TimeZoneStep(p: { timeZones: string[] }) {
  return (
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
  );
}

const policies = [
  { id: "invite", title: "Invite only (recommended)", text: "People join with a one-time link you create." },
  { id: "closed", title: "Closed", text: "Only you add accounts, from Settings or the command line." },
  { id: "open", title: "Open", text: "Anyone who can reach this box on your network can create an account." },
] as const;

export function PolicyStep() {
  return (
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
  );
}

export function SummaryStep(p: { rpID: string }) {
  return (
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
  );
}
