import type { DisksView } from "../../app/storage/service";
import { Layout, type PageChrome } from "../layout";
import { FormatDiskForm, MoveStatus, partitionSummary, type LocationView } from "../dashboard/StoragePage";
import { formatBytes } from "../format";
import { WizardSteps } from "./WizardPage";

/** `chosen`: the device just posted, whose confirmation stays open next to its refusal. */
export type StorageStepProps = { page: PageChrome; disks: DisksView; location: LocationView; error?: string; chosen?: string };

const pending = (l: LocationView) => l.job !== null && (l.job.status === "queued" || l.job.status === "running");

/**
 * The wizard's last step, once the admin is signed in: keep the files on the system disk or format an attached disk
 * for them. Candidates, the typed confirmation and the move's progress are the storage page's own (views/dashboard/StoragePage).
 */
export function StorageStepPage(p: StorageStepProps) {
  // Same chrome as the wizard (no navigation yet): the admin leaves through "Finish" or "Keep files…".
  return (
    <Layout title="Set up your NAS" page={p.page} anonymous>
      <section class="card stack" id="wizard">
        <WizardSteps done={6} />
        <StorageStep {...p} />
      </section>
    </Layout>
  );
}

function StorageStep(p: StorageStepProps) {
  const { location, disks } = p;
  const started = location.state !== null || pending(location);
  const candidates = disks.available ? disks.disks.filter((d) => d.refusal === null) : [];
  const choosing = !started && candidates.length > 0;
  const chosenIndex = candidates.findIndex((d) => d.path === p.chosen);
  return (
    <div class="stack" id="setup-storage" data-testid="setup-storage">
      <h1>Where should your files live?</h1>
      {p.error ? (
        <div class="notice bad" role="alert" safe>
          {p.error}
        </div>
      ) : (
        ""
      )}
      {started || location.job ? <MoveStatus location={location} /> : ""}
      {started ? (
        <p>You can follow the move here or later in Dashboard → Storage.</p>
      ) : !disks.available ? (
        <p class="muted" safe>{`Disks cannot be listed here (${disks.reason}), so your files stay on this device for now.`}</p>
      ) : candidates.length === 0 ? (
        <p class="muted">No other disk is attached, so your files stay on this device; you can add one later in Dashboard → Storage.</p>
      ) : (
        <>
          <p>
            Your files are on this device's system disk for now; an SD card or USB stick there is slow and wears out. Choosing a disk below formats it:{" "}
            <strong>everything on it is erased</strong>.
          </p>
          <div class="stack" x-data="diskChoice" data-testid="setup-disks" data-chosen={chosenIndex >= 0 ? String(chosenIndex) : undefined}>
            {candidates.map((d, i) => (
              <div class="disk-choice">
                <label class="choice">
                  <input type="radio" name="disk" value={String(i)} x-model="chosen" checked={i === chosenIndex} />
                  <span>
                    <strong safe>{d.model ?? d.name}</strong>
                    <span class="muted small" safe>
                      {[`${d.path} · ${formatBytes(d.sizeBytes)}`, ...d.partitions.map(partitionSummary)].join(" · ")}
                    </span>
                  </span>
                </label>
                <div x-show={`chosen === '${i}'`} x-cloak class="disk-confirm">
                  <FormatDiskForm disk={d} action="/setup/storage/use" page={p.page} />
                </div>
              </div>
            ))}
          </div>
        </>
      )}
      <div class="spread wizard-end">
        {choosing ? <span class="hint">You can choose a disk later in Dashboard → Storage.</span> : <span></span>}
        {choosing ? (
          <a class="button" href="/" id="storage-keep">
            Keep files on this device for now
          </a>
        ) : (
          <a class="button primary" href="/" id="storage-finish">
            Finish
          </a>
        )}
      </div>
    </div>
  );
}
