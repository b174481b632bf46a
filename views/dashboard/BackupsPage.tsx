import type { Job } from "../../app/platform/db/schema";
import type { BackupFile } from "../../app/dashboard/backups";
import type { PageChrome } from "../layout";
import { DashboardShell, type Base } from "./Shell";
import { formatBytes, formatWhen } from "../format";

export type BackupsView = { files: BackupFile[]; lastJob: Job | null; keepDays: number };

export function BackupsPage(
  p: Base & { backups: BackupsView; keepError?: { message: string; value: string }; offerRestore?: { name: string; takenAt: Date } },
) {
  return (
    <DashboardShell page={p.page} title="Backups" tab="backups">
      <h1>Database backups</h1>
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
      <p
        class="muted"
        safe
      >{`Every night the worker writes a consistent copy of the database (SQLite VACUUM INTO) to the data disk's backups folder and keeps ${p.backups.keepDays} days of them. Restore one from the setup wizard.`}</p>
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
          value={p.keepError ? p.keepError.value : String(p.backups.keepDays)}
          aria-invalid={p.keepError ? "true" : undefined}
        />
        <span>days</span>
        <button type="submit">Save</button>
      </form>
      <BackupStatus backups={p.backups} page={p.page} />
    </DashboardShell>
  );
}

/** Swap target #backup-status: the run-now button, the last run, the list. Polls while a backup is pending. */
export function BackupStatus(p: { backups: BackupsView; page: PageChrome }) {
  const job = p.backups.lastJob;
  const pending = job !== null && (job.status === "queued" || job.status === "running");
  const poll = pending ? { "hx-get": "/dashboard/fragments/backups", "hx-trigger": "load delay:2s", "hx-swap": "outerHTML" } : {};
  return (
    <div id="backup-status" class="stack" {...poll}>
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
          {pending ? <progress max="100" value={String(job?.progress ?? 0)}></progress> : ""}
        </div>
        <form method="post" action="/dashboard/backups/run" hx-post="/dashboard/backups/run" hx-target="#backup-status" hx-swap="outerHTML">
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <button type="submit" class="primary" disabled={pending}>
            {pending ? "Backup pending…" : "Back up now"}
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
