import type { PowerAction, PowerAvailability } from "../../app/dashboard/power";
import { DashboardShell, type Base } from "./Shell";

const LABEL = { reboot: "Restart", poweroff: "Shut down" } as const;

export function PowerPage(p: Base & { power: PowerAvailability; confirm?: PowerAction; result?: { ok: boolean; message: string } }) {
  return (
    <DashboardShell page={p.page} title="Power" tab="power">
      <h1>Power</h1>
      {p.result ? (
        <div class={`notice ${p.result.ok ? "ok" : "bad"}`} safe>
          {p.result.message}
        </div>
      ) : (
        ""
      )}
      {!p.power.available ? (
        <div class="notice warn" data-testid="power-disabled">
          <strong>Restart and shut down are disabled.</strong>
          <p safe>{p.power.reason}</p>
        </div>
      ) : (
        ""
      )}
      {p.confirm && p.power.available ? (
        <div class="card stack" data-testid="power-confirm">
          <h2 safe>{`${LABEL[p.confirm]} the box now?`}</h2>
          <p>
            {p.confirm === "reboot"
              ? "Everyone is disconnected for about a minute; uploads in progress resume afterwards."
              : "The box switches off. Someone has to press its power button (or replug it) to start it again."}
          </p>
          <form method="post" action={`/dashboard/power/${p.confirm}`} class="row">
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <input type="hidden" name="confirm" value={p.confirm} />
            <button type="submit" class="danger" safe>{`Yes, ${LABEL[p.confirm].toLowerCase()}`}</button>
            <a class="button" href="/dashboard/power">
              Cancel
            </a>
          </form>
        </div>
      ) : (
        <div class="card row">
          {(["reboot", "poweroff"] as const).map((a) => (
            <form method="get" action="/dashboard/power">
              <input type="hidden" name="confirm" value={a} />
              <button type="submit" disabled={!p.power.available} safe>{`${LABEL[a]}…`}</button>
            </form>
          ))}
        </div>
      )}
      <p class="muted small">Every restart and shutdown is written to the audit log with who asked for it.</p>
    </DashboardShell>
  );
}
