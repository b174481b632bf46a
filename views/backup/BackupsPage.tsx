import type { TargetView } from "../../app/backup/service";
import type { BackupFile } from "../../app/dashboard/backups";
import type { BackupGuest, Job, ScrubFinding, ScrubState } from "../../app/platform/db/schema";
import { DashboardShell, type Base } from "../dashboard/Shell";
import { formatAgo, formatBytes, formatCount, formatWhen } from "../format";
import type { PageChrome } from "../layout";

export type DatabaseCopiesView = { files: BackupFile[]; lastJob: Job | null; keepDays: number };
export type ScrubView = { state: ScrubState; findings: (ScrubFinding & { owner: string; names: string[] })[]; job: Job | null };
export type HostingView = { enabled: boolean; address: string | null; guests: (BackupGuest & { usedBytes: number })[] };

const pending = (job: Job | null | undefined) => !!job && (job.status === "queued" || job.status === "running");
const poll = (url: string) => ({ "hx-get": url, "hx-trigger": "load delay:2s", "hx-swap": "outerHTML" });
const KIND_LABEL = { local: "USB or second disk", sftp: "SFTP server", rest: "another nasd box", s3: "S3 storage", rclone: "rclone remote" } as const;

export type BackupsPageProps = Base & {
  targets: TargetView[];
  scrub: ScrubView;
  hosting: HostingView;
  database: DatabaseCopiesView;
  now: Date;
  keepError?: { message: string; value: string };
  error?: string;
  /** A pairing code made just now (shown once). */
  pairing?: { name: string; code: string };
  /** The database failed its check at start: the newest database copy that passes its own, offered for restoring. */
  offerRestore?: { name: string; takenAt: Date };
};

export function BackupsPage(p: BackupsPageProps) {
  return (
    <DashboardShell page={p.page} title="Backups" tab="backups">
      <h1>Backups</h1>
      {p.offerRestore ? (
        <form method="post" action="/dashboard/backups/restore" class="notice bad stack" id="restore-offer">
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <p
            safe
          >{`The database failed its integrity check when the box started. The newest backup that passes its own check is ${p.offerRestore.name} (${formatWhen(p.offerRestore.takenAt, p.page.timeZone)}): restoring it keeps the damaged database beside it and restarts the box.`}</p>
          <button type="submit" class="danger">
            Restore this backup
          </button>
        </form>
      ) : (
        ""
      )}
      <p class="muted">
        Keep three copies of what matters, on two different kinds of storage, one of them in another place: the box, a disk beside it, and an encrypted backup
        elsewhere (a friend's box, a server, cloud storage).
      </p>
      {p.error ? (
        <div class="notice bad" role="alert" safe>
          {p.error}
        </div>
      ) : (
        ""
      )}
      <h2>Encrypted backups</h2>
      <TargetList targets={p.targets} page={p.page} now={p.now} />
      <p>
        <a class="button primary" href="/dashboard/backups/new">
          Add a backup target
        </a>
      </p>
      <h2>Scrub: checking every stored file</h2>
      <ScrubCard scrub={p.scrub} page={p.page} />
      <h2>Database copies</h2>
      <DatabaseCopies database={p.database} page={p.page} keepError={p.keepError} />
      <h2>Keeping other boxes' backups</h2>
      <HostingCard hosting={p.hosting} page={p.page} pairing={p.pairing} now={p.now} />
    </DashboardShell>
  );
}

/** Swap target #backup-targets: every target's status; polls while one runs. */
export function TargetList(p: { targets: TargetView[]; page: PageChrome; now: Date }) {
  const busy = p.targets.some((t) => t.running || pending(t.job));
  return (
    <div id="backup-targets" class="stack" data-testid="backup-targets" {...(busy ? poll("/dashboard/fragments/backup-targets") : {})}>
      {p.targets.length === 0 ? (
        <p class="card muted">
          No backup target yet. Everything on this box lives on this box only: add a target so that a fire, a theft or a failed disk does not take it all.
        </p>
      ) : (
        p.targets.map((t) => <TargetCard target={t} page={p.page} now={p.now} />)
      )}
    </div>
  );
}

function TargetCard(p: { target: TargetView; page: PageChrome; now: Date }) {
  const t = p.target;
  const s = t.lastSummary;
  const failing = t.failures > 0 && t.lastError;
  const waiting = pending(t.job) && !t.running;
  // Computed first: every text here goes into the page escaped (`safe`), whichever branch it came from.
  const lastSuccess: string = t.lastSuccessAt ? `${formatWhen(t.lastSuccessAt, p.page.timeZone)} (${formatAgo(t.lastSuccessAt, p.now)})` : "none yet";
  const changes: string = s
    ? `${formatCount(s.filesNew)} new, ${formatCount(s.filesChanged)} changed, ${formatCount(s.filesUnmodified)} unchanged files; ${formatBytes(s.dataAdded)} added in ${s.durationSeconds} s`
    : "—";
  const next: string = t.state === "paused" ? "paused" : t.nextRun ? formatWhen(t.nextRun, p.page.timeZone) : "—";
  const lastCheck: string = t.checkedAt
    ? `${formatWhen(t.checkedAt, p.page.timeZone)}: ${t.checkDetail ?? ""}`
    : "not yet (monthly, a twelfth of the data each time)";
  const state = t.state === "setup" ? "being set up" : t.state;
  return (
    <section class="card stack" data-testid="backup-target" data-target={t.id}>
      <div class="spread">
        <h3 safe>{t.name}</h3>
        <span class={`badge${t.state === "active" ? "" : " muted"}`}>{state}</span>
      </div>
      <p class="muted small mono" safe>{`${KIND_LABEL[t.kind]}: ${t.location}`}</p>
      {t.state === "setup" ? (
        <p>
          <a href={`/dashboard/backups/targets/${t.id}/setup`}>Continue setting it up</a>
        </p>
      ) : (
        <>
          <table class="small" data-testid="backup-status">
            <tbody>
              <tr>
                <th>Last success</th>
                <td safe>{lastSuccess}</td>
              </tr>
              <tr>
                <th>Size on the target</th>
                <td safe>{formatBytes(t.repoBytes)}</td>
              </tr>
              <tr>
                <th>Snapshots</th>
                <td safe>{formatCount(t.snapshotCount)}</td>
              </tr>
              <tr>
                <th>What changed</th>
                <td data-testid="backup-changes" safe>
                  {changes}
                </td>
              </tr>
              <tr>
                <th>Next run</th>
                <td safe>{next}</td>
              </tr>
              <tr>
                <th>Last check</th>
                <td safe>{lastCheck}</td>
              </tr>
            </tbody>
          </table>
          {t.running ? (
            <p data-testid="backup-progress">
              <span safe>{`${t.running.step[0]!.toUpperCase()}${t.running.step.slice(1)}…`}</span>{" "}
              <progress max="100" value={String(Math.round(t.running.percent))}></progress>{" "}
              <span safe>
                {t.running.bytesDone !== undefined
                  ? `${formatBytes(t.running.bytesDone)} of ${formatBytes(t.running.totalBytes)}, ${formatCount(t.running.filesDone)} of ${formatCount(t.running.totalFiles)} files`
                  : `${Math.round(t.running.percent)} %`}
              </span>
            </p>
          ) : waiting ? (
            <p class="muted">Waiting for the backup worker…</p>
          ) : (
            ""
          )}
          {failing ? <p class="notice bad" role="alert" safe>{`The last run failed ${formatWhen(t.lastRunAt, p.page.timeZone)}: ${t.lastError}`}</p> : ""}
          {t.checkOk === false ? (
            <p class="notice bad" role="alert" safe>
              {t.checkDetail ?? "The last check found damage."}
            </p>
          ) : (
            ""
          )}
          {t.lockNote ? (
            <p class="notice warn" safe>
              {t.lockNote}
            </p>
          ) : (
            ""
          )}
          {t.forgetNote ? (
            <p class="muted small" safe>
              {t.forgetNote}
            </p>
          ) : (
            ""
          )}
          {t.clockWarning ? (
            <p class="notice warn" safe>
              {t.clockWarning}
            </p>
          ) : (
            ""
          )}
          <div class="row">
            <form method="post" action={`/dashboard/backups/targets/${t.id}/run`}>
              <input type="hidden" name="_csrf" value={p.page.csrfToken} />
              <button type="submit" class="primary" disabled={pending(t.job) || t.state !== "active"}>
                Back up now
              </button>
            </form>
            <form method="post" action={`/dashboard/backups/targets/${t.id}/check`}>
              <input type="hidden" name="_csrf" value={p.page.csrfToken} />
              <button type="submit" disabled={pending(t.job) || !t.lastSuccessAt}>
                Check now
              </button>
            </form>
            <a class="button" href={`/dashboard/backups/targets/${t.id}/snapshots`}>
              Restore…
            </a>
            <a class="button" href={`/dashboard/backups/targets/${t.id}/setup`}>
              Settings
            </a>
          </div>
        </>
      )}
    </section>
  );
}

/** Swap target #scrub: the pass's progress, the last pass and what it found. */
export function ScrubCard(p: { scrub: ScrubView; page: PageChrome }) {
  const { state, findings, job } = p.scrub;
  const busy = pending(job) && job?.payload && (job.payload as { full?: boolean }).full;
  const percent = state.totalBytes ? Math.min(100, Math.round((100 * state.bytesDone) / state.totalBytes)) : 0;
  const thisPass: string = state.passStartedAt
    ? `This pass: ${percent} % (${formatCount(state.blobsDone)} files, ${formatBytes(state.bytesDone)} of ${formatBytes(state.totalBytes)}), started ${formatWhen(state.passStartedAt, p.page.timeZone)}.`
    : "No pass is running.";
  const lastPass: string = state.lastPassAt
    ? `Last full pass: ${formatWhen(state.lastPassAt, p.page.timeZone)}, ${formatCount(state.lastPassBlobs)} files (${formatBytes(state.lastPassBytes)}) in ${formatCount(state.lastPassSeconds)} s.`
    : "No full pass yet.";
  return (
    <section id="scrub" class="card stack" data-testid="scrub" {...(busy ? poll("/dashboard/fragments/scrub") : {})}>
      <p class="muted small">
        Every stored file is read back and compared with the SHA-256 it was stored under, a whole pass a week, slowly and in the background. A damaged file is
        repaired from the second-disk copy or from the newest backup that holds it.
      </p>
      <p safe>{thisPass}</p>
      {state.passStartedAt ? <progress max="100" value={String(percent)}></progress> : ""}
      <p safe>{lastPass}</p>
      {findings.length ? (
        <table class="small" data-testid="scrub-findings">
          <thead>
            <tr>
              <th>Whose</th>
              <th>File</th>
              <th>Found</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f) => (
              <tr>
                <td safe>{f.owner}</td>
                <td safe>{f.names.length ? f.names.join(", ") : `${f.sha256.slice(0, 12)}…`}</td>
                <td safe>{`${formatWhen(f.foundAt, p.page.timeZone)}: ${f.problem}`}</td>
                <td safe>
                  {f.state === "repaired"
                    ? `repaired from ${f.repairedFrom} ${formatWhen(f.repairedAt, p.page.timeZone)}`
                    : f.state === "open"
                      ? "being repaired…"
                      : `not repairable: ${f.detail ?? ""}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No damaged file found.</p>
      )}
      <form method="post" action="/dashboard/backups/scrub" hx-post="/dashboard/backups/scrub" hx-target="#scrub" hx-swap="outerHTML">
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        <button type="submit" disabled={!!busy}>
          {busy ? "Checking every file…" : "Check every file now"}
        </button>
      </form>
    </section>
  );
}

/** The nightly database copies (VACUUM INTO) on the data disk: the setup wizard can bring one back. */
function DatabaseCopies(p: { database: DatabaseCopiesView; page: PageChrome; keepError?: { message: string; value: string } }) {
  return (
    <div class="stack">
      <p
        class="muted"
        safe
      >{`Every night the worker writes a consistent copy of the database (SQLite VACUUM INTO) to the data disk's backups folder and keeps ${p.database.keepDays} days of them. Restore one from the setup wizard.`}</p>
      {p.keepError ? (
        <div class="notice bad" role="alert" safe>
          {p.keepError.message}
        </div>
      ) : (
        ""
      )}
      <form method="post" action="/dashboard/backups/keep" class="row keep-form">
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        <label for="keep-days">Keep backups for</label>
        <input
          id="keep-days"
          name="days"
          inputmode="numeric"
          size="4"
          maxlength="20"
          value={p.keepError ? p.keepError.value : String(p.database.keepDays)}
          aria-invalid={p.keepError ? "true" : undefined}
        />
        <span>days</span>
        <button type="submit">Save</button>
      </form>
      <BackupStatus backups={p.database} page={p.page} />
    </div>
  );
}

/** Swap target #backup-status: the run-now button, the last run, the list. Polls while a backup is pending. */
export function BackupStatus(p: { backups: DatabaseCopiesView; page: PageChrome }) {
  const job = p.backups.lastJob;
  const busy = pending(job);
  return (
    <div id="backup-status" class="stack" {...(busy ? poll("/dashboard/fragments/backups") : {})}>
      <div class="card spread">
        <div>
          <strong>Last run: </strong>
          {job === null ? (
            <span>never</span>
          ) : (
            <span
              safe
            >{`${job.status}${job.finishedAt ? ` ${formatWhen(job.finishedAt, p.page.timeZone)}` : ` (queued ${formatWhen(job.createdAt, p.page.timeZone)})`}${job.status === "failed" && job.error ? ` — ${job.error}` : ""}`}</span>
          )}
          {busy ? <progress max="100" value={String(job?.progress ?? 0)}></progress> : ""}
        </div>
        <form method="post" action="/dashboard/backups/run" hx-post="/dashboard/backups/run" hx-target="#backup-status" hx-swap="outerHTML">
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Backup pending…" : "Back up now"}
          </button>
        </form>
      </div>
      <div class="card table-wrap">
        {p.backups.files.length === 0 ? (
          <p class="muted">No backup yet.</p>
        ) : (
          <table data-testid="backups">
            <thead>
              <tr>
                <th>Backup</th>
                <th>Taken</th>
                <th>Size</th>
              </tr>
            </thead>
            <tbody>
              {p.backups.files.map((f) => (
                <tr>
                  <td class="mono" safe>
                    {f.name}
                  </td>
                  <td safe>{formatWhen(f.takenAt, p.page.timeZone)}</td>
                  <td safe>{formatBytes(f.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

function HostingCard(p: { hosting: HostingView; page: PageChrome; pairing?: { name: string; code: string }; now: Date }) {
  const h = p.hosting;
  if (!h.enabled)
    return (
      <section class="card">
        <p class="muted">
          This box does not keep other boxes' backups. Started with <code>BACKUP_HOST_PORT</code> (the appliance uses 8000), it keeps a friend's box's encrypted
          backups, append-only, within a quota you set.
        </p>
      </section>
    );
  return (
    <section class="card stack" data-testid="hosting">
      <p class="muted small">
        Other boxes back up here through restic's REST protocol. Their backups are encrypted with passwords this box never sees; they can add but never delete
        (unless you allow pruning for a day), and never more than their quota.
      </p>
      <form method="post" action="/dashboard/backups/hosting" class="row">
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        <label for="host-address">Address other boxes reach this one by</label>
        <input id="host-address" name="address" size="40" maxlength="300" value={h.address ?? ""} />
        <button type="submit">Save</button>
      </form>
      {p.pairing ? (
        <div class="notice" data-testid="pairing">
          <p safe>{`The pairing code for “${p.pairing.name}”. Give it to its admin (it is shown only now):`}</p>
          <textarea readonly rows="4" class="mono" aria-label="Pairing code" safe>
            {p.pairing.code}
          </textarea>
        </div>
      ) : (
        ""
      )}
      {h.guests.length ? (
        <table class="small" data-testid="guests">
          <thead>
            <tr>
              <th>Box</th>
              <th>Stored</th>
              <th>Last seen</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {h.guests.map((g) => (
              <tr>
                <td safe>{g.name}</td>
                <td safe>{`${formatBytes(g.usedBytes)} of ${formatBytes(g.quotaBytes)}`}</td>
                <td safe>{formatWhen(g.lastSeenAt, p.page.timeZone)}</td>
                <td class="stack">
                  <form method="post" action={`/dashboard/backups/guests/${g.id}/quota`} class="row">
                    <input type="hidden" name="_csrf" value={p.page.csrfToken} />
                    <input name="quota" size="6" aria-label="Quota in GB" value={String(g.quotaBytes / 1e9)} />
                    <button type="submit">Set quota (GB)</button>
                  </form>
                  <form method="post" action={`/dashboard/backups/guests/${g.id}/prune`} class="row">
                    <input type="hidden" name="_csrf" value={p.page.csrfToken} />
                    <button type="submit" safe>
                      {pruneLabel(g, p.now, p.page.timeZone)}
                    </button>
                  </form>
                  <form method="post" action={`/dashboard/backups/guests/${g.id}/pair`}>
                    <input type="hidden" name="_csrf" value={p.page.csrfToken} />
                    <button type="submit">New pairing code</button>
                  </form>
                  <form method="post" action={`/dashboard/backups/guests/${g.id}/remove`} class="row">
                    <input type="hidden" name="_csrf" value={p.page.csrfToken} />
                    <input name="confirm" size="10" aria-label={`Type ${g.name} to delete its backups`} placeholder="type its name" />
                    <button type="submit" class="danger">
                      Delete its backups
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No box keeps its backups here yet.</p>
      )}
      <form method="post" action="/dashboard/backups/guests" class="row">
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        <label for="guest-name">Keep backups of</label>
        <input id="guest-name" name="name" maxlength="60" placeholder="Grandma's box" required />
        <label for="guest-quota">up to</label>
        <input id="guest-quota" name="quota" size="6" value="500" required />
        <span>GB</span>
        <button type="submit" class="primary">
          Make a pairing code
        </button>
      </form>
    </section>
  );
}

const pruneLabel = (g: BackupGuest, now: Date, timeZone: string): string =>
  g.pruneUntil && g.pruneUntil.getTime() > now.getTime() ? `Pruning allowed until ${formatWhen(g.pruneUntil, timeZone)}` : "Allow pruning for a day";
