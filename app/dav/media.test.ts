// A photo that arrives through WebDAV goes the whole way: the real media pipeline processes it, it is in Photos, the
// preview endpoint the Nextcloud apps use serves its thumbnail, and its device's status counts it.
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { FIXTURES, mediaTestApp } from "../../test/support/media";

let t: ReturnType<typeof mediaTestApp>;
afterEach(() => t?.cleanup());

test("a photo through WebDAV: processed, in Photos, previewed for the apps, counted for its device", async () => {
  t = mediaTestApp();
  const alice = t.createAdmin("alice");
  const { password, device } = t.services.devices.create(alice.id, "Pixel 8");
  const auth = `Basic ${Buffer.from(`alice:${password}`).toString("base64")}`;
  const jpeg = await Bun.file(join(FIXTURES, "gps", "DSCN0010.jpg")).bytes();
  for (const dir of ["Photos", "Photos/Camera", "Photos/Camera/Pixel 8"])
    await t.request(`/remote.php/dav/files/alice/${encodeURI(dir)}`, { method: "MKCOL", headers: { authorization: auth } });
  const put = await t.request("/remote.php/dav/files/alice/Photos/Camera/Pixel%208/DSCN0010.jpg", {
    method: "PUT",
    headers: { authorization: auth, "x-oc-mtime": "1600000000" },
    body: jpeg,
  });
  expect(put.status).toBe(201);
  const fileId = Number(put.headers.get("oc-fileid")!.slice(0, 8));
  expect(await t.drain()).toBeGreaterThan(0);

  const latest = t.services.photos.latest(alice, 10);
  expect(latest).toHaveLength(1);

  const preview = await t.request(`/index.php/core/preview?fileId=${fileId}&x=64&y=64&a=1`, { headers: { authorization: auth } });
  expect(preview.status).toBe(200);
  expect(preview.headers.get("content-type")).toBe("image/webp");
  const thumb = new Uint8Array(await preview.arrayBuffer());
  expect(new TextDecoder().decode(thumb.slice(8, 12))).toBe("WEBP");
  const byPath = await t.request("/index.php/core/preview.png?file=/Photos/Camera/Pixel%208/DSCN0010.jpg&x=1024&y=1024", { headers: { authorization: auth } });
  expect(byPath.status).toBe(200);
  // Another person's file id is not theirs to preview.
  const bob = t.createUser("bob");
  const bobAuth = `Basic ${Buffer.from(`bob:${t.services.devices.create(bob.id, "Bob").password}`).toString("base64")}`;
  expect((await t.request(`/index.php/core/preview?fileId=${fileId}&x=64&y=64`, { headers: { authorization: bobAuth } })).status).toBe(404);

  const status = t.services.deviceStatus.statusOf(t.services.devices.byId(alice.id, device.id)!);
  expect(status.ever.photos).toBe(1);
  expect(status.ever.bytes).toBe(jpeg.byteLength);
  // DSCN0010.jpg was taken on 2008-10-22 (its EXIF), not when it was uploaded.
  expect(status.newestCaptureAt?.getUTCFullYear()).toBe(2008);
});

test("Windows and Finder set a file's modification time with PROPPATCH", async () => {
  t = mediaTestApp();
  const alice = t.createAdmin("alice");
  const auth = `Basic ${Buffer.from(`alice:${t.services.devices.create(alice.id, "PC").password}`).toString("base64")}`;
  await t.request("/dav/doc.txt", { method: "PUT", headers: { authorization: auth }, body: "text" });
  const body = `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:z="urn:schemas-microsoft-com:"><d:set><d:prop>
    <z:Win32LastModifiedTime>Wed, 14 Feb 2024 10:00:00 GMT</z:Win32LastModifiedTime><z:Win32FileAttributes>00000020</z:Win32FileAttributes></d:prop></d:set></d:propertyupdate>`;
  const res = await t.request("/dav/doc.txt", { method: "PROPPATCH", headers: { authorization: auth }, body });
  expect(res.status).toBe(207);
  expect(await res.text()).toContain("HTTP/1.1 200 OK");
  const listing = await (await t.request("/dav/doc.txt", { method: "PROPFIND", headers: { authorization: auth, depth: "0" } })).text();
  expect(listing).toContain("<d:getlastmodified>Wed, 14 Feb 2024 10:00:00 GMT</d:getlastmodified>");
  expect(listing).toContain("00000020");
  // A live property that describes the file cannot be set; nothing of the request is applied then.
  const refused = await t.request("/dav/doc.txt", {
    method: "PROPPATCH",
    headers: { authorization: auth },
    body: `<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:getetag>"x"</d:getetag><d:color>red</d:color></d:prop></d:set></d:propertyupdate>`,
  });
  const text = await refused.text();
  expect(text).toContain("403 Forbidden");
  expect(text).toContain("424 Failed Dependency");
});

test("an iPhone's HEIC through a plain WebDAV uploader (as PhotoSync's WebDAV target): folders made, photo counted, in Photos", async () => {
  t = mediaTestApp();
  const alice = t.createAdmin("alice");
  const { password, device } = t.services.devices.create(alice.id, "iPhone");
  const auth = `Basic ${Buffer.from(`alice:${password}`).toString("base64")}`;
  const base = "/remote.php/dav/files/alice";
  const dav = (path: string, init: { method: string; headers?: Record<string, string>; body?: Uint8Array }) =>
    t.request(`${base}${path}`, { ...init, headers: { authorization: auth, ...init.headers } });
  // The connection check, then the target folder looked up and made level by level, without Nextcloud's headers.
  expect((await dav("/", { method: "PROPFIND", headers: { depth: "0" } })).status).toBe(207);
  expect((await dav("/Photos/Camera/iPhone/", { method: "PROPFIND", headers: { depth: "1" } })).status).toBe(404);
  for (const dir of ["/Photos/", "/Photos/Camera/", "/Photos/Camera/iPhone/"]) expect((await dav(dir, { method: "MKCOL" })).status).toBe(201);
  const heic = await Bun.file(join(FIXTURES, "phone", "iphone_13_pro_max.HEIC")).bytes();
  const put = await dav("/Photos/Camera/iPhone/IMG_0001.HEIC", { method: "PUT", headers: { "content-type": "image/heic" }, body: heic });
  expect(put.status).toBe(201);
  // Sent again (an uploader that lost track): replaced in place, still one photo in the folder.
  expect((await dav("/Photos/Camera/iPhone/IMG_0001.HEIC", { method: "PUT", body: heic })).status).toBe(204);
  const listing = await (await dav("/Photos/Camera/iPhone/", { method: "PROPFIND", headers: { depth: "1" } })).text();
  expect(listing.match(/<d:href>[^<]*IMG_0001\.HEIC<\/d:href>/g)).toHaveLength(1);
  expect(await t.drain()).toBeGreaterThan(0);
  expect(t.services.photos.latest(alice, 10)).toHaveLength(1);
  const status = t.services.deviceStatus.statusOf(t.services.devices.byId(alice.id, device.id)!);
  expect([status.today.photos, status.ever.photos, status.ever.videos]).toEqual([2, 2, 0]);
  // Taken 2022-02-16 (its EXIF), not when it arrived.
  expect(status.newestCaptureAt?.toISOString().slice(0, 10)).toBe("2022-02-16");
}, 120_000); // decoding a 12 MP HEIC takes seconds on a loaded machine
