// The authorization matrix of Sharing, generated from the app's route table: every route × every principal → the
// expected status, all asserted. Link routes and share-management routes need an explicit row here (the test fails
// on one without); every other route gets its row from its declared access level, and a share link's credentials
// must never change its answer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hmac } from "../auth/crypto";
import { routeAccess } from "../http/access";
import { TEST_ORIGIN } from "../testing";
import { GPS_PHOTO, PASSWORD, shareFixture, type ShareFixture } from "./fixture";
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
    const secret = drive.itemFor(f.alice, outside.id, "read");
    expect([secret.name, secret.parentId, secret.starred, secret.trashedAt]).toEqual(["secret.txt", outside.folder, false, null]);
    expect(drive.itemFor(f.alice, outside.folder, "read").name).toBe("Private");
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
