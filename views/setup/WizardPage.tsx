import { Layout, type PageChrome } from "../layout";
import { RecoveryCodesPanel, SecureContextWarning } from "../auth/pages";
import type { RestoreCandidate } from "../../app/setup/restore";
import { RestorePanel } from "./RestorePanel";
import { AdminStep, PolicyStep, SummaryStep, TimeZoneStep, WelcomeStep } from "./WizardQuestions";

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
          <WelcomeStep backups={p.backups} />

          <AdminStep />

          <TimeZoneStep timeZones={p.timeZones} />

          <PolicyStep />

          <SummaryStep rpID={p.rpID} />

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
