import type { RestoreCandidate } from "../../app/setup/restore";
import { Layout } from "../layout";

const fmtBytes = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`);
const fmtWhen = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** Shown above the wizard when backups exist: bring the old accounts, files and settings back instead of starting over. */
export function RestorePanel(p: { backups: RestoreCandidate[]; csrfToken: string; error?: string }) {
  return (
    <section class="card stack" id="restore" data-testid="restore">
      <h2>Restore from a backup</h2>
      <p>This box has database backups from an earlier setup. Restore one to get the accounts, files and settings back; then sign in with your existing passkey.</p>
      {p.error ? <div class="notice bad" role="alert" safe>{p.error}</div> : ""}
      <form method="post" action="/setup/restore" class="stack">
        <input type="hidden" name="_csrf" value={p.csrfToken} />
        {p.backups.map((b, i) => (
          <label class="choice">
            <input type="radio" name="name" value={`${b.source === "data disk" ? "disk:" : ""}${b.name}`} checked={i === 0} />
            <span><strong safe>{fmtWhen(b.takenAt)}</strong><span class="muted" safe>{`${b.name} · ${fmtBytes(b.bytes)} · on the ${b.source}`}</span></span>
          </label>
        ))}
        <button type="submit">Check and restore</button>
      </form>
      <p class="muted small">Or set up a new box below.</p>
    </section>
  );
}

/** After a restore was staged: the server restarts; this page asks every 2 s and goes to sign-in when it is back. */
export function RestoringPage(p: { csrfToken: string; deviceName: string; admins: string[] }) {
  return (
    <Layout title="Restoring" user={null} csrfToken={p.csrfToken} deviceName={p.deviceName}>
      <section class="card stack" data-testid="restoring">
        <h1>Restoring the backup</h1>
        <p safe>{`The backup passed its integrity check (administrators: ${p.admins.join(", ")}). The server restarts to switch to it; this takes a few seconds.`}</p>
        <p hx-get="/setup/restore/status" hx-trigger="every 2s" hx-swap="outerHTML">Waiting for the server…</p>
        <p class="muted small">If nothing happens, start the server again, then <a href="/login">sign in</a> with your existing passkey.</p>
      </section>
    </Layout>
  );
}
