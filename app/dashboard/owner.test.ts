// What a new owner reads on the start page, Storage and the audit log (issue 13 #14, #16, #17, #19).
import { afterEach, expect, test } from "bun:test";
import { fakeRunner } from "../../hw/testing";
import { createTestApp, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

function app(filesystems: { device: string; mount: string }[] = []) {
  t = createTestApp({
    deps: {
      hw: {
        blockDevices: async () => [],
        filesystems: async () => filesystems.map((f) => ({ ...f, type: "ext4", totalBytes: 1e12, usedBytes: 0, freeBytes: 1e12 })),
        storageRun: fakeRunner(() => ({ stdout: JSON.stringify({ blockdevices: [] }) })).run,
        storageLoopDevices: false,
      },
    },
  });
  return t;
}

test("#16 no second disk: Storage says so and how to attach one, with no empty drop-down and no Save", async () => {
  app();
  const html = await (await t.request("/dashboard/storage", { headers: t.signIn(t.createAdmin()) })).text();
  expect(html).toContain('data-testid="no-second-disk"');
  expect(html).toContain("There is no second disk.");
  expect(html).toContain("Plug a USB disk");
  expect(html).not.toContain('id="copy-target"');
  expect(html).not.toContain('action="/dashboard/storage/copy/target"');
});

test("#19 the start page: storage used, recent files opening in their folder, and (for the admin) the box's health", async () => {
  app();
  const admin = t.createAdmin("alice");
  const bob = t.createUser("bob");
  const { drive } = t.services;
  const bytes = async function* () {
    yield new TextEncoder().encode("x".repeat(8_800_000));
  };
  const file = await drive.upload(admin, { name: "IMG_0042 <b>.jpg", conflict: "rename" }, bytes());
  const html = await (await t.request("/", { headers: t.signIn(admin) })).text();
  expect(html).toContain('data-testid="home-storage"');
  expect(html).toContain("8.8 MB");
  expect(html).toContain(`href="/drive/f/${file.parentId}?select=${file.id}">IMG_0042 &lt;b&gt;.jpg</a>`);
  expect(html).toContain('data-testid="home-health"');
  expect(html).toContain("Healthy");
  const bobs = await (await t.request("/", { headers: t.signIn(bob) })).text();
  expect(bobs).not.toContain('data-testid="home-health"');
  expect(bobs).not.toContain("IMG_0042");
  expect(bobs).toContain("Nothing yet.");
});

test("#17 the audit log in words: who did what, an upload's chunks folded into one entry, filters by person, kind and day", async () => {
  app();
  const admin = t.createAdmin("alice");
  const bob = t.createUser("bob");
  const { audit } = t.services;
  const at = (iso: string) => new Date(iso);
  audit.record({ userId: bob.id, action: "auth.login", ok: true }, at("2026-11-29T08:00:00Z"));
  audit.record({ userId: bob.id, action: "POST /api/v1/uploads", ok: true }, at("2026-11-30T09:00:00Z"));
  for (let i = 0; i < 5; i++) audit.record({ userId: bob.id, action: "PATCH /api/v1/uploads/:id", objectId: "f00d", ok: true }, at(`2026-11-30T09:00:0${i}Z`));
  audit.record({ userId: admin.id, action: "POST /drive/actions/trash", ok: true }, at("2026-11-30T10:00:00Z"));
  audit.record({ userId: bob.id, action: "POST /settings/admin/invites", ok: false }, at("2026-11-30T11:00:00Z"));
  t.services.settings.update({ timeZone: "Europe/Berlin" });
  const h = t.signIn(admin);
  const html = await (await t.request("/settings/audit", { headers: h })).text();
  expect(html).toContain('<strong>bob</strong> <span>uploaded a file</span><span class="muted"> (5 steps)</span>');
  expect(html.match(/uploaded a file/g)).toHaveLength(1);
  expect(html).toContain("<strong>alice</strong> <span>moved files to the trash</span>");
  expect(html).toContain('<span class="badge bad">refused</span> <strong>bob</strong> <span>created an invite link</span>');
  expect(html).toContain("2026-11-30 11:00 CET"); // 10:00 UTC in the box's zone (#14)
  expect(html).toContain("Times in Europe/Berlin.");
  // Filters: the person, the kind of action, the day (in the box's zone).
  const files = await (await t.request(`/settings/audit?kind=files&user=${bob.id}`, { headers: h })).text();
  expect(files).toContain("uploaded a file");
  expect(files).not.toContain("signed in");
  expect(files).not.toContain("moved files to the trash");
  const day = await (await t.request("/settings/audit?date=2026-11-29", { headers: h })).text();
  expect(day).toContain("signed in with a passkey");
  expect(day).not.toContain("uploaded a file");
});

test("#14 Drive lists times in the box's time zone", async () => {
  app();
  const admin = t.createAdmin("alice");
  t.services.settings.update({ timeZone: "America/New_York" });
  const bytes = async function* () {
    yield new TextEncoder().encode("hello");
  };
  const file = await t.services.drive.upload(admin, { name: "notes.txt", conflict: "rename" }, bytes());
  const html = await (await t.request("/drive", { headers: t.signIn(admin) })).text();
  const local = new Intl.DateTimeFormat("sv-SE", {
    timeZone: "America/New_York",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(file.updatedAt);
  expect(html).toContain(`datetime="${file.updatedAt.toISOString()}">${local}</time>`);
  expect(html).not.toContain(`>${file.updatedAt.toISOString().slice(0, 16).replace("T", " ")}</time>`);
});

test("#17 the audit log names what a Drive change was about: file, folder, destination (escaped), read before a purge", async () => {
  app();
  const admin = t.createAdmin("alice");
  const bob = t.createUser("bob");
  const B = t.signIn(bob);
  const json = { ...B, "content-type": "application/json", accept: "application/json" };
  const post = async (path: string, body: unknown) => {
    const r = await t.request(path, { method: "POST", headers: json, body: JSON.stringify(body) });
    expect(r.status).toBeLessThan(300);
    return (await r.json()) as { item: { id: string } };
  };
  const photos = (await post("/api/v1/folders", { name: "Photos" })).item.id;
  const y2024 = (await post("/api/v1/folders", { name: "2024", parentId: photos })).item.id;
  // A resumable upload in two chunks, as Drive and Photos send it.
  const data = new Uint8Array(1000).fill(7);
  const tus = { ...B, "tus-resumable": "1.0.0" };
  const meta = `filename ${btoa("IMG_0042.jpg")},parentId ${btoa(y2024)}`;
  const created = await t.request("/api/v1/uploads", { method: "POST", headers: { ...tus, "upload-length": "1000", "upload-metadata": meta } });
  expect(created.status).toBe(201);
  const at = created.headers.get("location")!;
  for (const [offset, part] of [
    [0, data.slice(0, 600)],
    [600, data.slice(600)],
  ] as const) {
    const r = await t.request(`/api/v1/uploads/${at.split("/").pop()}`, {
      method: "PATCH",
      headers: { ...tus, "upload-offset": String(offset), "content-type": "application/offset+octet-stream" },
      body: part,
    });
    expect(r.status).toBe(204);
  }
  // A plain upload whose name carries markup, renamed, moved, trashed and purged.
  const up = await t.request(`/api/v1/upload?name=${encodeURIComponent("<img src=x onerror=alert(1)>.txt")}&parentId=${photos}`, {
    method: "PUT",
    headers: B,
    body: "hi",
  });
  expect(up.status).toBe(201);
  const hostile = ((await up.json()) as { item: { id: string } }).item.id;
  const r = await t.request(`/api/v1/files/${hostile}`, { method: "PATCH", headers: json, body: JSON.stringify({ name: "notes.txt" }) });
  expect(r.status).toBe(200);
  await post("/api/v1/move", { ids: [hostile], targetId: y2024 });
  await post("/api/v1/trash", { ids: [hostile] });
  await post("/api/v1/purge", { ids: [hostile] });

  const html = await (await t.request(`/settings/audit?user=${bob.id}`, { headers: t.signIn(admin) })).text();
  const said = [...html.matchAll(/<strong>bob<\/strong> <span>([^<]*)<\/span>/g)].map((m) => m[1]);
  expect(said).toEqual([
    "deleted &#x27;notes.txt&#x27; forever",
    "moved &#x27;notes.txt&#x27; from Photos/2024 to the trash",
    "moved &#x27;notes.txt&#x27; to Photos/2024",
    "renamed &#x27;&lt;img src=x onerror=alert(1)&gt;.txt&#x27; to &#x27;notes.txt&#x27; in Photos",
    "uploaded &#x27;&lt;img src=x onerror=alert(1)&gt;.txt&#x27; to Photos",
    "uploaded &#x27;IMG_0042.jpg&#x27; to Photos/2024",
    "started uploading &#x27;IMG_0042.jpg&#x27; to Photos/2024",
    "created the folder &#x27;2024&#x27; in Photos",
    "created the folder &#x27;Photos&#x27; in My Drive",
  ]);
  expect(html).toContain('<span class="muted"> (2 steps)</span>'); // the two PATCHes are one entry
  expect(html).not.toContain("<img src=x");
});

test("#17 every route that changes something has words in the audit log (a new route without them fails here)", () => {
  app();
  // WebDAV's changing methods too (app/dav): the security plugin records them like POST.
  const unsafe = t.app.routes.filter((r) =>
    ["POST", "PUT", "PATCH", "DELETE", "ALL", "MKCOL", "MOVE", "COPY", "PROPPATCH", "LOCK", "UNLOCK"].includes(r.method),
  );
  expect(unsafe.length).toBeGreaterThan(40);
  // A route for every method (tus) needs words for at least one of the changing ones.
  const phrased = (r: { method: string; path: string }) =>
    (r.method === "ALL" ? ["POST", "PATCH", "DELETE"] : [r.method]).some((m) => t.app.auditWords.describe(`${m} ${r.path}`).kind !== null);
  expect(unsafe.filter((r) => !phrased(r)).map((r) => `${r.method} ${r.path}`)).toEqual([]);
});
