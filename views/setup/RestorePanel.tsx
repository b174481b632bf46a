import type { RestoreCandidate } from "../../app/setup/restore";
import { Layout, type PageChrome } from "../layout";
import { formatBytes, formatWhen } from "../format";

/** The wizard's welcome step when backups exist and the owner chose to restore: bring the old accounts, files and settings back. */
export function RestorePanel(p: { backups: RestoreCandidate[]; page: PageChrome; error?: string }) {
  return (
    <div class="stack" id="restore" data-testid="restore" x-show="step === 1 && start === 'restore' && !codes" x-cloak>
      <p>Choose a backup. It is checked first; then the box restarts on it and you sign in with your existing passkey.</p>
      {p.error ? (
        <div class="notice bad" role="alert" safe>
          {p.error}
        </div>
      ) : (
        ""
      )}
      <form method="post" action="/setup/restore" class="stack">
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        {p.backups.map((b, i) => (
          <label class="choice">
            <input type="radio" name="name" value={`${b.source === "data disk" ? "disk:" : ""}${b.name}`} checked={i === 0} />
            <span>
              <strong safe>{formatWhen(b.takenAt, p.page.timeZone)}</strong>
              <span class="muted" safe>{`${b.name} · ${formatBytes(b.bytes)} · on the ${b.source}`}</span>
            </span>
          </label>
        ))}
        <button type="submit" class="primary">
          Check and restore
        </button>
      </form>
    </div>
  );
}

/** After a restore was staged: the server restarts; this page asks every 2 s and goes to sign-in when it is back. */
export function RestoringPage(p: { page: PageChrome; admins: string[] }) {
  return (
    <Layout title="Restoring" page={p.page} anonymous>
      <section class="card stack" data-testid="restoring">
        <h1>Restoring the backup</h1>
        <p
          safe
        >{`The backup passed its integrity check (administrators: ${p.admins.join(", ")}). The server restarts to switch to it; this takes a few seconds.`}</p>
        <p hx-get="/setup/restore/status" hx-trigger="every 2s" hx-swap="outerHTML">
          Waiting for the server…
        </p>
        <p class="muted small">
          If nothing happens, start the server again, then <a href="/login">sign in</a> with your existing passkey.
        </p>
      </section>
    </Layout>
  );
}
