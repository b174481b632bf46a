// Every path the app uses: where its own files are (APP_ROOT), and the layout of the data directory (`dataPaths`).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { resolveInside } from "../../hw/files";
import { AppError } from "./errors";

/**
 * The project root, for files read at run time (migrations, static assets, the preview script): the nearest folder
 * above this module with a package.json. The sources sit two levels below the root (app/platform/) and the
 * production bundle one (dist/, `make build`), so the root is found rather than counted.
 */
export const APP_ROOT = findRoot(import.meta.dir);

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/**
 * The one function that turns identifiers into filesystem paths: each component must match a strict
 * pattern, and the result is resolved and checked to stay inside `root` (path boundary, not string prefix).
 */
export function safePath(root: string, ...components: string[]): string {
  for (const c of components) {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(c) || c === "." || c === "..") throw new AppError(400, "Refused an unsafe path.");
  }
  const full = resolveInside(root, join(...components));
  if (!full) throw new AppError(400, "Refused an unsafe path.");
  return full;
}

/** A user id as it may appear in a path (a folder under users/, thumbs/, transcodes/). */
export const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const unsafe = () => new AppError(400, "Refused an unsafe path.");

const DB = "db.sqlite";

/**
 * The data directory's layout, named in one place. Both processes and the CLI share it; user-typed names never
 * become path components (they live in SQLite): components are fixed names, user ids and SHA-256 digests.
 *
 *   db.sqlite (-wal, -shm)                      the database; db.sqlite.restore: a backup the wizard staged
 *   secret.key, served-origins.json             the instance secret; the origins the server last served (for the CLI)
 *   space-reserve                               space released on a full disk for deleting and signing in
 *   system-settings.json                        host name, NTP, SSH: written here, applied by root (provision/settings.ts)
 *   tls/                                        the local CA and server certificate (unless TLS_DIR or TLS_CERT say otherwise)
 *   backups/                                    nightly database snapshots
 *   uploads/                                    Drive's resumable (tus) uploads in progress
 *   dav-uploads/<id>/<upload>/                  WebDAV's chunked uploads in progress (Nextcloud's chunking v2)
 *   form-files/                                 files of a multipart form while its request runs (emptied at start)
 *   users/<id>/blobs/<aa>/<bb>/<sha256>         Drive content (app/drive/README.md)
 *   users/<id>/previews/<aa>/<sha256>.webp      Drive's preview cache; users/<id>/tmp/: uploads being received;
 *   users/<id>/import/                          files dropped in by other means, imported into Drive
 *   thumbs/<id>/<aa>/<bb>/, transcodes/<id>/…   the media pipeline's thumbnails, previews and playable videos (cache)
 *   fullres/<id>/<sha256>.jpg                   full-resolution JPEGs of HEIC/TIFF/RAW made on demand for zooming (bounded cache)
 *   update/{uploads,staged}/, update/slots.json update bundles and the slots as RAUC reported them
 *   support/                                    support bundles
 *   maps/detail.pmtiles                         an owner's detailed basemap, placed by hand (app/maps/README.md)
 *   backup/                                     offsite backups (app/backup/README.md): targets/<id>/ (password and
 *                                               credentials), tree/ (what restic reads), cache/, guests/<id>/ (other
 *                                               boxes' repositories this box hosts), incoming/ (a whole-box restore)
 */
export function dataPaths(dataDir: string) {
  const user = (userId: string) => {
    if (!USER_ID.test(userId)) throw unsafe();
    return safePath(dataDir, "users", userId);
  };
  const sha = (sha256: string) => {
    if (!SHA256.test(sha256)) throw unsafe();
    return sha256;
  };
  return {
    root: dataDir,
    db: join(dataDir, DB),
    /** The database with its write-ahead log and shared-memory file: what belongs together when it is moved or chowned. */
    dbFiles: [DB, `${DB}-wal`, `${DB}-shm`].map((f) => join(dataDir, f)),
    dbRestore: join(dataDir, `${DB}.restore`),
    secret: join(dataDir, "secret.key"),
    /** Zeros the box gives back when the disk is full, so deleting and signing in still work (app/platform/space.ts). */
    spaceReserve: join(dataDir, "space-reserve"),
    servedOrigins: join(dataDir, "served-origins.json"),
    systemSettings: join(dataDir, "system-settings.json"),
    tls: join(dataDir, "tls"),
    backups: join(dataDir, "backups"),
    driveUploads: join(dataDir, "uploads"),
    /** Nextcloud clients' chunked uploads in progress, per user (app/dav/chunks.ts). */
    davUploads: join(dataDir, "dav-uploads"),
    /** A multipart form's files, streamed to disk while the request runs (app/platform/http/body.ts), never into memory. */
    formFiles: join(dataDir, "form-files"),
    users: join(dataDir, "users"),
    thumbs: join(dataDir, "thumbs"),
    transcodes: join(dataDir, "transcodes"),
    update: join(dataDir, "update"),
    /** tus's partial uploads of update bundles (a staging area on the data disk, not anyone's Drive). */
    updateUploads: join(dataDir, "update", "uploads"),
    /** The one bundle waiting to be installed, its metadata and the root worker's check of it. */
    updateStaged: join(dataDir, "update", "staged"),
    updateSlots: join(dataDir, "update", "slots.json"),
    support: join(dataDir, "support"),
    /** Where an owner puts a detailed basemap (maps/detail.pmtiles), served to the map by app/maps. */
    maps: join(dataDir, "maps"),
    backup: backupPaths(dataDir),

    userDir: user,
    userTmp: (userId: string) => join(user(userId), "tmp"),
    /** Staged content being removed in the background (a duplicate, a refused upload): app/platform/objects.ts `drop`. */
    userDropping: (userId: string) => join(user(userId), "dropping"),
    userImport: (userId: string) => safePath(dataDir, "users", userId, "import"),
    userPreviews: (userId: string) => join(user(userId), "previews"),
    blob: (userId: string, sha256: string) => safePath(dataDir, "users", userId, "blobs", sha(sha256).slice(0, 2), sha256.slice(2, 4), sha256),
    /** Drive's cached preview of a blob's content (made by app/media/preview.ts); shares the blob's lifetime. */
    drivePreview: (userId: string, sha256: string) => safePath(dataDir, "users", userId, "previews", sha(sha256).slice(0, 2), `${sha256}.webp`),
    /**
     * The media pipeline's derivatives of one user's content, keyed by owner and SHA-256 (never by a file id or a
     * name) in two levels of hashed folders so no folder grows huge. All of it is cache: `nas media reprocess` rebuilds it.
     */
    derivatives(userId: string, sha256: string) {
      if (!SHA256.test(sha256)) throw new Error("not a SHA-256");
      const sub = [sha256.slice(0, 2), sha256.slice(2, 4)];
      return {
        thumb: safePath(dataDir, "thumbs", userId, ...sub, `${sha256}-thumb.webp`),
        preview: safePath(dataDir, "thumbs", userId, ...sub, `${sha256}-preview.jpg`),
        video: safePath(dataDir, "transcodes", userId, ...sub, `${sha256}.mp4`),
        /** Made on demand (app/media/full.ts), evicted oldest-first past a size budget: one flat folder per user. */
        full: safePath(dataDir, "fullres", userId, `${sha256}.jpg`),
        /** A photo's edit rendered from the original (app/photos/edit): grid thumbnail, preview, full size for downloads. */
        editThumb: safePath(dataDir, "thumbs", userId, ...sub, `${sha256}-edit-thumb.webp`),
        editPreview: safePath(dataDir, "thumbs", userId, ...sub, `${sha256}-edit-preview.jpg`),
        editFull: safePath(dataDir, "thumbs", userId, ...sub, `${sha256}-edit.jpg`),
      };
    },
    /** Where the full-resolution renditions live (the cache's budget is counted over it). */
    fullRes: join(dataDir, "fullres"),
  };
}
export type DataPaths = ReturnType<typeof dataPaths>;

/** An id the backup feature makes (targets, guests, snapshots): letters and digits only. */
const BACKUP_ID = /^[A-Za-z0-9]{1,64}$/;

/** Offsite backups' folders (app/backup/README.md). */
function backupPaths(dataDir: string) {
  const root = join(dataDir, "backup");
  const id = (value: string) => {
    if (!BACKUP_ID.test(value)) throw unsafe();
    return value;
  };
  return {
    root,
    /** What restic backs up (its working directory): the database snapshot, settings, the files by name. */
    tree: join(root, "tree"),
    /** restic's own cache (index, snapshots, trees): makes every run after the first fast. */
    cache: join(root, "cache"),
    /** The box's SSH key for SFTP targets (ed25519, made once). */
    sshKey: join(root, "ssh", "id_ed25519"),
    /** A target's password, repository address and credentials (0600; never in the database). */
    target: (targetId: string) => safePath(root, "targets", id(targetId)),
    /** The database of one snapshot, fetched for browsing and restoring from it. */
    snapshotDb: (targetId: string, snapshotId: string) => safePath(root, "snapshots", `${id(targetId)}-${id(snapshotId)}.sqlite`),
    snapshotDbs: join(root, "snapshots"),
    /** Files restic restores before Drive takes them (on the data disk, so taking them is a rename). */
    restoreTmp: (jobId: number) => safePath(root, "restore", String(jobId)),
    /** A whole box being restored from a backup (the setup wizard). */
    incoming: join(root, "incoming"),
    /** Other boxes' repositories this box hosts (box-to-box). */
    guests: join(root, "guests"),
    guest: (guestId: string) => safePath(root, "guests", id(guestId)),
  };
}
export type DerivativePaths = ReturnType<DataPaths["derivatives"]>;

/** Relative to the data dir: the live database's files, which a copy of the tree leaves out (it takes a snapshot). */
export const isLiveDatabaseFile = (rel: string) => rel === DB || rel === `${DB}-wal` || rel === `${DB}-shm` || rel === `${DB}.partial`;
/**
 * Relative to the data dir: uploads being received and Drive's preview cache, rebuilt or swept on their own; and the
 * backup feature's working folders (the tree restic reads is links to the blobs: a copy would store them twice).
 * Other boxes' repositories hosted here are their owners' backups, not this box's data.
 */
export const isScratch = (rel: string) =>
  /^users\/[^/]+\/(tmp|previews)(\/|$)/.test(rel) || /^backup\/(tree|cache|snapshots|restore|incoming|guests)(\/|$)/.test(rel);
