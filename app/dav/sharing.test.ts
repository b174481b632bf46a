// Nextcloud's sharing API (app/dav/sharing.ts) through the app, with requests shaped like the Nextcloud Android app's
// (OCS-APIRequest, Basic with an app password, form-encoded bodies, XML answers) and the iOS app's (format=json):
// the links it makes are the product's links, every decision the access policy's.
import { afterEach, describe, expect, test } from "bun:test";
import type { User } from "../platform/db/schema";
import { createTestApp, type TestApp } from "../../test/support/app";
import { parseXml, elements, textOf, type XmlElement } from "./xml";

let t: TestApp;
afterEach(() => t?.cleanup());

const API = "/ocs/v2.php/apps/files_sharing/api/v1/shares";
const basic = (user: User, password: string) => `Basic ${Buffer.from(`${user.username}:${password}`).toString("base64")}`;

function setup(now?: () => Date) {
  t = createTestApp({ deps: now ? { now } : {} });
  const alice = t.createAdmin("alice");
  const bob = t.createUser("bob");
  const { drive } = t.services;
  const photos = drive.mkdir(alice, undefined, "Photos");
  const folder = drive.mkdir(alice, photos.id, "Trip <img src=x onerror=alert(1)>");
  const phone = (user: User, scope: "files" | "files-read" = "files") =>
    basic(user, t.services.devices.create(user.id, `Phone of ${user.username}`, scope).password);
  return { alice, bob, photos, folder, auth: phone(alice), bobAuth: phone(bob), phone };
}

/** A request as the Android app sends it: the OCS header, Basic, form fields. */
function ocs(auth: string, path: string, init: { method?: string; form?: Record<string, string>; raw?: string } = {}) {
  const body = init.raw ?? (init.form ? new URLSearchParams(init.form).toString() : undefined);
  return t.request(path, {
    method: init.method ?? "GET",
    headers: { authorization: auth, "ocs-apirequest": "true", ...(body !== undefined ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
    body,
  });
}
/** The `<element>`s (or the single share) of an OCS XML answer as records, and its meta. */
async function read(res: Response) {
  const text = await res.text();
  const root = parseXml(text);
  const part = (name: string) => elements(root).find((e) => e.name === name)!;
  const record = (el: XmlElement) => Object.fromEntries(elements(el).map((c) => [c.name, textOf(c)]));
  const data = part("data");
  const items = elements(data);
  const shares = items.every((e) => e.name === "element") ? items.map(record) : [record(data)];
  return { text, meta: record(part("meta")), shares };
}

describe("Nextcloud's sharing API", () => {
  test("the Android app's Share link: POST, read back with its address, listed by path; the link opens; DELETE ends it", async () => {
    const { alice, folder, auth } = setup();
    const made = await ocs(auth, API, { method: "POST", form: { path: "/Photos/Trip <img src=x onerror=alert(1)>/", shareType: "3", shareWith: "" } });
    expect(made.status).toBe(200);
    expect(made.headers.get("content-type")).toContain("text/xml");
    const created = await read(made);
    expect(created.meta).toMatchObject({ status: "ok", statuscode: "200" });
    // Markup in a name is text in the XML, never markup.
    expect(created.text).not.toContain("<img");
    expect(created.text).toContain("Trip &lt;img src=x onerror=alert(1)&gt;");
    const share = created.shares[0]!;
    expect(share).toMatchObject({
      share_type: "3",
      item_type: "folder",
      path: "/Photos/Trip <img src=x onerror=alert(1)>",
      uid_owner: "alice",
      permissions: "1",
    });
    expect(Number.isInteger(Number(share.id))).toBe(true); // the app parses it with Integer.parseInt
    expect(share.item_source).toBe(String(folder.seq));
    const url = share.url!;
    expect(url).toMatch(/^http:\/\/localhost:8080\/s\/[A-Za-z0-9_-]{43}$/);
    expect(share.token).toBe(url.slice(url.lastIndexOf("/") + 1));
    // It is the product's link: listed on the web, opens for anyone with the address, audited.
    expect(t.services.share.listOwn(alice).map((l) => [l.fileId, l.state])).toEqual([[folder.id, "active"]]);
    expect((await t.request(new URL(url).pathname)).status).toBe(200);
    expect(t.db.$client.query("SELECT count(*) AS n FROM audit_log WHERE action = 'share.create'").get()).toEqual({ n: 1 });

    // getShareDetails: the app reads the new share back by id and keeps its url.
    const back = await read(await ocs(auth, `${API}/${share.id}`));
    expect(back.shares.map((s) => [s.id, s.url])).toEqual([[share.id, url]]);
    // The file list: by path (a folder with or without its slash), reshares and subfiles as the app sends them.
    const byPath = await read(await ocs(auth, `${API}?path=${encodeURIComponent("/Photos/Trip <img src=x onerror=alert(1)>")}&reshares=true&subfiles=false`));
    expect(byPath.shares.map((s) => s.id)).toEqual([share.id]);
    const inPhotos = await read(await ocs(auth, `${API}?path=%2FPhotos%2F&reshares=true&subfiles=true`));
    expect(inPhotos.shares.map((s) => s.id)).toEqual([share.id]);
    expect((await read(await ocs(auth, `${API}?path=%2FPhotos&subfiles=false`))).shares).toEqual([]);
    // JSON, as the iOS app asks for it.
    const json = (await (await ocs(auth, `${API}?format=json`)).json()) as { ocs: { meta: { statuscode: number }; data: { id: string; path: string }[] } };
    expect(json.ocs.meta.statuscode).toBe(200);
    expect(json.ocs.data.map((s) => [s.id, s.path])).toEqual([[share.id!, "/Photos/Trip <img src=x onerror=alert(1)>"]]);

    const ended = await ocs(auth, `${API}/${share.id}`, { method: "DELETE" });
    expect((await read(ended)).meta.statuscode).toBe("200");
    expect(t.services.share.listOwn(alice)[0]!.state).toBe("revoked");
    expect((await t.request(new URL(url).pathname)).status).toBe(410);
    expect((await read(await ocs(auth, API))).shares).toEqual([]);
    expect((await ocs(auth, `${API}/${share.id}`)).status).toBe(404);
    // Made and ended: one audit row each, in Sharing's words (the requests' own rows are not written again).
    const rows = t.db.$client.query("SELECT action FROM audit_log WHERE action LIKE '%shares%' OR action LIKE 'share.%' ORDER BY id").all();
    expect(rows).toEqual([{ action: "share.create" }, { action: "share.revoke" }]);
  });

  test("a password and an expiry date on creation and by PUT (one field per request, as the app sends them)", async () => {
    let clock = new Date("2026-06-01T09:00:00Z");
    const { alice, auth } = setup(() => clock);
    await t.services.drive.upload(
      alice,
      { name: "notes.txt", conflict: "fail" },
      (async function* () {
        yield new TextEncoder().encode("hello");
      })(),
    );
    const made = (
      await read(await ocs(auth, API, { method: "POST", form: { path: "/notes.txt", shareType: "3", password: "open sesame", expireDate: "2026-06-10" } }))
    ).shares[0]!;
    expect(made).toMatchObject({ item_type: "file", expiration: "2026-06-10 00:00:00", password: "********" });
    expect(made).not.toHaveProperty("password", expect.stringContaining("argon"));
    const link = () => t.services.share.listOwn(alice)[0]!;
    expect(link().hasPassword).toBe(true);
    // Through the end of June 10 in the box's zone (UTC here), not a moment longer.
    expect(link().expiresAt).toBe("2026-06-11T00:00:00.000Z");
    const hashBefore = () => (t.db.$client.query("SELECT password_hash FROM share_links").get() as { password_hash: string | null }).password_hash;
    const before = hashBefore();

    // The app sends each field alone, the password raw (not %-encoded).
    const put = (raw: string) => ocs(auth, `${API}/${made.id}`, { method: "PUT", raw });
    expect((await read(await put("expireDate=2026-07-01"))).shares[0]!.expiration).toBe("2026-07-01 00:00:00");
    expect((await put("password=********")).status).toBe(200); // sent back unchanged: kept
    expect(hashBefore()).toBe(before);
    expect((await put("password=new secret")).status).toBe(200);
    expect(hashBefore()).not.toBe(before);
    expect((await put("password=")).status).toBe(200);
    expect(link().hasPassword).toBe(false);
    expect((await put("expireDate=")).status).toBe(200);
    expect(link().expiresAt).toBeNull();
    const audit = t.db.$client.query("SELECT detail FROM audit_log WHERE action = 'share.update' ORDER BY id").all() as { detail: string }[];
    expect(audit.map((a) => a.detail)).toEqual([
      "file 'notes.txt': expires 2026-07-02T00:00:00.000Z",
      "file 'notes.txt': a new password",
      "file 'notes.txt': no password",
      "file 'notes.txt': no expiry",
    ]);

    // Bad input: a clear refusal, nothing changed.
    const state = JSON.stringify(link());
    for (const [raw, says] of [
      ["expireDate=2026-02-30", "Invalid date"],
      ["expireDate=tomorrow", "Invalid date"],
      ["expireDate=2026-05-01", "in the past"],
      ["password=abc", "at least 4 characters"],
      ["note=hello", "Only a link's password and expiry"],
      ["permissions=4", "cannot be changed"],
      ["", "no update parameter"],
    ] as const) {
      const res = await put(raw);
      expect([raw, res.status]).toEqual([raw, 400]);
      expect((await read(res)).meta.message).toContain(says);
    }
    expect(JSON.stringify(link())).toBe(state);
    // Past its expiry a link is gone for the API too, as it is for visitors.
    await put("expireDate=2026-06-02");
    clock = new Date("2026-06-03T00:00:01Z");
    expect((await ocs(auth, `${API}/${made.id}`)).status).toBe(404);
    expect((await read(await ocs(auth, API))).shares).toEqual([]);
  });

  test("a file drop (permissions=4) is the product's drop box; a read-write link is refused with the reason", async () => {
    const { alice, auth } = setup();
    const made = await read(await ocs(auth, API, { method: "POST", form: { path: "/Photos", shareType: "3", permissions: "4" } }));
    expect(made.shares[0]!.permissions).toBe("4");
    expect(t.services.share.listOwn(alice)[0]!.allowUpload).toBe(true);
    for (const form of [
      { path: "/Photos", shareType: "3", publicUpload: "true" } as Record<string, string>,
      { path: "/Photos", shareType: "3", permissions: "15" },
      { path: "/Photos", shareType: "0", shareWith: "bob" },
      { path: "/Photos", shareType: "3", label: "For grandma" },
    ]) {
      const res = await ocs(auth, API, { method: "POST", form });
      expect([JSON.stringify(form), res.status]).toEqual([JSON.stringify(form), 400]);
    }
    expect(t.services.share.listOwn(alice)).toHaveLength(1);
  });

  test("paths: traversal refused, a missing path is 404, the Drive root and a folder shared with the person cannot be published", async () => {
    const { alice, bob, photos, auth, bobAuth } = setup();
    const post = (who: string, path: string) => ocs(who, API, { method: "POST", form: { path, shareType: "3" } });
    for (const path of ["/../../etc/passwd", "/Photos/../..", "Photos/./x", "/../bob"]) {
      const res = await post(auth, path);
      expect([path, res.status]).toEqual([path, 400]);
    }
    for (const path of ["/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", "/Photos/nothing", "/Photos\u0000x"]) {
      const res = await post(auth, path);
      expect([path, res.status]).toEqual([path, 404]);
    }
    expect((await post(auth, "/")).status).toBe(400);
    expect((await ocs(auth, `${API}?path=${encodeURIComponent("/../x")}`)).status).toBe(400);
    // bob sees alice's Photos in his root through a folder share, and may not publish it (the policy's file.share).
    t.services.share.shareWithUser(alice, { folderId: photos.id, username: "bob", access: "write" });
    const refused = await post(bobAuth, "/Photos");
    expect(refused.status).toBe(403);
    expect((await read(refused)).meta.message).toBe("Only the owner can share this.");
    expect(t.db.$client.query("SELECT count(*) AS n FROM share_links").get()).toEqual({ n: 0 });
    expect(bob.id).toBeDefined();
  });

  test("another person's share id answers 404 to every method, v1 in its envelope; nothing of the owner's changes", async () => {
    const { alice, auth, bobAuth } = setup();
    const made = (await read(await ocs(auth, API, { method: "POST", form: { path: "/Photos", shareType: "3" } }))).shares[0]!;
    const state = () => JSON.stringify(t.db.$client.query("SELECT * FROM share_links").all());
    const before = state();
    for (const method of ["GET", "PUT", "DELETE"]) {
      const res = await ocs(bobAuth, `${API}/${made.id}`, { method, ...(method === "PUT" ? { raw: "password=stolen1" } : {}) });
      expect([method, res.status]).toEqual([method, 404]);
      expect((await read(res)).meta).toMatchObject({ status: "failure", statuscode: "404" });
    }
    // v1 answers HTTP 200 and puts the refusal in meta, as Nextcloud's v1 does.
    const v1 = await ocs(bobAuth, `/ocs/v1.php/apps/files_sharing/api/v1/shares/${made.id}`, { method: "DELETE" });
    expect(v1.status).toBe(200);
    expect((await read(v1)).meta).toMatchObject({ status: "failure", statuscode: "404" });
    for (const id of ["999999", "0", "-1", "1e3", "abc", "99999999999999999999"]) expect((await ocs(auth, `${API}/${id}`)).status).toBe(404);
    expect((await read(await ocs(bobAuth, API))).shares).toEqual([]);
    expect(state()).toBe(before);
    expect(t.services.share.listOwn(alice)[0]!.state).toBe("active");
  });

  test("a read-only app password lists but neither makes, changes nor ends links; a revoked one is refused; a browser session is not enough", async () => {
    const { alice, auth, phone } = setup();
    const made = (await read(await ocs(auth, API, { method: "POST", form: { path: "/Photos", shareType: "3" } }))).shares[0]!;
    const reader = phone(alice, "files-read");
    expect((await read(await ocs(reader, API))).shares.map((s) => s.id)).toEqual([made.id]);
    for (const [method, path, form] of [
      ["POST", API, { path: "/Photos", shareType: "3" }],
      ["PUT", `${API}/${made.id}`, { expireDate: "2099-01-01" }],
      ["DELETE", `${API}/${made.id}`, undefined],
    ] as const) {
      const res = await ocs(reader, path, { method, ...(form ? { form } : {}) });
      expect([method, res.status]).toEqual([method, 403]);
      expect((await read(res)).meta.message).toBe("This device's app password is read-only.");
    }
    expect(t.services.share.listOwn(alice).map((l) => [l.state, l.expiresAt])).toEqual([["active", null]]);

    const device = t.services.devices.list(alice.id).find((d) => d.scope === "files")!;
    t.services.devices.revoke(alice.id, device.id);
    const revoked = await ocs(auth, `${API}/${made.id}`, { method: "DELETE" });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("www-authenticate")).toContain("Basic");
    expect((await read(revoked)).meta.statuscode).toBe("401");
    const browser = await t.request(API, { headers: { ...t.signIn(alice), "ocs-apirequest": "true" } });
    expect(browser.status).toBe(401);
    expect(t.services.share.listOwn(alice)[0]!.state).toBe("active");
  });

  test("the capabilities say public links are on, a password and an expiry optional, as the links behave", async () => {
    setup();
    const res = await t.request("/ocs/v2.php/cloud/capabilities?format=json");
    const caps = ((await res.json()) as { ocs: { data: { capabilities: { files_sharing: Record<string, unknown> } } } }).ocs.data.capabilities.files_sharing;
    expect(caps).toMatchObject({
      api_enabled: true,
      public: { enabled: true, password: { enforced: false }, expire_date: { enabled: false, enforced: false }, multiple_links: true, upload_files_drop: true },
      resharing: false,
    });
  });
});
