// The audit log in words: what a row's route or action means to a person, the kind of action for filtering, and
// consecutive rows of one upload (tus sends a PATCH per chunk) folded into one entry.
import type { AuditEntry } from "../../app/platform/db/schema";

export type AuditKind = "files" | "sign-in" | "accounts" | "settings" | "system";
export const AUDIT_KINDS: Record<AuditKind, string> = {
  files: "Files",
  "sign-in": "Signing in",
  accounts: "Accounts and access",
  settings: "Settings",
  system: "Disks, backups and power",
};

// [action as recorded, what the person did, kind, and the same with what it was about: "{}" is the row's detail,
// e.g. "'IMG_0042.jpg' to Photos/2024" (app/drive/audit.ts)]. Routes as Elysia names them (":id" kept).
const PHRASES: [string, string, AuditKind, string?][] = [
  ["POST /api/v1/uploads", "started an upload", "files", "started uploading {}"],
  ["PATCH /api/v1/uploads/:id", "uploaded a file", "files", "uploaded {}"],
  ["HEAD /api/v1/uploads/:id", "resumed an upload", "files", "resumed uploading {}"],
  ["DELETE /api/v1/uploads/:id", "cancelled an upload", "files", "cancelled uploading {}"],
  ["POST /api/v1/upload", "uploaded a file", "files", "uploaded {}"],
  ["PUT /api/v1/upload", "uploaded a file", "files", "uploaded {}"],
  ["POST /api/v1/folders", "created a folder", "files", "created the folder {}"],
  ["POST /drive/actions/mkdir", "created a folder", "files", "created the folder {}"],
  ["PATCH /api/v1/files/:id", "renamed a file", "files", "renamed {}"],
  ["POST /drive/actions/rename", "renamed a file", "files", "renamed {}"],
  ["POST /api/v1/move", "moved files", "files", "moved {}"],
  ["POST /drive/actions/move", "moved files", "files", "moved {}"],
  ["POST /api/v1/copy", "copied files", "files", "copied {}"],
  ["POST /drive/actions/copy", "copied files", "files", "copied {}"],
  ["POST /api/v1/files/:id/star", "starred a file", "files", "starred {}"],
  ["POST /drive/actions/star", "starred a file", "files", "starred {}"],
  ["POST /api/v1/trash", "moved files to the trash", "files", "moved {} to the trash"],
  ["POST /drive/actions/trash", "moved files to the trash", "files", "moved {} to the trash"],
  ["POST /api/v1/restore", "restored files from the trash", "files", "restored {} from the trash"],
  ["POST /drive/actions/restore", "restored files from the trash", "files", "restored {} from the trash"],
  ["POST /api/v1/purge", "deleted files forever", "files", "deleted {} forever"],
  ["POST /drive/actions/purge", "deleted files forever", "files", "deleted {} forever"],
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
  ["POST /dashboard/backups/restore", "restored the newest good database backup (the database had failed its check)", "system"],
  ["POST /dashboard/disks/check", "checked the disks", "system"],
  ["POST /dashboard/disk/refresh", "refreshed a disk's SMART report", "system"],
  ["POST /dashboard/disk/selftest", "started a disk self-test", "system"],
  ["POST /dashboard/storage/use", "chose the data disk", "system"],
  ["POST /dashboard/storage/copy/target", "chose the second disk", "system"],
  ["POST /dashboard/storage/copy/run", "started a copy to the second disk", "system"],
  ["POST /setup/storage/use", "chose the data disk in setup", "system"],
  ["POST /setup/restore", "restored a backup in setup", "system"],
  ["power.reboot", "restarted the box", "system"],
  ["power.poweroff", "shut the box down", "system"],
  ["POST /dashboard/system/update/uploads", "started uploading an update bundle", "system"],
  ["PATCH /dashboard/system/update/uploads/:id", "uploaded an update bundle", "system"],
  ["HEAD /dashboard/system/update/uploads/:id", "resumed uploading an update bundle", "system"],
  ["DELETE /dashboard/system/update/uploads/:id", "cancelled uploading an update bundle", "system"],
  ["POST /dashboard/system/update/install", "asked to install an update", "system"],
  ["POST /dashboard/system/update/reboot", "asked to reboot into the update", "system"],
  ["POST /dashboard/system/update/discard", "discarded an update bundle", "system"],
  ["POST /dashboard/system/update/refresh", "read the update slots again", "system"],
  ["POST /dashboard/system/update/channel", "changed the update channel", "system"],
  ["POST /dashboard/system/update/channel/check", "checked the update channel", "system"],
  ["POST /dashboard/system/support", "asked for a support bundle", "system"],
  ["POST /dashboard/system/reset", "asked for a factory reset", "system"],
  ["update.install", "installed an update", "system", "installed the update ({})"],
  ["update.reboot", "rebooted into an update", "system"],
  ["update.channel", "changed the update channel", "system"],
  ["support.bundle", "made a support bundle", "system"],
  ["support.download", "downloaded a support bundle", "system"],
  ["system.factory-reset.keep-files", "reset the box, keeping the files", "system"],
  ["system.factory-reset.erase-all", "reset the box and erased everything", "system"],
  ["POST /media/reprocess", "asked for every photo and video to be processed again", "system"],
  ["POST /photos/albums", "created an album", "files"],
  ["POST /photos/albums/:id/rename", "renamed an album", "files"],
  ["POST /photos/albums/:id/delete", "deleted an album (its photos stay)", "files"],
  ["POST /photos/albums/:id/add", "added photos to an album", "files"],
  ["POST /photos/albums/:id/remove", "took photos out of an album", "files"],
  ["POST /photos/albums/:id/cover", "chose an album's cover", "files"],
  ["POST /photos/api/favourite", "marked photos as favourites", "files"],
  ["POST /photos/api/archive", "archived photos", "files"],
  ["POST /photos/api/trash", "moved photos to the trash", "files"],
  ["POST /photos/api/restore", "restored photos from the trash", "files"],
  ["POST /shared/", "created a share link", "accounts"],
  ["POST /api/v1/shares", "created a share link", "accounts"],
  ["POST /shared/:id/revoke", "revoked a share link", "accounts"],
  ["DELETE /api/v1/shares/:id", "revoked a share link", "accounts"],
  ["POST /shared/users", "shared a folder with someone", "accounts"],
  ["POST /api/v1/shares/users", "shared a folder with someone", "accounts"],
  ["POST /shared/users/:id/remove", "stopped sharing a folder with someone", "accounts"],
  ["DELETE /api/v1/shares/users/:id", "stopped sharing a folder with someone", "accounts"],
  ["POST /s/:token/unlock", "entered a share link's password", "accounts"],
  ["POST /s/:token/upload", "sent a file through a drop-box link", "files"],
  ["POST /shared/albums", "shared an album with someone", "accounts"],
  ["POST /api/v1/shares/albums", "shared an album with someone", "accounts"],
  ["POST /shared/albums/:id/remove", "stopped sharing an album with someone", "accounts"],
  ["DELETE /api/v1/shares/albums/:id", "stopped sharing an album with someone", "accounts"],
  ["POST /photos/shared/albums/:id/upload", "added a photo to a shared album", "files"],
  ["POST /photos/shared/albums/:id/remove", "took photos out of a shared album (the files stay)", "files"],
  ["share.album.grant", "gave someone access to an album", "accounts"],
  ["share.album.remove", "took back someone's access to an album", "accounts"],
  ["share.upload", "received a file through a drop-box link", "files"],
  ["share.create", "made a share link", "accounts"],
  ["share.revoke", "revoked a share link", "accounts"],
  ["share.user.grant", "gave someone access to a folder", "accounts"],
  ["share.user.remove", "took back someone's access to a folder", "accounts"],
  ["share.unlock", "opened a password-protected share link", "accounts"],
  ["cli", "used the admin command line", "system"],
];
const byAction = new Map(PHRASES.map(([a, words, kind, about]) => [a, { words, kind, about }]));

/**
 * What happened, in words; an action nobody has phrased yet reads as its route ("did POST /x"). With the row's detail,
 * a phrase that has a place for it names its object ("uploaded 'IMG_0042.jpg' to Photos/2024"); `detailUsed` says so.
 */
export function describeAction(action: string, detail?: string | null): { words: string; kind: AuditKind | null; detailUsed: boolean } {
  const known = byAction.get(action) ?? byAction.get(action.replace(/\/:[a-z]+$/, "/:id"));
  const found = known ?? [...byAction.entries()].find(([a]) => action.startsWith(`${a}.`))?.[1];
  if (!found) return { words: `did ${action}`, kind: null, detailUsed: false };
  if (detail && found.about) return { words: found.about.replace("{}", detail), kind: found.kind, detailUsed: true };
  return { words: found.words, kind: found.kind, detailUsed: false };
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
