// The access policy on its own: one statement per check however many ids, grants read again on every call (a removed
// share or a revoked link ends access at the next call), and the answers for ids one may not know exist.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../test/support/app";
import { partnerFixture, type PartnerFixture } from "../../test/support/partners";
import type { User } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { createAccessPolicy } from "./policy";
import { createAccessRepo } from "./repo";

let t: TestApp;
afterEach(() => t?.cleanup());

async function* bytes(s: string) {
  yield new TextEncoder().encode(s);
}

/** Statements the policy ran since the last `statements()` (each of its statements is wrapped to count its runs). */
let runs = 0;

function setup() {
  let clock = Date.now();
  t = createTestApp({ deps: { now: () => new Date(clock) } });
  const client = t.db.$client;
  const prepare = client.prepare.bind(client);
  // The policy prepares its statements once, here; each is counted when it runs (a spy: the real statement runs).
  client.prepare = ((sql: string) => {
    const statement = prepare(sql);
    for (const method of ["all", "get", "values", "run"] as const) {
      const real = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => (runs++, real(...args));
    }
    return statement;
  }) as typeof client.prepare;
  const access = createAccessPolicy({ repo: createAccessRepo(t.db), now: () => new Date(clock) });
  client.prepare = prepare;
  const alice = t.createAdmin("alice");
  const bob = t.createUser("bob");
  const carol = t.createUser("carol");
  return { access, alice, bob, carol, tick: (ms: number) => (clock += ms) };
}

/** Counts the SQL statements the policy runs while `fn` runs. */
function statements<T>(fn: () => T): { result: T; n: number } {
  runs = 0;
  const result = fn();
  return { result, n: runs };
}

const statusOf = (fn: () => unknown) => {
  try {
    fn();
    return 200;
  } catch (e) {
    if (e instanceof AppError) return e.status;
    throw e;
  }
};

describe("batching", () => {
  test("a check over 300 items of a shared tree is one statement, and answers each item", () => {
    const { access, alice, carol } = setup();
    const { drive, share } = t.services;
    const top = drive.mkdir(alice, undefined, "Top");
    let folder = top;
    for (let depth = 0; depth < 5; depth++) folder = drive.mkdir(alice, folder.id, `Level ${depth}`);
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(drive.mkdir(alice, folder.id, `f${i}`).id); // folders: items without content, quick to make
    const outside = drive.mkdir(alice, undefined, "Outside");
    share.shareWithUser(alice, { folderId: top.id, username: "carol", access: "read" });

    const read = statements(() => access.require(carol, "file.read", ids));
    expect(read.n).toBe(1);
    expect(read.result.map((f) => f.id)).toEqual(ids);
    const owner = statements(() => access.require(alice, "file.write", [...ids, outside.id]));
    expect(owner.n).toBe(1);
    const some = statements(() => access.allowed(carol, "file.read", [...ids.slice(0, 3), outside.id, "no-such-id"]));
    expect(some.n).toBe(1);
    expect([...some.result]).toEqual(ids.slice(0, 3));
    // One item refused is enough to refuse the whole request: 404, naming nothing.
    expect(statusOf(() => access.require(carol, "file.read", [...ids, outside.id]))).toBe(404);
    expect(statusOf(() => access.require(carol, "file.write", ids.slice(0, 1)))).toBe(404);
  }, 30_000);

  test("albums, album items, links, shares and uploads: one statement each", async () => {
    const { access, alice, bob } = setup();
    const { share, photos } = t.services;
    const albums = Array.from({ length: 20 }, (_, i) => photos.createAlbum(alice, `A${i}`));
    for (const a of albums) share.shareAlbumWithUser(alice, { albumId: a.id, username: "bob", access: "view" });
    const links = await Promise.all(albums.map((a) => share.create(alice, { albumId: a.id })));
    const albumIds = albums.map((a) => a.id);
    expect(statements(() => access.require(bob, "album.view", albumIds)).n).toBe(1);
    expect(statements(() => access.allowed(bob, "album.contribute", albumIds)).n).toBe(1);
    const linkIds = links.map((l) => l.link.id);
    expect(statements(() => access.require(alice, "link.manage", linkIds)).n).toBe(1);
    expect(statements(() => access.allowed(bob, "album.item.remove", ["a", "b", "c"], { album: albums[0]!.id })).n).toBe(1);
    const viewer = { link: links[0]!.link };
    expect(statements(() => access.allowed(viewer, "album.view", albumIds)).n).toBe(1);
    expect([...access.allowed(viewer, "album.view", albumIds)]).toEqual([albums[0]!.id]);
  });
});

describe("a folder's children decided once for the folder (allowedBelow)", () => {
  test("answers what allowedEach answers for every child, for the owner, recipients of shares above and on a child, and a stranger; two statements", async () => {
    const { access, alice, bob, carol } = setup();
    const dave = t.createUser("dave");
    const { drive, share } = t.services;
    const holiday = drive.mkdir(alice, undefined, "Holiday");
    const day2 = drive.mkdir(alice, holiday.id, "Day 2");
    const day3 = drive.mkdir(alice, holiday.id, "Day 3");
    await drive.upload(alice, { parentId: holiday.id, name: "beach.jpg", conflict: "fail" }, bytes("sand"));
    await drive.upload(alice, { parentId: day2.id, name: "boat.jpg", conflict: "fail" }, bytes("boat"));
    const gone = await drive.upload(alice, { parentId: holiday.id, name: "gone.txt", conflict: "fail" }, bytes("x"));
    drive.moveToTrash(alice, [gone.id]);
    // bob: read on Holiday, write on Day 2 inside it; carol: Day 2 alone (Holiday is not hers to see); dave: nothing.
    share.shareWithUser(alice, { folderId: holiday.id, username: "bob", access: "read" });
    share.shareWithUser(alice, { folderId: day2.id, username: "bob", access: "write" });
    share.shareWithUser(alice, { folderId: day2.id, username: "carol", access: "read" });
    const PERMISSIONS = ["file.read", "file.write", "file.manage", "file.star", "file.restore", "file.purge", "file.share", "folder.share"] as const;
    const folders = [drive.rootOf(alice), holiday, day2, day3];
    const seen = new Set<string>();
    for (const viewer of [alice, bob, carol, dave]) {
      for (const folder of folders) {
        const children = t.db.$client.query("SELECT id FROM files WHERE parent_id = ? AND trashed_at IS NULL").all(folder.id) as { id: string }[];
        const ids = children.map((c) => c.id);
        const each = access.allowedEach(viewer, PERMISSIONS, ids);
        const decided = statements(() => access.allowedBelow(viewer, PERMISSIONS, folder.id));
        expect(decided.n).toBe(2);
        for (const id of ids) {
          const below = [...decided.result(drive.itemFor(alice, id))].sort();
          const expected = PERMISSIONS.filter((p) => each.get(p)!.has(id)).sort();
          expect([viewer.username, folder.name, id, below]).toEqual([viewer.username, folder.name, id, expected]);
          seen.add(expected.join(","));
        }
      }
    }
    // The cases differ: everything (owner), nothing (stranger), read only, and write below a read share.
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });
});

describe("revocation takes effect on the next call", () => {
  test("a folder share removed, or lowered to read, is read as such by the very next check", async () => {
    const { access, alice, carol } = setup();
    const { drive, share } = t.services;
    const folder = drive.mkdir(alice, undefined, "Shared");
    const file = await drive.upload(alice, { parentId: folder.id, name: "a.txt", conflict: "fail" }, bytes("a"));
    const grant = share.shareWithUser(alice, { folderId: folder.id, username: "carol", access: "write" });
    expect(access.require(carol, "file.write", [file.id])[0]!.id).toBe(file.id);
    share.shareWithUser(alice, { folderId: folder.id, username: "carol", access: "read" });
    expect(statusOf(() => access.require(carol, "file.write", [file.id]))).toBe(404);
    expect(access.require(carol, "file.read", [file.id])[0]!.id).toBe(file.id);
    share.unshareWithUser(alice, grant.id);
    expect(statusOf(() => access.require(carol, "file.read", [file.id]))).toBe(404);
    expect(access.visibleAncestors(carol, file.id)).toEqual([]);
    expect(access.sharedFolderIds(carol)).toEqual([]);
  });

  test("an album share removed ends viewing at once; a link revoked or expired grants nothing more", async () => {
    const { access, alice, bob, tick } = setup();
    const { drive, share, photos } = t.services;
    const album = photos.createAlbum(alice, "Trip");
    const grant = share.shareAlbumWithUser(alice, { albumId: album.id, username: "bob", access: "contribute" });
    expect(access.require(bob, "album.contribute", [album.id])[0]!.access).toBe("contribute");
    share.unshareAlbum(alice, grant.id);
    expect(statusOf(() => access.require(bob, "album.view", [album.id]))).toBe(404);

    const folder = drive.mkdir(alice, undefined, "Holiday");
    const file = await drive.upload(alice, { parentId: folder.id, name: "a.txt", conflict: "fail" }, bytes("a"));
    const { link } = await share.create(alice, { fileId: folder.id });
    const viewer = { link }; // the row as the visitor's request resolved it: the policy reads it again
    expect(access.require(viewer, "file.read", [file.id])[0]!.id).toBe(file.id);
    expect(access.require(viewer, "link.download", [link.id])[0]!.id).toBe(link.id);
    share.revoke(alice, link.id);
    expect(statusOf(() => access.require(viewer, "file.read", [file.id]))).toBe(404);
    expect(statusOf(() => access.require(viewer, "link.download", [link.id]))).toBe(404);
    expect(access.visibleAncestors(viewer, file.id)).toEqual([]);

    const expiring = (await share.create(alice, { fileId: folder.id, expiresAt: new Date(Date.now() + 60_000) })).link;
    expect(access.allowed({ link: expiring }, "file.read", [file.id]).size).toBe(1);
    tick(120_000);
    expect(access.allowed({ link: expiring }, "file.read", [file.id]).size).toBe(0);
  });

  test("an item moved out of a shared folder, or trashed under a link, leaves their reach at once", async () => {
    const { access, alice, carol } = setup();
    const { drive, share } = t.services;
    const shared = drive.mkdir(alice, undefined, "Shared");
    const other = drive.mkdir(alice, undefined, "Other");
    const file = await drive.upload(alice, { parentId: shared.id, name: "a.txt", conflict: "fail" }, bytes("a"));
    share.shareWithUser(alice, { folderId: shared.id, username: "carol", access: "read" });
    const { link } = await share.create(alice, { fileId: shared.id });
    expect(access.allowed(carol, "file.read", [file.id]).size).toBe(1);
    drive.moveToTrash(alice, [file.id]);
    expect(access.allowed({ link }, "file.read", [file.id]).size).toBe(0); // a link serves nothing from the trash
    drive.restore(alice, [file.id]);
    expect(access.allowed({ link }, "file.read", [file.id]).size).toBe(1);
    drive.move(alice, [file.id], other.id);
    expect(access.allowed(carol, "file.read", [file.id]).size).toBe(0);
    expect(access.allowed({ link }, "file.read", [file.id]).size).toBe(0);
  });
});

describe("what the viewer may know exists", () => {
  test("a recipient sees from the shared folder down, may not change the shared folder itself, and reaches the trash only when asking", async () => {
    const { access, alice, carol } = setup();
    const { drive, share } = t.services;
    const trip = drive.mkdir(alice, undefined, "Trip");
    const day2 = drive.mkdir(alice, trip.id, "Day2");
    const photo = await drive.upload(alice, { parentId: day2.id, name: "day2.jpg", conflict: "fail" }, bytes("jpeg"));
    share.shareWithUser(alice, { folderId: day2.id, username: "carol", access: "write" });
    expect(access.visibleAncestors(carol, photo.id).map((f) => f.name)).toEqual(["Day2", "day2.jpg"]);
    expect(access.visibleAncestors(alice, photo.id).map((f) => f.name)).toEqual(["", "Trip", "Day2", "day2.jpg"]);
    const { link } = await share.create(alice, { fileId: day2.id });
    expect(access.visibleAncestors({ link }, photo.id).map((f) => f.name)).toEqual(["Day2", "day2.jpg"]);
    expect(statusOf(() => access.require(carol, "file.read", [trip.id]))).toBe(404);
    expect(statusOf(() => access.require(carol, "file.manage", [day2.id]))).toBe(403);
    expect(access.require(carol, "file.manage", [photo.id])[0]!.id).toBe(photo.id);
    expect(statusOf(() => access.require(carol, "file.star", [photo.id]))).toBe(403);
    expect(statusOf(() => access.require(carol, "folder.share", [day2.id]))).toBe(403);
    drive.moveToTrash(carol, [photo.id]);
    expect(statusOf(() => access.require(carol, "file.read", [photo.id]))).toBe(404);
    expect(access.require(carol, "file.read", [photo.id], { trashed: true })[0]!.trashedAt).not.toBeNull();
    expect(statusOf(() => access.require(carol, "file.restore", [photo.id], { trashed: true }))).toBe(403);
  });

  test("the admin manages every link and share but reads nobody's files; anonymous gets nothing", async () => {
    const { access, alice, bob } = setup();
    const { drive, share } = t.services;
    const folder = drive.mkdir(bob, undefined, "Bob's");
    const { link } = await share.create(bob, { fileId: folder.id });
    expect(access.require(alice, "link.manage", [link.id])[0]!.byAdmin).toBe(true);
    expect(access.require(bob, "link.manage", [link.id])[0]!.byAdmin).toBe(false);
    expect(statusOf(() => access.require(alice, "file.read", [folder.id]))).toBe(404);
    expect(statusOf(() => access.require(null, "file.read", [folder.id]))).toBe(404);
    expect(statusOf(() => access.require(null, "link.manage", [link.id]))).toBe(404);
    expect(access.visibleAncestors(null, folder.id)).toEqual([]);
    expect(access.visibleAncestors(alice, folder.id)).toEqual([]);
    expect(access.visibleAncestors(bob, folder.id).map((f) => f.name)).toEqual(["", "Bob's"]);
  });
});

describe("partner sharing (partner.library, partner.photo)", () => {
  let p: PartnerFixture;
  beforeAll(async () => {
    p = await partnerFixture();
  }, 120_000);
  afterAll(() => p?.cleanup());
  const status = (fn: () => unknown) => statusOf(fn);
  const seen = (viewer: User, ids: string[]) => [...p.t.services.access.allowed(viewer, "partner.photo", ids)];
  const share = (input: { from?: string; photosOnly?: boolean }) => p.t.services.photos.sharePartner(p.ann, { username: "bob", ...input });

  test("the partner reads the owner's shown photos and videos; a non-partner and the administrator nothing", () => {
    const { access } = p.t.services;
    const { arezzo, canon, video, bobs } = p.items;
    share({});
    expect(access.require(p.bob, "partner.library", [p.ann.id])[0]!.ownerId).toBe(p.ann.id);
    expect(seen(p.bob, [arezzo.id, canon.id, video.id])).toEqual([arezzo.id, canon.id, video.id]);
    // carol is nobody's partner; ann's own photos are hers; bob's are not ann's through his share of nothing.
    expect(status(() => access.require(p.carol, "partner.photo", [arezzo.id]))).toBe(404);
    expect(status(() => access.require(p.carol, "partner.library", [p.ann.id]))).toBe(404);
    expect(seen(p.ann, [arezzo.id, bobs.id])).toEqual([arezzo.id]);
    expect(status(() => access.require(p.ann, "partner.library", [p.bob.id]))).toBe(404);
    const admin = p.t.createAdmin("dora");
    expect(status(() => access.require(admin, "partner.photo", [arezzo.id]))).toBe(404);
    expect(status(() => access.require(admin, "partner.library", [p.ann.id]))).toBe(404);
    // A partner share opens Photos, nothing of Drive or People.
    for (const perm of ["file.read", "file.write", "file.manage", "file.share", "file.people"] as const)
      expect(status(() => access.require(p.bob, perm, [arezzo.id]))).toBe(404);
  });

  test("archived, trashed and unknown ids are refused (404, as another user's id)", () => {
    const { access } = p.t.services;
    share({});
    for (const id of [p.items.archived.id, p.items.trashed.id, "no-such-id", p.ann.id])
      expect(status(() => access.require(p.bob, "partner.photo", [id]))).toBe(404);
    // Another person's photo named as if it were a library's: bob's own id is no library of his.
    expect(status(() => access.require(p.carol, "partner.photo", [p.items.bobs.id]))).toBe(404);
  });

  test("from a day: photos taken before it are out; photos only: videos are out", () => {
    const { arezzo, canon, video } = p.items;
    share({ from: "2008-09-01" });
    expect(seen(p.bob, [arezzo.id, canon.id, video.id])).toEqual([arezzo.id, video.id]);
    share({ from: "2008-09-01", photosOnly: true });
    expect(seen(p.bob, [arezzo.id, canon.id, video.id])).toEqual([arezzo.id]);
    share({});
    expect(seen(p.bob, [arezzo.id, canon.id, video.id])).toEqual([arezzo.id, canon.id, video.id]);
  });

  test("revoking is seen by the very next call", () => {
    const { access } = p.t.services;
    share({});
    const { arezzo, canon, video, archived, trashed } = p.items;
    const ids = [arezzo.id, canon.id, video.id, archived.id, trashed.id];
    expect(access.allowed(p.bob, "partner.photo", ids).size).toBe(3);
    p.t.services.photos.stopPartner(p.ann, p.bob.id);
    expect(access.allowed(p.bob, "partner.photo", ids).size).toBe(0);
    expect(status(() => access.require(p.bob, "partner.library", [p.ann.id]))).toBe(404);
    expect(status(() => access.require(p.bob, "partner.photo", [p.items.arezzo.id]))).toBe(404);
    // The owner's reach is untouched: all hers but what is in the trash.
    expect([...access.allowed(p.ann, "partner.photo", ids)]).toEqual([arezzo.id, canon.id, video.id, archived.id]);
  });
});
