// The audit log's sentences for Sharing name what was shared and with whom, by the names people gave them (issue 23,
// item 10: "made a share link: file QYy82ikN…" named nothing anyone knows). Real SQLite through the share fixture.
import { afterEach, expect, test } from "bun:test";
import { shareFixture, type ShareFixture } from "../../test/support/share";

let f: ShareFixture;
afterEach(() => f?.t.cleanup());

/** The audit page's text as the admin reads it (tags dropped, entities decoded). */
const auditText = async (fx: ShareFixture) => {
  const html = await (await fx.t.request("/settings/audit", { headers: fx.t.signIn(fx.alice) })).text();
  return html
    .replace(/<[^>]+>/g, "")
    .replaceAll("&#x27;", "'")
    .replaceAll("&amp;", "&");
};

test("links, folder and album shares and their ends are named by what they share and with whom", async () => {
  f = await shareFixture();
  const { share } = f.t.services;
  const folderGrant = share.grantsOf(f.alice).find((g) => g.grantee === "carol")!;
  share.unshareWithUser(f.alice, folderGrant.id);
  const albumGrant = share.albumGrantsOf(f.alice).find((g) => g.grantee === "dave")!;
  share.unshareAlbum(f.alice, albumGrant.id);
  const text = await auditText(f);
  expect(text).toContain("made a share link to the folder 'Holiday', password");
  expect(text).toContain("made a share link to the file 'beach.jpg'");
  expect(text).toContain("made a share link to the album 'Trip', password");
  expect(text).toContain("revoked the share link to the folder 'Holiday'");
  expect(text).toContain("shared the folder 'Holiday' with dave, write");
  expect(text).toContain("shared the album 'Trip' with carol, view");
  expect(text).toContain("took back carol's access to the folder 'Holiday'");
  expect(text).toContain("took back dave's access to the album 'Trip'");
  // No row is left naming a share by its id alone.
  expect(text).not.toMatch(/share link: (file|folder|album) [A-Za-z0-9_-]{10,}/);
});

test("a name with markup is text in the log", async () => {
  f = await shareFixture();
  const { drive, share } = f.t.services;
  const folder = drive.mkdir(f.alice, undefined, "<img src=x onerror=alert(1)>");
  await share.create(f.alice, { fileId: folder.id });
  const html = await (await f.t.request("/settings/audit", { headers: f.t.signIn(f.alice) })).text();
  expect(html).not.toContain("<img src=x");
  expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
});

test("one link made is one audit row, naming what was shared (the form and the API alike)", async () => {
  f = await shareFixture();
  const A = f.t.signIn(f.alice);
  const rows = () => f.t.db.$client.query("SELECT action, detail FROM audit_log ORDER BY id").all() as { action: string; detail: string | null }[];
  const before = rows().length;
  const body = new URLSearchParams({ fileId: f.items.note!.id, password: "", expiresInDays: "7" });
  const res = await f.t.request("/shared", { method: "POST", headers: { ...A, "content-type": "application/x-www-form-urlencoded" }, body });
  expect(res.status).toBe(201);
  expect(rows().slice(before)).toEqual([{ action: "share.create", detail: expect.stringContaining("file 'notes.txt'") }]);
  const api = await f.t.request("/api/v1/shares", {
    method: "POST",
    headers: { ...A, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ fileId: f.items.photo!.id }),
  });
  expect(api.status).toBe(201);
  const { link } = (await api.json()) as { link: { id: string } };
  expect(rows().slice(before + 1)).toEqual([{ action: "share.create", detail: "file 'beach.jpg'" }]);
  const gone = await f.t.request(`/api/v1/shares/${link.id}`, { method: "DELETE", headers: { ...A, accept: "application/json" } });
  expect(gone.status).toBe(200);
  expect(rows().slice(before + 2)).toEqual([{ action: "share.revoke", detail: "file 'beach.jpg'" }]);
  // A refused link (a password too short) still leaves its row.
  const short = await f.t.request("/shared", {
    method: "POST",
    headers: { ...A, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ fileId: f.items.note!.id, password: "abc" }),
  });
  expect(short.status).toBe(400);
  expect(rows().slice(before + 3)).toMatchObject([{ action: "POST /shared/" }]);
  // The log as read: the refusal is the only row in the route's words.
  expect((await auditText(f)).match(/created a share link/g)).toEqual(["created a share link"]);
});

test("sharing a folder or an album with a person, and ending it, is one audit row each, naming what and with whom", async () => {
  f = await shareFixture();
  const A = { ...f.t.signIn(f.alice), "content-type": "application/x-www-form-urlencoded" };
  const rows = () => f.t.db.$client.query("SELECT action, detail FROM audit_log ORDER BY id").all() as { action: string; detail: string | null }[];
  const post = (url: string, fields: Record<string, string>) =>
    f.t.request(url, { method: "POST", headers: A, body: new URLSearchParams(fields), redirect: "manual" });
  const before = rows().length;
  expect((await post("/shared/users", { folderId: f.items.privateFolder!.id, username: "eve", access: "read" })).status).toBe(303);
  expect((await post("/shared/albums", { albumId: f.albums.other!.id, username: "eve", access: "view" })).status).toBe(303);
  const folderGrant = f.t.services.share.grantsOf(f.alice).find((g) => g.grantee === "eve")!;
  const albumGrant = f.t.services.share.albumGrantsOf(f.alice).find((g) => g.grantee === "eve")!;
  expect((await post(`/shared/users/${folderGrant.id}/remove`, {})).status).toBe(303);
  expect((await post(`/shared/albums/${albumGrant.id}/remove`, {})).status).toBe(303);
  expect(rows().slice(before)).toEqual([
    { action: "share.user.grant", detail: "folder 'Private' with eve, read" },
    { action: "share.album.grant", detail: expect.stringContaining("with eve, view") },
    { action: "share.user.remove", detail: expect.stringContaining("eve's access to the folder 'Private'") },
    { action: "share.album.remove", detail: expect.stringContaining("eve's access to the album") },
  ]);
  // A refused share (nobody of that name) still leaves the request's row.
  expect((await post("/shared/users", { folderId: f.items.privateFolder!.id, username: "nobody", access: "read" })).status).toBeGreaterThanOrEqual(400);
  expect(rows().slice(before + 4)).toMatchObject([{ action: "POST /shared/users" }]);
});
