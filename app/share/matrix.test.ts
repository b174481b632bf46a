// The authorization matrix of Sharing, twice. First generated from the app's route table: every route × every
// principal → the expected status, all asserted. Link routes and share-management routes need an explicit row here
// (the test fails on one without); every other route gets its row from its declared access level, and a share link's
// credentials must never change its answer. Then asked of the access policy (app/access) directly: every permission ×
// every kind of viewer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Permission } from "../access/permissions";
import { requireAdmin } from "../access/policy";
import type { Viewer } from "../access/viewer";
import { hmac } from "../platform/crypto";
import type { User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { routeAccess } from "../platform/http/access";
import { createTestApp, TEST_ORIGIN } from "../../test/support/app";
import { GPS_PHOTO, OTHER_PHOTO, PASSWORD, shareFixture, type ShareFixture } from "../../test/support/share";
import { UNLOCK_COOKIE } from "./routes";

const PRINCIPALS = [
  "anonymous",
  "other user",
  "user with read share",
  "user with write share",
  "link without password",
  "link with wrong password",
  "link with password",
  "expired link",
  "revoked link",
  "link to a sibling folder",
  "view-only link",
  "owner",
  "album link with password",
  "link to a sibling album",
  "drop-box link",
] as const;
type Principal = (typeof PRINCIPALS)[number];
const LINK_PRINCIPALS = PRINCIPALS.filter((p) => p.includes("link"));
type Row = Record<Principal, number>;
/** Columns in PRINCIPALS order. */
const row = (...s: number[]): Row => Object.fromEntries(PRINCIPALS.map((p, i) => [p, s[i]!])) as Row;

// The people who hold a folder share get nothing from it on a link page: only the link decides there. Sharing a
// link, or the folder with someone, is the owner's alone (a recipient can see the folder: 403, others: 404).
// anonymous, other, read share, write share, nopw, wrongpw, pw, expired, revoked, sibling, view-only, owner
const EXPLICIT: Record<string, Row> = {
  "GET /s/:token/": row(404, 401, 401, 401, 200, 401, 200, 410, 410, 200, 200, 401, 200, 200, 200),
  "POST /s/:token/unlock": row(404, 403, 403, 403, 303, 403, 303, 410, 410, 303, 303, 403, 303, 303, 303),
  "GET /s/:token/f/:id": row(404, 403, 403, 403, 200, 403, 200, 410, 410, 404, 200, 403, 404, 404, 403),
  "GET /s/:token/v/:id": row(404, 403, 403, 403, 200, 403, 200, 410, 410, 404, 200, 403, 404, 404, 403),
  "GET /s/:token/thumb/:id": row(404, 403, 403, 403, 200, 403, 200, 410, 410, 404, 200, 403, 200, 404, 403),
  "GET /s/:token/content/:id": row(404, 403, 403, 403, 200, 403, 200, 410, 410, 404, 403, 403, 200, 404, 403),
  "GET /s/:token/zip": row(404, 403, 403, 403, 200, 403, 200, 410, 410, 200, 403, 403, 200, 200, 403),
  "GET /shared/assets/share.css": row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
  "GET /shared/": row(401, 200, 200, 200, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "GET /shared/new": row(401, 404, 403, 403, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "POST /shared/": row(401, 404, 403, 403, 401, 401, 401, 401, 401, 401, 401, 201, 401, 401, 401),
  "POST /shared/:id/revoke": row(401, 404, 404, 404, 401, 401, 401, 401, 401, 401, 401, 303, 401, 401, 401),
  "POST /shared/users": row(401, 404, 403, 403, 401, 401, 401, 401, 401, 401, 401, 303, 401, 401, 401),
  "POST /shared/users/:id/remove": row(401, 404, 404, 404, 401, 401, 401, 401, 401, 401, 401, 303, 401, 401, 401),
  "GET /api/v1/shares": row(401, 200, 200, 200, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "POST /api/v1/shares": row(401, 404, 403, 403, 401, 401, 401, 401, 401, 401, 401, 201, 401, 401, 401),
  "DELETE /api/v1/shares/:id": row(401, 404, 404, 404, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "GET /api/v1/shares/users": row(401, 200, 200, 200, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "POST /api/v1/shares/users": row(401, 404, 403, 403, 401, 401, 401, 401, 401, 401, 401, 201, 401, 401, 401),
  "DELETE /api/v1/shares/users/:id": row(401, 404, 404, 404, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "POST /s/:token/upload": row(404, 403, 403, 403, 403, 403, 403, 410, 410, 403, 403, 403, 403, 403, 200),
  // Albums shared between users: carol may view Trip, dave may also add to it (the read and write shares' people).
  "POST /shared/albums": row(401, 404, 403, 403, 401, 401, 401, 401, 401, 401, 401, 303, 401, 401, 401),
  "POST /shared/albums/:id/remove": row(401, 404, 404, 404, 401, 401, 401, 401, 401, 401, 401, 303, 401, 401, 401),
  "GET /photos/shared": row(401, 200, 200, 200, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "GET /photos/shared/albums/:id": row(401, 404, 200, 200, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "GET /photos/shared/albums/:id/thumb/:fileId": row(401, 404, 200, 200, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "GET /photos/shared/albums/:id/content/:fileId": row(401, 404, 200, 200, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "POST /photos/shared/albums/:id/upload": row(401, 404, 403, 303, 401, 401, 401, 401, 401, 401, 401, 303, 401, 401, 401),
  // A contributor removes only what they added: the owner's photo is not dave's.
  "POST /photos/shared/albums/:id/remove": row(401, 404, 403, 403, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "GET /api/v1/shares/albums": row(401, 200, 200, 200, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "POST /api/v1/shares/albums": row(401, 404, 403, 403, 401, 401, 401, 401, 401, 401, 401, 201, 401, 401, 401),
  "DELETE /api/v1/shares/albums/:id": row(401, 404, 404, 404, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
  "GET /api/v1/admin/shares": row(401, 403, 403, 403, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401),
};
const isShareRoute = (path: string) => /^\/(s\/|shared(\/|$)|photos\/shared|api\/v1\/(admin\/)?shares)/.test(path);

let f: ShareFixture;
let unlockCookie: string;
let albumUnlockCookie: string;
beforeAll(async () => {
  f = await shareFixture();
  const { share } = f.t.services;
  unlockCookie = await share.unlock(share.open(f.links.locked.token), PASSWORD, "127.0.0.1");
  albumUnlockCookie = await share.unlock(share.open(f.links.albumLocked.token), PASSWORD, "127.0.0.1");
});
afterAll(() => f.t.cleanup());

const methodsOf = (method: string) => (method === "ALL" ? ["GET", "POST", "PATCH", "DELETE"] : [method]);

/** The request a principal sends to a route: its credentials, and a link token and item ids that fit the route. */
type Victims = { page: string; api: string; grant: string; albumGrant?: string };
function requestFor(p: Principal, method: string, path: string, victims: Victims) {
  const { links, items } = f;
  const pre = `pre-${p.replace(/\W/g, "")}`;
  const anonymous = { cookie: `nas_pre=${pre}`, origin: TEST_ORIGIN, "sec-fetch-site": "same-origin", "x-csrf-token": hmac(f.t.secret, `csrf:${pre}`) };
  const token = {
    anonymous: "A".repeat(43),
    owner: links.locked.token,
    "other user": links.locked.token,
    "user with read share": links.locked.token,
    "user with write share": links.locked.token,
    "link without password": links.open.token,
    "link with wrong password": links.locked.token,
    "link with password": links.locked.token,
    "expired link": links.expired.token,
    "revoked link": links.revoked.token,
    "link to a sibling folder": links.sibling.token,
    "view-only link": links.viewOnly.token,
    "album link with password": links.albumLocked.token,
    "link to a sibling album": links.siblingAlbum.token,
    "drop-box link": links.dropBox.token,
  }[p];
  const cookie =
    p === "link with password"
      ? `${UNLOCK_COOKIE}=${unlockCookie}`
      : p === "album link with password"
        ? `${UNLOCK_COOKIE}=${albumUnlockCookie}`
        : p === "link with wrong password"
          ? `${UNLOCK_COOKIE}=forged`
          : null;
  const users = { owner: f.alice, "other user": f.bob, "user with read share": f.carol, "user with write share": f.dave } as Record<string, typeof f.alice>;
  let headers: Record<string, string> = users[p] ? f.t.signIn(users[p]!) : anonymous;
  if (cookie) headers = { ...headers, cookie: `${headers.cookie}; ${cookie}` };
  const url = path
    .replace(":token", token)
    .replace(/\/f\/:id$/, `/f/${items.sub!.id}`)
    .replace(/\/(v|thumb|content)\/:id$/, `/$1/${items.photo!.id}`)
    .replace("/photos/shared/albums/:id", `/photos/shared/albums/${f.albums.trip!.id}`)
    .replace("/shared/albums/:id/remove", `/shared/albums/${victims.albumGrant ?? "x"}/remove`)
    .replace(/\/(thumb|content)\/:fileId$/, `/$1/${items.photo!.id}`)
    .replace(/^(\/s\/[^/]+\/upload)$/, "$1?name=dropped.txt")
    .replace("/shared/users/:id/remove", `/shared/users/${victims.grant}/remove`)
    .replace("/shares/users/:id", `/shares/users/${victims.grant}`)
    .replace("/shares/albums/:id", `/shares/albums/${victims.albumGrant ?? "x"}`)
    .replace("/shared/:id/revoke", `/shared/${victims.page}/revoke`)
    .replace("/shares/:id", `/shares/${victims.api}`)
    .replace("/shared/new", `/shared/new?fileId=${items.holiday!.id}`)
    .replace(/:[A-Za-z]+\??/g, "x")
    .replace(/\*/g, "x");
  const rightPassword = p === "link with password" || p === "album link with password" || (p.includes("link") && !p.includes("password"));
  if (path === "/photos/shared/albums/:id/upload" && method === "POST") {
    const form = new FormData();
    form.set("file", new File([GPS_PHOTO], "added.jpg", { type: "image/jpeg" }));
    return { url, init: { method, headers: { ...headers, accept: "application/json" }, body: form as unknown as string } };
  }
  const body =
    method === "GET" || method === "HEAD"
      ? undefined
      : path.endsWith("/unlock")
        ? JSON.stringify({ password: rightPassword ? PASSWORD : "wrong" })
        : path.endsWith("/users")
          ? JSON.stringify({ folderId: items.holiday!.id, username: "eve", access: "read" })
          : path === "/shared/albums" || path === "/api/v1/shares/albums"
            ? JSON.stringify({ albumId: f.albums.trip!.id, username: "eve", access: "view" })
            : path.endsWith("/remove") && path.startsWith("/photos/")
              ? JSON.stringify({ ids: [items.photo!.id] })
              : path.endsWith("/upload")
                ? "dropped through the link"
                : JSON.stringify({ fileId: items.holiday!.id });
  return { url, init: { method, headers: { ...headers, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) }, body } };
}

describe("the sharing authorization matrix", () => {
  test("every link and share route has an explicit row, and every row a route", () => {
    const routes = f.t.app.routes.map((r) => `${r.method} ${r.path}`);
    const shareRoutes = f.t.app.routes.filter((r) => isShareRoute(r.path) || routeAccess(r) === "link").map((r) => `${r.method} ${r.path}`);
    expect(shareRoutes.filter((r) => !EXPLICIT[r])).toEqual([]);
    expect(Object.keys(EXPLICIT).filter((k) => !routes.includes(k))).toEqual([]);
    // Every route under /s/ declares itself a link route, so it cannot be mistaken for an ordinary public page.
    expect(f.t.app.routes.filter((r) => r.path.startsWith("/s/") && routeAccess(r) !== "link").map((r) => r.path)).toEqual([]);
  });

  test("link and share routes: every principal gets exactly its expected status", async () => {
    const wrong: string[] = [];
    let n = 0;
    for (const r of f.t.app.routes.filter((r) => EXPLICIT[`${r.method} ${r.path}`])) {
      const expected = EXPLICIT[`${r.method} ${r.path}`]!;
      for (const p of PRINCIPALS) {
        f.t.setIp(`10.9.${PRINCIPALS.indexOf(p)}.${n++ % 250}`);
        // Each principal may revoke a link of its own choosing: a fresh one, so the owner's success changes nothing else.
        const victims = {
          page: (await f.t.services.share.create(f.alice, { fileId: f.items.note!.id })).link.id,
          api: (await f.t.services.share.create(f.alice, { fileId: f.items.note!.id })).link.id,
          grant: f.t.services.share.shareWithUser(f.alice, { folderId: f.items.sub!.id, username: "eve", access: "read" }).id,
          albumGrant: f.t.services.share.shareAlbumWithUser(f.alice, { albumId: f.albums.other!.id, username: "eve", access: "view" }).id,
        };
        const { url, init } = requestFor(p, r.method, r.path, victims);
        const res = await f.t.request(url, init);
        await res.arrayBuffer();
        // The owner's removal from Trip must not change what the next principal finds there.
        f.t.services.photos.addToAlbum(f.alice, f.albums.trip!.id, [f.items.photo!.id]);
        if (res.status !== expected[p]) wrong.push(`${r.method} ${r.path} as ${p}: ${res.status}, expected ${expected[p]}`);
        if (r.path.startsWith("/s/") && res.headers.get("referrer-policy") !== "no-referrer")
          wrong.push(`${r.method} ${r.path} as ${p}: Referrer-Policy ${res.headers.get("referrer-policy")}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  test("a folder share opens nothing else: every user route, given the owner's other items by id, leaks and changes nothing", async () => {
    const { drive } = f.t.services;
    const outside = { id: f.items.secret!.id, folder: f.items.privateFolder!.id };
    const wrong: string[] = [];
    for (const r of f.t.app.routes.filter((r) => routeAccess(r) === "user" && !EXPLICIT[`${r.method} ${r.path}`])) {
      for (const method of methodsOf(r.method)) {
        for (const p of ["other user", "user with read share", "user with write share"] as const) {
          const q = requestFor(p, method, r.path, { page: "x", api: "x", grant: "x" });
          const url = r.path
            .replace(/\/f\/:folderId$/, `/f/${outside.folder}`)
            .replace(/:[A-Za-z]+\??/g, outside.id)
            .replace(/\*/g, outside.id);
          const sep = url.includes("?") ? "&" : "?";
          const query = `${sep}ids=${outside.id}&parentId=${outside.folder}&at=${outside.folder}&q=secret`;
          const body =
            method === "GET"
              ? undefined
              : JSON.stringify({ ids: [outside.id], targetId: outside.folder, parentId: outside.folder, name: "pwned", starred: true });
          const res = await f.t.request(url + query, { ...q.init, body, headers: { ...q.init.headers, "content-type": "application/json" } });
          const text = await res.text();
          if (text.includes("secret.txt") || text.includes("the owner's other files")) wrong.push(`${method} ${r.path} as ${p}: leaked (${res.status})`);
          if (res.status < 400 && /\/(files|preview|thumb|zip|f)\b/.test(r.path)) wrong.push(`${method} ${r.path} as ${p}: ${res.status}`);
        }
      }
    }
    const secret = drive.itemFor(f.alice, outside.id, "file.read");
    expect([secret.name, secret.parentId, secret.starred, secret.trashedAt]).toEqual(["secret.txt", outside.folder, false, null]);
    expect(drive.itemFor(f.alice, outside.folder, "file.read").name).toBe("Private");
    expect(drive.list(f.alice, outside.folder, { sort: "name", desc: false, offset: 0, limit: 10 }).items.map((i) => i.name)).toEqual(["secret.txt"]);
    expect(wrong).toEqual([]);
  }, 120_000);

  test("every other route: its declared access decides, and a share link's credentials change nothing", async () => {
    const others = f.t.app.routes.filter((r) => !EXPLICIT[`${r.method} ${r.path}`]);
    expect(others.length).toBeGreaterThan(80);
    const wrong: string[] = [];
    for (const r of others) {
      const access = routeAccess(r);
      for (const method of methodsOf(r.method)) {
        // A native client's public endpoint (app/dav) reads no cookie: like a public page.
        if (access === "public" || access === "client") {
          // Public pages answer the same with or without a link's cookie (each from its own address: no shared rate limit).
          f.t.setIp("10.8.0.1");
          const a = requestFor("anonymous", method, r.path, { page: "x", api: "x", grant: "x" });
          const base = (await f.t.request(a.url, a.init)).status;
          for (const p of LINK_PRINCIPALS) {
            f.t.setIp(`10.8.${LINK_PRINCIPALS.indexOf(p) + 1}.1`);
            const q = requestFor(p, method, r.path, { page: "x", api: "x", grant: "x" });
            const status = (await f.t.request(q.url.replace(/\/s\/[^/]+/, "/s/x"), q.init)).status;
            if (status !== base) wrong.push(`${method} ${r.path} as ${p}: ${status}, anonymous ${base}`);
          }
          continue;
        }
        const expected: Partial<Row> = {
          anonymous: 401,
          ...Object.fromEntries(LINK_PRINCIPALS.map((p) => [p, 401])),
          ...(access === "admin" ? { "other user": 403 } : {}),
          // WebDAV and the Nextcloud API need a device's app password: a signed-in browser's cookie is no sign-in there.
          ...(access === "device" ? { "other user": 401 } : {}),
        };
        for (const p of Object.keys(expected) as Principal[]) {
          const q = requestFor(p, method, r.path, { page: "x", api: "x", grant: "x" });
          const status = (await f.t.request(q.url, q.init)).status;
          if (status !== expected[p]) wrong.push(`${method} ${r.path} as ${p}: ${status}, expected ${expected[p]}`);
        }
        if (access !== "user" && access !== "admin" && access !== "device") wrong.push(`${method} ${r.path}: no access level`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});

// The same rules asked of the access policy directly: every permission × every kind of viewer → 200 (allowed), 403
// (may see it, may not do this) or 404 (may not know it exists). Routes reach these answers through Drive, Photos and
// Sharing; a new way in (WebDAV) asks the same policy, so this table is its contract too.
describe("the access policy's matrix", () => {
  const VIEWERS = [
    "owner",
    "admin",
    "other user",
    "read share",
    "write share",
    "album viewer",
    "album contributor",
    "folder link",
    "view-only link",
    "metadata link",
    "drop-box link",
    "album link",
    "revoked link",
    "expired link",
    "anonymous",
  ] as const;
  type Who = (typeof VIEWERS)[number];
  type Expect = Record<Who, number>;
  /** Columns in VIEWERS order. */
  const cols = (...s: number[]): Expect => Object.fromEntries(VIEWERS.map((v, i) => [v, s[i]!])) as Expect;

  let p: Awaited<ReturnType<typeof policyFixture>>;
  beforeAll(async () => {
    p = await policyFixture();
  });
  afterAll(() => p.t.cleanup());

  async function policyFixture() {
    let clock = Date.now();
    const t = createTestApp({ deps: { now: () => new Date(clock) } });
    const { drive, share, photos, access } = t.services;
    const alice = t.createUser("alice");
    const people = {
      admin: t.createAdmin("root"),
      other: t.createUser("bob"),
      read: t.createUser("rita"),
      write: t.createUser("wes"),
      viewer: t.createUser("vic"),
      contributor: t.createUser("cory"),
    };
    const put = (user: User, parentId: string, name: string, content: Uint8Array | string) =>
      drive.upload(
        user,
        { parentId, name, conflict: "fail" },
        (async function* () {
          yield typeof content === "string" ? new TextEncoder().encode(content) : content;
        })(),
      );
    const holiday = drive.mkdir(alice, undefined, "Holiday");
    const sub = drive.mkdir(alice, holiday.id, "Day 2");
    const photo = await put(alice, holiday.id, "beach.jpg", GPS_PHOTO);
    const trashed = await put(alice, holiday.id, "deleted.txt", "gone");
    drive.moveToTrash(alice, [trashed.id]);
    const secret = await put(alice, drive.mkdir(alice, undefined, "Private").id, "secret.txt", "the owner's other files");
    const readGrant = share.shareWithUser(alice, { folderId: holiday.id, username: "rita", access: "read" });
    share.shareWithUser(alice, { folderId: holiday.id, username: "wes", access: "write" });
    const trip = photos.createAlbum(alice, "Trip", [photo.id]);
    const other = photos.createAlbum(alice, "Other");
    const viewGrant = share.shareAlbumWithUser(alice, { albumId: trip.id, username: "vic", access: "view" });
    share.shareAlbumWithUser(alice, { albumId: trip.id, username: "cory", access: "contribute" });
    const corys = await put(people.contributor, drive.rootOf(people.contributor).id, "cory.jpg", OTHER_PHOTO);
    photos.addToAlbum(people.contributor, trip.id, [corys.id]);
    const links = {
      folder: (await share.create(alice, { fileId: holiday.id })).link,
      viewOnly: (await share.create(alice, { fileId: holiday.id, allowDownload: false })).link,
      metadata: (await share.create(alice, { fileId: holiday.id, allowMetadata: true })).link,
      dropBox: (await share.create(alice, { fileId: holiday.id, allowUpload: true })).link,
      album: (await share.create(alice, { albumId: trip.id })).link,
      revoked: (await share.create(alice, { fileId: holiday.id })).link,
      expired: (await share.create(alice, { fileId: holiday.id, expiresAt: new Date(clock + 60_000) })).link,
    };
    share.revoke(alice, links.revoked.id);
    clock += 120_000;
    drive.beginResumable(alice, "u".repeat(32), { parentId: holiday.id, name: "big.bin", length: 10, conflict: "rename" });
    // A WebDAV lock alice took on the shared folder (app/dav): hers to use, whoever else holds its token.
    const lock = t.services.dav.locks.create({
      fileId: holiday.id,
      userId: alice.id,
      scope: "exclusive",
      depth: "infinity",
      owner: null,
      root: "/dav/Holiday/",
      timeoutSeconds: 600,
    });
    const viewers: Record<Who, Viewer> = {
      owner: alice,
      admin: people.admin,
      "other user": people.other,
      "read share": people.read,
      "write share": people.write,
      "album viewer": people.viewer,
      "album contributor": people.contributor,
      "folder link": { link: links.folder },
      "view-only link": { link: links.viewOnly },
      "metadata link": { link: links.metadata },
      "drop-box link": { link: links.dropBox },
      "album link": { link: links.album },
      "revoked link": { link: links.revoked },
      "expired link": { link: links.expired },
      anonymous: null,
    };
    return {
      t,
      access,
      viewers,
      items: { holiday, sub, photo, trashed, secret, corys },
      albums: { trip, other },
      links,
      grants: { read: readGrant.id, view: viewGrant.id },
      upload: "u".repeat(32),
      lock: lock.token,
      // A person of alice's People (app/people): hers alone.
      person: t.db.$client
        .query("INSERT INTO people (id, user_id, hidden, created_at, updated_at) VALUES ('person-1', ?, 0, 0, 0) RETURNING id")
        .get(alice.id) as {
        id: string;
      },
    };
  }

  type Case = { permission: Permission; target: () => string; options?: { trashed?: boolean }; album?: () => string; expect: Expect; why?: string };
  // owner, admin, other, read share, write share, album viewer, contributor, folder link, view-only, metadata, drop box, album link, revoked, expired, anonymous
  const CASES: Case[] = [
    { permission: "file.read", target: () => p.items.photo.id, expect: cols(200, 404, 404, 200, 200, 404, 404, 200, 200, 200, 403, 404, 404, 404, 404) },
    { permission: "file.read", target: () => p.items.sub.id, expect: cols(200, 404, 404, 200, 200, 404, 404, 200, 200, 200, 403, 404, 404, 404, 404) },
    { permission: "file.read", target: () => p.items.secret.id, expect: cols(200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404) },
    { permission: "file.read", target: () => p.items.trashed.id, expect: cols(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404) },
    {
      permission: "file.read",
      target: () => p.items.trashed.id,
      options: { trashed: true },
      expect: cols(200, 404, 404, 200, 200, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404),
      why: "the trash's pages: people reach it when they ask, a link never",
    },
    { permission: "file.write", target: () => p.items.holiday.id, expect: cols(200, 404, 404, 404, 200, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404) },
    { permission: "file.write", target: () => p.items.sub.id, expect: cols(200, 404, 404, 404, 200, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404) },
    { permission: "file.manage", target: () => p.items.holiday.id, expect: cols(200, 404, 404, 404, 403, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404) },
    { permission: "file.manage", target: () => p.items.photo.id, expect: cols(200, 404, 404, 404, 200, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404) },
    { permission: "file.star", target: () => p.items.photo.id, expect: cols(200, 404, 404, 404, 403, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404) },
    {
      permission: "file.restore",
      target: () => p.items.trashed.id,
      options: { trashed: true },
      expect: cols(200, 404, 404, 404, 403, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404),
    },
    {
      permission: "file.purge",
      target: () => p.items.trashed.id,
      options: { trashed: true },
      expect: cols(200, 404, 404, 404, 403, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404),
    },
    { permission: "file.share", target: () => p.items.holiday.id, expect: cols(200, 404, 404, 403, 403, 404, 404, 403, 403, 403, 403, 404, 404, 404, 404) },
    { permission: "folder.share", target: () => p.items.holiday.id, expect: cols(200, 404, 404, 403, 403, 404, 404, 403, 403, 403, 403, 404, 404, 404, 404) },
    { permission: "album.view", target: () => p.albums.trip.id, expect: cols(200, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404, 200, 404, 404, 404) },
    { permission: "album.view", target: () => p.albums.other.id, expect: cols(200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404) },
    { permission: "album.contribute", target: () => p.albums.trip.id, expect: cols(200, 404, 404, 404, 404, 403, 200, 404, 404, 404, 404, 403, 404, 404, 404) },
    { permission: "album.own", target: () => p.albums.trip.id, expect: cols(200, 404, 404, 404, 404, 403, 403, 404, 404, 404, 404, 403, 404, 404, 404) },
    {
      permission: "album.item.remove",
      target: () => p.items.photo.id,
      album: () => p.albums.trip.id,
      expect: cols(200, 404, 404, 404, 404, 403, 403, 404, 404, 404, 404, 404, 404, 404, 404),
      why: "the owner's photo: only the owner takes it out",
    },
    {
      permission: "album.item.remove",
      target: () => p.items.corys.id,
      album: () => p.albums.trip.id,
      expect: cols(200, 404, 404, 404, 404, 403, 200, 404, 404, 404, 404, 404, 404, 404, 404),
      why: "a contributor takes out what they added",
    },
    { permission: "link.download", target: () => p.links.folder.id, expect: cols(404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404, 404, 404, 404) },
    { permission: "link.download", target: () => own(), expect: cols(404, 404, 404, 404, 404, 404, 404, 200, 403, 200, 200, 200, 404, 404, 404) },
    { permission: "link.original", target: () => own(), expect: cols(404, 404, 404, 404, 404, 404, 404, 200, 403, 200, 200, 200, 404, 404, 404) },
    { permission: "link.metadata", target: () => own(), expect: cols(404, 404, 404, 404, 404, 404, 404, 403, 403, 200, 403, 403, 404, 404, 404) },
    { permission: "link.upload", target: () => own(), expect: cols(404, 404, 404, 404, 404, 404, 404, 403, 403, 403, 200, 403, 404, 404, 404) },
    { permission: "link.manage", target: () => p.links.folder.id, expect: cols(200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404) },
    { permission: "folderShare.manage", target: () => p.grants.read, expect: cols(200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404) },
    { permission: "albumShare.manage", target: () => p.grants.view, expect: cols(200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404) },
    { permission: "upload.resume", target: () => p.upload, expect: cols(200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404) },
    {
      permission: "lock.use",
      target: () => p.lock,
      expect: cols(200, 404, 404, 403, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
      why: "a WebDAV lock: whoever may read the locked folder sees it is alice's",
    },
    {
      permission: "file.people",
      target: () => p.items.photo.id,
      expect: cols(200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404),
      why: "who is in a photo is its owner's alone: never a share's, an album's or a link's",
    },
    {
      permission: "file.edit",
      target: () => p.items.photo.id,
      expect: cols(200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404),
      why: "a photo's edit is its owner's alone: a share or a link sees the edited version, never edits it",
    },
    { permission: "person.own", target: () => p.person.id, expect: cols(200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404) },
    {
      permission: "partner.library",
      target: () => (p.viewers.owner as User).id,
      expect: cols(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
      why: "alice shares her library with nobody here: no share, album or link opens it (app/access/policy.test.ts has her partner)",
    },
    {
      permission: "partner.photo",
      target: () => p.items.photo.id,
      expect: cols(200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
      why: "a folder share, an album or a link never makes a partner",
    },
  ];
  /** The link the viewer being asked about holds (a made-up id for people and nobody). */
  let asking: Who = "owner";
  const own = () => (p.viewers[asking] as { link?: { id: string } } | null)?.link?.id ?? "no-link";

  const statusOf = (fn: () => unknown) => {
    try {
      fn();
      return 200;
    } catch (e) {
      if (e instanceof AppError) return e.status;
      throw e;
    }
  };

  test("every permission × every viewer: exactly the expected answer, and allowed() agrees with require()", () => {
    const wrong: string[] = [];
    for (const c of CASES) {
      for (const who of VIEWERS) {
        asking = who;
        const viewer = p.viewers[who];
        const id = c.target();
        const scope = (c.album ? [{ album: c.album() }] : c.options ? [c.options] : []) as [];
        const status = statusOf(() => p.access.require(viewer, c.permission, [id], ...scope));
        const allowed = p.access.allowed(viewer, c.permission, [id], ...scope).has(id);
        if (status !== c.expect[who]) wrong.push(`${c.permission} ${c.why ?? ""} as ${who}: ${status}, expected ${c.expect[who]}`);
        if (allowed !== (status === 200)) wrong.push(`${c.permission} as ${who}: allowed() says ${allowed}, require() ${status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(CASES.length * VIEWERS.length).toBeGreaterThan(400);
  });

  test("every permission has a row, and the administrator's role is the administrator's alone", () => {
    const PERMISSIONS: Record<Permission, true> = {
      "file.read": true,
      "file.write": true,
      "file.manage": true,
      "file.star": true,
      "file.restore": true,
      "file.purge": true,
      "file.share": true,
      "folder.share": true,
      "album.view": true,
      "album.contribute": true,
      "album.own": true,
      "album.item.remove": true,
      "link.download": true,
      "link.original": true,
      "link.upload": true,
      "link.metadata": true,
      "link.manage": true,
      "folderShare.manage": true,
      "albumShare.manage": true,
      "upload.resume": true,
      "lock.use": true,
      "file.people": true,
      "file.edit": true,
      "person.own": true,
      "partner.library": true,
      "partner.photo": true,
    };
    expect(Object.keys(PERMISSIONS).filter((perm) => !CASES.some((c) => c.permission === perm))).toEqual([]);
    const admins = VIEWERS.filter((who) => statusOf(() => requireAdmin(p.viewers[who])) === 200);
    expect(admins).toEqual(["admin"]);
    expect(VIEWERS.map((who) => statusOf(() => requireAdmin(p.viewers[who]))).filter((s) => s !== 200 && s !== 403)).toEqual([]);
  });
});
