// The audit log in words: what a row's route or action means to a person, the kind of action for filtering, and
// consecutive rows of one upload (tus sends a PATCH per chunk) folded into one entry.
import type { AuditEntry } from "../../app/db/schema";

export type AuditKind = "files" | "sign-in" | "accounts" | "settings" | "system";
export const AUDIT_KINDS: Record<AuditKind, string> = {
  files: "Files",
  "sign-in": "Signing in",
  accounts: "Accounts and access",
  settings: "Settings",
  system: "Disks, backups and power",
};

// [action as recorded, what the person did, kind]. Routes as Elysia names them (":id" kept).
const PHRASES: [string, string, AuditKind][] = [
  ["POST /api/v1/uploads", "started an upload", "files"],
  ["PATCH /api/v1/uploads/:id", "uploaded a file", "files"],
  ["HEAD /api/v1/uploads/:id", "resumed an upload", "files"],
  ["DELETE /api/v1/uploads/:id", "cancelled an upload", "files"],
  ["POST /api/v1/upload", "uploaded a file", "files"],
  ["PUT /api/v1/upload", "uploaded a file", "files"],
  ["POST /api/v1/folders", "created a folder", "files"],
  ["POST /drive/actions/mkdir", "created a folder", "files"],
  ["PATCH /api/v1/files/:id", "renamed a file", "files"],
  ["POST /drive/actions/rename", "renamed a file", "files"],
  ["POST /api/v1/move", "moved files", "files"],
  ["POST /drive/actions/move", "moved files", "files"],
  ["POST /api/v1/copy", "copied files", "files"],
  ["POST /drive/actions/copy", "copied files", "files"],
  ["POST /api/v1/files/:id/star", "starred a file", "files"],
  ["POST /drive/actions/star", "starred a file", "files"],
  ["POST /api/v1/trash", "moved files to the trash", "files"],
  ["POST /drive/actions/trash", "moved files to the trash", "files"],
  ["POST /api/v1/restore", "restored files from the trash", "files"],
  ["POST /drive/actions/restore", "restored files from the trash", "files"],
  ["POST /api/v1/purge", "deleted files forever", "files"],
  ["POST /drive/actions/purge", "deleted files forever", "files"],
  ["DELETE /api/v1/trash", "emptied the trash", "files"],
  ["POST /drive/actions/empty-trash", "emptied the trash", "files"],
  ["auth.login", "signed in with a passkey", "sign-in"],
  ["auth.recover", "signed in with a recovery code", "sign-in"],
  ["auth.passkey.registered", "registered a passkey", "sign-in"],
  ["POST /auth/login/options", "opened sign-in", "sign-in"],
  ["POST /auth/login/verify", "checked a passkey", "sign-in"],
  ["POST /auth/register/options", "began registering a passkey", "sign-in"],
  ["POST /auth/register/verify", "finished registering a passkey", "sign-in"],
  ["POST /auth/recover", "used a recovery code", "sign-in"],
  ["POST /logout", "signed out", "sign-in"],
  ["POST /logout-all", "signed out everywhere", "sign-in"],
  ["POST /settings/sessions/:id/end", "signed out another browser", "sign-in"],
  ["POST /settings/passkeys/:id/delete", "removed a passkey", "accounts"],
  ["POST /settings/passkeys/:id/rename", "renamed a passkey", "accounts"],
  ["POST /settings/recovery-codes", "made new recovery codes", "accounts"],
  ["POST /settings/tokens", "created an app token", "accounts"],
  ["POST /settings/tokens/:id/revoke", "revoked an app token", "accounts"],
  ["POST /settings/admin/invites", "created an invite link", "accounts"],
  ["POST /settings/admin/users", "added an account", "accounts"],
  ["POST /settings/admin/users/:id/reset", "reset someone's sign-in", "accounts"],
  ["POST /dashboard/users/:id/quota", "set a storage quota", "accounts"],
  ["POST /settings/admin/device", "changed the box's name, time zone or registration", "settings"],
  ["settings.hostname", "changed the host name", "settings"],
  ["settings.ntp", "changed the time servers", "settings"],
  ["settings.ssh", "changed SSH access", "settings"],
  ["settings.ssh.key-removed", "removed an SSH key", "settings"],
  ["POST /settings/system/hostname", "saved the host name", "settings"],
  ["POST /settings/system/time-servers", "saved the time servers", "settings"],
  ["POST /settings/system/ssh", "saved SSH access", "settings"],
  ["POST /settings/system/ssh/keys/:id/remove", "removed an SSH key", "settings"],
  ["POST /dashboard/alerts/webhook", "set where alerts are sent", "settings"],
  ["POST /dashboard/alerts/webhook/test", "sent a test alert", "settings"],
  ["POST /dashboard/alerts/:id/ack", "acknowledged an alert", "system"],
  ["POST /dashboard/power/:action", "asked the box to restart or shut down", "system"],
  ["POST /dashboard/backups/run", "started a database backup", "system"],
  ["POST /dashboard/backups/keep", "changed how long backups are kept", "system"],
  ["POST /dashboard/disks/check", "checked the disks", "system"],
  ["POST /dashboard/disk/refresh", "refreshed a disk's SMART report", "system"],
  ["POST /dashboard/disk/selftest", "started a disk self-test", "system"],
  ["POST /dashboard/storage/use", "chose the data disk", "system"],
  ["POST /dashboard/storage/copy/target", "chose the second disk", "system"],
  ["POST /dashboard/storage/copy/run", "started a copy to the second disk", "system"],
  ["POST /setup/storage/use", "chose the data disk in setup", "system"],
  ["POST /setup/restore", "restored a backup in setup", "system"],
];
const byAction = new Map(PHRASES.map(([a, words, kind]) => [a, { words, kind }]));

/** What happened, in words; an action nobody has phrased yet reads as its route ("did POST /x"). */
export function describeAction(action: string): { words: string; kind: AuditKind | null } {
  const known = byAction.get(action) ?? byAction.get(action.replace(/\/:[a-z]+$/, "/:id"));
  if (known) return known;
  const prefix = [...byAction.entries()].find(([a]) => action.startsWith(`${a}.`));
  return prefix ? prefix[1] : { words: `did ${action}`, kind: null };
}

export const actionsOfKind = (kind: AuditKind) => PHRASES.filter(([, , k]) => k === kind).map(([a]) => a);

export type AuditGroup = { entry: AuditEntry; count: number; first: Date };

/** Consecutive rows (newest first) of the same person, action, object and result become one entry with a count. */
export function groupAudit(entries: AuditEntry[]): AuditGroup[] {
  const out: AuditGroup[] = [];
  for (const e of entries) {
    const last = out[out.length - 1];
    if (
      last &&
      last.entry.userId === e.userId &&
      last.entry.action === e.action &&
      last.entry.objectId === e.objectId &&
      last.entry.ok === e.ok &&
      e.objectId !== null
    ) {
      last.count++;
      last.first = e.at;
    } else {
      out.push({ entry: e, count: 1, first: e.at });
    }
  }
  return out;
}
