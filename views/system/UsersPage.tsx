import type { AlertRow } from "../../app/system/repo";
import type { UserUsage } from "../../app/system/service";
import { DashboardShell, type Base } from "./Shell";
import { UsageBar } from "./Sparkline";
import { formatBytes } from "./format";

export function UsersPage(p: Base & { users: UserUsage[]; banner: AlertRow[] }) {
  return (
    <DashboardShell {...p} title="Users" tab="users" banner={p.banner}>
      <h1>Users and storage</h1>
      <div class="card table-wrap">
        <table data-testid="users">
          <thead><tr><th>User</th><th>Role</th><th>Used</th><th>Quota</th></tr></thead>
          <tbody>
            {p.users.map((u) => (
              <tr>
                <td><strong safe>{u.user.displayName}</strong> <span class="muted small mono" safe>{u.user.username}</span></td>
                <td>{u.user.role}</td>
                <td safe>{formatBytes(u.usedBytes)}</td>
                <td>
                  {u.user.quotaBytes === null ? <span class="muted">unlimited</span> : (
                    <>
                      <UsageBar percent={u.percentOfQuota ?? 0} label={`${u.percentOfQuota ?? 0} % of quota`} />
                      <span class="small" safe>{`${u.percentOfQuota ?? 0} % of ${formatBytes(u.user.quotaBytes)}`}</span>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">Invite people, reset passkeys and change the registration policy under <a href="/settings/admin">Settings → Administration</a>; the audit log is at <a href="/settings/audit">Settings → Audit log</a>.</p>
    </DashboardShell>
  );
}

/** What a user who is not the admin sees: their own usage and quota. */
export function UsagePage(p: Base & { usage: { usedBytes: number; quotaBytes: number | null; percentOfQuota: number | null } }) {
  return (
    <DashboardShell {...p} title="Your storage">
      <h1>Your storage</h1>
      <div class="card" data-testid="usage-card">
        <p class="big" safe>{formatBytes(p.usage.usedBytes)}</p>
        {p.usage.quotaBytes === null ? <p class="muted">No quota: you can use the free space of the box.</p> : (
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
