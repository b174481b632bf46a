import { afterEach, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../test/support/app";

const apps: TestApp[] = [];
afterEach(() => apps.splice(0).forEach((a) => a.cleanup()));

function setup() {
  const t = createTestApp();
  apps.push(t);
  const alice = t.createAdmin("alice");
  const bob = t.createUser("bob");
  return { t, alice, bob, A: t.signIn(alice), B: t.signIn(bob) };
}
type H = Record<string, string>;
const json = (h: H) => ({ ...h, "content-type": "application/json", accept: "application/json" });
const sha = (b: string | Uint8Array) => createHash("sha256").update(b).digest("hex");

async function upload(t: TestApp, h: H, name: string, body: string | Uint8Array, qs = "") {
  const r = await t.request(`/api/v1/upload?name=${encodeURIComponent(name)}${qs}`, { method: "PUT", headers: h, body });
  return { status: r.status, body: (await r.json()) as { item: { id: string; name: string; sha256: string; parentId: string }; error?: string } };
}
async function mkdir(t: TestApp, h: H, name: string, parentId?: string) {
  const r = await t.request("/api/v1/folders", { method: "POST", headers: json(h), body: JSON.stringify({ name, parentId }) });
  return (await r.json()) as { item: { id: string; name: string } };
}
const post = (t: TestApp, h: H, path: string, body: unknown) => t.request(path, { method: "POST", headers: json(h), body: JSON.stringify(body) });

test("upload, list, download with the same bytes, and the blob is stored by content", async () => {
  const { t, A, alice } = setup();
  const up = await upload(t, A, "notes.txt", "hello world");
  expect(up.status).toBe(201);
  expect(up.body.item.sha256).toBe(sha("hello world"));
  const root = (await (await t.request("/api/v1/root", { headers: A })).json()) as { children: { name: string }[] };
  expect(root.children.map((c) => c.name)).toEqual(["notes.txt"]);
  const dl = await t.request(`/api/v1/files/${up.body.item.id}/content`, { headers: A });
  expect(dl.status).toBe(200);
  expect(sha(new Uint8Array(await dl.arrayBuffer()))).toBe(sha("hello world"));
  expect(dl.headers.get("content-disposition")).toContain(`filename="notes.txt"`);
  expect(dl.headers.get("x-content-type-options")).toBe("nosniff");
  expect(dl.headers.get("content-security-policy")).toStartWith("sandbox");
  const s = up.body.item.sha256;
  expect(existsSync(join(t.dataDir, "users", alice.id, "blobs", s.slice(0, 2), s.slice(2, 4), s))).toBe(true);
});

test("Range returns the exact slice; ETag gives 304; bad ranges give 416", async () => {
  const { t, A } = setup();
  const data = new Uint8Array(10_000).map((_, i) => i % 251);
  const { body } = await upload(t, A, "bytes.bin", data);
  const url = `/api/v1/files/${body.item.id}/content`;
  const r = await t.request(url, { headers: { ...A, range: "bytes=1000-1999" } });
  expect(r.status).toBe(206);
  expect(r.headers.get("content-range")).toBe("bytes 1000-1999/10000");
  expect(new Uint8Array(await r.arrayBuffer())).toEqual(data.slice(1000, 2000));
  const tail = await t.request(url, { headers: { ...A, range: "bytes=-10" } });
  expect(new Uint8Array(await tail.arrayBuffer())).toEqual(data.slice(9990));
  const etag = r.headers.get("etag")!;
  expect(etag).toBe(`"${sha(data)}"`);
  expect((await t.request(url, { headers: { ...A, "if-none-match": etag } })).status).toBe(304);
  expect((await t.request(url, { headers: { ...A, range: "bytes=20000-" } })).status).toBe(416);
});

test("same content twice: one stored copy, two items; purging one keeps the other's bytes", async () => {
  const { t, A, alice } = setup();
  const a = await upload(t, A, "a.txt", "same bytes");
  const b = await upload(t, A, "b.txt", "same bytes");
  expect(a.body.item.sha256).toBe(b.body.item.sha256);
  expect(a.body.item.id).not.toBe(b.body.item.id);
  const blobsDir = join(t.dataDir, "users", alice.id, "blobs");
  const count = () => readdirSync(blobsDir, { recursive: true }).filter((p) => String(p).length > 10).length;
  expect(count()).toBe(1);
  expect(((await (await t.request("/api/v1/usage", { headers: A })).json()) as { used: number }).used).toBe(10);
  await post(t, A, "/api/v1/trash", { ids: [a.body.item.id] });
  await post(t, A, "/api/v1/purge", { ids: [a.body.item.id] });
  expect(count()).toBe(1);
  const dl = await t.request(`/api/v1/files/${b.body.item.id}/content`, { headers: A });
  expect(await dl.text()).toBe("same bytes");
  await post(t, A, "/api/v1/trash", { ids: [b.body.item.id] });
  await t.request("/api/v1/trash", { method: "DELETE", headers: A });
  expect(count()).toBe(0);
});

test("same name: keep both by default, replace on request (the old one goes to the trash), fail when asked", async () => {
  const { t, A } = setup();
  await upload(t, A, "report.pdf", "v1");
  expect((await upload(t, A, "report.pdf", "v2")).body.item.name).toBe("report (1).pdf");
  expect((await upload(t, A, "report.pdf", "v3", "&conflict=replace")).body.item.name).toBe("report.pdf");
  expect((await upload(t, A, "report.pdf", "v4", "&conflict=fail")).status).toBe(409);
  const trash = (await (await t.request("/api/v1/trash", { headers: A })).json()) as { items: { name: string; sha256: string }[] };
  expect(trash.items.map((i) => i.sha256)).toEqual([sha("v1")]);
});

test("quota: a declared length over quota is refused up front; nothing partial stays", async () => {
  const { t, A, alice } = setup();
  t.db.$client.query("UPDATE users SET quota_bytes = 100 WHERE id = ?").run(alice.id);
  expect((await upload(t, A, "small", "x".repeat(60))).status).toBe(201);
  const over = await upload(t, A, "big", "y".repeat(60));
  expect(over.status).toBe(413);
  expect(over.body.error).toContain("quota");
  expect(readdirSync(join(t.dataDir, "users", alice.id, "tmp"))).toEqual([]);
  const tus = await t.request("/api/v1/uploads", {
    method: "POST",
    headers: { ...A, "tus-resumable": "1.0.0", "upload-length": "500", "upload-metadata": `filename ${btoa("x.bin")}` },
  });
  expect(tus.status).toBe(413);
});

test("quota: uploads that each fit when they start cannot add up to more than the quota", async () => {
  const { t, A, alice } = setup();
  t.db.$client.query("UPDATE users SET quota_bytes = 100 WHERE id = ?").run(alice.id);
  const results = await Promise.all(["a", "b", "c"].map((n) => upload(t, A, `${n}.bin`, n.repeat(60))));
  expect(results.map((r) => r.status).sort()).toEqual([201, 413, 413]);
  const usage = (await (await t.request("/api/v1/usage", { headers: A })).json()) as { used: number };
  expect(usage.used).toBe(60);
  // The refused bytes are gone: one blob on disk, no temp files.
  expect(readdirSync(join(t.dataDir, "users", alice.id, "tmp"))).toEqual([]);
});

test("names: kept as typed (NFC); /, NUL, . and .., overlong and traversal attempts are refused", async () => {
  const { t, A } = setup();
  const ok = await mkdir(t, A, "Cafe\u0301 ☕ 日本");
  expect(ok.item.name).toBe("Café ☕ 日本");
  for (const bad of ["..", ".", "a/b", "../../etc", "a\0b", "/etc/passwd", "x".repeat(256), "é".repeat(128)]) {
    const r = await post(t, A, "/api/v1/folders", { name: bad });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error.length).toBeGreaterThan(5);
    expect((await upload(t, A, bad, "x")).status).toBe(400);
  }
  expect((await upload(t, A, "x", "x", "&path=..%2F..%2Fetc")).status).toBe(400);
  expect((await upload(t, A, "x", "x", "&path=%2e%2e%2fsecret")).status).toBe(400);
  expect((await t.request("/api/v1/files/..%2F..%2Fdb.sqlite/content", { headers: A })).status).toBe(404);
  expect((await t.request("/api/v1/uploads/..%2F..%2Fdb.sqlite", { method: "HEAD", headers: { ...A, "tus-resumable": "1.0.0" } })).status).toBe(404);
});

test("folders: mkdir, rename, move, copy, trash, restore (recreating a purged parent), search", async () => {
  const { t, A } = setup();
  const docs = (await mkdir(t, A, "Docs")).item;
  const inner = (await mkdir(t, A, "Inner", docs.id)).item;
  const f = (await upload(t, A, "plan.md", "# plan", `&parentId=${docs.id}`)).body.item;
  expect((await t.request(`/api/v1/files/${f.id}`, { method: "PATCH", headers: json(A), body: JSON.stringify({ name: "roadmap.md" }) })).status).toBe(200);
  expect((await post(t, A, "/api/v1/move", { ids: [f.id], targetId: inner.id })).status).toBe(200);
  expect((await post(t, A, "/api/v1/move", { ids: [docs.id], targetId: inner.id })).status).toBe(400);
  const copy = (await (await post(t, A, "/api/v1/copy", { ids: [docs.id], targetId: docs.id })).json()) as { error: string };
  expect(copy.error).toContain("into itself");
  const listing = (await (await t.request(`/api/v1/files/${inner.id}`, { headers: A })).json()) as { children: { name: string }[]; path: { name: string }[] };
  expect(listing.children.map((c) => c.name)).toEqual(["roadmap.md"]);
  expect(listing.path.map((p) => p.name)).toEqual(["", "Docs", "Inner"]);
  const found = (await (await t.request("/api/v1/search?q=road", { headers: A })).json()) as { items: { id: string }[] };
  expect(found.items.map((i) => i.id)).toEqual([f.id]);

  await post(t, A, "/api/v1/trash", { ids: [f.id] });
  expect(((await (await t.request("/api/v1/search?q=road", { headers: A })).json()) as { items: unknown[] }).items).toEqual([]);
  await post(t, A, "/api/v1/trash", { ids: [docs.id] });
  await post(t, A, "/api/v1/purge", { ids: [docs.id] });
  const restored = (await (await post(t, A, "/api/v1/restore", { ids: [f.id] })).json()) as { items: { parentId: string }[] };
  const path = (await (await t.request(`/api/v1/files/${restored.items[0]!.parentId}`, { headers: A })).json()) as { path: { name: string }[] };
  expect(path.path.map((p) => p.name)).toEqual(["", "Docs", "Inner"]);
  const dl = await t.request(`/api/v1/files/${f.id}/content`, { headers: A });
  expect(await dl.text()).toBe("# plan");
});

test("trash retention: items older than the setting are purged", async () => {
  let now = new Date("2026-01-01T00:00:00Z");
  const t = createTestApp({ deps: { now: () => now } });
  apps.push(t);
  const alice = t.createAdmin("alice");
  const A = t.signIn(alice);
  const f = (await upload(t, A, "old.txt", "old")).body.item;
  await post(t, A, "/api/v1/trash", { ids: [f.id] });
  now = new Date("2026-01-25T00:00:00Z");
  expect(t.services.drive.purgeExpiredTrash()).toBe(0);
  now = new Date("2026-02-01T00:00:01Z");
  expect(t.services.drive.purgeExpiredTrash()).toBe(1);
  expect((await t.request(`/api/v1/files/${f.id}`, { headers: t.signIn(alice) })).status).toBe(404);
});

test("user B can never read, list, change or delete user A's items, by any route", async () => {
  const { t, A, B } = setup();
  const folder = (await mkdir(t, A, "Private")).item;
  const file = (await upload(t, A, "secret.txt", "top secret", `&parentId=${folder.id}`)).body.item;
  const trashed = (await upload(t, A, "gone.txt", "bye")).body.item;
  await post(t, A, "/api/v1/trash", { ids: [trashed.id] });
  const tus = await t.request("/api/v1/uploads", {
    method: "POST",
    headers: { ...A, "tus-resumable": "1.0.0", "upload-length": "5", "upload-metadata": `filename ${btoa("t.bin")}` },
  });
  const uploadId = tus.headers.get("location")!.split("/").pop()!;
  const bobFolder = (await mkdir(t, B, "Mine")).item;

  const attempts: [string, string, unknown?][] = [
    ["GET", `/api/v1/files/${folder.id}`],
    ["GET", `/api/v1/files/${file.id}`],
    ["GET", `/api/v1/files/${file.id}/content`],
    ["GET", `/api/v1/files/${trashed.id}`],
    ["GET", `/api/v1/zip?ids=${folder.id}`],
    ["GET", `/api/v1/zip?ids=${file.id}`],
    ["PATCH", `/api/v1/files/${file.id}`, { name: "pwned" }],
    ["POST", `/api/v1/files/${file.id}/star`, { starred: true }],
    ["POST", "/api/v1/folders", { name: "x", parentId: folder.id }],
    ["POST", "/api/v1/move", { ids: [file.id], targetId: bobFolder.id }],
    ["POST", "/api/v1/move", { ids: [bobFolder.id], targetId: folder.id }],
    ["POST", "/api/v1/copy", { ids: [file.id], targetId: bobFolder.id }],
    ["POST", "/api/v1/trash", { ids: [file.id] }],
    ["POST", "/api/v1/restore", { ids: [trashed.id] }],
    ["POST", "/api/v1/purge", { ids: [trashed.id] }],
    ["PUT", `/api/v1/upload?name=x&parentId=${folder.id}`, "data"],
    ["GET", `/drive/f/${folder.id}`],
    ["GET", `/drive/preview/${file.id}`],
    ["GET", `/drive/move-dialog?ids=${file.id}&at=${folder.id}`],
  ];
  for (const [method, path, body] of attempts) {
    const r = await t.request(path, {
      method,
      headers: typeof body === "string" ? B : json(B),
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    expect({ method, path, status: r.status }).toEqual({ method, path, status: 404 });
  }
  const form = { ...B, "content-type": "application/x-www-form-urlencoded" };
  for (const [path, body] of [
    ["/drive/actions/rename", `ids=${file.id}&name=x`],
    ["/drive/actions/trash", `ids=${file.id}`],
    ["/drive/actions/move", `ids=${file.id}&targetId=${bobFolder.id}`],
    ["/drive/actions/restore", `ids=${trashed.id}`],
    ["/drive/actions/purge", `ids=${trashed.id}`],
    ["/drive/actions/star", `ids=${file.id}&starred=1`],
    ["/drive/actions/mkdir", `parentId=${folder.id}&name=x`],
  ]) {
    expect({ path, status: (await t.request(path!, { method: "POST", headers: form, body })).status }).toEqual({ path, status: 404 });
  }
  for (const method of ["HEAD", "PATCH", "DELETE"]) {
    const r = await t.request(`/api/v1/uploads/${uploadId}`, {
      method,
      headers: { ...B, "tus-resumable": "1.0.0", "upload-offset": "0", "content-type": "application/offset+octet-stream" },
      body: method === "PATCH" ? "12345" : undefined,
    });
    expect({ method, status: r.status }).toEqual({ method, status: 404 });
  }
  const bobSearch = (await (await t.request("/api/v1/search?q=secret", { headers: B })).json()) as { items: unknown[] };
  expect(bobSearch.items).toEqual([]);
  const bobTrash = (await (await t.request("/api/v1/trash", { headers: B })).json()) as { items: unknown[] };
  expect(bobTrash.items).toEqual([]);
  // Alice's data is untouched.
  expect(await (await t.request(`/api/v1/files/${file.id}/content`, { headers: A })).text()).toBe("top secret");
  // Anonymous: nothing.
  expect((await t.request(`/api/v1/files/${file.id}`, { headers: { accept: "application/json" } })).status).toBe(401);
});

test("tus: create, partial PATCH, HEAD gives the offset, resume, finish; the file appears with the right hash", async () => {
  const { t, A } = setup();
  const data = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
  const tusH = { ...A, "tus-resumable": "1.0.0" };
  const meta = `filename ${btoa("video.bin")},relativePath ${btoa("Holiday/Day 1")}`;
  const created = await t.request("/api/v1/uploads", { method: "POST", headers: { ...tusH, "upload-length": String(data.length), "upload-metadata": meta } });
  expect(created.status).toBe(201);
  const loc = created.headers.get("location")!;
  const patch = (offset: number, chunk: Uint8Array) =>
    t.request(loc, { method: "PATCH", headers: { ...tusH, "upload-offset": String(offset), "content-type": "application/offset+octet-stream" }, body: chunk });
  expect((await patch(0, data.slice(0, 100_000))).status).toBe(204);
  const head = await t.request(loc, { method: "HEAD", headers: tusH });
  expect(head.headers.get("upload-offset")).toBe("100000");
  const done = await patch(100_000, data.slice(100_000));
  expect(done.status).toBe(204);
  const id = done.headers.get("x-drive-file-id")!;
  const stat = (await (await t.request(`/api/v1/files/${id}`, { headers: A })).json()) as { item: { sha256: string; name: string; parentId: string } };
  expect(stat.item).toMatchObject({ sha256: sha(data), name: "video.bin" });
  const path = (await (await t.request(`/api/v1/files/${stat.item.parentId}`, { headers: A })).json()) as { path: { name: string }[] };
  expect(path.path.map((p) => p.name)).toEqual(["", "Holiday", "Day 1"]);
  expect(readdirSync(join(t.dataDir, "uploads")).filter((f) => !f.startsWith("."))).toEqual([]);
});

test("zip of a folder streams every file with its path", async () => {
  const { t, A } = setup();
  const docs = (await mkdir(t, A, "Docs")).item;
  await upload(t, A, "a.txt", "AAA", `&parentId=${docs.id}`);
  await upload(t, A, "b.txt", "BBB", `&parentId=${docs.id}&path=sub`);
  const r = await t.request(`/api/v1/zip?ids=${docs.id}`, { headers: A });
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toBe("application/zip");
  const bytes = new Uint8Array(await r.arrayBuffer());
  const text = new TextDecoder("latin1").decode(bytes);
  expect(text).toContain("Docs/a.txt");
  expect(text).toContain("Docs/sub/b.txt");
  expect(text).toContain("AAA");
  expect(bytes[0]).toBe(0x50);
});

test("hostile file names render inert in the listing, search and preview", async () => {
  const { t, A } = setup();
  const evil = `"><img src=x onerror=alert(1)><script>alert(2).txt`;
  const f = (await upload(t, A, evil, "<script>alert(3)</script>")).body.item;
  expect(f.name).toBe(evil);
  for (const path of ["/drive", "/drive/search?q=img", "/drive/search/suggest?q=img", `/drive/preview/${f.id}`, "/drive/recent"]) {
    const html = await (await t.request(path, { headers: A })).text();
    // Parse it as a browser would: the name must not have produced any element or handler.
    const found: string[] = [];
    new HTMLRewriter()
      .on("script", { element: (el) => void (el.getAttribute("src") ? null : found.push("inline script")) })
      .on("[onerror]", { element: () => void found.push("onerror handler") })
      .on("img[src=x]", { element: () => void found.push("injected img") })
      .transform(html);
    expect({ path, found }).toEqual({ path, found: [] });
    expect(html).toContain("&lt;script&gt;alert(");
  }
  const svg = (await upload(t, A, "x.svg", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)).body.item;
  const r = await t.request(`/api/v1/files/${svg.id}/content?inline=1`, { headers: A });
  expect(r.headers.get("content-disposition")).toStartWith("attachment");
  expect(r.headers.get("content-type")).not.toContain("svg");
});

test("the Drive pages render for a signed-in user and the OpenAPI document lists the API", async () => {
  const { t, A } = setup();
  for (const path of ["/drive", "/drive/recent", "/drive/starred", "/drive/trash", "/drive/search?q=x"]) {
    const r = await t.request(path, { headers: A });
    expect({ path, status: r.status }).toEqual({ path, status: 200 });
  }
  expect((await t.request("/drive")).status).toBe(303);
  const doc = (await (await t.request("/api/v1/openapi.json")).json()) as { openapi: string; paths: Record<string, unknown> };
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths)).toContain("/uploads");
});

test("app tokens work on the API without CSRF; cross-site cookie requests are refused", async () => {
  const { t, alice, A } = setup();
  const { token } = t.services.auth.tokens.create(alice.id, "cli");
  const r = await t.request("/api/v1/upload?name=cli.txt", { method: "PUT", headers: { authorization: `Bearer ${token}` }, body: "from curl" });
  expect(r.status).toBe(201);
  const evil = await t.request("/api/v1/upload?name=x.txt", { method: "PUT", headers: { cookie: A.cookie!, origin: "https://evil.example" }, body: "x" });
  expect(evil.status).toBe(403);
});

test("paging: folders first, then files, across the boundary, with hasMore", async () => {
  const { t, A } = setup();
  const parent = (await mkdir(t, A, "P")).item;
  for (const n of ["f1", "f2", "f3"]) await mkdir(t, A, n, parent.id);
  for (const n of ["a.txt", "b.txt", "c.txt"]) await upload(t, A, n, n, `&parentId=${parent.id}`);
  const page = async (offset: number) =>
    (await (await t.request(`/api/v1/files/${parent.id}?limit=2&offset=${offset}`, { headers: A })).json()) as {
      children: { name: string }[];
      hasMore: boolean;
    };
  const pages = [await page(0), await page(2), await page(4)];
  expect(pages.map((p) => p.children.map((c) => c.name))).toEqual([
    ["f1", "f2"],
    ["f3", "a.txt"],
    ["b.txt", "c.txt"],
  ]);
  expect(pages.map((p) => p.hasMore)).toEqual([true, true, false]);
});

// A small tmpfs as the data dir gives a real ENOSPC (root only; reported as skipped elsewhere — storage.test.ts
// covers the same path with an injected ENOSPC on every machine).
const canMount =
  process.getuid?.() === 0 && Bun.spawnSync(["sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs $d && umount $d && rmdir $d"]).exitCode === 0;

test.skipIf(!canMount)("disk full: 507 with a clear message, nothing partial, and the server keeps serving", async () => {
  const { mkdtempSync: mk } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const mnt = mk(join(tmpdir(), "drive-full-"));
  expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt]).exitCode).toBe(0);
  const t = createTestApp({ config: { dataDir: mnt } });
  try {
    const alice = t.createAdmin("alice");
    const A = t.signIn(alice);
    // Declared too big for the free space: refused before a byte is written.
    const declared = await upload(t, A, "huge.bin", new Uint8Array(6 * 1024 * 1024));
    expect(declared.status).toBe(507);
    expect(declared.body.error).toContain("disk is full");
    // Undeclared length (a stream): the disk fills while writing.
    const chunk = new Uint8Array(1024 * 1024).fill(7);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 6; i++) c.enqueue(chunk);
        c.close();
      },
    });
    const r = await t.request("/api/v1/upload?name=stream.bin", { method: "PUT", headers: A, body: stream });
    expect(r.status).toBe(507);
    expect(readdirSync(join(mnt, "users", alice.id, "tmp"))).toEqual([]);
    expect(existsSync(join(mnt, "users", alice.id, "blobs"))).toBe(false);
    expect((await upload(t, A, "small.txt", "still works")).status).toBe(201);
    expect((await t.request("/api/v1/root", { headers: A })).status).toBe(200);
  } finally {
    t.db.$client.close(); // the database lives on the tmpfs too
    Bun.spawnSync(["umount", mnt]);
  }
});

test("files copied into the import folder from outside appear under Imported/, keeping their folders", async () => {
  const { t, A, alice } = setup();
  const { mkdirSync, writeFileSync, symlinkSync, utimesSync } = await import("node:fs");
  const dir = join(t.dataDir, "users", alice.id, "import", "Camera", "2026");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "IMG_1.jpg"), "jpeg bytes");
  const past = new Date(Date.now() - 1000); // scanImports(0) still skips a file whose mtime is not yet in the past
  utimesSync(join(dir, "IMG_1.jpg"), past, past);
  symlinkSync("/etc/passwd", join(dir, "link"));
  expect(await t.services.drive.scanImports(0)).toEqual({ imported: 1, duplicates: 0 });
  const found = (await (await t.request("/api/v1/search?q=IMG", { headers: A })).json()) as { items: { id: string; parentId: string }[] };
  expect(found.items.length).toBe(1);
  const stat = (await (await t.request(`/api/v1/files/${found.items[0]!.parentId}`, { headers: A })).json()) as { path: { name: string }[] };
  expect(stat.path.map((p) => p.name)).toEqual(["", "Imported", "Camera", "2026"]);
  expect(await (await t.request(`/api/v1/files/${found.items[0]!.id}/content`, { headers: A })).text()).toBe("jpeg bytes");
  expect(existsSync(join(dir, "IMG_1.jpg"))).toBe(false);
  expect(await t.services.drive.scanImports(0)).toEqual({ imported: 0, duplicates: 0 });
  // The same bytes dropped in again under another name: already stored, so skipped (and taken out of the folder).
  writeFileSync(join(dir, "copy-of-IMG_1.jpg"), "jpeg bytes");
  utimesSync(join(dir, "copy-of-IMG_1.jpg"), past, past);
  expect(await t.services.drive.scanImports(0)).toEqual({ imported: 0, duplicates: 1 });
  expect(existsSync(join(dir, "copy-of-IMG_1.jpg"))).toBe(false);
});

test("image preview: a WebP made with sharp, only for the owner", async () => {
  const { t, A, B } = setup();
  const sharp = (await import("sharp")).default;
  const png = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: "#3366cc" } })
    .png()
    .toBuffer();
  const img = (await upload(t, A, "wide.png", new Uint8Array(png))).body.item;
  const html = await (await t.request(`/drive/preview/${img.id}`, { headers: A })).text();
  expect(html).toContain(`/drive/thumb/${img.id}`);
  const r = await t.request(`/drive/thumb/${img.id}`, { headers: A });
  expect(r.headers.get("content-type")).toBe("image/webp");
  const meta = await sharp(new Uint8Array(await r.arrayBuffer())).metadata();
  expect([meta.width, meta.height]).toEqual([960, 480]);
  expect((await t.request(`/drive/thumb/${img.id}`, { headers: B })).status).toBe(404);
  // Made once, then served from the cache beside the blobs.
  const alice = t.services.auth.users.byName("alice")!;
  expect(await t.services.drive.previewImage(alice, img.id)).toContain("/previews/");
});

test("damaged images: each gives a WebP or a clear 415 from the preview child process; the server keeps serving", async () => {
  const { t, A } = setup();
  const dir = join(import.meta.dir, "../../test/fixtures/photos/damaged");
  for (const name of readdirSync(dir)) {
    const item = (await upload(t, A, name, new Uint8Array(readFileSync(join(dir, name))))).body.item;
    const r = await t.request(`/drive/thumb/${item.id}`, { headers: A });
    if (r.status === 200) expect(r.headers.get("content-type")).toBe("image/webp");
    else expect([r.status, await r.text()]).toEqual([415, expect.stringContaining("This image cannot be previewed.")]);
  }
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(4000).fill(7)]);
  const broken = (await upload(t, A, "broken.png", png)).body.item;
  const r = await t.request(`/drive/thumb/${broken.id}`, { headers: A });
  expect(r.status).toBe(415);
  expect(await r.text()).toContain("cannot be previewed");
  expect((await t.request("/healthz")).status).toBe(200);
});
