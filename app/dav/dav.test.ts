// WebDAV through the app (request in, response out), with real SQLite and real files: app passwords and the bad
// input the issue lists. Real clients (litmus, rclone, nextcloudcmd) run in the *.e2e.test.ts files beside this one.
import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../platform/crypto";
import type { User } from "../platform/db/schema";
import QRCode from "qrcode";
import { createTestApp, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

const basic = (user: User, password: string) => `Basic ${Buffer.from(`${user.username}:${password}`).toString("base64")}`;

function setup(opts: { now?: () => Date } = {}) {
  t = createTestApp({ deps: opts.now ? { now: opts.now } : {} });
  const alice = t.createAdmin("alice");
  const { password, device } = t.services.devices.create(alice.id, "Pixel 8");
  const auth = basic(alice, password);
  const dav = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    t.request(`/dav/${path}`, { ...init, headers: { authorization: auth, ...init.headers } });
  return { alice, password, device, auth, dav };
}
const text = (res: Response) => res.text();
const tmpFiles = (userId: string) => {
  try {
    return readdirSync(join(t.dataDir, "users", userId, "tmp"));
  } catch {
    return [];
  }
};

describe("app passwords", () => {
  test("shown once, stored as a hash, last use and address recorded; revoking ends the next request", async () => {
    const { alice, password, device, dav } = setup();
    const row = t.db.$client.query("SELECT * FROM app_tokens WHERE id = ?").get(device.id) as Record<string, unknown>;
    expect(row.token_hash).toBe(sha256(password));
    expect(JSON.stringify(row)).not.toContain(password);
    expect(password).toMatch(/^[a-z2-9]{6}(-[a-z2-9]{6}){4}$/);
    expect((await dav("", { method: "PROPFIND", headers: { depth: "0" } })).status).toBe(207);
    const used = t.services.devices.byId(alice.id, device.id)!;
    expect(used.lastUsedAt).not.toBeNull();
    expect(used.lastUsedIp).toBe("127.0.0.1");
    // A phone keyboard capitalises the first letter: still the same password.
    const capitalised = basic(alice, password[0]!.toUpperCase() + password.slice(1));
    expect((await t.request("/dav/", { method: "PROPFIND", headers: { authorization: capitalised, depth: "0" } })).status).toBe(207);
    expect((await dav("a.txt", { method: "PUT", body: "one" })).status).toBe(201);
    t.services.devices.revoke(alice.id, device.id);
    const after = await dav("b.txt", { method: "PUT", body: "two" });
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toContain("Basic");
    expect(await text(after)).toContain("revoked");
    expect(t.services.drive.list(alice, undefined, { sort: "name", desc: false, offset: 0, limit: 10 }).items.map((i) => i.name)).toEqual(["a.txt"]);
  });

  test("plain HTTP from another machine is refused before the password is looked at; HTTPS and loopback work", async () => {
    const { auth } = setup();
    t.setIp("192.168.1.20");
    const plain = await t.request("/dav/", { method: "PROPFIND", headers: { authorization: auth, depth: "0" } });
    expect(plain.status).toBe(403);
    expect(await text(plain)).toContain("HTTPS");
    const secure = await t.app.handle(new Request("https://nas.local/dav/", { method: "PROPFIND", headers: { authorization: auth, depth: "0" } }));
    expect(secure.status).toBe(207);
  });

  test("a read-only device reads and cannot write", async () => {
    const { alice, dav } = setup();
    expect((await dav("x.txt", { method: "PUT", body: "x" })).status).toBe(201);
    const reader = basic(alice, t.services.devices.create(alice.id, "TV", "files-read").password);
    expect((await t.request("/dav/x.txt", { headers: { authorization: reader } })).status).toBe(200);
    for (const method of ["PUT", "DELETE", "MKCOL", "PROPPATCH", "LOCK"]) {
      const res = await t.request(`/dav/${method === "MKCOL" ? "newdir" : "x.txt"}`, { method, headers: { authorization: reader } });
      expect(res.status).toBe(403);
    }
  });

  test("300 guesses at once: counted before any check, so at most the limit are checked; the right password among them is refused too", async () => {
    const { alice, password } = setup();
    t.setIp("10.0.0.9"); // the limit per address is 30, per account 10
    const guesses = Array.from({ length: 300 }, (_, i) => (i === 250 ? password : `wrong-${i}`));
    const responses = await Promise.all(
      guesses.map((p) => t.app.handle(new Request("https://nas.local/dav/", { method: "PROPFIND", headers: { authorization: basic(alice, p), depth: "0" } }))),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBe(10);
    expect(statuses.filter((s) => s === 429).length).toBe(290);
    expect(statuses[250]).toBe(429);
    expect(Number(responses[250]!.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("guessing from elsewhere does not lock out a device that signed in from its own address", async () => {
    const { alice, auth } = setup();
    t.setIp("10.0.0.5");
    const https = (authorization: string) =>
      t.app.handle(new Request("https://nas.local/dav/", { method: "PROPFIND", headers: { authorization, depth: "0" } }));
    expect((await https(auth)).status).toBe(207);
    t.setIp("10.0.0.66");
    for (let i = 0; i < 12; i++) await https(basic(alice, `nope-${i}`));
    expect((await https(auth)).status).toBe(429);
    t.setIp("10.0.0.5");
    expect((await https(auth)).status).toBe(207);
  });
});

describe("properties", () => {
  test("COPY of a folder carries the dead properties of the folder and of everything inside it; the source keeps its own", async () => {
    const { dav } = setup();
    await dav("album", { method: "MKCOL" });
    await dav("album/day", { method: "MKCOL" });
    await dav("album/day/a.txt", { method: "PUT", body: "a" });
    const set = (path: string, value: string) =>
      dav(path, {
        method: "PROPPATCH",
        headers: { "content-type": "application/xml" },
        body: `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><x:tag>${value}</x:tag></d:prop></d:set></d:propertyupdate>`,
      });
    for (const [path, value] of [
      ["album", "top"],
      ["album/day", "middle"],
      ["album/day/a.txt", "leaf"],
    ])
      expect((await set(path!, value!)).status).toBe(207);
    expect((await dav("album", { method: "COPY", headers: { destination: "/dav/copy" } })).status).toBe(201);
    const tag = async (path: string) => {
      const res = await dav(path, {
        method: "PROPFIND",
        headers: { depth: "0", "content-type": "application/xml" },
        body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:x="urn:x"><d:prop><x:tag/></d:prop></d:propfind>',
      });
      return (
        /<tag xmlns="urn:x">([^<]*)<\/tag>|<x:tag[^>]*>([^<]*)<\/x:tag>/
          .exec(await res.text())
          ?.slice(1)
          .find(Boolean) ?? null
      );
    };
    expect([await tag("copy"), await tag("copy/day"), await tag("copy/day/a.txt")]).toEqual(["top", "middle", "leaf"]);
    // Changed on the copy only: the two trees have their own rows.
    expect((await set("copy/day/a.txt", "changed")).status).toBe(207);
    expect([await tag("album/day/a.txt"), await tag("copy/day/a.txt")]).toEqual(["leaf", "changed"]);
  });
});

describe("listings", () => {
  const NC_PROPS = `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:z="urn:z"><d:prop><d:getetag/><oc:permissions/><z:note/></d:prop></d:propfind>`;

  test("a folder of 1,203 entries (three pages): each child once, folders first by name, its dead property and rights with it", async () => {
    const { alice, dav } = setup();
    const { drive, share } = t.services;
    const many = drive.mkdir(alice, undefined, "Many");
    const names = Array.from({ length: 1200 }, (_, i) => `d${String(i).padStart(4, "0")}`);
    for (const n of names) drive.mkdir(alice, many.id, n); // folders: quick to make
    for (const n of ["a.txt", "b.txt", "c.txt"]) expect((await dav(`Many/${n}`, { method: "PUT", body: n })).status).toBe(201);
    const patch = `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:z="urn:z"><d:set><d:prop><z:note>third page</z:note></d:prop></d:set></d:propertyupdate>`;
    expect((await dav("Many/d1150/", { method: "PROPPATCH", body: patch })).status).toBe(207);
    // bob may read Many and write d1100 alone (a share on one child): his rights differ on that child only.
    const bob = t.createUser("bob");
    share.shareWithUser(alice, { folderId: many.id, username: "bob", access: "read" });
    share.shareWithUser(alice, { folderId: drive.childNamed(alice, many.id, "d1100")!.id, username: "bob", access: "write" });
    const bobAuth = basic(bob, t.services.devices.create(bob.id, "Phone").password);

    const res = await dav("Many/", { method: "PROPFIND", headers: { depth: "1" }, body: NC_PROPS });
    expect(res.status).toBe(207);
    const xml = await res.text();
    const hrefs = [...xml.matchAll(/<d:href>([^<]*)<\/d:href>/g)].map((m) => m[1]);
    expect(hrefs).toEqual(["/dav/Many/", ...names.map((n) => `/dav/Many/${n}/`), "/dav/Many/a.txt", "/dav/Many/b.txt", "/dav/Many/c.txt"]);
    expect(xml).toContain("<d:href>/dav/Many/d1150/</d:href><d:propstat><d:prop><d:getetag>");
    expect(xml.match(/third page/g)?.length).toBe(1);
    expect(xml).toMatch(/<d:href>\/dav\/Many\/d1150\/<\/d:href>.*third page/);
    // The owner may do anything to Many and to each of its 1,200 folders.
    expect(xml.match(/<oc:permissions>GDNVCK<\/oc:permissions>/g)?.length).toBe(1201);

    // The folder shared with bob is in his root under its own name.
    const bobRes = await t.request("/remote.php/dav/files/bob/Many/", { method: "PROPFIND", headers: { authorization: bobAuth, depth: "1" }, body: NC_PROPS });
    expect(bobRes.status).toBe(207);
    const bobXml = await bobRes.text();
    const letters = new Map(
      [...bobXml.matchAll(/<d:href>[^<]*\/Many\/([^<]*)<\/d:href><d:propstat><d:prop><d:getetag>[^<]*<\/d:getetag><oc:permissions>([A-Z]*)</g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    expect(letters.size).toBe(1204);
    expect(letters.get("")).toBe("GS");
    // Writable through its own share; as a shared folder it is not bob's to rename, move or delete.
    expect(letters.get("d1100/")).toBe("GCK");
    expect(letters.get("d1099/")).toBe("G");
    expect(letters.get("a.txt")).toBe("G");
  }, 60_000);

  test("a listing is read from the database as the client reads it, not gathered first", async () => {
    const { alice, dav } = setup();
    const { drive } = t.services;
    const many = drive.mkdir(alice, undefined, "Many");
    for (let i = 0; i < 1100; i++) drive.mkdir(alice, many.id, `d${String(i).padStart(4, "0")}`);
    const res = await dav("Many/", { method: "PROPFIND", headers: { depth: "1" } });
    expect(res.status).toBe(207);
    const reader = res.body!.getReader();
    let xml = new TextDecoder().decode((await reader.read()).value);
    // Made after the answer began: it sorts into the third page, which is read only when the client gets there.
    drive.mkdir(alice, many.id, "d9999");
    for (let r = await reader.read(); !r.done; r = await reader.read()) xml += new TextDecoder().decode(r.value);
    expect(xml).toContain("<d:href>/dav/Many/d9999/</d:href>");
    expect(xml.match(/<d:response>/g)?.length).toBe(1102);
    expect(xml.trimEnd().endsWith("</d:multistatus>")).toBe(true);
  }, 60_000);
});

describe("Nextcloud's trash bin, versions and favourites", () => {
  const TRASH_PROPS = `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"><d:prop><nc:trashbin-filename/><nc:trashbin-original-location/><nc:trashbin-deletion-time/><d:getcontentlength/><d:resourcetype/><oc:permissions/><d:displayname/></d:prop></d:propfind>`;
  const nc = (auth: string, path: string, init: { method: string; headers?: Record<string, string>; body?: string }) =>
    t.request(path, { ...init, headers: { authorization: auth, ...init.headers } });
  const entryNames = (xml: string) =>
    [...xml.matchAll(/<d:href>\/remote\.php\/dav\/trashbin\/alice\/trash\/([^<]+)<\/d:href>/g)].map((m) => decodeURIComponent(m[1]!));

  test("the trash lists what was deleted with where it was; MOVE to restore/ puts it back, DELETE deletes forever; nobody else reaches it", async () => {
    const { alice, auth, dav } = setup();
    for (const [path, body] of [
      ["Docs/a.txt", "alpha"],
      ["Docs/b.txt", "beta"],
      ["c.txt", "one"],
      ["c.txt", "two"],
    ] as const) {
      if (path.startsWith("Docs/")) await dav("Docs", { method: "MKCOL" });
      expect([201, 204]).toContain((await dav(path, { method: "PUT", body })).status);
    }
    expect((await dav("Docs/a.txt", { method: "DELETE" })).status).toBe(204);
    expect((await dav("Docs/b.txt", { method: "DELETE" })).status).toBe(204);
    const trash = "/remote.php/dav/trashbin/alice/trash";
    const listed = await nc(auth, `${trash}/`, { method: "PROPFIND", headers: { depth: "1" }, body: TRASH_PROPS });
    expect(listed.status).toBe(207);
    const xml = await listed.text();
    // a.txt, b.txt and the version of c.txt the second PUT replaced, each as <name>.d<seconds>.
    const names = entryNames(xml);
    expect(names.map((n) => n.replace(/\.d\d+(-\d+)?$/, "")).sort()).toEqual(["a.txt", "b.txt", "c.txt"]);
    expect(xml).toContain("<nc:trashbin-original-location>Docs/a.txt</nc:trashbin-original-location>");
    expect(xml).toContain("<nc:trashbin-filename>a.txt</nc:trashbin-filename>");
    expect(xml).toMatch(/<nc:trashbin-deletion-time>\d{10}<\/nc:trashbin-deletion-time>/);
    expect(xml).toContain("<oc:permissions>GD</oc:permissions><d:displayname>a.txt</d:displayname>");
    expect(xml).toContain("<d:getcontentlength>5</d:getcontentlength>");
    const a = names.find((n) => n.startsWith("a.txt"))!;
    const b = names.find((n) => n.startsWith("b.txt"))!;

    // bob: alice's trash is not an address; his own is empty, and her entries' names mean nothing there.
    const bob = t.createUser("bob");
    const bobAuth = basic(bob, t.services.devices.create(bob.id, "Phone").password);
    expect((await nc(bobAuth, `${trash}/`, { method: "PROPFIND", headers: { depth: "1" } })).status).toBe(404);
    expect(entryNames(await (await nc(bobAuth, "/remote.php/dav/trashbin/bob/trash/", { method: "PROPFIND", headers: { depth: "1" } })).text())).toEqual([]);
    const bobMove = await nc(bobAuth, `/remote.php/dav/trashbin/bob/trash/${encodeURIComponent(a)}`, {
      method: "MOVE",
      headers: { destination: `http://localhost:8080/remote.php/dav/trashbin/bob/restore/${encodeURIComponent(a)}` },
    });
    expect(bobMove.status).toBe(404);
    expect((await nc(bobAuth, `/remote.php/dav/trashbin/bob/trash/${encodeURIComponent(b)}`, { method: "DELETE" })).status).toBe(404);
    // A read-only device neither restores nor deletes; a MOVE anywhere but restore/ is refused.
    const readOnly = basic(alice, t.services.devices.create(alice.id, "Viewer", "files-read").password);
    expect((await nc(readOnly, `${trash}/${encodeURIComponent(b)}`, { method: "DELETE" })).status).toBe(403);
    const astray = await nc(auth, `${trash}/${encodeURIComponent(a)}`, { method: "MOVE", headers: { destination: "/remote.php/dav/files/alice/a.txt" } });
    expect(astray.status).toBe(403);

    const restored = await nc(auth, `${trash}/${encodeURIComponent(a)}`, {
      method: "MOVE",
      headers: { destination: `http://localhost:8080/remote.php/dav/trashbin/alice/restore/${encodeURIComponent(a)}` },
    });
    expect(restored.status).toBe(201);
    expect(await (await dav("Docs/a.txt")).text()).toBe("alpha");
    expect((await nc(auth, `${trash}/${encodeURIComponent(b)}`, { method: "DELETE" })).status).toBe(204);
    expect(t.db.$client.query("SELECT count(*) AS n FROM files WHERE name = 'b.txt'").get()).toEqual({ n: 0 });
    expect(entryNames(await (await nc(auth, `${trash}/`, { method: "PROPFIND", headers: { depth: "1" } })).text()).map((n) => n.slice(0, 5))).toEqual([
      "c.txt",
    ]);
    expect((await nc(auth, `${trash}/`, { method: "DELETE" })).status).toBe(204);
    expect(t.services.drive.trash(alice)).toEqual([]);
    expect(await (await dav("c.txt")).text()).toBe("two");
    // The trash bin's own collections answer as Nextcloud's do; nothing else is there.
    expect((await nc(auth, "/remote.php/dav/trashbin/alice/", { method: "PROPFIND", headers: { depth: "1" } })).status).toBe(207);
    expect((await nc(auth, "/remote.php/dav/trashbin/alice/restore/", { method: "PROPFIND", headers: { depth: "1" } })).status).toBe(207);
    expect((await nc(auth, "/remote.php/dav/trashbin/alice/elsewhere/", { method: "PROPFIND", headers: { depth: "1" } })).status).toBe(404);
    expect((await nc(auth, `${trash}/no-such.d1`, { method: "DELETE" })).status).toBe(404);
  });

  test("two items deleted in the same second under one name get names of their own, and each restores itself", async () => {
    const at = new Date("2026-06-01T09:00:00Z");
    const { auth, dav } = setup({ now: () => at });
    for (const body of ["one", "two", "three"]) expect([201, 204]).toContain((await dav("c.txt", { method: "PUT", body })).status);
    const trash = "/remote.php/dav/trashbin/alice/trash";
    const xml = await (await nc(auth, `${trash}/`, { method: "PROPFIND", headers: { depth: "1" }, body: TRASH_PROPS })).text();
    const names = entryNames(xml);
    expect(names).toHaveLength(2);
    expect(names.every((n) => new RegExp(`^c\\.txt\\.d${at.getTime() / 1000}-\\d+$`).test(n))).toBe(true);
    expect(new Set(names).size).toBe(2);
    const first = names.find((n) =>
      xml.includes(
        `${n}</d:href><d:propstat><d:prop><nc:trashbin-filename>c.txt</nc:trashbin-filename><nc:trashbin-original-location>c.txt</nc:trashbin-original-location><nc:trashbin-deletion-time>${at.getTime() / 1000}</nc:trashbin-deletion-time><d:getcontentlength>3</d:getcontentlength>`,
      ),
    )!;
    expect(first).toBeDefined();
    // Restored beside the live c.txt, under a free name; its content is the version that was deleted.
    const res = await nc(auth, `${trash}/${encodeURIComponent(first)}`, {
      method: "MOVE",
      headers: { destination: `/remote.php/dav/trashbin/alice/restore/${encodeURIComponent(first)}` },
    });
    expect(res.status).toBe(201);
    expect(await (await dav("c.txt")).text()).toBe("three");
    const restored = t.services.drive
      .list(t.services.auth.users.byName("alice")!, undefined, { sort: "name", desc: false, offset: 0, limit: 10 })
      .items.map((i) => i.name);
    expect(restored).toEqual(["c (1).txt", "c.txt"]);
  });

  test("a restored item whose folder was deleted meanwhile gets its folder back", async () => {
    const { alice, auth, dav } = setup();
    await dav("Trip", { method: "MKCOL" });
    await dav("Trip/map.txt", { method: "PUT", body: "map" });
    expect((await dav("Trip/map.txt", { method: "DELETE" })).status).toBe(204);
    expect((await dav("Trip", { method: "DELETE" })).status).toBe(204);
    const trash = "/remote.php/dav/trashbin/alice/trash";
    const name = entryNames(await (await nc(auth, `${trash}/`, { method: "PROPFIND", headers: { depth: "1" } })).text()).find((n) => n.startsWith("map.txt"))!;
    const res = await nc(auth, `${trash}/${encodeURIComponent(name)}`, {
      method: "MOVE",
      headers: { destination: `/remote.php/dav/trashbin/alice/restore/${encodeURIComponent(name)}` },
    });
    expect(res.status).toBe(201);
    expect(await (await dav("Trip/map.txt")).text()).toBe("map");
    expect(t.services.drive.trash(alice).map((i) => i.name)).toEqual(["Trip"]);
  });

  test("inside the trash: a trashed folder lists what went with it, its files download (Range, HEAD); nobody else reaches them", async () => {
    const { alice, password, auth, dav } = setup();
    await dav("Album", { method: "MKCOL" });
    await dav("Album/Sub", { method: "MKCOL" });
    await dav("Album/p.txt", { method: "PUT", body: "photo" });
    await dav("Album/Sub/q.txt", { method: "PUT", body: "deep file" });
    await dav("Album/old.txt", { method: "PUT", body: "older" });
    expect((await dav("Album/old.txt", { method: "DELETE" })).status).toBe(204); // its own trash entry, before the folder
    expect((await dav("Album", { method: "DELETE" })).status).toBe(204);
    const trash = "/remote.php/dav/trashbin/alice/trash";
    const names = entryNames(await (await nc(auth, `${trash}/`, { method: "PROPFIND", headers: { depth: "1" } })).text());
    const album = names.find((n) => n.startsWith("Album.d"))!.replace(/\/$/, ""); // a folder's href ends in "/"
    const old = names.find((n) => n.startsWith("old.txt.d"))!;
    expect(album && old).toBeTruthy();

    const inAlbum = `${trash}/${encodeURIComponent(album)}`;
    const listed = await nc(auth, `${inAlbum}/`, { method: "PROPFIND", headers: { depth: "1" }, body: TRASH_PROPS });
    expect(listed.status).toBe(207);
    const xml = await listed.text();
    const hrefs = [...xml.matchAll(/<d:href>([^<]+)<\/d:href>/g)].map((m) => decodeURIComponent(m[1]!));
    // What went to the trash with the folder; old.txt, trashed on its own before, is its own entry and not inside.
    expect(hrefs).toEqual([`${trash}/${album}/`, `${trash}/${album}/Sub/`, `${trash}/${album}/p.txt`]);
    expect(xml).toContain("<nc:trashbin-original-location>Album/p.txt</nc:trashbin-original-location>");
    expect(xml).toContain("<nc:trashbin-filename>p.txt</nc:trashbin-filename>");
    expect(xml).toContain("<oc:permissions>GD</oc:permissions><d:displayname>p.txt</d:displayname>");
    const deeper = await (await nc(auth, `${inAlbum}/Sub/`, { method: "PROPFIND", headers: { depth: "1" }, body: TRASH_PROPS })).text();
    expect(deeper).toContain(`<d:href>${trash}/${encodeURIComponent(album)}/Sub/q.txt</d:href>`);
    expect(deeper).toContain("<nc:trashbin-original-location>Album/Sub/q.txt</nc:trashbin-original-location>");
    const depth0 = await (await nc(auth, `${inAlbum}/Sub/`, { method: "PROPFIND", headers: { depth: "0" } })).text();
    expect(depth0.match(/<d:response>/g)?.length).toBe(1);

    // Downloads: a file inside the trashed folder, a trashed file entry, a range, HEAD; a folder is not a download.
    const got = await nc(auth, `${inAlbum}/Sub/q.txt`, { method: "GET" });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe("deep file");
    expect(got.headers.get("etag")).toMatch(/^"[0-9a-f]{40}"$/);
    expect(await (await nc(auth, `${trash}/${encodeURIComponent(old)}`, { method: "GET" })).text()).toBe("older");
    const range = await nc(auth, `${inAlbum}/Sub/q.txt`, { method: "GET", headers: { range: "bytes=5-8" } });
    expect(range.status).toBe(206);
    expect(await range.text()).toBe("file");
    const head = await nc(auth, `${inAlbum}/p.txt`, { method: "HEAD" }); // its size over HTTP: trashbin.e2e.test.ts
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe((await nc(auth, `${inAlbum}/p.txt`, { method: "GET" })).headers.get("etag"));
    expect((await nc(auth, `${inAlbum}/Sub`, { method: "GET" })).status).toBe(405);
    expect((await nc(auth, `${inAlbum}/old.txt`, { method: "GET" })).status).toBe(404);
    expect((await nc(auth, `${inAlbum}/nothing.txt`, { method: "PROPFIND", headers: { depth: "0" } })).status).toBe(404);
    expect((await nc(auth, `${inAlbum}/p.txt/x`, { method: "GET" })).status).toBe(404);
    expect((await nc(auth, `${inAlbum}/%252e%252e/${encodeURIComponent(old)}`, { method: "GET" })).status).toBe(400);
    // A read-only device reads the trash too; nothing inside an entry is restored or deleted on its own.
    const readOnly = basic(alice, t.services.devices.create(alice.id, "Viewer", "files-read").password);
    expect(await (await nc(readOnly, `${inAlbum}/p.txt`, { method: "GET" })).text()).toBe("photo");
    expect((await nc(auth, `${inAlbum}/p.txt`, { method: "DELETE" })).status).toBe(403);
    const partial = await nc(auth, `${inAlbum}/p.txt`, {
      method: "MOVE",
      headers: { destination: `/remote.php/dav/trashbin/alice/restore/p.txt` },
    });
    expect(partial.status).toBe(403);

    // bob: not at her address, and her entry's name means nothing in his own trash; a cookie session is no device.
    const bob = t.createUser("bob");
    const bobAuth = basic(bob, t.services.devices.create(bob.id, "Phone").password);
    expect((await nc(bobAuth, `${inAlbum}/p.txt`, { method: "GET" })).status).toBe(404);
    expect((await nc(bobAuth, `/remote.php/dav/trashbin/bob/trash/${encodeURIComponent(album)}/p.txt`, { method: "GET" })).status).toBe(404);
    expect(
      (await nc(bobAuth, `/remote.php/dav/trashbin/bob/trash/${encodeURIComponent(album)}/`, { method: "PROPFIND", headers: { depth: "1" } })).status,
    ).toBe(404);
    expect((await t.request(`${inAlbum}/p.txt`, { headers: { authorization: `Basic ${Buffer.from(`alice:${password}x`).toString("base64")}` } })).status).toBe(
      401,
    );

    // The whole folder restores with everything that went with it.
    const back = await nc(auth, inAlbum, { method: "MOVE", headers: { destination: `/remote.php/dav/trashbin/alice/restore/${encodeURIComponent(album)}` } });
    expect(back.status).toBe(201);
    expect(await (await dav("Album/Sub/q.txt")).text()).toBe("deep file");
    expect((await nc(auth, `${inAlbum}/p.txt`, { method: "GET" })).status).toBe(404);
  });

  test("versions: each file's is an empty collection; another person's file or a folder is not there", async () => {
    const { alice, auth, dav } = setup();
    await dav("a.txt", { method: "PUT", body: "a" });
    await dav("Folder", { method: "MKCOL" });
    const root = t.services.drive.rootOf(alice);
    const file = t.services.drive.childNamed(alice, root.id, "a.txt")!;
    const folder = t.services.drive.childNamed(alice, root.id, "Folder")!;
    const res = await nc(auth, `/remote.php/dav/versions/alice/versions/${file.seq}`, { method: "PROPFIND", headers: { depth: "1" } });
    expect(res.status).toBe(207);
    const xml = await res.text();
    expect([...xml.matchAll(/<d:response>/g)]).toHaveLength(1);
    expect(xml).toContain(`<d:href>/remote.php/dav/versions/alice/versions/${file.seq}/</d:href>`);
    expect(xml).toContain("<d:collection/>");
    expect((await nc(auth, `/remote.php/dav/versions/alice/versions/${folder.seq}`, { method: "PROPFIND" })).status).toBe(404);
    const bob = t.createUser("bob");
    const bobAuth = basic(bob, t.services.devices.create(bob.id, "Phone").password);
    expect((await nc(bobAuth, `/remote.php/dav/versions/bob/versions/${file.seq}`, { method: "PROPFIND" })).status).toBe(404);
    expect((await nc(bobAuth, `/remote.php/dav/versions/alice/versions/${file.seq}`, { method: "PROPFIND" })).status).toBe(404);
  });

  test("favourites: PROPPATCH oc:favorite stars in Drive; REPORT oc:filter-files lists the starred items below the folder asked", async () => {
    const { alice, auth, dav } = setup();
    await dav("Docs", { method: "MKCOL" });
    await dav("Docs/Inner", { method: "MKCOL" });
    await dav("Docs/Inner/keep.txt", { method: "PUT", body: "keep" });
    await dav("other.txt", { method: "PUT", body: "other" });
    const star = (path: string, v: string) =>
      dav(path, {
        method: "PROPPATCH",
        body: `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:set><d:prop><oc:favorite>${v}</oc:favorite></d:prop></d:set></d:propertyupdate>`,
      });
    expect((await star("Docs/Inner/keep.txt", "1")).status).toBe(207);
    expect((await star("other.txt", "1")).status).toBe(207);
    expect((await star("Docs/", "maybe")).status).toBe(207);
    expect(
      t.services.drive
        .starred(alice)
        .map((i) => i.name)
        .sort(),
    ).toEqual(["keep.txt", "other.txt"]);
    const report = (path: string, rules: string) =>
      nc(auth, `/remote.php/dav/files/alice/${path}`, {
        method: "REPORT",
        body: `<?xml version="1.0"?><oc:filter-files xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:favorite/><d:getcontentlength/></d:prop><oc:filter-rules>${rules}</oc:filter-rules></oc:filter-files>`,
      });
    const all = await report("", "<oc:favorite>1</oc:favorite>");
    expect(all.status).toBe(207);
    const hrefs = (xml: string) => [...xml.matchAll(/<d:href>([^<]+)<\/d:href>/g)].map((m) => m[1]).sort();
    const xml = await all.text();
    expect(hrefs(xml)).toEqual(["/remote.php/dav/files/alice/Docs/Inner/keep.txt", "/remote.php/dav/files/alice/other.txt"]);
    expect(xml).toContain("<oc:favorite>1</oc:favorite><d:getcontentlength>4</d:getcontentlength>");
    expect(hrefs(await (await report("Docs/", "<oc:favorite>1</oc:favorite>")).text())).toEqual(["/remote.php/dav/files/alice/Docs/Inner/keep.txt"]);
    // A rule about system tags matches nothing: there are none.
    expect(hrefs(await (await report("", "<oc:favorite>1</oc:favorite><oc:systemtag>4</oc:systemtag>")).text())).toEqual([]);
    expect((await star("other.txt", "0")).status).toBe(207);
    expect(hrefs(await (await report("", "<oc:favorite>1</oc:favorite>")).text())).toEqual(["/remote.php/dav/files/alice/Docs/Inner/keep.txt"]);
    const unknown = await nc(auth, "/remote.php/dav/files/alice/", { method: "REPORT", body: `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"/>` });
    expect(unknown.status).toBe(403);
    expect(await unknown.text()).toContain("<d:supported-report/>");
    const noRules = await nc(auth, "/remote.php/dav/files/alice/", {
      method: "REPORT",
      body: `<?xml version="1.0"?><oc:filter-files xmlns:oc="http://owncloud.org/ns"/>`,
    });
    expect(noRules.status).toBe(400);
    // Stars are the owner's: a recipient who may write is refused, and the property set beside it is not stored either.
    const bob = t.createUser("bob");
    const docs = t.services.drive.childNamed(alice, t.services.drive.rootOf(alice).id, "Docs")!;
    t.services.share.shareWithUser(alice, { folderId: docs.id, username: "bob", access: "write" });
    const bobAuth = basic(bob, t.services.devices.create(bob.id, "Phone").password);
    const refused = await nc(bobAuth, "/remote.php/dav/files/bob/Docs/Inner/keep.txt", {
      method: "PROPPATCH",
      body: `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:z="urn:z"><d:set><d:prop><z:note>bob's</z:note><oc:favorite>0</oc:favorite></d:prop></d:set></d:propertyupdate>`,
    });
    expect(refused.status).toBe(403);
    expect(t.db.$client.query("SELECT count(*) AS n FROM dav_properties").get()).toEqual({ n: 0 });
    expect(t.services.drive.starred(alice).map((i) => i.name)).toEqual(["keep.txt"]);
  });
});

describe("bad input", () => {
  test("Destination: outside the person's space, another host, . and .. plain, encoded and double-encoded", async () => {
    const { dav } = setup();
    await dav("a.txt", { method: "PUT", body: "a" });
    await dav("dir", { method: "MKCOL" });
    const move = (destination: string) => dav("a.txt", { method: "MOVE", headers: { destination } });
    expect((await move("http://localhost:8080/api/v1/evil")).status).toBe(403);
    expect((await move("http://elsewhere.example/dav/b.txt")).status).toBe(502);
    expect((await move("http://localhost:8080/remote.php/dav/files/bob/b.txt")).status).toBe(403);
    for (const d of ["/dav/dir/../../etc/passwd", "/dav/dir/%2e%2e/%2e%2e/x", "/dav/dir/%252e%252e/x", "/dav/%2E%2E"]) expect((await move(d)).status).toBe(400);
    expect((await dav("a.txt")).status).toBe(200);
  });

  test("a folder cannot move or be copied into its own subtree; another person's files are not an address", async () => {
    const { dav } = setup();
    await dav("top", { method: "MKCOL" });
    await dav("top/inner", { method: "MKCOL" });
    expect((await dav("top", { method: "MOVE", headers: { destination: "/dav/top/inner/top" } })).status).toBe(409);
    expect((await dav("top", { method: "COPY", headers: { destination: "/dav/top/inner/top" } })).status).toBe(409);
    t.createUser("bob");
    const other = await t.request("/remote.php/dav/files/bob/", { method: "PROPFIND", headers: { authorization: (await setupAuth()).auth, depth: "0" } });
    expect(other.status).toBe(404);
  });

  test("names the Drive refuses: NUL, C1 controls, bidi overrides, a slash inside a name", async () => {
    const { dav } = setup();
    for (const name of ["a%00b.txt", "a%C2%85b.txt", "photo%E2%80%AEgpj.exe", "a%2Fb.txt"]) {
      const res = await dav(name, { method: "PUT", body: "x" });
      expect(res.status).toBe(400);
      expect(await text(res)).toContain("<s:message>");
    }
  });

  test("macOS bookkeeping files (._*, .DS_Store) are accepted and not stored", async () => {
    const { alice, dav } = setup();
    expect((await dav("._IMG_1.jpg", { method: "PUT", body: "appledouble" })).status).toBe(201);
    expect((await dav(".DS_Store", { method: "PUT", body: "positions" })).status).toBe(201);
    expect((await dav("._IMG_1.jpg")).status).toBe(404);
    expect((await dav(".DS_Store", { method: "DELETE" })).status).toBe(204);
    expect(t.services.drive.list(alice, undefined, { sort: "name", desc: false, offset: 0, limit: 10 }).items).toEqual([]);
  });

  test("an NFD name from macOS is stored as NFC, like the web's, and found by either form", async () => {
    const { alice, dav } = setup();
    expect((await dav(encodeURIComponent("Cafe\u0301.txt"), { method: "PUT", body: "nfd" })).status).toBe(201);
    expect(t.services.drive.list(alice, undefined, { sort: "name", desc: false, offset: 0, limit: 10 }).items.map((i) => i.name)).toEqual(["Caf\u00e9.txt"]);
    expect(await text(await dav(encodeURIComponent("Caf\u00e9.txt")))).toBe("nfd");
    expect(await text(await dav(encodeURIComponent("Cafe\u0301.txt")))).toBe("nfd");
  });

  test("XML with a DTD or entities is refused; bodies over the cap are 413; Depth infinity is refused", async () => {
    const { dav } = setup();
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><d:propfind xmlns:d="DAV:"><d:prop><d:x>&lol2;</d:x></d:prop></d:propfind>`;
    const dtd = await dav("", { method: "PROPFIND", headers: { depth: "0" }, body: laughs });
    expect(dtd.status).toBe(400);
    expect(await text(dtd)).toContain("DOCTYPE");
    const external = `<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>`;
    expect((await dav("", { method: "PROPFIND", headers: { depth: "0" }, body: external })).status).toBe(400);
    const undefinedEntity = `<d:propfind xmlns:d="DAV:"><d:prop><d:x>&xxe;</d:x></d:prop></d:propfind>`;
    expect((await dav("", { method: "PROPFIND", headers: { depth: "0" }, body: undefinedEntity })).status).toBe(400);
    const huge = `<d:propfind xmlns:d="DAV:"><d:prop>${"<d:getetag/>".repeat(100_000)}</d:prop></d:propfind>`;
    expect((await dav("", { method: "PROPFIND", headers: { depth: "0" }, body: huge })).status).toBe(413);
    const infinite = await dav("", { method: "PROPFIND", headers: { depth: "infinity" } });
    expect(infinite.status).toBe(403);
    expect(await text(infinite)).toContain("<d:propfind-finite-depth/>");
  });

  test("a lock held by another person blocks their writes; an expired lock does not", async () => {
    let clock = new Date("2026-03-01T10:00:00Z");
    const { alice, dav } = setup({ now: () => clock });
    const family = t.services.drive.mkdir(alice, undefined, "Family");
    t.createUser("bob");
    const bob = t.services.auth.users.byName("bob")!;
    t.services.share.shareWithUser(alice, { folderId: family.id, username: "bob", access: "write" });
    const bobAuth = basic(bob, t.services.devices.create(bob.id, "Bob's laptop").password);
    await dav("Family/list.txt", { method: "PUT", body: "v1" });
    const lockBody = `<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>`;
    const lock = await dav("Family/list.txt", { method: "LOCK", headers: { timeout: "Second-60" }, body: lockBody });
    expect(lock.status).toBe(200);
    const token = lock.headers.get("lock-token")!.slice(1, -1);
    const bobPut = (h: Record<string, string> = {}) =>
      t.request("/dav/Family/list.txt", { method: "PUT", headers: { authorization: bobAuth, ...h }, body: "bob" });
    const refused = await bobPut();
    expect(refused.status).toBe(423);
    expect(await text(refused)).toContain("lock-token-submitted");
    // Even with the token: the lock is alice's.
    expect((await bobPut({ if: `(<${token}>)` })).status).toBe(423);
    expect((await dav("Family/list.txt", { method: "PUT", headers: { if: `(<${token}>)` }, body: "v2" })).status).toBe(204);
    clock = new Date(clock.getTime() + 61_000);
    expect((await bobPut()).status).toBe(204);
    expect(await text(await dav("Family/list.txt"))).toBe("bob");
  });

  test("over quota: 507; a full upload that does not fit leaves nothing", async () => {
    const { alice, dav } = setup();
    t.services.auth.users.setQuota(alice.id, "0.000001"); // 1000 bytes
    const res = await dav("big.bin", { method: "PUT", body: new Uint8Array(5000) });
    expect(res.status).toBe(507);
    expect(tmpFiles(alice.id)).toEqual([]);
    expect((await dav("big.bin")).status).toBe(404);
  });

  test("a client that disconnects mid-PUT leaves nothing, not even a temp file", async () => {
    const { alice, dav } = setup();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(64 * 1024));
        c.error(new Error("connection reset"));
      },
    });
    const res = await dav("cut.bin", { method: "PUT", body, headers: { "content-length": "1000000" } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await dav("cut.bin")).status).toBe(404);
    expect(tmpFiles(alice.id)).toEqual([]);
  });

  test("two PUTs to one path at once: one whole file wins, the other version is in the trash, nothing torn", async () => {
    const { alice, dav } = setup();
    const a = new Uint8Array(3_000_000).fill(97);
    const b = new Uint8Array(3_000_000).fill(98);
    const [ra, rb] = await Promise.all([dav("same.bin", { method: "PUT", body: a }), dav("same.bin", { method: "PUT", body: b })]);
    expect([ra.status, rb.status].every((s) => s === 201 || s === 204)).toBe(true);
    const got = new Uint8Array(await (await dav("same.bin")).arrayBuffer());
    expect(got.length).toBe(3_000_000);
    expect(got.every((x) => x === got[0])).toBe(true);
    expect(t.services.drive.trash(alice).map((f) => f.name)).toEqual(["same.bin"]);
  });

  test("OC-Checksum and chunked uploads whose total or checksum does not match store nothing", async () => {
    const { alice, auth } = setup();
    const nc = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
      t.request(path, { ...init, headers: { authorization: auth, ...init.headers } });
    const files = "/remote.php/dav/files/alice";
    expect(
      (await nc(`${files}/sum.txt`, { method: "PUT", body: "hello", headers: { "oc-checksum": "SHA1:0000000000000000000000000000000000000000" } })).status,
    ).toBe(400);
    expect((await nc(`${files}/sum.txt`, { method: "PUT", body: "hello", headers: { "oc-checksum": `SHA256:${"0".repeat(64)}` } })).status).toBe(400);
    const sha1 = new Bun.CryptoHasher("sha1").update("hello").digest("hex");
    expect((await nc(`${files}/sum.txt`, { method: "PUT", body: "hello", headers: { "oc-checksum": `SHA1:${sha1}` } })).status).toBe(201);

    const up = "/remote.php/dav/uploads/alice/web-123";
    expect((await nc(up, { method: "MKCOL" })).status).toBe(201);
    expect((await nc(`${up}/00001`, { method: "PUT", body: "0123456789" })).status).toBe(201);
    expect((await nc(`${up}/00002`, { method: "PUT", body: "abcdefghij" })).status).toBe(201);
    const listing = await text(await nc(up, { method: "PROPFIND", headers: { depth: "1" } }));
    expect(listing).toContain("00002");
    const wrongTotal = await nc(`${up}/.file`, { method: "MOVE", headers: { destination: `${files}/joined.txt`, "oc-total-length": "25" } });
    expect(wrongTotal.status).toBe(400);
    const wrongSum = await nc(`${up}/.file`, {
      method: "MOVE",
      headers: { destination: `${files}/joined.txt`, "oc-total-length": "20", "oc-checksum": "MD5:00000000000000000000000000000000" },
    });
    expect(wrongSum.status).toBe(400);
    expect((await nc(`${files}/joined.txt`)).status).toBe(404);
    const ok = await nc(`${up}/.file`, {
      method: "MOVE",
      headers: { destination: `${files}/joined.txt`, "oc-total-length": "20", "x-oc-mtime": "1600000000" },
    });
    expect(ok.status).toBe(201);
    expect(ok.headers.get("x-oc-mtime")).toBe("accepted");
    expect(await text(await nc(`${files}/joined.txt`))).toBe("0123456789abcdefghij");
    expect(t.services.drive.childNamed(alice, t.services.drive.rootOf(alice).id, "joined.txt")!.updatedAt.getTime()).toBe(1_600_000_000_000);
    expect((await nc(up, { method: "PROPFIND" })).status).toBe(404);
    expect(tmpFiles(alice.id)).toEqual([]);
  });

  test("an arriving photo is a Drive file like any other: audit row, search, a media job, the device's count", async () => {
    const { alice, device, dav } = setup();
    const jpeg = await Bun.file(join(import.meta.dir, "../../test/fixtures/photos/gps", "DSCN0010.jpg")).bytes();
    expect((await dav("IMG_0001.jpg", { method: "PUT", body: jpeg })).status).toBe(201);
    expect(t.services.drive.search(alice, "IMG_0001").map((f) => f.name)).toEqual(["IMG_0001.jpg"]);
    const audit = t.db.$client.query("SELECT * FROM audit_log WHERE action LIKE 'PUT /dav%'").all() as { user_id: string; ok: number }[];
    expect(audit.map((a) => [a.user_id, a.ok])).toEqual([[alice.id, 1]]);
    const jobs = t.db.$client.query("SELECT kind FROM jobs").all() as { kind: string }[];
    expect(jobs.map((j) => j.kind)).toContain("media.process");
    const uploads = t.db.$client.query("SELECT * FROM device_uploads WHERE device_id = ?").all(device.id) as { kind: string }[];
    expect(uploads.map((u) => u.kind)).toEqual(["photo"]);
  });
});

async function setupAuth() {
  const alice = t.services.auth.users.byName("alice")!;
  return { auth: basic(alice, t.services.devices.create(alice.id, "Other").password) };
}

describe("devices and their backup status", () => {
  test("Settings → Devices makes an app password shown once, with its camera folder; revoke removes it", async () => {
    t = createTestApp();
    const alice = t.createAdmin("alice");
    const browser = t.signIn(alice);
    const made = await t.request("/settings/devices", {
      method: "POST",
      headers: { ...browser, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ name: "Pixel 8 <img src=x onerror=alert(1)>" }).toString(),
    });
    expect(made.status).toBe(200);
    const page = await made.text();
    const password = /value="([a-z2-9]{6}(?:-[a-z2-9]{6}){4})"/.exec(page)?.[1];
    expect(password).toBeDefined();
    expect(page).toContain("Pixel 8 &lt;img src=x onerror=alert(1)&gt;");
    expect(page).not.toContain("<img src=x");
    // The QR code is the login the Nextcloud app scans (Log in → scan QR code): nc://login/user:…&password:…&server:….
    const login = await QRCode.toString(`nc://login/user:alice&password:${password}&server:http://localhost:8080`, {
      type: "svg",
      margin: 1,
      errorCorrectionLevel: "M",
    });
    expect(page).toContain(`data:image/svg+xml;base64,${Buffer.from(login).toString("base64")}`);
    const root = t.services.drive.rootOf(alice).id;
    const photos = t.services.drive.childNamed(alice, root, "Photos")!;
    const camera = t.services.drive.childNamed(alice, photos.id, "Camera")!;
    expect(t.services.drive.childNamed(alice, camera.id, "Pixel 8 <img src=x onerror=alert(1)>")?.kind).toBe("folder");
    // The list never shows it again.
    const again = await (await t.request("/settings/devices", { headers: browser })).text();
    expect(again).not.toContain(password!);
    const device = t.services.devices.list(alice.id)[0]!;
    const revoked = await t.request(`/settings/devices/${device.id}/revoke`, { method: "POST", headers: browser });
    expect(revoked.status).toBe(303);
    expect((await t.request("/dav/", { method: "PROPFIND", headers: { authorization: basic(alice, password!), depth: "0" } })).status).toBe(401);
  });

  test("the camera folder is the person's choice when a device is added; a name Drive refuses makes no device", async () => {
    t = createTestApp();
    const alice = t.createAdmin("alice");
    const browser = t.signIn(alice);
    const add = (fields: Record<string, string>) =>
      t.request("/settings/devices", {
        method: "POST",
        headers: { ...browser, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      });
    const made = await add({ name: "iPhone", folder: "/Family/Phones//Dad's iPhone/" });
    expect(made.status).toBe(200);
    expect(await made.text()).toContain("Camera uploads folder: <code>Family/Phones/Dad&#x27;s iPhone</code>");
    const { drive } = t.services;
    const family = drive.childNamed(alice, drive.rootOf(alice).id, "Family")!;
    const phones = drive.childNamed(alice, family.id, "Phones")!;
    expect(drive.childNamed(alice, phones.id, "Dad's iPhone")?.kind).toBe("folder");
    expect(drive.childNamed(alice, drive.rootOf(alice).id, "Photos")).toBeUndefined();
    for (const folder of ["Photos/../../etc", "Photos/\u202eevil", "Photos/a\u0000b"]) {
      const refused = await add({ name: `Refused ${folder.length}`, folder });
      expect(await refused.text()).toContain('role="alert"');
    }
    expect(t.services.devices.list(alice.id).map((d) => d.name)).toEqual(["iPhone"]);
  });

  test("a device's counts: today, this week, ever, bytes; silent after three days when it backed up daily", async () => {
    let clock = new Date("2026-06-01T09:00:00Z");
    t = createTestApp({ deps: { now: () => clock } });
    const alice = t.createAdmin("alice");
    const { password, device } = t.services.devices.create(alice.id, "Pixel 8");
    const put = (name: string, body: string) => t.request(`/dav/${name}`, { method: "PUT", headers: { authorization: basic(alice, password) }, body });
    for (let day = 0; day < 6; day++) {
      expect((await put(`day${day}.txt`, `file ${day}`)).status).toBe(201);
      clock = new Date(clock.getTime() + 86_400_000);
    }
    clock = new Date(clock.getTime() - 86_400_000 + 3_600_000);
    const now = t.services.deviceStatus.statusOf(t.services.devices.byId(alice.id, device.id)!);
    expect(now.ever.others).toBe(6);
    expect(now.today.others).toBe(1);
    expect(now.week.others).toBe(6);
    expect(now.ever.bytes).toBe(36);
    expect(now.silent).toBe(false);
    clock = new Date(clock.getTime() + 3 * 86_400_000);
    expect(t.services.deviceStatus.silentFor(alice).map((s) => s.device.name)).toEqual(["Pixel 8"]);
    const page = await (await t.request("/photos/backup", { headers: t.signIn(alice) })).text();
    expect(page).toContain("no backup for 3 days");
    const home = await (await t.request("/", { headers: t.signIn(alice) })).text();
    expect(home).toContain('data-testid="silent-device"><strong>Pixel 8</strong> <span>has not backed up for 3 days.</span>');
    expect(page).toContain("Pixel 8");
    // The dashboard's alerts: open while the phone stays quiet, cleared once it sends again.
    const deviceAlerts = () => t.services.dashboard.alerts.list().filter((a) => a.code === "device-silent" && a.clearedAt === null);
    await t.services.dashboard.alerts.check();
    expect(deviceAlerts().map((a) => [a.severity, a.subject, a.message])).toEqual([
      ["warning", `device:${device.id}`, expect.stringContaining("“Pixel 8” has not backed up for 3 days") as unknown as string],
    ]);
    const alerts = await (await t.request("/dashboard/alerts", { headers: t.signIn(alice) })).text();
    expect(alerts).toContain("“Pixel 8” has not backed up for 3 days");
    // Settings → Devices says it too, beside the device.
    const settings = await (await t.request("/settings/devices", { headers: t.signIn(alice) })).text();
    expect(settings).toContain("no backup for 3 days");
    // The administrator's alert webhook (a real receiver on loopback, like ntfy) hears of it.
    const got: { body: string; tag: string | null }[] = [];
    const receiver = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (req) => (got.push({ body: await req.text(), tag: req.headers.get("x-nas-alert") }), new Response("ok")),
    });
    try {
      t.services.settings.update({ alertWebhook: `http://127.0.0.1:${receiver.port}/nas` });
      await t.services.dashboard.alerts.deliver();
      expect(got).toEqual([
        { body: expect.stringContaining("“Pixel 8” has not backed up for 3 days") as unknown as string, tag: `device-silent device:${device.id}` },
      ]);
    } finally {
      receiver.stop(true);
    }
    expect((await put("back.txt", "back")).status).toBe(201);
    await t.services.dashboard.alerts.check();
    expect(deviceAlerts()).toEqual([]);
    expect(await (await t.request("/settings/devices", { headers: t.signIn(alice) })).text()).not.toContain("no backup for");
  });

  test("Connect a computer names the exact addresses", async () => {
    t = createTestApp();
    const alice = t.createAdmin("alice");
    const page = await (await t.request("/settings/computers", { headers: t.signIn(alice) })).text();
    expect(page).toContain("http://localhost:8080/remote.php/dav/files/alice/");
    expect(page).toContain("davs://localhost:8080/remote.php/dav/files/alice/");
    expect(page).toContain("FileSizeLimitInBytes");
  });
});

// A small tmpfs as the data dir gives a real ENOSPC (root only; the Drive write path's own tests inject one everywhere).
const canMount =
  process.getuid?.() === 0 && Bun.spawnSync(["sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs $d && umount $d && rmdir $d"]).exitCode === 0;

test.skipIf(!canMount)("a full disk mid-PUT and mid-chunk: 507 with the sentence, nothing partial, reads keep working", async () => {
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const mnt = mkdtempSync(join(tmpdir(), "dav-full-"));
  expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt]).exitCode).toBe(0);
  t = createTestApp({ config: { dataDir: mnt } });
  try {
    const alice = t.createAdmin("alice");
    const auth = basic(alice, t.services.devices.create(alice.id, "Laptop").password);
    expect((await t.request("/dav/small.txt", { method: "PUT", headers: { authorization: auth }, body: "fits" })).status).toBe(201);
    const chunk = new Uint8Array(1024 * 1024).fill(7);
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 6; i++) c.enqueue(chunk);
          c.close();
        },
      });
    const put = await t.request("/dav/big.bin", { method: "PUT", headers: { authorization: auth }, body: stream() });
    expect(put.status).toBe(507);
    expect(await put.text()).toContain("The disk is full");
    expect(readdirSync(join(mnt, "users", alice.id, "tmp"))).toEqual([]);
    const up = "/remote.php/dav/uploads/alice/full-1";
    expect((await t.request(up, { method: "MKCOL", headers: { authorization: auth } })).status).toBe(201);
    expect((await t.request(`${up}/1`, { method: "PUT", headers: { authorization: auth }, body: stream() })).status).toBe(507);
    expect(readdirSync(join(mnt, "dav-uploads", alice.id, "full-1"))).toEqual([]);
    expect(await (await t.request("/dav/small.txt", { headers: { authorization: auth } })).text()).toBe("fits");
    expect((await t.request("/dav/", { method: "PROPFIND", headers: { authorization: auth, depth: "1" } })).status).toBe(207);
  } finally {
    t.db.$client.close(); // the database lives on the tmpfs too
    // Lazily: a file the server streamed may still be closing.
    Bun.spawnSync(["umount", "-l", mnt]);
    rmSync(mnt, { recursive: true, force: true });
    t = undefined as unknown as TestApp; // cleaned up here: afterEach has nothing left to remove
  }
});
