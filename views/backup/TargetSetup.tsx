import type { TargetView } from "../../app/backup/service";
import type { Job } from "../../app/platform/db/schema";
import { DashboardShell, type Base } from "../dashboard/Shell";
import { formatWhen } from "../format";
import type { PageChrome } from "../layout";

export type TargetKind = "local" | "sftp" | "rest" | "s3" | "rclone";
export type NewTargetForm = Partial<Record<string, string>>;
/** A mounted disk offered as a target (not the data disk). */
export type DiskOffer = { mount: string; label: string };

const KINDS: { kind: TargetKind; title: string; text: string }[] = [
  { kind: "local", title: "A USB or second disk", text: "Plugged into this box. Quick, but it stays beside the box: add an offsite target too." },
  { kind: "rest", title: "Another nasd box", text: "A friend's or family member's box keeps your encrypted backup (and you can keep theirs)." },
  { kind: "sftp", title: "An SFTP server", text: "Any server you can log in to with SSH (a NAS, a rented server)." },
  { kind: "s3", title: "S3-compatible storage", text: "Backblaze B2, Wasabi, MinIO, Garage… through restic's own S3 support." },
  { kind: "rclone", title: "An rclone remote", text: "Any of rclone's 70 providers, if rclone is installed on this box." },
];

/** Step 1: what kind of target, and where it is. */
export function NewTargetPage(p: Base & { kind: TargetKind; form?: NewTargetForm; error?: string; disks: DiskOffer[]; sshKey: string | null }) {
  const v = (name: string, fallback = "") => p.form?.[name] ?? fallback;
  return (
    <DashboardShell page={p.page} title="Add a backup target" tab="backups">
      <h1>Add a backup target</h1>
      <nav class="row" aria-label="Kind of target">
        {KINDS.map((k) => (
          <a
            href={`/dashboard/backups/new?kind=${k.kind}`}
            class={`button${k.kind === p.kind ? " primary" : ""}`}
            aria-current={k.kind === p.kind ? "page" : undefined}
            safe
          >
            {k.title}
          </a>
        ))}
      </nav>
      <p class="muted" safe>
        {KINDS.find((k) => k.kind === p.kind)!.text}
      </p>
      {p.error ? (
        <div class="notice bad" role="alert" safe>
          {p.error}
        </div>
      ) : (
        ""
      )}
      <form method="post" action="/dashboard/backups/targets" class="card stack" data-testid="new-target">
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        <input type="hidden" name="kind" value={p.kind} />
        <label for="t-name">Name</label>
        <input id="t-name" name="name" maxlength="60" value={v("name")} placeholder={KINDS.find((k) => k.kind === p.kind)!.title} />
        <TargetFields kind={p.kind} value={v} disks={p.disks} sshKey={p.sshKey} />
        <button type="submit" class="primary">
          Test the connection
        </button>
      </form>
    </DashboardShell>
  );
}

/** The fields of each kind (also the setup wizard's restore form). */
export function TargetFields(p: { kind: TargetKind; value: (name: string, fallback?: string) => string; disks: DiskOffer[]; sshKey: string | null }) {
  const v = p.value;
  switch (p.kind) {
    case "local":
      return (
        <>
          <label for="t-path">Folder for the backup (a full path on the disk)</label>
          <input id="t-path" name="path" required list="t-disks" value={v("path", p.disks[0] ? `${p.disks[0].mount}/nasd-backup` : "")} />
          <datalist id="t-disks">
            {p.disks.map((d) => (
              <option value={`${d.mount}/nasd-backup`} safe>
                {d.label}
              </option>
            ))}
          </datalist>
          {p.disks.length === 0 ? <p class="muted small">No second disk is mounted now: plug one in, or type the folder of one.</p> : ""}
        </>
      );
    case "sftp":
      return (
        <>
          <label for="t-host">Server</label>
          <input id="t-host" name="host" required value={v("host")} placeholder="backup.example.org" />
          <label for="t-port">Port</label>
          <input id="t-port" name="port" inputmode="numeric" value={v("port", "22")} />
          <label for="t-user">User</label>
          <input id="t-user" name="user" required value={v("user")} />
          <label for="t-spath">Folder on the server</label>
          <input id="t-spath" name="path" required value={v("path", "nasd-backup")} />
          {p.sshKey ? (
            <div class="stack">
              <p class="small">Allow this box to log in: add its key to the server account's ~/.ssh/authorized_keys.</p>
              <textarea readonly rows="2" class="mono small" aria-label="This box's SSH key" data-testid="ssh-key" safe>
                {p.sshKey}
              </textarea>
            </div>
          ) : (
            <p class="muted small">The box makes its SSH key at the first test and shows it here, to add to the server's authorized_keys.</p>
          )}
        </>
      );
    case "rest":
      return (
        <>
          <label for="t-pairing">Pairing code (from the other box's Backups page)</label>
          <textarea id="t-pairing" name="pairing" required rows="4" class="mono" safe>
            {v("pairing")}
          </textarea>
        </>
      );
    case "s3":
      return (
        <>
          <label for="t-endpoint">Endpoint</label>
          <input id="t-endpoint" name="endpoint" required value={v("endpoint")} placeholder="https://s3.eu-central-003.backblazeb2.com" />
          <label for="t-bucket">Bucket</label>
          <input id="t-bucket" name="bucket" required value={v("bucket")} />
          <label for="t-prefix">Folder in the bucket (optional)</label>
          <input id="t-prefix" name="prefix" value={v("prefix", "nasd")} />
          <label for="t-access">Access key</label>
          <input id="t-access" name="accessKey" required autocomplete="off" value={v("accessKey")} />
          <label for="t-secret">Secret key</label>
          <input id="t-secret" name="secretKey" type="password" required autocomplete="off" />
        </>
      );
    case "rclone":
      return (
        <>
          <label for="t-remote">Remote and folder</label>
          <input id="t-remote" name="remote" required value={v("remote")} placeholder="mydrive:nasd-backup" />
          <label for="t-conf">The remote's rclone configuration (from rclone.conf)</label>
          <textarea id="t-conf" name="rcloneConfig" rows="6" class="mono" safe>
            {v("rcloneConfig")}
          </textarea>
        </>
      );
  }
}

const pending = (job: Job | null | undefined) => !!job && (job.status === "queued" || job.status === "running");

/**
 * Steps 2–4 for one target, on one page: the connection test, the password, the emergency kit, then what, when and
 * how long with the confirmation that starts the first backup. Also the target's settings page once it is active.
 */
export function TargetSetupPage(
  p: Base & { target: TargetView; testJob: Job | null; hasPassword: boolean; sshKey: string | null; error?: string; saved?: boolean },
) {
  const t = p.target;
  return (
    <DashboardShell page={p.page} title={`Backup target ${t.name}`} tab="backups">
      <p>
        <a href="/dashboard/backups">← Backups</a>
      </p>
      <h1 safe>{t.name}</h1>
      <p class="muted mono small" safe>
        {t.location}
      </p>
      {p.error ? (
        <div class="notice bad" role="alert" safe>
          {p.error}
        </div>
      ) : (
        ""
      )}
      {p.saved ? <div class="notice">Saved.</div> : ""}
      <ol class="steps stack">
        <li>
          <ConnectionStep target={t} testJob={p.testJob} page={p.page} sshKey={p.sshKey} />
        </li>
        <li>
          <PasswordStep target={t} hasPassword={p.hasPassword} page={p.page} />
        </li>
        <li>
          <section class="card stack" data-testid="kit-step">
            <h2>The emergency kit</h2>
            <p>Print it or save it, and keep it away from the box. It holds the password: without it nobody can restore this backup, not even you.</p>
            {p.hasPassword ? (
              <p class="row">
                <a class="button" href={`/dashboard/backups/targets/${t.id}/kit`} target="_blank" rel="noopener">
                  Open the printable kit
                </a>
                <a class="button" href={`/dashboard/backups/targets/${t.id}/kit.txt`} download="emergency-kit.txt">
                  Download the kit (.txt)
                </a>
              </p>
            ) : (
              <p class="muted">Set the password first.</p>
            )}
            {t.kitShownAt ? <p class="small" safe>{`Opened ${formatWhen(t.kitShownAt, p.page.timeZone)}.`}</p> : <p class="small">Not opened yet.</p>}
          </section>
        </li>
        <li>
          <OptionsStep target={t} page={p.page} />
        </li>
      </ol>
      {t.state !== "setup" ? (
        <section class="card stack">
          <h2>Pause or remove</h2>
          <form method="post" action={`/dashboard/backups/targets/${t.id}/${t.state === "paused" ? "resume" : "pause"}`}>
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <button type="submit">{t.state === "paused" ? "Resume nightly backups" : "Pause nightly backups"}</button>
          </form>
          <form method="post" action={`/dashboard/backups/targets/${t.id}/remove`} class="row">
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <label for="remove-confirm" safe>{`Type “${t.name}” to forget this target on this box (its backups stay where they are):`}</label>
            <input id="remove-confirm" name="confirm" autocomplete="off" />
            <button type="submit" class="danger">
              Forget this target
            </button>
          </form>
        </section>
      ) : (
        ""
      )}
    </DashboardShell>
  );
}

/** Swap target #connection: the last test, polling while a test runs. */
export function ConnectionStep(p: { target: TargetView; testJob: Job | null; page: PageChrome; sshKey: string | null }) {
  const t = p.target;
  const busy = pending(p.testJob);
  return (
    <section
      id="connection"
      class="card stack"
      data-testid="connection"
      {...(busy ? { "hx-get": `/dashboard/backups/targets/${t.id}/connection`, "hx-trigger": "load delay:1s", "hx-swap": "outerHTML" } : {})}
    >
      <h2>Connection</h2>
      {busy ? (
        <p>Testing the connection…</p>
      ) : t.test ? (
        <p class={`notice${t.test.ok ? "" : " bad"}`} data-testid="test-result" safe>{`${t.test.message} (${formatWhen(t.test.at, p.page.timeZone)})`}</p>
      ) : p.testJob?.status === "failed" ? (
        <p class="notice bad" safe>{`The test could not run: ${p.testJob.error ?? ""}`}</p>
      ) : (
        <p class="muted">Not tested yet.</p>
      )}
      {t.test?.hostKey ? <p class="small mono" safe>{`The server's host key (check it with the server's admin): ${t.test.hostKey}`}</p> : ""}
      {t.kind === "sftp" && p.sshKey ? (
        <div class="stack">
          <p class="small">This box logs in with this key: add it to the server account's ~/.ssh/authorized_keys.</p>
          <textarea readonly rows="2" class="mono small" aria-label="This box's SSH key" safe>
            {p.sshKey}
          </textarea>
        </div>
      ) : (
        ""
      )}
      <form method="post" action={`/dashboard/backups/targets/${t.id}/test`}>
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        <button type="submit" disabled={busy}>
          Test again
        </button>
      </form>
    </section>
  );
}

function PasswordStep(p: { target: TargetView; hasPassword: boolean; page: PageChrome }) {
  const t = p.target;
  const existing = t.test?.repository === "exists" || t.test?.repository === "opened";
  return (
    <section class="card stack" data-testid="password-step">
      <h2>The repository's password</h2>
      <p class="muted small">Everything is encrypted on this box before it leaves, with this password. The target never sees it.</p>
      {p.hasPassword && t.test?.repository !== "exists" ? (
        <p data-testid="password-set">The password is set; it is in the emergency kit.</p>
      ) : existing ? (
        <form method="post" action={`/dashboard/backups/targets/${t.id}/password`} class="stack">
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <label for="repo-password">A restic repository is already there: its password</label>
          <input id="repo-password" name="password" type="password" autocomplete="off" required />
          <button type="submit">Use this password</button>
        </form>
      ) : (
        <form method="post" action={`/dashboard/backups/targets/${t.id}/password/generate`}>
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <button type="submit" class="primary" disabled={!t.test?.ok}>
            Make a strong password
          </button>
        </form>
      )}
    </section>
  );
}

function OptionsStep(p: { target: TargetView; page: PageChrome }) {
  const t = p.target;
  const setup = t.state === "setup";
  return (
    <form method="post" action={`/dashboard/backups/targets/${t.id}/${setup ? "confirm" : "options"}`} class="card stack" data-testid="options-step">
      <input type="hidden" name="_csrf" value={p.page.csrfToken} />
      <h2>What, when and how long</h2>
      <p class="small">
        Always: the database (accounts, passkeys, Drive's folders and names, albums, shares, settings) and every file in Drive. The trash, uploads in progress
        and caches are not backed up.
      </p>
      <label class="choice">
        <input type="checkbox" name="includeMedia" checked={t.includeMedia} />{" "}
        <span>Also Photos' thumbnails and playable videos (quicker restore, more space)</span>
      </label>
      <div class="row">
        <label for="o-hour">Every night after</label>
        <select id="o-hour" name="hour">
          {Array.from({ length: 24 }, (_, h) => (
            <option value={String(h)} selected={h === t.hour} safe>{`${String(h).padStart(2, "0")}:00`}</option>
          ))}
        </select>
      </div>
      <div class="row">
        <label for="o-limit">Upload at most</label>
        <input
          id="o-limit"
          name="limitUploadKiB"
          inputmode="numeric"
          size="8"
          value={t.limitUploadKiB ? String(t.limitUploadKiB) : ""}
          placeholder="no limit"
        />
        <span>KiB/s</span>
      </div>
      <label class="choice">
        <input type="checkbox" name="lowPriority" checked={t.lowPriority} /> <span>Low priority (the box stays responsive; slower on a Pi)</span>
      </label>
      <fieldset class="stack">
        <legend>Keep (every backup of the last 24 hours, then)</legend>
        <div class="row">
          <label for="o-daily">one a day for</label>
          <input id="o-daily" name="keepDaily" inputmode="numeric" size="4" value={String(t.keepDaily)} />
          <span>days,</span>
          <label for="o-weekly">one a week for</label>
          <input id="o-weekly" name="keepWeekly" inputmode="numeric" size="4" value={String(t.keepWeekly)} />
          <span>weeks,</span>
          <label for="o-monthly">one a month for</label>
          <input
            id="o-monthly"
            name="keepMonthly"
            inputmode="numeric"
            size="4"
            value={t.keepMonthly === null ? "" : String(t.keepMonthly)}
            placeholder="ever"
          />
          <span>months</span>
        </div>
      </fieldset>
      {setup ? (
        <label class="choice">
          <input type="checkbox" name="kitSaved" required /> <span>I have printed or saved the emergency kit</span>
        </label>
      ) : (
        ""
      )}
      <button type="submit" class="primary">
        {setup ? "Start backing up" : "Save"}
      </button>
    </form>
  );
}
