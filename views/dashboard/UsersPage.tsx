import type { UserUsage } from "../../app/dashboard/quotas";
import { DashboardShell, type Base } from "./Shell";
import { UsageBar } from "./Sparkline";
import { formatBytes } from "../format";

type QuotaError = { userId: string; message: string; value: string };

export function UsersPage(p: Base & { users: UserUsage[]; saved?: string; error?: QuotaError }) {
  return (
    <DashboardShell page={p.page} title="Users" tab="users">
      <h1>Users and storage</h1>
      {p.error ? (
        <div class="notice bad" role="alert" safe>
          {p.error.message}
        </div>
      ) : (
        ""
      )}
      <div class="card table-wrap">
        <table data-testid="users">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Used</th>
              <th>Quota</th>
            </tr>
          </thead>
          <tbody>
            {p.users.map((u) => (
              <tr>
                <td>
                  <strong safe>{u.user.displayName}</strong>{" "}
                  <span class="muted small mono" safe>
                    {u.user.username}
                  </span>
                </td>
                <td>{u.user.role}</td>
                <td safe>{formatBytes(u.usedBytes)}</td>
                <td>
                  {u.user.quotaBytes === null ? (
                    <span class="muted small">unlimited</span>
                  ) : (
                    <>
                      <UsageBar percent={u.percentOfQuota ?? 0} label={`${u.percentOfQuota ?? 0} % of quota`} />
                      <span class="small" safe>{`${u.percentOfQuota ?? 0} % of ${formatBytes(u.user.quotaBytes)}`}</span>
                    </>
                  )}
                  <QuotaForm usage={u} csrfToken={p.page.csrfToken} saved={p.saved === u.user.id} error={p.error?.userId === u.user.id ? p.error : undefined} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">A quota below what someone already stores deletes nothing: new uploads are refused until they are under it.</p>
      <p class="muted small">
        Invite people, reset passkeys and change the registration policy under <a href="/settings/admin">Settings → Administration</a>; the audit log is at{" "}
        <a href="/settings/audit">Settings → Audit log</a>.
      </p>
    </DashboardShell>
  );
}

/** Quota in GB; empty means no limit. */
function QuotaForm(p: { usage: UserUsage; csrfToken: string; saved: boolean; error?: QuotaError }) {
  const id = `quota-${p.usage.user.id}`;
  const current = p.usage.user.quotaBytes === null ? "" : String(Math.round(p.usage.user.quotaBytes / 1e7) / 100);
  return (
    <form method="post" action={`/dashboard/users/${encodeURIComponent(p.usage.user.id)}/quota`} class="row quota-form">
      <input type="hidden" name="_csrf" value={p.csrfToken} />
      <label class="visually-hidden" for={id} safe>{`Quota for ${p.usage.user.username} in GB`}</label>
      <input
        id={id}
        name="quota"
        inputmode="decimal"
        size="6"
        maxlength="40"
        placeholder="no limit"
        value={p.error ? p.error.value : current}
        aria-invalid={p.error ? "true" : undefined}
      />
      <span class="small">GB</span>
      <button type="submit" class="small">
        Set
      </button>
      {p.saved ? <span class="badge ok">saved</span> : ""}
    </form>
  );
}

/** What a user who is not the admin sees: their own usage and quota. */
export function UsagePage(p: Base & { usage: { usedBytes: number; quotaBytes: number | null; percentOfQuota: number | null } }) {
  return (
    <DashboardShell page={p.page} title="Your storage">
      <h1>Your storage</h1>
      <div class="card" data-testid="usage-card">
        <p class="big" safe>
          {formatBytes(p.usage.usedBytes)}
        </p>
        {p.usage.quotaBytes === null ? (
          <p class="muted">No quota: you can use the free space of the box.</p>
        ) : (
          <>
            <UsageBar percent={p.usage.percentOfQuota ?? 0} label={`${p.usage.percentOfQuota ?? 0} % of your quota`} />
            <p safe>{`${p.usage.percentOfQuota ?? 0} % of your ${formatBytes(p.usage.quotaBytes)} quota`}</p>
          </>
        )}
        <p class="muted small">Files in the trash count until the trash is emptied.</p>
      </div>
    </DashboardShell>
  );
}
