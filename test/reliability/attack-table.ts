// The attack suite's entries (test/reliability/attacks.test.ts): what each path parameter of each route names, so
// the suite knows which of another person's objects to put there. Every route with a path parameter must be listed (a
// new one without an entry fails the suite, and so does an entry for a route that is gone); routes without parameters
// need none: every route, listed or not, gets the suite's other attacks from the route table itself.
export type ParamKind =
  | "file" // a Drive file or folder id
  | "album"
  | "link" // a share link's id
  | "link-token" // a share link's secret token
  | "folder-share"
  | "album-share"
  | "passkey"
  | "session"
  | "app-token"
  | "user"
  | "ssh-key"
  | "upload" // a resumable upload's id
  | "alert"
  | "name" // a name in a path (a support bundle, a month key, a map cluster, a power action, a static file)
  | "enroll-token"
  | "username" // a person's name in a Nextcloud address (/remote.php/dav/files/<name>/)
  | "dav-path" // a path of names inside a person's files, as WebDAV addresses them
  | "trash-path" // an item in a person's Nextcloud trash bin (trash/<name>.d<seconds>) or its restore folder
  | "versions-path" // a file's versions in Nextcloud's versions collection (versions/<file number>)
  | "ocs-version" // v1.php or v2.php
  | "ocs-share" // a share link's number, as Nextcloud's sharing API names it (/ocs/…/shares/<number>)
  | "backup-target" // an offsite backup target's id (admin only; the setup wizard's restore uses one too)
  | "snapshot" // a restic snapshot id (64 hex)
  | "backup-guest" // a box this box hosts backups for
  | "person" // a person found among someone's photos (app/people)
  | "face"; // one face of such a person

export const ATTACK_TABLE: Record<string, Record<string, ParamKind>> = {
  "GET /static/*": { "*": "name" },
  "GET /enroll/:token": { token: "enroll-token" },
  "POST /settings/passkeys/:id/delete": { id: "passkey" },
  "POST /settings/passkeys/:id/rename": { id: "passkey" },
  "POST /settings/sessions/:id/end": { id: "session" },
  "POST /settings/tokens/:id/revoke": { id: "app-token" },
  "POST /settings/admin/users/:id/reset": { id: "user" },
  "POST /settings/system/ssh/keys/:id/remove": { id: "ssh-key" },
  "GET /drive/f/:folderId": { folderId: "file" },
  "GET /drive/preview/:id": { id: "file" },
  "GET /drive/thumb/:id": { id: "file" },
  "GET /api/v1/files/:id": { id: "file" },
  "GET /api/v1/files/:id/content": { id: "file" },
  "PATCH /api/v1/files/:id": { id: "file" },
  "POST /api/v1/files/:id/star": { id: "file" },
  "ALL /api/v1/uploads/:id": { id: "upload" },
  "GET /media/preview/:id": { id: "file" },
  "GET /media/video/:id": { id: "file" },
  "GET /media/full/:id": { id: "file" },
  "POST /media/failed/:id/retry": { id: "file" },
  "GET /photos/albums/:id": { id: "album" },
  "POST /photos/albums/:id/rename": { id: "album" },
  "POST /photos/albums/:id/delete": { id: "album" },
  "POST /photos/albums/:id/add": { id: "album" },
  "POST /photos/albums/:id/remove": { id: "album" },
  "POST /photos/albums/:id/cover": { id: "album" },
  "GET /photos/api/month/:key": { key: "name" },
  "GET /photos/api/info/:id": { id: "file" },
  "GET /photos/api/edit/:id": { id: "file" },
  "POST /photos/api/edit/:id": { id: "file" },
  "POST /photos/api/edit/:id/revert": { id: "file" },
  "GET /photos/download/:id": { id: "file" },
  "GET /photos/api/cluster/:id": { id: "name" },
  "GET /photos/memories/:key": { key: "name" },
  "POST /photos/memories/:key/hide": { key: "name" },
  "POST /photos/memories/:key/show": { key: "name" },
  "POST /photos/api/duplicates/:id/keep": { id: "file" },
  "GET /photos/shared/albums/:id": { id: "album" },
  "GET /photos/people/:id": { id: "person" },
  "GET /photos/people/faces/:faceId": { faceId: "face" },
  "POST /photos/people/:id/name": { id: "person" },
  "POST /photos/people/:id/merge": { id: "person" },
  "POST /photos/people/:id/hide": { id: "person" },
  "POST /photos/people/:id/faces/:faceId/remove": { id: "person", faceId: "face" },
  "POST /photos/people/:id/faces/:faceId/cover": { id: "person", faceId: "face" },
  "GET /photos/shared/albums/:id/thumb/:fileId": { id: "album", fileId: "file" },
  "GET /photos/shared/albums/:id/content/:fileId": { id: "album", fileId: "file" },
  "POST /photos/shared/albums/:id/upload": { id: "album" },
  "POST /photos/shared/albums/:id/remove": { id: "album" },
  "GET /photos/partners/:userId": { userId: "user" },
  "POST /photos/partners/:userId/stop": { userId: "user" },
  "POST /photos/partners/:userId/timeline": { userId: "user" },
  "GET /photos/partner/thumb/:id": { id: "file" },
  "GET /photos/partner/preview/:id": { id: "file" },
  "GET /photos/partner/video/:id": { id: "file" },
  "GET /photos/partner/info/:id": { id: "file" },
  "GET /s/:token/": { token: "link-token" },
  "POST /s/:token/unlock": { token: "link-token" },
  "GET /s/:token/f/:id": { token: "link-token", id: "file" },
  "GET /s/:token/v/:id": { token: "link-token", id: "file" },
  "GET /s/:token/thumb/:id": { token: "link-token", id: "file" },
  "GET /s/:token/content/:id": { token: "link-token", id: "file" },
  "GET /s/:token/zip": { token: "link-token" },
  "POST /s/:token/upload": { token: "link-token" },
  "POST /shared/:id/revoke": { id: "link" },
  "POST /shared/users/:id/remove": { id: "folder-share" },
  "POST /shared/albums/:id/remove": { id: "album-share" },
  "DELETE /api/v1/shares/:id": { id: "link" },
  "DELETE /api/v1/shares/users/:id": { id: "folder-share" },
  "DELETE /api/v1/shares/albums/:id": { id: "album-share" },
  "POST /dashboard/alerts/:id/ack": { id: "alert" },
  "POST /dashboard/power/:action": { action: "name" },
  "POST /dashboard/users/:id/quota": { id: "user" },
  "ALL /dashboard/system/update/uploads/:id": { id: "upload" },
  "GET /dashboard/system/support/:name": { name: "name" },
  // Phones and computers (app/dav): WebDAV at three mounts, Nextcloud's chunked uploads, OCS, Login Flow v2.
  ...davEntries(),
  "GET /ocs/:version/cloud/capabilities": { version: "ocs-version" },
  "GET /ocs/:version/cloud/user": { version: "ocs-version" },
  "GET /ocs/:version/cloud/users/:id": { version: "ocs-version", id: "username" },
  // Nextcloud's sharing API (app/dav/sharing.ts): public links by number.
  "GET /ocs/:version/apps/files_sharing/api/v1/shares": { version: "ocs-version" },
  "POST /ocs/:version/apps/files_sharing/api/v1/shares": { version: "ocs-version" },
  "GET /ocs/:version/apps/files_sharing/api/v1/shares/:id": { version: "ocs-version", id: "ocs-share" },
  "PUT /ocs/:version/apps/files_sharing/api/v1/shares/:id": { version: "ocs-version", id: "ocs-share" },
  "DELETE /ocs/:version/apps/files_sharing/api/v1/shares/:id": { version: "ocs-version", id: "ocs-share" },
  "GET /index.php/login/v2/flow/:token": { token: "name" },
  "POST /index.php/login/v2/flow/:token": { token: "name" },
  "POST /settings/devices/:id/revoke": { id: "app-token" },
  "GET /dashboard/backups/targets/:id/setup": { id: "backup-target" },
  "GET /dashboard/backups/targets/:id/connection": { id: "backup-target" },
  "POST /dashboard/backups/targets/:id/test": { id: "backup-target" },
  "POST /dashboard/backups/targets/:id/password/generate": { id: "backup-target" },
  "POST /dashboard/backups/targets/:id/password": { id: "backup-target" },
  "GET /dashboard/backups/targets/:id/kit": { id: "backup-target" },
  "GET /dashboard/backups/targets/:id/kit.txt": { id: "backup-target" },
  "POST /dashboard/backups/targets/:id/confirm": { id: "backup-target" },
  "POST /dashboard/backups/targets/:id/options": { id: "backup-target" },
  "POST /dashboard/backups/targets/:id/run": { id: "backup-target" },
  "POST /dashboard/backups/targets/:id/check": { id: "backup-target" },
  "POST /dashboard/backups/targets/:id/pause": { id: "backup-target" },
  "POST /dashboard/backups/targets/:id/resume": { id: "backup-target" },
  "POST /dashboard/backups/targets/:id/remove": { id: "backup-target" },
  "GET /dashboard/backups/targets/:id/snapshots": { id: "backup-target" },
  "GET /dashboard/backups/targets/:id/snapshots/:snapshot": { id: "backup-target", snapshot: "snapshot" },
  "POST /dashboard/backups/targets/:id/snapshots/:snapshot/open": { id: "backup-target", snapshot: "snapshot" },
  "POST /dashboard/backups/targets/:id/snapshots/:snapshot/restore": { id: "backup-target", snapshot: "snapshot" },
  "POST /dashboard/backups/guests/:id/pair": { id: "backup-guest" },
  "POST /dashboard/backups/guests/:id/quota": { id: "backup-guest" },
  "POST /dashboard/backups/guests/:id/prune": { id: "backup-guest" },
  "POST /dashboard/backups/guests/:id/remove": { id: "backup-guest" },
  "GET /setup/restore/backup/:id": { id: "backup-target" },
  "GET /setup/restore/backup/:id/progress": { id: "backup-target" },
  "POST /setup/restore/backup/:id/retry": { id: "backup-target" },
  "POST /setup/restore/backup/:id/finish": { id: "backup-target" },
};

/** Every WebDAV method at every mount: the mount's own address and everything below it. */
function davEntries(): Record<string, Record<string, ParamKind>> {
  const methods = ["OPTIONS", "GET", "HEAD", "PUT", "DELETE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT"];
  const entries: Record<string, Record<string, ParamKind>> = {};
  for (const method of methods) {
    entries[`${method} /dav/*`] = { "*": "dav-path" };
    entries[`${method} /remote.php/webdav/*`] = { "*": "dav-path" };
    entries[`${method} /remote.php/dav/files/:user`] = { user: "username" };
    entries[`${method} /remote.php/dav/files/:user/*`] = { user: "username", "*": "dav-path" };
  }
  for (const method of ["MKCOL", "PUT", "PROPFIND", "MOVE", "DELETE"]) {
    entries[`${method} /remote.php/dav/uploads/:user`] = { user: "username" };
    entries[`${method} /remote.php/dav/uploads/:user/*`] = { user: "username", "*": "name" };
  }
  // Nextcloud's trash bin and versions (app/dav/trashbin.ts).
  for (const method of ["PROPFIND", "GET", "HEAD", "MOVE", "DELETE"]) {
    entries[`${method} /remote.php/dav/trashbin/:user`] = { user: "username" };
    entries[`${method} /remote.php/dav/trashbin/:user/*`] = { user: "username", "*": "trash-path" };
  }
  entries["PROPFIND /remote.php/dav/versions/:user"] = { user: "username" };
  entries["PROPFIND /remote.php/dav/versions/:user/*"] = { user: "username", "*": "versions-path" };
  return entries;
}
