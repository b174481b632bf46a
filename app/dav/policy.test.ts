// WebDAV has no rules of its own: each method's answer is the access policy's (app/access) for the permission it
// needs, asked of the policy directly beside the request, for the owner, a read-share and a write-share recipient
// and another person. oc:permissions agree with the policy item by item, and a lock is its taker's alone.
import { afterEach, describe, expect, test } from "bun:test";
import type { Permission } from "../access/permissions";
import type { User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { createTestApp, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

const VIEWERS = ["owner", "read share", "write share", "other user"] as const;
type Who = (typeof VIEWERS)[number];

const put = (content: string) =>
  (async function* () {
    yield new TextEncoder().encode(content);
  })();

/** alice's Holiday (shared with rita to read, with wes to write) and the items each case acts on. */
async function fixture() {
  t = createTestApp();
  const { drive, share, access, devices } = t.services;
  const alice = t.createUser("alice");
  const people: Record<Who, User> = { owner: alice, "read share": t.createUser("rita"), "write share": t.createUser("wes"), "other user": t.createUser("bob") };
  const holiday = drive.mkdir(alice, undefined, "Holiday");
  const sub = drive.mkdir(alice, holiday.id, "Day 2");
  const photo = await drive.upload(alice, { parentId: holiday.id, name: "beach.jpg", conflict: "fail" }, put("sand"));
  const movable = await drive.upload(alice, { parentId: sub.id, name: "move-me.txt", conflict: "fail" }, put("move"));
  const doomed = await drive.upload(alice, { parentId: sub.id, name: "delete-me.txt", conflict: "fail" }, put("delete"));
  share.shareWithUser(alice, { folderId: holiday.id, username: "rita", access: "read" });
  share.shareWithUser(alice, { folderId: holiday.id, username: "wes", access: "write" });
  const auth = Object.fromEntries(
    VIEWERS.map((who) => {
      const { password } = devices.create(people[who].id, "Laptop");
      return [who, `Basic ${Buffer.from(`${people[who].username}:${password}`).toString("base64")}`];
    }),
  ) as Record<Who, string>;
  const dav = (who: Who, path: string, init: { method: string; headers?: Record<string, string>; body?: string }) =>
    t.request(`/dav/${path}`, { ...init, headers: { authorization: auth[who], ...init.headers } });
  return { access, people, items: { holiday, sub, photo, movable, doomed }, dav };
}

/** The policy's answer: 200, or the status of its refusal (403 seen but not allowed, 404 hidden). */
function policy(f: Awaited<ReturnType<typeof fixture>>, who: Who, asks: [Permission, string][]) {
  for (const [permission, id] of asks) {
    try {
      f.access.require(f.people[who], permission as "file.read", [id]);
    } catch (e) {
      if (e instanceof AppError) return e.status;
      throw e;
    }
  }
  return 200;
}

const PROPPATCH = `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:z="urn:x"><d:set><d:prop><z:note>hi</z:note></d:prop></d:set></d:propertyupdate>`;
const LOCK = `<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>`;

type Case = {
  what: string;
  /** The permissions the method needs, asked in this order. */
  asks: (items: Awaited<ReturnType<typeof fixture>>["items"]) => [Permission, string][];
  request: (who: Who) => { path: string; method: string; headers?: Record<string, string>; body?: string };
  /** The method's own success status. */
  ok: number;
  /**
   * What someone who may not even see the shared folder gets when the method creates something: its parent is
   * missing for them, which RFC 4918 answers with 409. Everyone else gets the policy's status as it is.
   */
  hidden?: number;
  /** It changes what the other cases act on (a lock, the shared folder renamed or deleted): run on a tree of its own. */
  alone?: boolean;
};

const CASES: Case[] = [
  {
    what: "PROPFIND a shared folder",
    asks: (i) => [["file.read", i.holiday.id]],
    request: () => ({ path: "Holiday", method: "PROPFIND", headers: { depth: "0" } }),
    ok: 207,
  },
  { what: "GET a file in it", asks: (i) => [["file.read", i.photo.id]], request: () => ({ path: "Holiday/beach.jpg", method: "GET" }), ok: 200 },
  {
    what: "PUT a new file into it",
    asks: (i) => [["file.write", i.holiday.id]],
    request: (who) => ({ path: `Holiday/new-${who.replace(" ", "-")}.txt`, method: "PUT", body: "new" }),
    ok: 201,
    hidden: 409,
  },
  {
    what: "MKCOL in a folder below it",
    asks: (i) => [["file.write", i.sub.id]],
    request: (who) => ({ path: `Holiday/Day 2/made-by-${who.replace(" ", "-")}`, method: "MKCOL" }),
    ok: 201,
    hidden: 409,
  },
  {
    what: "PROPPATCH a file (a dead property)",
    asks: (i) => [["file.write", i.photo.id]],
    request: () => ({ path: "Holiday/beach.jpg", method: "PROPPATCH", body: PROPPATCH }),
    ok: 207,
  },
  {
    what: "LOCK a file",
    asks: (i) => [["file.write", i.photo.id]],
    request: () => ({ path: "Holiday/beach.jpg", method: "LOCK", body: LOCK }),
    ok: 200,
    hidden: 409,
    alone: true,
  },
  {
    what: "COPY a file within it",
    asks: (i) => [
      ["file.read", i.photo.id],
      ["file.write", i.holiday.id],
    ],
    request: (who) => ({ path: "Holiday/beach.jpg", method: "COPY", headers: { destination: `/dav/Holiday/copy-${who.replace(" ", "-")}.jpg` } }),
    ok: 201,
  },
  {
    what: "MOVE a file up a folder",
    asks: (i) => [
      ["file.manage", i.movable.id],
      ["file.write", i.holiday.id],
    ],
    request: () => ({ path: "Holiday/Day 2/move-me.txt", method: "MOVE", headers: { destination: "/dav/Holiday/moved.txt" } }),
    ok: 201,
  },
  {
    what: "DELETE a file below it",
    asks: (i) => [["file.manage", i.doomed.id]],
    request: () => ({ path: "Holiday/Day 2/delete-me.txt", method: "DELETE" }),
    ok: 204,
  },
  {
    what: "MOVE (rename) the shared folder itself",
    asks: (i) => [["file.manage", i.holiday.id]],
    request: () => ({ path: "Holiday", method: "MOVE", headers: { destination: "/dav/Renamed" } }),
    ok: 201,
    alone: true,
  },
  {
    what: "DELETE the shared folder itself",
    asks: (i) => [["file.manage", i.holiday.id]],
    request: () => ({ path: "Holiday", method: "DELETE" }),
    ok: 204,
    alone: true,
  },
];

describe("WebDAV answers what the access policy answers", () => {
  test("each method × owner, read share, write share, other user: the policy's status, the method's own on success", async () => {
    const wrong: string[] = [];
    const seen = new Set<number>();
    const run = async (f: Awaited<ReturnType<typeof fixture>>, c: Case, who: Who) => {
      const decided = policy(f, who, c.asks(f.items));
      const unseen = policy(f, who, [["file.read", f.items.holiday.id]]) === 404;
      const expected = decided === 200 ? c.ok : unseen && c.hidden ? c.hidden : decided;
      const { path, ...init } = c.request(who);
      const res = await f.dav(who, path, init);
      await res.arrayBuffer();
      seen.add(decided);
      if (res.status !== expected) wrong.push(`${c.what} as ${who}: ${res.status}, the policy says ${decided} (expected ${expected})`);
    };
    for (const who of VIEWERS) {
      // One tree for the cases that leave each other alone (each acts on items of its own), one each for the others.
      const shared = await fixture();
      for (const c of CASES.filter((c) => !c.alone)) await run(shared, c, who);
      t.cleanup();
      for (const c of CASES.filter((c) => c.alone)) {
        await run(await fixture(), c, who);
        t.cleanup();
      }
    }
    expect(wrong).toEqual([]);
    // The table covers allowed, refused and hidden alike.
    expect([...seen].sort()).toEqual([200, 403, 404]);
  }, 120_000);

  test("oc:permissions of a listing are the policy's file.write and file.manage, item by item", async () => {
    const f = await fixture();
    const ids = [f.items.holiday, f.items.photo, f.items.sub];
    const body = `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:permissions/><oc:fileid/></d:prop></d:propfind>`;
    for (const who of ["owner", "read share", "write share"] as const) {
      const res = await f.dav(who, "Holiday/", { method: "PROPFIND", headers: { depth: "1" }, body });
      const xml = await res.text();
      const letters = new Map([...xml.matchAll(/<oc:permissions>([A-Z]*)<\/oc:permissions><oc:fileid>(\d+)<\/oc:fileid>/g)].map((m) => [Number(m[2]), m[1]!]));
      const write = f.access.allowed(
        f.people[who],
        "file.write",
        ids.map((i) => i.id),
      );
      const manage = f.access.allowed(
        f.people[who],
        "file.manage",
        ids.map((i) => i.id),
      );
      for (const item of ids) {
        const p = letters.get(item.seq) ?? "";
        expect([who, item.name, p.includes("G")]).toEqual([who, item.name, true]);
        expect([who, item.name, /[WCK]/.test(p)]).toEqual([who, item.name, write.has(item.id)]);
        expect([who, item.name, /[DNV]/.test(p)]).toEqual([who, item.name, manage.has(item.id)]);
      }
      // The recipients see Holiday as a folder shared with them.
      expect([who, letters.get(f.items.holiday.seq)!.includes("S")]).toEqual([who, who !== "owner"]);
    }
  });

  test("a lock is its taker's: another person's writes are refused (423) even with its token, and they cannot release it (403)", async () => {
    const f = await fixture();
    const taken = await f.dav("owner", "Holiday/beach.jpg", { method: "LOCK", body: LOCK });
    expect(taken.status).toBe(200);
    const token = taken.headers.get("lock-token")!.slice(1, -1);
    expect(f.access.allowed(f.people["write share"], "lock.use", [token]).size).toBe(0);
    const write = await f.dav("write share", "Holiday/beach.jpg", { method: "PUT", headers: { if: `(<${token}>)` }, body: "mine now" });
    expect(write.status).toBe(423);
    const release = await f.dav("write share", "Holiday/beach.jpg", { method: "UNLOCK", headers: { "lock-token": `<${token}>` } });
    expect(release.status).toBe(403);
    expect((await f.dav("owner", "Holiday/beach.jpg", { method: "PUT", headers: { if: `(<${token}>)` }, body: "still mine" })).status).toBe(204);
    expect((await f.dav("owner", "Holiday/beach.jpg", { method: "UNLOCK", headers: { "lock-token": `<${token}>` } })).status).toBe(204);
  });
});
