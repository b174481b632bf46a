// Album links, albums shared between users, Photos' "Shared with me", drop-box folder links, tus reservations on the
// folder owner's quota and paged link folders, through the app's front door (app.handle) on real SQLite and files.
import { afterEach, describe, expect, test } from "bun:test";
import exifr from "exifr";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hmac } from "../platform/crypto";
import { TEST_ORIGIN } from "../../test/support/app";
import { GPS_PHOTO, OTHER_PHOTO, PASSWORD, shareFixture, type ShareFixture } from "../../test/support/share";

const DAVES_PHOTO = new Uint8Array(readFileSync(join(import.meta.dir, "../../test/fixtures/photos/cameras/Canon_40D.jpg")));
let f: ShareFixture;
afterEach(() => f?.t.cleanup());

function visitor(f: ShareFixture, id = "visitor1") {
  return { cookie: `nas_pre=${id}`, origin: TEST_ORIGIN, "sec-fetch-site": "same-origin", "x-csrf-token": hmac(f.t.secret, `csrf:${id}`) };
}
async function unlocked(f: ShareFixture, token: string) {
  const h = visitor(f);
  const res = await f.t.request(`/s/${token}/unlock`, {
    method: "POST",
    headers: { ...h, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ password: PASSWORD }).toString(),
  });
  expect(res.status).toBe(303);
  const pair = res.headers
    .getSetCookie()
    .find((c) => c.startsWith("nas_link="))!
    .split(";")[0]!;
  return { ...h, cookie: `${h.cookie}; ${pair}` };
}
/** A zip's entries, read by Python's zipfile (an independent reader). */
function unzip(bytes: Uint8Array): Record<string, Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "album-zip-"));
  writeFileSync(join(dir, "a.zip"), bytes);
  const r = Bun.spawnSync([
    "python3",
    "-c",
    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print('\\n'.join(z.namelist())); z.extractall(sys.argv[2])",
    join(dir, "a.zip"),
    join(dir, "out"),
  ]);
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  const names = r.stdout.toString().trim().split("\n");
  return Object.fromEntries(names.map((n) => [n, new Uint8Array(readFileSync(join(dir, "out", n)))]));
}
const audited = (f: ShareFixture, action: string) =>
  f.t.db.$client.query("SELECT object_id, ok, detail FROM audit_log WHERE action = ?").all(action) as { object_id: string; ok: number; detail: string }[];

describe("album links", () => {
  test("a password album link: locked, then a gallery of exactly the album; photos without EXIF/GPS; only its own ids", async () => {
    f = await shareFixture();
    const token = f.links.albumLocked.token;
    const locked = await f.t.request(`/s/${token}/`, { headers: visitor(f) });
    expect(locked.status).toBe(401);
    expect(await locked.text()).not.toContain(f.items.photo!.id);
    expect((await f.t.request(`/s/${token}/thumb/${f.items.photo!.id}`, { headers: visitor(f) })).status).toBe(403);

    const h = await unlocked(f, token);
    const page = await f.t.request(`/s/${token}/`, { headers: h });
    expect(page.status).toBe(200);
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain(`/s/${token}/thumb/${f.items.photo!.id}`);
    expect(html).toContain("Download all");
    expect(html).not.toContain(f.items.privatePhoto!.id);

    const original = await f.t.request(`/s/${token}/content/${f.items.photo!.id}?download=1`, { headers: h });
    expect(original.status).toBe(200);
    const bytes = new Uint8Array(await original.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(1000);
    expect(await exifr.gps(Buffer.from(GPS_PHOTO))).toBeTruthy(); // the fixture has a location…
    expect(await exifr.gps(Buffer.from(bytes)).catch(() => undefined)).toBeFalsy(); // …the served bytes do not
    const thumb = await f.t.request(`/s/${token}/thumb/${f.items.photo!.id}`, { headers: h });
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    expect(await exifr.gps(Buffer.from(await thumb.arrayBuffer())).catch(() => undefined)).toBeFalsy();

    // The same owner's photo in another album, a Drive file of the owner not in any album, another user's file,
    // a folder, path tricks: all refused, and none of their bytes served.
    for (const id of [f.items.privatePhoto!.id, f.items.note!.id, f.items.bobsFile!.id, f.items.holiday!.id, "..%2F..%2Fetc", "%252e%252e%252f"]) {
      for (const route of ["thumb", "content", "v", "f"]) {
        const res = await f.t.request(`/s/${token}/${route}/${id}`, { headers: h });
        expect([`${route} ${id}`, res.status]).toEqual([`${route} ${id}`, 404]);
      }
    }

    const zip = await f.t.request(`/s/${token}/zip`, { headers: h });
    expect(zip.status).toBe(200);
    const files = unzip(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(files)).toEqual(["Trip/beach.jpg"]);
    expect(await exifr.gps(Buffer.from(files["Trip/beach.jpg"]!)).catch(() => undefined)).toBeFalsy();
    expect(audited(f, "share.create").some((r) => r.detail.startsWith("album 'Trip', password"))).toBe(true);
  });

  test("a folder link never serves a photo of an album outside the folder, nor an album link a Drive file of the folder", async () => {
    f = await shareFixture();
    const { photos } = f.t.services;
    // "Other" holds a photo outside Holiday; add Holiday's photo too, so the album spans both.
    photos.addToAlbum(f.alice, f.albums.other!.id, [f.items.photo!.id]);
    const h = visitor(f);
    for (const route of ["thumb", "content", "v"]) {
      expect([route, (await f.t.request(`/s/${f.links.open.token}/${route}/${f.items.privatePhoto!.id}`, { headers: h })).status]).toEqual([route, 404]);
      expect([route, (await f.t.request(`/s/${f.links.open.token}/${route}/${f.items.photo!.id}`, { headers: h })).status]).toEqual([route, 200]);
    }
    // The sibling album's link now reaches Holiday's photo (it is in that album), but still nothing else of Holiday.
    const sib = f.links.siblingAlbum.token;
    expect((await f.t.request(`/s/${sib}/thumb/${f.items.photo!.id}`, { headers: h })).status).toBe(200);
    for (const id of [f.items.note!.id, f.items.sub!.id, f.items.holiday!.id])
      expect([id, (await f.t.request(`/s/${sib}/content/${id}`, { headers: h })).status]).toEqual([id, 404]);
    const zip = unzip(new Uint8Array(await (await f.t.request(`/s/${sib}/zip`, { headers: h })).arrayBuffer()));
    expect(Object.keys(zip).sort()).toEqual(["Other/beach.jpg", "Other/private.jpg"]);
  });

  test("view only, metadata allowed, revoked, expired and a deleted album; only the owner links their own album", async () => {
    f = await shareFixture();
    const { share } = f.t.services;
    const viewOnly = await share.create(f.alice, { albumId: f.albums.trip!.id, allowDownload: false });
    const v = visitor(f);
    expect((await f.t.request(`/s/${viewOnly.token}/`, { headers: v })).status).toBe(200);
    expect(await (await f.t.request(`/s/${viewOnly.token}/`, { headers: v })).text()).not.toContain("Download all");
    expect((await f.t.request(`/s/${viewOnly.token}/thumb/${f.items.photo!.id}`, { headers: v })).status).toBe(200);
    expect((await f.t.request(`/s/${viewOnly.token}/content/${f.items.photo!.id}`, { headers: v })).status).toBe(403);
    expect((await f.t.request(`/s/${viewOnly.token}/zip`, { headers: v })).status).toBe(403);

    const withMeta = await share.create(f.alice, { albumId: f.albums.trip!.id, allowMetadata: true });
    const raw = await f.t.request(`/s/${withMeta.token}/content/${f.items.photo!.id}`, { headers: v });
    expect((await exifr.gps(Buffer.from(await raw.arrayBuffer())))?.latitude).toBeCloseTo((await exifr.gps(Buffer.from(GPS_PHOTO)))!.latitude, 5);

    share.revoke(f.alice, viewOnly.link.id);
    expect((await f.t.request(`/s/${viewOnly.token}/thumb/${f.items.photo!.id}`, { headers: v })).status).toBe(410);
    const expiring = await share.create(f.alice, { albumId: f.albums.trip!.id, expiresAt: new Date(Date.now() + 300_000) });
    f.tick(400_000);
    expect((await f.t.request(`/s/${expiring.token}/content/${f.items.photo!.id}`, { headers: v })).status).toBe(410);
    f.t.services.photos.deleteAlbum(f.alice, f.albums.other!.id);
    expect((await f.t.request(`/s/${f.links.siblingAlbum.token}/`, { headers: v })).status).toBe(404);

    await expect(share.create(f.bob, { albumId: f.albums.trip!.id })).rejects.toMatchObject({ status: 404 });
    await expect(share.create(f.dave, { albumId: f.albums.trip!.id })).rejects.toMatchObject({ status: 403 }); // a contributor is not the owner
    await expect(share.create(f.alice, { albumId: f.albums.trip!.id, fileId: f.items.holiday!.id })).rejects.toMatchObject({ status: 400 });
    await expect(share.create(f.alice, { albumId: f.albums.trip!.id, allowUpload: true })).rejects.toMatchObject({ status: 400 });
  });

  test("an album name with markup is escaped on the link page, the password page and the Shared page", async () => {
    f = await shareFixture();
    const evil = `<img src=x onerror="alert(1)">`;
    f.t.services.photos.renameAlbum(f.alice, f.albums.trip!.id, evil);
    const locked = await (await f.t.request(`/s/${f.links.albumLocked.token}/`, { headers: visitor(f) })).text();
    const open = await (
      await f.t.request(`/s/${(await f.t.services.share.create(f.alice, { albumId: f.albums.trip!.id })).token}/`, { headers: visitor(f) })
    ).text();
    const shared = await (await f.t.request("/shared/", { headers: f.t.signIn(f.alice) })).text();
    const carols = await (await f.t.request("/photos/shared", { headers: f.t.signIn(f.carol) })).text();
    for (const html of [locked, open, shared, carols]) {
      expect(html).not.toContain(evil);
      expect(html).toContain("&lt;img src=x onerror=");
    }
  });
});

describe("albums shared between users", () => {
  const upload = (f: ShareFixture, who: Parameters<ShareFixture["t"]["signIn"]>[0], name: string, bytes: Uint8Array, type = "image/jpeg") => {
    const form = new FormData();
    form.set("file", new File([bytes], name, { type }));
    return f.t.request(`/photos/shared/albums/${f.albums.trip!.id}/upload`, { method: "POST", headers: f.t.signIn(who), body: form });
  };

  test("a contributor adds a photo that everyone sees as “added by” them; a viewer cannot add; the album is in their Photos", async () => {
    f = await shareFixture();
    const D = f.t.signIn(f.dave);
    expect((await upload(f, f.dave, "mine.jpg", DAVES_PHOTO)).status).toBe(303);
    const entries = f.t.services.photos.albumEntries(f.alice, f.albums.trip!.id);
    expect(entries.map((e) => [e.name, e.addedBy]).sort()).toEqual([
      ["beach.jpg", "alice"],
      ["mine.jpg", "dave"],
    ]);
    const daves = entries.find((e) => e.addedBy === "dave")!;
    expect(f.t.services.drive.itemFor(f.dave, daves.id, "file.read").userId).toBe(f.dave.id); // his file, in his Drive

    for (const who of [f.carol, f.alice]) {
      const html = await (await f.t.request(`/photos/shared/albums/${f.albums.trip!.id}`, { headers: f.t.signIn(who) })).text();
      expect(html).toContain("added by dave");
      expect(html).toContain("added by alice");
      expect((await f.t.request(`/photos/shared/albums/${f.albums.trip!.id}/thumb/${daves.id}`, { headers: f.t.signIn(who) })).status).toBe(200);
    }
    // carol sees Trip under "Shared with me"; bob, with no share, neither sees it nor opens it.
    expect(await (await f.t.request("/photos/shared", { headers: f.t.signIn(f.carol) })).text()).toContain(`/photos/shared/albums/${f.albums.trip!.id}`);
    expect(await (await f.t.request("/photos/shared", { headers: f.t.signIn(f.bob) })).text()).not.toContain(f.albums.trip!.id);
    expect((await f.t.request(`/photos/shared/albums/${f.albums.trip!.id}`, { headers: f.t.signIn(f.bob) })).status).toBe(404);
    // A viewer adds nothing; a contributor adds only pictures and videos.
    expect((await upload(f, f.carol, "hers.jpg", DAVES_PHOTO)).status).toBe(403);
    expect((await upload(f, f.dave, "notes.txt", new TextEncoder().encode("text"), "text/plain")).status).toBe(415);
    expect(f.t.services.photos.albumEntries(f.alice, f.albums.trip!.id)).toHaveLength(2);
    // Photos' grid of another's album is not reachable through the owner-only album routes.
    expect(
      (
        await f.t.request(`/photos/albums/${f.albums.trip!.id}/rename`, {
          method: "POST",
          headers: { ...D, "content-type": "application/json" },
          body: JSON.stringify({ name: "mine" }),
        })
      ).status,
    ).toBe(403);
  });

  test("a contributor's place is theirs to give: members and the album's links (metadata allowed too) get the photo without it", async () => {
    f = await shareFixture();
    expect((await upload(f, f.dave, "daves.jpg", OTHER_PHOTO)).status).toBe(303);
    const trip = f.albums.trip!.id;
    const daves = f.t.services.photos.albumEntries(f.alice, trip).find((e) => e.addedBy === "dave")!;
    const beach = f.items.photo!;
    const gpsOf = async (res: Response) => {
      expect(res.status).toBe(200);
      return (await exifr.gps(Buffer.from(await res.arrayBuffer())).catch(() => undefined))?.latitude;
    };
    const original = (who: ShareFixture["alice"], id: string) => f.t.request(`/photos/shared/albums/${trip}/content/${id}`, { headers: f.t.signIn(who) });
    // On the box: only the person who added a photo gets its place; the album's owner and its viewers do not.
    expect(await gpsOf(await original(f.dave, daves.id))).toBeNumber();
    expect(await gpsOf(await original(f.carol, daves.id))).toBeUndefined();
    expect(await gpsOf(await original(f.alice, daves.id))).toBeUndefined();
    expect(await gpsOf(await original(f.alice, beach.id))).toBeNumber();
    expect(await gpsOf(await original(f.carol, beach.id))).toBeUndefined();
    // A link with "include photo metadata" gives the link owner's places only: dave's photo is cleaned.
    const link = await f.t.services.share.create(f.alice, { albumId: trip, allowMetadata: true });
    expect(await gpsOf(await f.t.request(`/s/${link.token}/content/${beach.id}?download=1`))).toBeNumber();
    expect(await gpsOf(await f.t.request(`/s/${link.token}/content/${daves.id}?download=1`))).toBeUndefined();
    const files = unzip(new Uint8Array(await (await f.t.request(`/s/${link.token}/zip`)).arrayBuffer()));
    expect((await exifr.gps(Buffer.from(files["Trip/beach.jpg"]!)))?.latitude).toBeNumber();
    expect(await exifr.gps(Buffer.from(files["Trip/daves.jpg"]!)).catch(() => undefined)).toBeUndefined();
  });

  test("the owner removes anything, a contributor only their own; removing never deletes a file; revoking is immediate", async () => {
    f = await shareFixture();
    expect((await upload(f, f.dave, "mine.jpg", DAVES_PHOTO)).status).toBe(303);
    const { photos, drive, share } = f.t.services;
    const daves = photos.albumEntries(f.alice, f.albums.trip!.id).find((e) => e.addedBy === "dave")!;
    const remove = (who: typeof f.alice, ids: string[]) =>
      f.t.request(`/photos/shared/albums/${f.albums.trip!.id}/remove`, {
        method: "POST",
        headers: { ...f.t.signIn(who), "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ ids }),
      });
    expect((await remove(f.dave, [f.items.photo!.id])).status).toBe(403);
    expect((await remove(f.dave, [daves.id, f.items.photo!.id])).status).toBe(403); // all or nothing
    expect((await remove(f.carol, [daves.id])).status).toBe(403);
    expect((await remove(f.bob, [daves.id])).status).toBe(404);
    expect((await remove(f.alice, [f.items.privatePhoto!.id])).status).toBe(404); // not in this album
    expect(photos.albumEntries(f.alice, f.albums.trip!.id)).toHaveLength(2);
    expect((await remove(f.dave, [daves.id])).status).toBe(200);
    expect(photos.albumEntries(f.alice, f.albums.trip!.id).map((e) => e.name)).toEqual(["beach.jpg"]);
    expect(drive.itemFor(f.dave, daves.id, "file.read").trashedAt).toBeNull(); // still in his Drive
    expect((await remove(f.alice, [f.items.photo!.id])).status).toBe(200);
    expect(drive.itemFor(f.alice, f.items.photo!.id, "file.read").trashedAt).toBeNull();

    // dave adds again; alice ends his share: his photo leaves the album's view and he is out, at once.
    expect((await upload(f, f.dave, "again.jpg", DAVES_PHOTO)).status).toBe(303);
    expect(photos.albumEntries(f.carol, f.albums.trip!.id).map((e) => e.addedBy)).toEqual(["dave"]);
    const grant = share.albumGrantsOf(f.alice).find((g) => g.grantee === "dave")!;
    const res = await f.t.request(`/shared/albums/${grant.id}/remove`, {
      method: "POST",
      headers: { ...f.t.signIn(f.alice), "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(303);
    expect(photos.albumEntries(f.carol, f.albums.trip!.id)).toEqual([]);
    expect((await f.t.request(`/photos/shared/albums/${f.albums.trip!.id}`, { headers: f.t.signIn(f.dave) })).status).toBe(404);
    expect(audited(f, "share.album.grant").length).toBeGreaterThanOrEqual(2);
    expect(audited(f, "share.album.remove").map((r) => r.object_id)).toEqual([grant.id]);
  });
});

describe("adding from one's own Photos", () => {
  test("a contributor is offered the shared album in “Add to album” and adds a photo from their library; a viewer is not", async () => {
    f = await shareFixture();
    const albumsOf = async (who: typeof f.alice) =>
      ((await (await f.t.request("/photos/api/albums", { headers: f.t.signIn(who) })).json()) as { albums: { id: string; name: string }[] }).albums;
    expect((await albumsOf(f.dave)).find((a) => a.id === f.albums.trip!.id)?.name).toBe("Trip (alice's)");
    expect((await albumsOf(f.carol)).some((a) => a.id === f.albums.trip!.id)).toBe(false);
    const { drive } = f.t.services;
    const mine = await drive.upload(
      f.dave,
      { parentId: drive.rootOf(f.dave).id, name: "daves.jpg", conflict: "fail" },
      (async function* () {
        yield DAVES_PHOTO;
      })(),
    );
    const add = (who: typeof f.alice, id: string) =>
      f.t.request(`/photos/albums/${f.albums.trip!.id}/add`, {
        method: "POST",
        headers: { ...f.t.signIn(who), "content-type": "application/json" },
        body: JSON.stringify({ ids: [id] }),
      });
    expect((await add(f.dave, f.items.privatePhoto!.id)).status).toBe(404); // not his to add
    expect((await add(f.carol, f.items.photo!.id)).status).toBe(403); // a viewer adds nothing
    expect((await add(f.dave, mine.id)).status).toBe(200);
    expect(
      f.t.services.photos
        .albumEntries(f.alice, f.albums.trip!.id)
        .map((e) => [e.name, e.addedBy])
        .sort(),
    ).toEqual([
      ["beach.jpg", "alice"],
      ["daves.jpg", "dave"],
    ]);
  });
});

describe("folders shared with a user, in their Photos", () => {
  test("photos of a shared folder show under “Shared with me” with their owner, for recipients only, and leave with the share", async () => {
    f = await shareFixture();
    const carols = await (await f.t.request("/photos/shared", { headers: f.t.signIn(f.carol) })).text();
    expect(carols).toContain(`/drive/thumb/${f.items.photo!.id}`);
    expect(carols).toContain("shared by alice");
    expect(carols).not.toContain(f.items.privatePhoto!.id); // outside the shared folder
    expect(await (await f.t.request("/photos/shared", { headers: f.t.signIn(f.bob) })).text()).not.toContain(f.items.photo!.id);
    expect((await f.t.request(`/drive/thumb/${f.items.photo!.id}`, { headers: f.t.signIn(f.carol) })).status).toBe(200);
    const grant = f.t.services.share.grantsOf(f.alice).find((g) => g.grantee === "carol")!;
    f.t.services.share.unshareWithUser(f.alice, grant.id);
    expect(await (await f.t.request("/photos/shared", { headers: f.t.signIn(f.carol) })).text()).not.toContain(f.items.photo!.id);
  });
});

describe("drop-box folder links", () => {
  const drop = (f: ShareFixture, token: string, name: string, body: string | Uint8Array, headers = visitor(f)) =>
    f.t.request(`/s/${token}/upload?name=${encodeURIComponent(name)}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/octet-stream", accept: "application/json" },
      body,
    });

  test("a visitor uploads but sees nothing; a clash gets a new name and nothing is overwritten; uploads are attributed to the link", async () => {
    f = await shareFixture();
    const token = f.links.dropBox.token;
    const page = await (await f.t.request(`/s/${token}/`, { headers: visitor(f) })).text();
    expect(page).toContain("share-dropbox");
    for (const name of ["notes.txt", "beach.jpg", "Day 2"]) expect(page).not.toContain(name);
    for (const path of [`f/${f.items.sub!.id}`, `v/${f.items.note!.id}`, `thumb/${f.items.photo!.id}`, `content/${f.items.note!.id}`, "zip"]) {
      expect([path, (await f.t.request(`/s/${token}/${path}`, { headers: visitor(f) })).status]).toEqual([path, 403]);
    }
    const res = await drop(f, token, "notes.txt", "from a visitor");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ size: 14 }); // nothing about the folder, not even the name it got
    const { drive } = f.t.services;
    const listed = drive.list(f.alice, f.items.holiday!.id, { sort: "name", desc: false, offset: 0, limit: 50 }).items;
    const original = listed.find((i) => i.name === "notes.txt")!;
    const dropped = listed.find((i) => i.name === "notes (1).txt")!;
    expect(await drive.content(f.alice, original.id).body.text()).toBe("sun and sea");
    expect(await drive.content(f.alice, dropped.id).body.text()).toBe("from a visitor");
    expect(dropped.createdBy).toBe(`link:${f.links.dropBox.link.id}`);
    expect(audited(f, "share.upload").some((r) => r.object_id === f.links.dropBox.link.id && r.ok === 1)).toBe(true);

    // Hostile names: a clear error, nothing stored.
    for (const name of ["../escape.txt", "a/b.txt", "", ".."]) expect([name, (await drop(f, token, name, "x")).status]).toEqual([name, 400]);
    expect(drive.list(f.alice, f.items.holiday!.id, { sort: "name", desc: false, offset: 0, limit: 50 }).items).toHaveLength(listed.length);
    // Other links cannot upload; a folder link is not a drop box unless the owner said so.
    expect((await drop(f, f.links.open.token, "x.txt", "x")).status).toBe(403);
    await expect(f.t.services.share.create(f.alice, { fileId: f.items.note!.id, allowUpload: true })).rejects.toMatchObject({ status: 400 });
  });

  test("password, expiry and revocation apply; the owner's quota limits what a visitor can send", async () => {
    f = await shareFixture();
    const { share, drive } = f.t.services;
    const locked = await share.create(f.alice, { fileId: f.items.holiday!.id, allowUpload: true, password: PASSWORD });
    expect((await drop(f, locked.token, "a.txt", "x")).status).toBe(403);
    expect((await drop(f, locked.token, "a.txt", "x", await unlocked(f, locked.token))).status).toBe(200);
    const expiring = await share.create(f.alice, { fileId: f.items.holiday!.id, allowUpload: true, expiresAt: new Date(Date.now() + 300_000) });
    f.tick(400_000);
    expect((await drop(f, expiring.token, "b.txt", "x")).status).toBe(410);
    share.revoke(f.alice, f.links.dropBox.link.id);
    expect((await drop(f, f.links.dropBox.token, "c.txt", "x")).status).toBe(410);

    const box = await share.create(f.alice, { fileId: f.items.holiday!.id, allowUpload: true });
    const used = drive.usage(f.alice).used;
    f.t.db.$client.query("UPDATE users SET quota_bytes = ? WHERE id = ?").run(used + 10, f.alice.id);
    const big = await drop(f, box.token, "big.bin", new Uint8Array(64).fill(7));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toContain("quota");
    expect(drive.usage(f.alice).used).toBe(used);
    expect(drive.list(f.alice, f.items.holiday!.id, { sort: "name", desc: false, offset: 0, limit: 50 }).items.some((i) => i.name === "big.bin")).toBe(false);
  });
});

describe("resumable uploads into a shared folder", () => {
  test("a recipient's reservation counts against the folder owner's quota: two uploads cannot together overshoot it", async () => {
    f = await shareFixture();
    const { drive } = f.t.services;
    const used = drive.usage(f.alice).used;
    f.t.db.$client.query("UPDATE users SET quota_bytes = ? WHERE id = ?").run(used + 1000, f.alice.id);
    // dave's own quota is tiny: what he sends into alice's folder is hers to pay for, not his.
    f.t.db.$client.query("UPDATE users SET quota_bytes = ? WHERE id = ?").run(10, f.dave.id);
    drive.beginResumable(f.dave, "a".repeat(32), { parentId: f.items.holiday!.id, name: "one.bin", length: 600, conflict: "rename" });
    // Each fits alone; together they would pass the quota: the second is refused up front, by alice or by dave.
    expect(() => drive.beginResumable(f.alice, "b".repeat(32), { parentId: f.items.sub!.id, name: "two.bin", length: 600, conflict: "rename" })).toThrow(
      expect.objectContaining({ status: 413 }),
    );
    expect(() => drive.beginResumable(f.dave, "c".repeat(32), { parentId: f.items.holiday!.id, name: "three.bin", length: 600, conflict: "rename" })).toThrow(
      expect.objectContaining({ status: 413 }),
    );
    drive.beginResumable(f.alice, "d".repeat(32), { parentId: f.items.sub!.id, name: "four.bin", length: 400, conflict: "rename" });
    // Once the first is given up, its bytes are free again.
    drive.forgetResumable("a".repeat(32));
    drive.beginResumable(f.alice, "e".repeat(32), { parentId: f.items.sub!.id, name: "five.bin", length: 600, conflict: "rename" });
  });
});

describe("resumable uploads into a shared folder, over tus", () => {
  test("a recipient's tus upload in progress holds the owner's quota; completed, it is the owner's and counted once", async () => {
    f = await shareFixture();
    const { drive } = f.t.services;
    const used = drive.usage(f.alice).used;
    f.t.db.$client.query("UPDATE users SET quota_bytes = ? WHERE id = ?").run(used + 1000, f.alice.id);
    const create = (who: typeof f.alice, parentId: string, name: string, length: number) =>
      f.t.request("/api/v1/uploads", {
        method: "POST",
        headers: {
          ...f.t.signIn(who),
          "tus-resumable": "1.0.0",
          "upload-length": String(length),
          "upload-metadata": `filename ${btoa(name)},parentId ${btoa(parentId)}`,
        },
      });
    const daves = await create(f.dave, f.items.holiday!.id, "dave.bin", 600);
    expect(daves.status).toBe(201);
    expect((await create(f.alice, f.items.sub!.id, "alice.bin", 600)).status).toBe(413);
    const patch = await f.t.request(daves.headers.get("location")!.replace(/^https?:\/\/[^/]+/, ""), {
      method: "PATCH",
      headers: { ...f.t.signIn(f.dave), "tus-resumable": "1.0.0", "upload-offset": "0", "content-type": "application/offset+octet-stream" },
      body: new Uint8Array(600).fill(1),
    });
    expect(patch.status).toBe(204);
    const file = drive.itemFor(f.alice, patch.headers.get("x-drive-file-id")!, "file.read");
    expect([file.userId, file.createdBy, file.parentId]).toEqual([f.alice.id, f.dave.id, f.items.holiday!.id]);
    expect(drive.usage(f.alice).used).toBe(used + 600);
    expect((await create(f.alice, f.items.sub!.id, "alice.bin", 600)).status).toBe(413);
    expect((await create(f.alice, f.items.sub!.id, "alice.bin", 400)).status).toBe(201);
  });
});

describe("paged link folders", () => {
  test("a folder with more than 500 items is reachable page by page", async () => {
    f = await shareFixture();
    const { drive } = f.t.services;
    const big = drive.mkdir(f.alice, f.items.holiday!.id, "Many");
    for (let i = 0; i < 520; i++) drive.mkdir(f.alice, big.id, `item ${String(i).padStart(3, "0")}`);
    const token = f.links.open.token;
    const first = await (await f.t.request(`/s/${token}/f/${big.id}`, { headers: visitor(f) })).text();
    expect(first).toContain("item 000/");
    expect(first).toContain("item 499/");
    expect(first).not.toContain("item 500/");
    expect(first).toContain(`/s/${token}/f/${big.id}?page=1`);
    const second = await (await f.t.request(`/s/${token}/f/${big.id}?page=1`, { headers: visitor(f) })).text();
    expect(second).toContain("item 500/");
    expect(second).toContain("item 519/");
    expect(second).not.toContain("item 499/");
    expect(second).not.toContain("?page=2");
    // A file past the first page opens, without neighbours borrowed from the first page (whose last item is a file).
    const mixed = drive.mkdir(f.alice, f.items.holiday!.id, "Mixed");
    for (let i = 0; i < 499; i++) drive.mkdir(f.alice, mixed.id, `folder ${String(i).padStart(3, "0")}`);
    const put = (name: string) =>
      drive.upload(
        f.alice,
        { parentId: mixed.id, name, conflict: "fail" },
        (async function* () {
          yield new TextEncoder().encode(name);
        })(),
      );
    await put("a first.txt");
    const late = await put("zz last.txt");
    expect(await (await f.t.request(`/s/${token}/f/${mixed.id}?page=1`, { headers: visitor(f) })).text()).toContain(`/s/${token}/v/${late.id}`);
    const viewer = await f.t.request(`/s/${token}/v/${late.id}`, { headers: visitor(f) });
    expect(viewer.status).toBe(200);
    const html = await viewer.text();
    expect(html).toContain("zz last.txt");
    expect(html).not.toContain('rel="next"');
    expect(html).not.toContain('rel="prev"');
    expect((await f.t.request(`/s/${token}/f/${big.id}?page=-1`, { headers: visitor(f) })).status).toBe(400);
    expect((await f.t.request(`/s/${token}/f/${big.id}?page=abc`, { headers: visitor(f) })).status).toBe(400);
  });
});
