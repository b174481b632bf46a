import type { IncomingState } from "../../app/backup/restore";
import type { BackupTarget, Job } from "../../app/platform/db/schema";
import { Layout, type PageChrome } from "../layout";
import { formatBytes, formatCount, formatWhen } from "../format";
import { type DiskOffer, type NewTargetForm, TargetFields, type TargetKind } from "./TargetSetup";

const KINDS: { kind: TargetKind; title: string }[] = [
  { kind: "local", title: "A USB or second disk" },
  { kind: "rest", title: "Another nasd box" },
  { kind: "sftp", title: "An SFTP server" },
  { kind: "s3", title: "S3-compatible storage" },
  { kind: "rclone", title: "An rclone remote" },
];

/** The setup wizard's "Restore from a backup": where the backup is and its password, from the emergency kit. */
export function RestoreBoxPage(p: { page: PageChrome; kind: TargetKind; form?: NewTargetForm; error?: string; disks: DiskOffer[]; sshKey: string | null }) {
  const v = (name: string, fallback = "") => p.form?.[name] ?? fallback;
  return (
    <Layout title="Restore from a backup" page={p.page} anonymous>
      <section class="card stack" data-testid="restore-box">
        <p>
          <a href="/setup">← Set up a new box instead</a>
        </p>
        <h1>Restore this box from a backup</h1>
        <p>
          Everything comes back: people and their passkeys, files, albums, shares and settings. Take the emergency kit you printed or saved when the backup was
          set up.
        </p>
        <nav class="row" aria-label="Where the backup is">
          {KINDS.map((k) => (
            <a
              href={`/setup/restore/backup?kind=${k.kind}`}
              class={`button${k.kind === p.kind ? " primary" : ""}`}
              aria-current={k.kind === p.kind ? "page" : undefined}
              safe
            >
              {k.title}
            </a>
          ))}
        </nav>
        {p.error ? (
          <div class="notice bad" role="alert" safe>
            {p.error}
          </div>
        ) : (
          ""
        )}
        <form method="post" action="/setup/restore/backup" class="stack">
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <input type="hidden" name="kind" value={p.kind} />
          <TargetFields kind={p.kind} value={v} disks={p.disks} sshKey={p.sshKey} />
          <label for="r-password">The repository's password (from the emergency kit)</label>
          <input id="r-password" name="password" type="password" autocomplete="off" required />
          <button type="submit" class="primary">
            Restore
          </button>
        </form>
      </section>
    </Layout>
  );
}

/** Swap target #restore-progress: the restore job, then what came back and the button that switches the box to it. */
export function RestoreBoxProgress(p: { target: BackupTarget; job: Job | null; incoming: IncomingState | null; page: PageChrome; sshKey: string | null }) {
  const busy = !!p.job && (p.job.status === "queued" || p.job.status === "running");
  return (
    <div
      id="restore-progress"
      class="stack"
      data-testid="restore-progress"
      {...(busy ? { "hx-get": `/setup/restore/backup/${p.target.id}/progress`, "hx-trigger": "load delay:2s", "hx-swap": "outerHTML" } : {})}
    >
      {busy ? (
        <p>
          <span>Restoring…</span> <progress max="100" value={String(p.job!.progress)}></progress> <span safe>{`${p.job!.progress} %`}</span>
        </p>
      ) : p.job?.status === "failed" ? (
        <div class="stack">
          <p class="notice bad" role="alert" safe>{`The restore did not work: ${p.job.error ?? "unknown error"}`}</p>
          {p.target.kind === "sftp" && p.sshKey ? (
            <>
              <p class="small">If the server refused this box, add its key to the server account's ~/.ssh/authorized_keys:</p>
              <textarea readonly rows="2" class="mono small" aria-label="This box's SSH key" safe>
                {p.sshKey}
              </textarea>
            </>
          ) : (
            ""
          )}
          <form method="post" action={`/setup/restore/backup/${p.target.id}/retry`}>
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <button type="submit">Try again</button>
          </form>
          <p>
            <a href="/setup/restore/backup">Change the location or the password</a>
          </p>
        </div>
      ) : p.incoming ? (
        <form method="post" action={`/setup/restore/backup/${p.target.id}/finish`} class="stack">
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <p
            data-testid="restored"
            safe
          >{`The backup of ${formatWhen(new Date(p.incoming.time), p.page.timeZone)} is back: ${formatCount(p.incoming.files)} files checked (${formatBytes(p.incoming.bytes)} placed), administrators ${p.incoming.admins.join(", ")}.`}</p>
          <button type="submit" class="primary">
            Switch the box to it and restart
          </button>
        </form>
      ) : (
        <p class="muted">Waiting…</p>
      )}
    </div>
  );
}

export function RestoreBoxStatusPage(p: { page: PageChrome; target: BackupTarget; job: Job | null; incoming: IncomingState | null; sshKey: string | null }) {
  return (
    <Layout title="Restoring from a backup" page={p.page} anonymous>
      <section class="card stack">
        <h1>Restoring from the backup</h1>
        <p class="muted mono small" safe>
          {p.target.location}
        </p>
        <RestoreBoxProgress target={p.target} job={p.job} incoming={p.incoming} page={p.page} sshKey={p.sshKey} />
      </section>
    </Layout>
  );
}
