// Nextcloud's sharing API (files_sharing's OCS shares), as its apps call it when a person taps "Share link" on a file
// or folder: list, make, change and end public links. They are the product's share links (app/share): made, changed
// and ended by Sharing's own functions, every decision the access policy's (`file.share` to make one, `link.manage`
// to read, change or end one). A device's app password acts as its person; a read-only one changes nothing.
import { Elysia, t } from "elysia";
import type { DriveFile, User } from "../platform/db/schema";
import type { DriveService } from "../drive/service";
import type { ShareLink, ShareService } from "../share/service";
import { linkState } from "../share/service";
import { AppError, notFound } from "../platform/errors";
import type { AccessControl } from "../platform/http/access";
import type { Clock } from "../platform/clock";
import { startOfDay } from "../../views/format";
import type { Device } from "../auth/app-passwords";
import { ocsResponse } from "./ocs";
import type { DavService } from "./service";

export type SharingDeps = {
  access: AccessControl;
  share: ShareService;
  drive: DriveService;
  dav: DavService;
  /** The box's time zone: an expiry date ("2026-12-24") ends with that day there. */
  timeZone: () => string;
  now: Clock;
};

/** Nextcloud's share type of a public link (0 is a person, 1 a group). */
const PUBLIC_LINK = 3;
/** Nextcloud's permission bits a link can have here: read (a link that shows), create only (a file drop: our drop box). */
const READ = 1;
const CREATE = 4;
const SHARE_BIT = 16;
/**
 * What `password` says of a link that has one. Nextcloud sends the password's hash there; a hash never leaves this box,
 * and an app that sends this back unchanged (saving other options) keeps the password it had.
 */
const PASSWORD_SET = "********";
/** How long a new link's address stays readable through the API after it was made (the app reads it back at once). */
const FRESH_MS = 10 * 60_000;

type Params = Record<string, string | undefined>;
const BASE = "/ocs/:version/apps/files_sharing/api/v1/shares";
const VERSION = t.Union([t.Literal("v1.php"), t.Literal("v2.php")]);

/** Query and body together, as Nextcloud reads its parameters (form fields, JSON, or the query string). */
function paramsOf(request: Request, body: unknown): Params {
  const out: Params = {};
  for (const [k, v] of new URL(request.url).searchParams) out[k] = v;
  if (body && typeof body === "object" && !(body instanceof Uint8Array))
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      const first = Array.isArray(v) ? v[0] : v;
      if (typeof first === "string" || typeof first === "number" || typeof first === "boolean") out[k] = String(first);
    }
  return out;
}

/** A path as the apps send it ("/Photos/IMG_1.jpg", a folder with or without its slash) → names; `.` and `..` refused. */
function namesOf(path: string): string[] {
  const names = path.split("/").filter((n) => n !== "");
  if (names.some((n) => n === "." || n === "..")) throw new AppError(400, "“.” and “..” are not names: the path was refused.");
  return names.map((n) => n.normalize("NFC"));
}

/** Link permissions as Nextcloud numbers them: read (1), or create only (4: a drop box). The share bit is ignored. */
function uploadOnly(permissions: string | undefined, publicUpload: string | undefined): boolean {
  if (publicUpload === "true")
    throw new AppError(400, "A link here either shows what it shares or only accepts uploads (a file drop: permissions=4), not both.");
  if (permissions === undefined || permissions === "") return false;
  const p = Number(permissions) & ~SHARE_BIT;
  if (p === READ) return false;
  if (p === CREATE) return true;
  throw new AppError(400, "A link here is read only (permissions=1) or a file drop (permissions=4).");
}

/**
 * Links in Nextcloud's shape and Nextcloud's dates; `freshToken` gives a new link's token while it is still held.
 */
function linkFormat(deps: SharingDeps, freshToken: (linkId: string) => string | undefined) {
  const { drive, dav } = deps;

  /** "2026-12-24" (or the date of "2026-12-24 00:00:00", an ISO time…) → the end of that day in the box's zone. */
  function expiryOf(value: string): Date | null {
    if (value === "") return null;
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[ T])/.exec(value);
    const [y, mo, d] = m ? [Number(m[1]), Number(m[2]) - 1, Number(m[3])] : [0, 0, 0];
    const day = new Date(Date.UTC(y, mo, d));
    if (!m || day.getUTCFullYear() !== y || day.getUTCMonth() !== mo || day.getUTCDate() !== d)
      throw new AppError(400, "Invalid date: the format must be YYYY-MM-DD.");
    return startOfDay(new Date(Date.UTC(y, mo, d + 1)).toISOString().slice(0, 10), deps.timeZone());
  }
  /** The last day a link works, as Nextcloud writes expiry dates. */
  const expirationOf = (at: Date) => `${new Intl.DateTimeFormat("en-CA", { timeZone: deps.timeZone() }).format(new Date(at.getTime() - 1))} 00:00:00`;

  const spaceOf = (user: User, device: Device | null, request: Request) => ({ user, device, base: "/dav/", requestUrl: request.url });
  /** The item at a path of the person's files (folders shared with them included), as WebDAV walks it. */
  function itemAt(user: User, device: Device | null, request: Request, path: string | undefined): DriveFile {
    if (path === undefined) throw new AppError(400, "Please name a file or folder (path).");
    const { node } = dav.resolve(spaceOf(user, device, request), namesOf(path));
    if (!node) throw new AppError(404, "Wrong path, file/folder doesn't exist.");
    return node.item;
  }

  /** One link in Nextcloud's shape; null when its item is out of the person's reach (gone, in the trash). */
  function formatted(user: User, link: ShareLink, origin: string): Record<string, string | number | boolean | null> | null {
    if (!link.fileId) return null;
    let item: DriveFile;
    let crumbs: DriveFile[];
    try {
      item = drive.itemFor(user, link.fileId, "file.read");
      crumbs = drive.breadcrumbs(user, item.id);
    } catch {
      return null;
    }
    const token = freshToken(link.id) ?? null;
    const parent = crumbs.at(-2);
    const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
    return {
      id: String(link.seq),
      share_type: PUBLIC_LINK,
      uid_owner: user.username,
      displayname_owner: user.displayName,
      permissions: link.allowUpload ? CREATE : READ,
      can_edit: true,
      can_delete: true,
      stime: seconds(link.createdAt),
      parent: null,
      expiration: link.expiresAt ? expirationOf(link.expiresAt) : null,
      token,
      uid_file_owner: user.username,
      displayname_file_owner: user.displayName,
      note: "",
      label: "",
      path: `/${crumbs
        .slice(1)
        .map((c) => c.name)
        .join("/")}`,
      item_type: item.kind,
      mimetype: item.kind === "folder" ? "httpd/unix-directory" : (item.mime ?? "application/octet-stream"),
      has_preview: item.kind === "file" && /^(image|video)\//.test(item.mime ?? ""),
      storage_id: `home::${user.username}`,
      storage: 1,
      item_source: item.seq,
      file_source: item.seq,
      file_parent: parent?.seq ?? null,
      file_target: `/${item.name}`,
      item_size: item.size,
      item_mtime: seconds(item.updatedAt),
      share_with: null,
      share_with_displayname: null,
      password: link.passwordHash ? PASSWORD_SET : null,
      send_password_by_talk: false,
      url: token ? `${origin}/s/${token}` : null,
      mail_send: 0,
      hide_download: link.allowDownload ? 0 : 1,
    };
  }

  return { expiryOf, itemAt, formatted, spaceOf };
}

/** What each call of the API does: list, make, change; every decision Sharing's and the policy's. */
function linkApi(deps: SharingDeps) {
  const { share, dav } = deps;
  // A new link's token, held for FRESH_MS so the app that made it can read its address back (only the hash is stored).
  const fresh = new Map<string, { token: string; until: number }>();
  const freshToken = (linkId: string) => {
    const at = deps.now().getTime();
    for (const [id, f] of fresh) if (f.until <= at) fresh.delete(id);
    return fresh.get(linkId)?.token;
  };
  const { expiryOf, itemAt, formatted, spaceOf } = linkFormat(deps, freshToken);

  /** A link by its number, as the policy lets this person manage it; an ended or expired link is gone (404). */
  function manageable(user: User, id: string): ShareLink {
    const link = share.byNumber(user, /^\d{1,9}$/.test(id) ? Number(id) : 0);
    if (linkState(link, deps.now()) !== "active") throw notFound("This link");
    return link;
  }
  const writable = (user: User, device: Device | null, request: Request) => dav.writable(spaceOf(user, device, request));
  const origin = (request: Request) => new URL(request.url).origin;
  const ok = (request: Request, data: Parameters<typeof ocsResponse>[3]) => ocsResponse(request, 200, "OK", data);

  /** GET …/shares: the person's own live links; `path` narrows to one item, `subfiles=true` to the items in a folder. */
  function list(user: User, device: Device | null, request: Request, p: Params) {
    // Only public links are offered through this API; people share folders and albums with each other on the web.
    if (p.shared_with_me === "true") return ok(request, []);
    const target = p.path !== undefined ? itemAt(user, device, request, p.path) : null;
    if (p.subfiles === "true" && target?.kind !== "folder") throw new AppError(400, "Not a directory.");
    // One item's links (the app asks so for every file it shows) are picked before any is formatted (a lookup each).
    const links = share
      .ownLinks(user)
      .filter((l) => linkState(l, deps.now()) === "active" && l.fileId && (!target || p.subfiles === "true" || l.fileId === target.id));
    const shares = links
      .map((l) => formatted(user, l, origin(request)))
      .filter((s): s is NonNullable<typeof s> => s !== null)
      .filter((s) => !target || p.subfiles !== "true" || s.file_parent === target.seq);
    return ok(request, shares);
  }

  async function create(user: User, device: Device | null, request: Request, p: Params) {
    writable(user, device, request);
    if (Number(p.shareType) !== PUBLIC_LINK)
      throw new AppError(400, "Only public links (shareType 3) are made here; share with people on the box from its web pages.");
    if (p.note || p.label) throw new AppError(400, "Links on this box carry no note or label.");
    const item = itemAt(user, device, request, p.path);
    const { link, token } = await share.create(user, {
      fileId: item.id,
      password: p.password || undefined,
      expiresAt: p.expireDate ? expiryOf(p.expireDate) : null,
      allowUpload: uploadOnly(p.permissions, p.publicUpload),
      allowDownload: p.hideDownload !== "true",
    });
    fresh.set(link.id, { token, until: deps.now().getTime() + FRESH_MS });
    return ok(request, formatted(user, link, origin(request)));
  }

  async function update(user: User, device: Device | null, request: Request, id: string, p: Params) {
    writable(user, device, request);
    const link = manageable(user, id);
    if (p.note || p.label || p.hideDownload !== undefined)
      throw new AppError(400, "Only a link's password and expiry date can be changed here (a note, a label or hiding downloads cannot).");
    if (p.permissions !== undefined && uploadOnly(p.permissions, undefined) !== link.allowUpload)
      throw new AppError(400, "A link's kind (read only or file drop) cannot be changed: make a new link.");
    if (p.password === undefined && p.expireDate === undefined && p.permissions === undefined) throw new AppError(400, "Wrong or no update parameter given.");
    const keepPassword = p.password === PASSWORD_SET && !!link.passwordHash;
    const updated = await share.update(user, link.id, {
      ...(p.password !== undefined && !keepPassword ? { password: p.password || null } : {}),
      ...(p.expireDate !== undefined ? { expiresAt: expiryOf(p.expireDate) } : {}),
    });
    return ok(request, formatted(user, updated, origin(request)));
  }

  return { list, create, update, manageable, formatted, writable, origin, ok };
}

export function sharingRoutes(deps: SharingDeps) {
  const { list, create, update, manageable, formatted, writable, origin, ok } = linkApi(deps);
  const { share } = deps;
  return new Elysia({ name: "nextcloud-sharing" })
    .use(deps.access)
    .get(BASE, ({ request, user, viewer, body }) => list(user!, viewer!.device ?? null, request, paramsOf(request, body)), {
      device: true,
      params: t.Object({ version: VERSION }),
    })
    .post(BASE, ({ request, user, viewer, body }) => create(user!, viewer!.device ?? null, request, paramsOf(request, body)), {
      device: true,
      params: t.Object({ version: VERSION }),
      audit: { kind: "accounts", did: "made a share link from a device (Nextcloud's sharing API)", recordedByFeature: true },
    })
    .get(
      `${BASE}/:id`,
      ({ request, user, params }) => {
        const shared = formatted(user!, manageable(user!, params.id), origin(request));
        if (!shared) throw notFound("This link");
        return ok(request, [shared]);
      },
      { device: true, params: t.Object({ version: VERSION, id: t.String() }) },
    )
    .put(`${BASE}/:id`, ({ request, user, viewer, params, body }) => update(user!, viewer!.device ?? null, request, params.id, paramsOf(request, body)), {
      device: true,
      params: t.Object({ version: VERSION, id: t.String() }),
      audit: { kind: "accounts", did: "changed a share link from a device (Nextcloud's sharing API)" },
    })
    .delete(
      `${BASE}/:id`,
      ({ request, user, viewer, params }) => {
        writable(user!, viewer!.device ?? null, request);
        share.revoke(user!, manageable(user!, params.id).id);
        return ok(request, []);
      },
      {
        device: true,
        params: t.Object({ version: VERSION, id: t.String() }),
        audit: { kind: "accounts", did: "revoked a share link from a device (Nextcloud's sharing API)", recordedByFeature: true },
      },
    );
}
