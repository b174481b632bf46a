// Nextcloud's trash bin over real HTTP (a server process, its real sockets): what the apps do to look inside the
// trash before restoring, a trashed folder listed and its files downloaded whole, in a range and by HEAD.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startDavServer, type DavServer } from "../../test/support/dav";

let server: DavServer;
beforeAll(async () => {
  server = await startDavServer();
}, 60_000);
afterAll(() => server?.stop());

const call = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}, auth = server.auth) =>
  fetch(`${server.origin}${path}`, { ...init, headers: { authorization: auth, ...init.headers } });

test("a trashed folder is browsed and its files downloaded over HTTP; another person's device gets 404", async () => {
  const files = "/remote.php/dav/files/alice";
  for (const path of ["Trip", "Trip/Day 1"]) expect((await call(`${files}/${encodeURI(path)}`, { method: "MKCOL" })).status).toBe(201);
  const photo = "a photo's bytes ".repeat(4096);
  expect((await call(`${files}/Trip/Day%201/beach.jpg`, { method: "PUT", body: photo })).status).toBe(201);
  expect((await call(`${files}/Trip`, { method: "DELETE" })).status).toBe(204);

  const trash = "/remote.php/dav/trashbin/alice/trash";
  const listing = await (await call(`${trash}/`, { method: "PROPFIND", headers: { depth: "1" } })).text();
  const entry = /<d:href>\/remote\.php\/dav\/trashbin\/alice\/trash\/(Trip\.d\d+)\/<\/d:href>/.exec(listing)?.[1];
  expect(entry).toBeDefined();
  const inside = await call(`${trash}/${entry}/Day%201/`, { method: "PROPFIND", headers: { depth: "1" } });
  expect(inside.status).toBe(207);
  const xml = await inside.text();
  expect(xml).toContain(`<d:href>${trash}/${entry}/Day%201/beach.jpg</d:href>`);
  expect(xml).toContain(`<d:getcontentlength>${photo.length}</d:getcontentlength>`);

  const whole = await call(`${trash}/${entry}/Day%201/beach.jpg`);
  expect(whole.status).toBe(200);
  expect(await whole.text()).toBe(photo);
  const head = await call(`${trash}/${entry}/Day%201/beach.jpg`, { method: "HEAD" });
  expect([head.status, head.headers.get("content-length"), await head.text()]).toEqual([200, String(photo.length), ""]);
  const part = await call(`${trash}/${entry}/Day%201/beach.jpg`, { headers: { range: "bytes=16-31" } });
  expect([part.status, part.headers.get("content-range"), await part.text()]).toEqual([206, `bytes 16-31/${photo.length}`, "a photo's bytes "]);

  const bob = `Basic ${Buffer.from(`bob:${await server.addDevice("Bob's phone", "files", "bob")}`).toString("base64")}`;
  expect((await call("/remote.php/dav/trashbin/bob/trash/", { method: "PROPFIND", headers: { depth: "1" } }, bob)).status).toBe(207);
  expect((await call(`${trash}/${entry}/Day%201/beach.jpg`, {}, bob)).status).toBe(404);
  expect((await call(`/remote.php/dav/trashbin/bob/trash/${entry}/Day%201/beach.jpg`, {}, bob)).status).toBe(404);
}, 60_000);
