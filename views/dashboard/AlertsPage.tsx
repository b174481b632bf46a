import type { AlertRow } from "../../app/dashboard/repo";
import type { WebhookDelivery } from "../../app/dashboard/alerts";
import type { PageChrome } from "../layout";
import { DashboardShell, type Base } from "./Shell";
import { formatWhen } from "../format";

const SEVERITY_BADGE = { critical: "bad", warning: "warn", info: "" } as const;

export type WebhookView = { url: string | null; lastDelivery: WebhookDelivery | null };

export function AlertsPage(p: Base & { alerts: AlertRow[]; webhook: WebhookView; webhookError?: { message: string; value: string } }) {
  const open = p.alerts.filter((a) => a.clearedAt === null);
  const cleared = p.alerts.filter((a) => a.clearedAt !== null);
  return (
    <DashboardShell page={p.page} title="Alerts" tab="alerts">
      <h1>Alerts</h1>
      <p class="muted">
        Checked every minute (SMART every hour). Acknowledging an alert removes it from the banner; it stays listed while the problem lasts and comes back if it
        gets worse.
      </p>
      <h2>Active</h2>
      {open.length === 0 ? <p class="notice ok">No active alerts.</p> : <AlertTable alerts={open} page={p.page} />}
      <h2>Resolved in the last 7 days</h2>
      {cleared.length === 0 ? <p class="muted">None.</p> : <AlertTable alerts={cleared} page={p.page} />}
      <WebhookCard webhook={p.webhook} page={p.page} error={p.webhookError} />
    </DashboardShell>
  );
}

function AlertTable(p: { alerts: AlertRow[]; page: PageChrome }) {
  return (
    <div class="card table-wrap">
      <table data-testid="alerts">
        <thead>
          <tr>
            <th>Severity</th>
            <th>Alert</th>
            <th>Since</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {p.alerts.map((a) => (
            <AlertItem alert={a} page={p.page} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Swap target: one alert row (acknowledge swaps it in place). */
export function AlertItem({ alert: a, page }: { alert: AlertRow; page: PageChrome }) {
  const when = (d: Date) => formatWhen(d, page.timeZone);
  return (
    <tr id={`alert-${a.id}`}>
      <td>
        <span class={`badge ${SEVERITY_BADGE[a.severity]}`}>{a.severity}</span>
      </td>
      <td>
        <span safe>{a.message}</span>
        <br />
        <span class="muted small mono" safe>{`${a.code} · ${a.subject}`}</span>
      </td>
      <td class="small" safe>{`${when(a.firstSeenAt)}${a.clearedAt ? ` → ${when(a.clearedAt)}` : ""}`}</td>
      <td>
        {a.acknowledgedAt ? (
          <span class="muted small" safe>{`acknowledged ${when(a.acknowledgedAt)}`}</span>
        ) : a.clearedAt ? (
          ""
        ) : (
          <form
            method="post"
            action={`/dashboard/alerts/${a.id}/ack`}
            hx-post={`/dashboard/alerts/${a.id}/ack`}
            hx-target={`#alert-${a.id}`}
            hx-swap="outerHTML"
          >
            <input type="hidden" name="_csrf" value={page.csrfToken} />
            <button type="submit">Acknowledge</button>
          </form>
        )}
      </td>
    </tr>
  );
}

/** Where new warnings and critical alerts are sent, so a failing disk reaches the admin's phone. */
function WebhookCard(p: { webhook: WebhookView; page: PageChrome; error?: { message: string; value: string } }) {
  const last = p.webhook.lastDelivery;
  return (
    <section class="card stack" data-testid="webhook">
      <h2>Send alerts to your phone</h2>
      <p class="muted small">
        New warnings and critical alerts (and alerts that get worse) are sent once, as a POST with the message as text, to an{" "}
        <a href="https://ntfy.sh" rel="noreferrer">
          ntfy
        </a>{" "}
        topic address (the ntfy app then shows them) or any webhook. A receiver that is down gets them at the next check.
      </p>
      {p.error ? (
        <div class="notice bad" role="alert" safe>
          {p.error.message}
        </div>
      ) : (
        ""
      )}
      <form method="post" action="/dashboard/alerts/webhook" class="row">
        <input type="hidden" name="_csrf" value={p.page.csrfToken} />
        <label class="visually-hidden" for="webhook-url">
          Address to send alerts to
        </label>
        <input
          id="webhook-url"
          name="url"
          type="url"
          maxlength="500"
          size="40"
          placeholder="https://ntfy.sh/your-private-topic"
          value={p.error ? p.error.value : (p.webhook.url ?? "")}
          aria-invalid={p.error ? "true" : undefined}
        />
        <button type="submit">Save</button>
      </form>
      {p.webhook.url ? (
        <form method="post" action="/dashboard/alerts/webhook/test" class="row">
          <input type="hidden" name="_csrf" value={p.page.csrfToken} />
          <button type="submit">Send a test alert</button>
          {last ? (
            <span
              class={`small ${last.ok ? "" : "bad-text"}`}
              safe
            >{`${last.ok ? "Delivered" : "Not delivered"} ${formatWhen(last.at, p.page.timeZone)}: ${last.detail}`}</span>
          ) : (
            ""
          )}
        </form>
      ) : (
        <p class="muted small">Not set: alerts only show here and on the banner.</p>
      )}
    </section>
  );
}
