import type { AlertRow } from "../../app/system/repo";
import { DashboardShell, type Base } from "./Shell";
import { formatWhen } from "./format";

const SEVERITY_BADGE = { critical: "bad", warning: "warn", info: "" } as const;

export function AlertsPage(p: Base & { alerts: AlertRow[]; banner: AlertRow[] }) {
  const open = p.alerts.filter((a) => a.clearedAt === null);
  const cleared = p.alerts.filter((a) => a.clearedAt !== null);
  return (
    <DashboardShell {...p} title="Alerts" tab="alerts" banner={p.banner}>
      <h1>Alerts</h1>
      <p class="muted">Checked every minute (SMART every hour). Acknowledging an alert removes it from the banner; it stays listed while the problem lasts and comes back if it gets worse.</p>
      <h2>Active</h2>
      {open.length === 0 ? <p class="notice ok">No active alerts.</p> : <AlertTable alerts={open} csrfToken={p.csrfToken} />}
      <h2>Resolved in the last 7 days</h2>
      {cleared.length === 0 ? <p class="muted">None.</p> : <AlertTable alerts={cleared} csrfToken={p.csrfToken} />}
    </DashboardShell>
  );
}

function AlertTable(p: { alerts: AlertRow[]; csrfToken: string }) {
  return (
    <div class="card table-wrap">
      <table data-testid="alerts">
        <thead><tr><th>Severity</th><th>Alert</th><th>Since</th><th></th></tr></thead>
        <tbody>
          {p.alerts.map((a) => (
            <AlertItem alert={a} csrfToken={p.csrfToken} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Swap target: one alert row (acknowledge swaps it in place). */
export function AlertItem({ alert: a, csrfToken }: { alert: AlertRow; csrfToken: string }) {
  return (
    <tr id={`alert-${a.id}`}>
      <td><span class={`badge ${SEVERITY_BADGE[a.severity]}`}>{a.severity}</span></td>
      <td>
        <span safe>{a.message}</span>
        <br />
        <span class="muted small mono" safe>{`${a.code} · ${a.subject}`}</span>
      </td>
      <td class="small" safe>{`${formatWhen(a.firstSeenAt)}${a.clearedAt ? ` → ${formatWhen(a.clearedAt)}` : ""}`}</td>
      <td>
        {a.acknowledgedAt ? (
          <span class="muted small" safe>{`acknowledged ${formatWhen(a.acknowledgedAt)}`}</span>
        ) : a.clearedAt ? "" : (
          <form method="post" action={`/dashboard/alerts/${a.id}/ack`} hx-post={`/dashboard/alerts/${a.id}/ack`} hx-target={`#alert-${a.id}`} hx-swap="outerHTML">
            <input type="hidden" name="_csrf" value={csrfToken} />
            <button type="submit">Acknowledge</button>
          </form>
        )}
      </td>
    </tr>
  );
}
