// Share links through the app's front door (app.handle): creation, the password and its throttle, expiry, revoke,
// the shared root (no escape by id or path), view only, and no EXIF/GPS in what a link serves.
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import exifr from "exifr";
import { runCommand } from "../../hw/run";
import { hmac } from "../platform/crypto";
import { TEST_ORIGIN } from "../../test/support/app";
import { PASSWORD, shareFixture, type ShareFixture } from "../../test/support/share";

let f: ShareFixture;
afterEach(() => f?.t.cleanup());

/** A visitor's browser: no account, its own pre-session cookie (for the CSRF token of the password form). */
function visitor(f: ShareFixture, id = "visitor1") {
  return { cookie: `nas_pre=${id}`, origin: TEST_ORIGIN, "sec-fetch-site": "same-origin", "x-csrf-token": hmac(f.t.secret, `csrf:${id}`) };
}
const form = (headers: Record<string, string>, fields: Record<string, string>) => ({
  method: "POST",
  headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});
async function unlock(f: ShareFixture, token: string, password: string, headers = visitor(f)) {
  const res = await f.t.request(`/s/${token}/unlock`, form(headers, { password }));
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("nas_link="));
  return { res, cookie, pair: cookie?.split(";")[0] };
}
const json = (h: Record<string, string>) => ({ ...h, "content-type": "application/json", accept: "application/json" });

describe("creating and managing links", () => {
  test("the token has 256 bits, is shown once and stored only as its hash; listings carry neither token nor hashes", async () => {
    f = await shareFixture();
    const A = f.t.signIn(f.alice);
    const res = await f.t.request("/api/v1/shares", {
      method: "POST",
      headers: json(A),
      body: JSON.stringify({ fileId: f.items.holiday!.id, password: "pass word", expiresAt: new Date(Date.now() + 86_400_000).toISOString() }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; url: string; link: { id: string; state: string; hasPassword: boolean } };
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.url).toBe(`${TEST_ORIGIN}/s/${body.token}`);
    expect(body.link).toMatchObject({ state: "active", hasPassword: true });
    const row = f.t.db.$client.query("SELECT * FROM share_links WHERE id = ?").get(body.link.id) as Record<string, string>;
    expect(JSON.stringify(row)).not.toContain(body.token);
    expect(row.password_hash).toStartWith("$argon2id$");
    const listing = await (await f.t.request("/api/v1/shares", { headers: A })).text();
    expect(listing).toContain(body.link.id);
    expect(listing).not.toContain(body.token);
    expect(listing).not.toContain(row.token_hash!);
    expect(listing).not.toContain("argon2");
  });

  test("every /api/v1 share route is in the API document", async () => {
    f = await shareFixture();
    const doc = (await (await f.t.request("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = f.t.app.routes.filter((r) => /^\/api\/v1\/(admin\/)?shares/.test(r.path));
    expect(routes.length).toBe(10);
    for (const r of routes) {
      const path = r.path.slice("/api/v1".length).replace(/:(\w+)/g, "{$1}");
      expect([r.method, r.path, !!doc.paths[path]?.[r.method.toLowerCase()]]).toEqual([r.method, r.path, true]);
    }
  });

  test("only the owner's own items can be shared: another user's file id is a 404", async () => {
    f = await shareFixture();
    const B = f.t.signIn(f.bob);
    const res = await f.t.request("/api/v1/shares", { method: "POST", headers: json(B), body: JSON.stringify({ fileId: f.items.secret!.id }) });
    expect(res.status).toBe(404);
  });

  test("another user cannot revoke or list a link by id (404); the owner and the admin can revoke; each action is audited", async () => {
    f = await shareFixture();
    const { open, locked } = f.links;
    const B = f.t.signIn(f.bob);
    expect((await f.t.request(`/api/v1/shares/${open.link.id}`, { method: "DELETE", headers: B })).status).toBe(404);
    expect((await f.t.request(`/shared/${open.link.id}/revoke`, form(B, {}))).status).toBe(404);
    expect(await (await f.t.request("/api/v1/shares", { headers: B })).json()).toEqual({ links: [] });
    expect((await f.t.request("/api/v1/admin/shares", { headers: B })).status).toBe(403);
    expect((await f.t.request(`/s/${open.token}`)).status).toBe(200); // still active

    expect((await f.t.request(`/api/v1/shares/${open.link.id}`, { method: "DELETE", headers: f.t.signIn(f.alice) })).status).toBe(200);
    expect((await f.t.request(`/s/${open.token}`)).status).toBe(410);

    const bobsLink = await f.t.services.share.create(f.bob, { fileId: f.items.bobsFile!.id });
    const all = (await (await f.t.request("/api/v1/admin/shares", { headers: f.t.signIn(f.alice) })).json()) as { links: { id: string; owner: string }[] };
    expect(all.links.map((l) => l.owner)).toContain("bob");
    expect((await f.t.request(`/shared/${bobsLink.link.id}/revoke`, form(f.t.signIn(f.alice), {}))).status).toBe(303);
    expect((await f.t.request(`/s/${bobsLink.token}`)).status).toBe(410);

    const actions = f.t.services.audit.list({ limit: 500 }).map((r) => `${r.action} ${r.objectId} ${r.ok}`);
    expect(actions).toContain(`share.create ${locked.link.id} true`);
    expect(actions).toContain(`share.revoke ${open.link.id} true`);
    expect(actions).toContain(`share.revoke ${bobsLink.link.id} true`);
    await f.t.request(`/s/${locked.token}/unlock`, form(visitor(f), { password: PASSWORD }));
    expect(f.t.services.audit.list({ action: "share.unlock" }).map((r) => [r.objectId, r.ok])).toEqual([[locked.link.id, true]]);
    expect(actions).toContain(`DELETE /api/v1/shares/:id ${open.link.id} false`); // bob's refused attempt
  });

  test("the Shared page lists every link with its state and views; the admin also sees every link on the box", async () => {
    f = await shareFixture();
    await f.t.request(`/s/${f.links.open.token}`);
    await f.t.request(`/s/${f.links.open.token}`);
    const page = await (await f.t.request("/shared", { headers: f.t.signIn(f.alice) })).text();
    const row = (id: string) => page.match(new RegExp(`<tr data-link="${id}" data-state="(\\w+)"><td>[^<]*</td><td>\\w+</td><td>(\\d+)</td>`))?.slice(1);
    expect(row(f.links.open.link.id)).toEqual(["active", "2"]);
    expect(row(f.links.expired.link.id)).toEqual(["expired", "0"]);
    expect(row(f.links.revoked.link.id)).toEqual(["revoked", "0"]);
    expect(page).toContain('data-testid="all-links"');
    const bobs = await (await f.t.request("/shared", { headers: f.t.signIn(f.bob) })).text();
    expect(bobs).not.toContain('data-testid="all-links"');
    expect(bobs).not.toContain(f.links.open.link.id);
  });

  test("the share form creates a link shown once with a QR code", async () => {
    f = await shareFixture();
    const A = f.t.signIn(f.alice);
    expect((await f.t.request(`/shared/new?fileId=${f.items.note!.id}`, { headers: A })).status).toBe(200);
    const res = await f.t.request("/shared", form(A, { fileId: f.items.note!.id, password: "", expiresInDays: "7", viewOnly: "1" }));
    expect(res.status).toBe(201);
    const html = await res.text();
    const url = html.match(/value="(http:\/\/localhost:8080\/s\/[A-Za-z0-9_-]{43})"/)?.[1];
    expect(url).toBeDefined();
    expect(html).toContain('src="data:image/svg+xml;base64,');
    const listed = f.t.services.share.listOwn(f.alice).find((l) => l.fileId === f.items.note!.id)!;
    expect(listed).toMatchObject({ allowDownload: false, hasPassword: false, state: "active" });
    expect(new Date(listed.expiresAt!).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const short = await f.t.request("/shared", form(A, { fileId: f.items.note!.id, password: "abc" }));
    expect(short.status).toBe(400);
    expect(await short.text()).toContain("at least 4 characters");
  });
});

describe("the link pages", () => {
  test("a folder link lists its items, never the trashed one; every response carries Referrer-Policy: no-referrer and no owner session", async () => {
    f = await shareFixture();
    const { token } = f.links.open;
    const page = await f.t.request(`/s/${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const name of ["beach.jpg", "notes.txt", "Day 2/"]) expect(html).toContain(name);
    expect(html).not.toContain("deleted.txt");
    expect(html).not.toContain("Private");
    for (const path of [
      `/s/${token}`,
      `/s/${token}/thumb/${f.items.photo!.id}`,
      `/s/${token}/content/${f.items.note!.id}`,
      `/s/${token}/zip`,
      `/s/${token}/v/${f.items.secret!.id}`,
      `/s/${f.links.revoked.token}`,
      `/s/nope`,
    ]) {
      const res = await f.t.request(path, {
        headers: { cookie: `nas_session=${f.t.services.auth.sessions.create(f.alice.id, { ip: null, userAgent: "x" })}` },
      });
      await res.arrayBuffer();
      expect([path, res.headers.get("referrer-policy")]).toEqual([path, "no-referrer"]);
      expect(res.headers.getSetCookie().filter((c) => c.startsWith("nas_session="))).toEqual([]);
    }
  });

  test("a password link: locked until the password is entered; the unlock cookie is HttpOnly and scoped to that link", async () => {
    f = await shareFixture();
    const { token } = f.links.locked;
    const locked = await f.t.request(`/s/${token}`);
    expect(locked.status).toBe(401);
    const html = await locked.text();
    expect(html).toContain('name="password"');
    expect(html).not.toContain("beach.jpg");
    for (const p of [`thumb/${f.items.photo!.id}`, `content/${f.items.photo!.id}`, "zip", `v/${f.items.photo!.id}`, `f/${f.items.sub!.id}`]) {
      expect([p, (await f.t.request(`/s/${token}/${p}`)).status]).toEqual([p, 403]);
    }
    const wrong = await unlock(f, token, "wrong");
    expect(wrong.res.status).toBe(403);
    expect(wrong.cookie).toBeUndefined();
    const right = await unlock(f, token, PASSWORD);
    expect(right.res.status).toBe(303);
    expect(right.cookie).toContain("HttpOnly");
    expect(right.cookie).toContain(`Path=/s/${token}`);
    expect((await f.t.request(`/s/${token}`, { headers: { cookie: right.pair! } })).status).toBe(200);
    expect((await f.t.request(`/s/${token}/thumb/${f.items.photo!.id}`, { headers: { cookie: right.pair! } })).status).toBe(200);
    // The cookie opens this link only: not the open link's siblings, and not once the link is revoked.
    const other = await f.t.services.share.create(f.alice, { fileId: f.items.holiday!.id, password: PASSWORD });
    expect((await f.t.request(`/s/${other.token}`, { headers: { cookie: right.pair! } })).status).toBe(401);
    f.t.services.share.revoke(f.alice, f.links.locked.link.id);
    expect((await f.t.request(`/s/${token}/thumb/${f.items.photo!.id}`, { headers: { cookie: right.pair! } })).status).toBe(410);
  });

  test("the password form works under no-referrer (Origin: null from our own page) and is refused from another site", async () => {
    f = await shareFixture();
    const { token } = f.links.locked;
    const own = { ...visitor(f), origin: "null", "sec-fetch-site": "same-origin" };
    expect((await unlock(f, token, PASSWORD, own)).res.status).toBe(303);
    for (const site of ["cross-site", "same-site", "none"]) {
      const res = await unlock(f, token, PASSWORD, { ...own, "sec-fetch-site": site });
      expect([site, res.res.status, res.cookie]).toEqual([site, 403, undefined]);
    }
    expect((await unlock(f, token, PASSWORD, { ...visitor(f), origin: "null", "sec-fetch-site": "" })).res.status).toBe(403);
  });

  test("password guessing is throttled per link and per address, with Retry-After, and the right password waits too", async () => {
    f = await shareFixture();
    const { token } = f.links.locked;
    for (let i = 0; i < 10; i++) {
      f.t.setIp(`10.0.0.${i}`);
      expect((await unlock(f, token, `guess ${i}`)).res.status).toBe(403);
    }
    f.t.setIp("10.0.1.1");
    const blocked = await unlock(f, token, PASSWORD);
    expect(blocked.res.status).toBe(429);
    expect(Number(blocked.res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(blocked.cookie).toBeUndefined();
    // Per address: one client guessing across many links is stopped as well.
    f.t.setIp("10.0.2.2");
    const links = await Promise.all(Array.from({ length: 4 }, () => f.t.services.share.create(f.alice, { fileId: f.items.holiday!.id, password: PASSWORD })));
    let last = 0;
    for (let i = 0; i < 32; i++) last = (await unlock(f, links[i % 4]!.token, `guess ${i}`)).res.status;
    expect(last).toBe(429);
    expect((await unlock(f, links[0]!.token, PASSWORD)).res.status).toBe(429);
    // The token never reached the audit log through a refused attempt.
    expect(JSON.stringify(f.t.services.audit.list({ limit: 500 }))).not.toContain(token);
  }, 60_000); // each refused guess runs argon2id

  test("300 guesses at once, the right password among them: at most the limit are checked, the rest wait (429, Retry-After)", async () => {
    f = await shareFixture();
    const { token } = f.links.locked;
    // 300 browsers at once; the right password is in the middle.
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => f.t.request(`/s/${token}/unlock`, form(visitor(f, `v${i}`), { password: i === 150 ? PASSWORD : `guess ${i}` }))),
    );
    const checked = answers.filter((r) => r.status !== 429);
    expect(checked.length).toBeLessThanOrEqual(10);
    expect(answers.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(290);
    for (const r of answers.filter((r) => r.status === 429)) expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    // The right password arrived after the first ten: it waits like the others and gets no cookie.
    expect(answers[150]!.status).toBe(429);
    expect(answers.some((r) => r.headers.getSetCookie().some((c) => c.startsWith("nas_link=")))).toBe(false);
  }, 60_000);

  test("expired and revoked links answer 410 on every route; an unknown token 404", async () => {
    f = await shareFixture();
    for (const token of [f.links.expired.token, f.links.revoked.token]) {
      for (const p of ["", "/zip", `/thumb/${f.items.photo!.id}`, `/content/${f.items.note!.id}`])
        expect((await f.t.request(`/s/${token}${p}`)).status).toBe(410);
    }
    expect((await f.t.request(`/s/${"A".repeat(43)}`)).status).toBe(404);
  });

  test("nothing outside the shared root: the owner's other files, the parent, another user's file, the trash, encoded ../", async () => {
    f = await shareFixture();
    const { token } = f.links.open;
    const outside = [f.items.secret!.id, f.items.privateFolder!.id, f.t.services.drive.rootOf(f.alice).id, f.items.bobsFile!.id, f.items.trashed!.id];
    for (const id of outside) {
      for (const route of ["v", "content", "thumb", "f"])
        expect([route, id, (await f.t.request(`/s/${token}/${route}/${id}`)).status]).toEqual([route, id, 404]);
    }
    const escapes = [
      "..",
      "..%2F..",
      "%2E%2E%2F",
      "%252e%252e%252f",
      "..%252F" + f.items.secret!.id,
      `${f.items.sub!.id}%2F..%2F..%2F${f.items.secret!.id}`,
      `${f.items.note!.id}/../${f.items.secret!.id}`,
    ];
    for (const e of escapes) {
      for (const route of ["content", "f"]) {
        // A literal "/../" is resolved by the URL parser before it is sent: it lands on a page of the link itself.
        const res = await f.t.request(`/s/${token}/${route}/${e}`);
        const body = await res.text();
        expect([e, route, [200, 400, 404].includes(res.status)]).toEqual([e, route, true]);
        expect(body).not.toContain("the owner's other files");
        expect(body).not.toContain("secret.txt");
        if (e.includes("%")) expect([e, route, res.status]).toEqual([e, route, 404]);
      }
    }
    // A file link is its own root: the folder around it is out of reach.
    const { token: fileToken } = f.links.fileLink;
    expect((await f.t.request(`/s/${fileToken}/content/${f.items.note!.id}`)).status).toBe(404);
    expect((await f.t.request(`/s/${fileToken}/content/${f.items.photo!.id}`)).status).toBe(200);
    // Inside the root, deeper folders are reachable.
    expect((await f.t.request(`/s/${token}/content/${f.items.inSub!.id}?download=1`)).status).toBe(200);
    // A page inside the link names nothing above the shared root: not the owner, not the owner's other folders.
    const inner = await (await f.t.request(`/s/${token}/f/${f.items.sub!.id}`)).text();
    expect(inner).toContain("hike.txt");
    for (const leak of ["alice", "Private", "secret.txt", f.t.services.drive.rootOf(f.alice).id, f.items.privateFolder!.id])
      expect([leak, inner.includes(leak)]).toEqual([leak, false]);
    const links = [...inner.matchAll(/href="(\/s\/[^"]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !l.startsWith(`/s/${token}`))).toEqual([]);
    // A link whose folder went to the trash serves nothing.
    f.t.services.drive.moveToTrash(f.alice, [f.items.sub!.id]);
    expect((await f.t.request(`/s/${token}/content/${f.items.inSub!.id}`)).status).toBe(404);
    f.t.services.drive.moveToTrash(f.alice, [f.items.holiday!.id]);
    expect((await f.t.request(`/s/${token}`)).status).toBe(404);
  });

  test("view only: previews and pages, but no original, no download, no zip", async () => {
    f = await shareFixture();
    const { token } = f.links.viewOnly;
    const html = await (await f.t.request(`/s/${token}`)).text();
    expect(html).not.toContain("Download all");
    expect((await f.t.request(`/s/${token}/thumb/${f.items.photo!.id}`)).status).toBe(200);
    expect((await f.t.request(`/s/${token}/content/${f.items.photo!.id}`)).status).toBe(403);
    expect((await f.t.request(`/s/${token}/content/${f.items.note!.id}?download=1`)).status).toBe(403);
    expect((await f.t.request(`/s/${token}/zip`)).status).toBe(403);
  });

  test("video plays inline (with Range) even on a view-only link; a photo's original does not", async () => {
    f = await shareFixture();
    const out = join(f.t.dataDir, "clip.mp4");
    const ff = Bun.spawnSync([
      "ffmpeg",
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=64x64:rate=10",
      "-t",
      "1",
      "-c:v",
      "mpeg4",
      "-pix_fmt",
      "yuv420p",
      "-y",
      out,
    ]);
    expect(ff.exitCode).toBe(0);
    const clip = await f.t.services.drive.upload(
      f.alice,
      { parentId: f.items.holiday!.id, name: "clip.mp4", conflict: "fail" },
      (async function* () {
        yield await Bun.file(out).bytes();
      })(),
    );
    expect(clip.mime).toBe("video/mp4");
    for (const token of [f.links.open.token, f.links.viewOnly.token]) {
      const page = await (await f.t.request(`/s/${token}/v/${clip.id}`)).text();
      expect(page).toContain(`<video src="/s/${token}/content/${clip.id}" controls`);
      const res = await f.t.request(`/s/${token}/content/${clip.id}`, { headers: { range: "bytes=0-99" } });
      expect([res.status, res.headers.get("content-type"), res.headers.get("content-disposition")?.startsWith("inline")]).toEqual([206, "video/mp4", true]);
    }
    expect((await f.t.request(`/s/${f.links.viewOnly.token}/content/${clip.id}?download=1`)).status).toBe(403);
    expect((await f.t.request(`/s/${f.links.viewOnly.token}/content/${f.items.photo!.id}`)).status).toBe(403);
  });

  test("the view counter counts page views", async () => {
    f = await shareFixture();
    for (let i = 0; i < 3; i++) await f.t.request(`/s/${f.links.open.token}`);
    expect(f.t.services.share.listOwn(f.alice).find((l) => l.id === f.links.open.link.id)!.views).toBe(3);
  });
});

describe("no EXIF/GPS through a link unless the owner allowed it", () => {
  test("the original, a range of it, the preview and the zip carry no GPS; with metadata allowed the original keeps it", async () => {
    f = await shareFixture();
    const { token } = f.links.open;
    const original = await f.t.request(`/s/${token}/content/${f.items.photo!.id}?download=1`);
    expect(original.status).toBe(200);
    const bytes = Buffer.from(await original.arrayBuffer());
    expect(bytes[0]).toBe(0xff);
    expect(await exifr.gps(bytes)).toBeUndefined();
    expect(await exifr.parse(bytes).catch(() => undefined)).toBeUndefined();
    expect(Number(original.headers.get("content-length"))).toBe(bytes.length);
    const head = await f.t.request(`/s/${token}/content/${f.items.photo!.id}`, { headers: { range: "bytes=0-65535" } });
    expect(head.status).toBe(206);
    expect(Buffer.from(await head.arrayBuffer()).equals(bytes.subarray(0, 65536))).toBe(true);

    const preview = Buffer.from(await (await f.t.request(`/s/${token}/thumb/${f.items.photo!.id}`)).arrayBuffer());
    expect(preview.subarray(8, 12).toString()).toBe("WEBP");
    expect(await exifr.gps(preview).catch(() => undefined)).toBeUndefined();

    const zip = Buffer.from(await (await f.t.request(`/s/${token}/zip`)).arrayBuffer());
    const at = zip.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
    expect(at).toBeGreaterThan(0);
    expect(zip.indexOf(Buffer.from("Exif\0\0"))).toBe(-1);
    expect(zip.includes(bytes)).toBe(true); // the cleaned photo, byte for byte

    const kept = Buffer.from(await (await f.t.request(`/s/${f.links.withMetadata.token}/content/${f.items.photo!.id}?download=1`)).arrayBuffer());
    expect((await exifr.gps(kept))?.latitude).toBeNumber();
  });

  test("a located PNG is sent cleaned (download, ranges, zip: the same bytes, one length and ETag); a located TIFF is withheld; both as stored with metadata", async () => {
    f = await shareFixture();
    const sharp = (await import("sharp")).default;
    const picture = () => sharp({ create: { width: 8, height: 8, channels: 3, background: "#888" } });
    const gps = { IFD3: { GPSLatitudeRef: "N", GPSLatitude: "43/1 28/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "11/1 52/1 0/1" } };
    const png = await picture().png().withExif(gps).toBuffer();
    // sharp writes no EXIF into a TIFF: exiftool does, as cameras and photo software would.
    const tiffPath = join(tmpdir(), `nas-located-${process.pid}.tif`);
    await picture().tiff().toFile(tiffPath);
    expect(
      (
        await runCommand([
          "exiftool",
          "-q",
          "-overwrite_original",
          "-GPSLatitude=43.4667",
          "-GPSLatitudeRef=N",
          "-GPSLongitude=11.8667",
          "-GPSLongitudeRef=E",
          tiffPath,
        ])
      ).code,
    ).toBe(0);
    const tiff = readFileSync(tiffPath);
    rmSync(tiffPath);
    expect((await exifr.gps(png))?.latitude).toBeNumber();
    expect((await exifr.gps(tiff))?.latitude).toBeNumber();
    const put = (name: string, bytes: Buffer) =>
      f.t.services.drive.upload(
        f.alice,
        { parentId: f.items.holiday!.id, name, conflict: "fail" },
        (async function* () {
          yield bytes;
        })(),
      );
    const located = await put("located.png", png);
    const locatedTiff = await put("located.tif", tiff);
    const { token } = f.links.open;
    const whole = await f.t.request(`/s/${token}/content/${located.id}?download=1`);
    expect(whole.status).toBe(200);
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(await exifr.gps(bytes).catch(() => undefined)).toBeUndefined();
    expect(Number(whole.headers.get("content-length"))).toBe(bytes.length);
    expect(bytes.length).toBeLessThan(png.length);
    const etag = whole.headers.get("etag")!;
    expect(etag).not.toBe(`"${located.sha256}"`); // not the stored file's tag: a cache never mixes the two
    // Two ranges that together make the file: each is that slice of the cleaned bytes, against the cleaned length.
    const half = Math.floor(bytes.length / 2);
    const a = await f.t.request(`/s/${token}/content/${located.id}?download=1`, { headers: { range: `bytes=0-${half - 1}` } });
    const b = await f.t.request(`/s/${token}/content/${located.id}?download=1`, { headers: { range: `bytes=${half}-`, "if-range": etag } });
    expect([a.status, b.status]).toEqual([206, 206]);
    expect(a.headers.get("content-range")).toBe(`bytes 0-${half - 1}/${bytes.length}`);
    expect(b.headers.get("etag")).toBe(etag);
    expect(Buffer.concat([Buffer.from(await a.arrayBuffer()), Buffer.from(await b.arrayBuffer())]).equals(bytes)).toBe(true);
    expect((await f.t.request(`/s/${token}/content/${located.id}`, { headers: { "if-none-match": etag } })).status).toBe(304);
    // The TIFF cannot be cleaned: refused with the reason, its preview still shown.
    const refused = await f.t.request(`/s/${token}/content/${locatedTiff.id}?download=1`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("could not be proven free of its location");
    expect((await f.t.request(`/s/${token}/thumb/${locatedTiff.id}`)).status).toBe(200);
    const zip = Buffer.from(await (await f.t.request(`/s/${token}/zip`)).arrayBuffer());
    expect(zip.includes(bytes)).toBe(true); // the PNG exactly as the download sent it
    expect(zip.includes(Buffer.from("located.tif"))).toBe(false);
    expect(zip.includes(Buffer.from("notes.txt"))).toBe(true);
    const kept = await f.t.request(`/s/${f.links.withMetadata.token}/content/${locatedTiff.id}?download=1`);
    expect(Buffer.from(await kept.arrayBuffer()).equals(tiff)).toBe(true);
    expect(Buffer.from(await (await f.t.request(`/s/${f.links.withMetadata.token}/content/${located.id}?download=1`)).arrayBuffer()).equals(png)).toBe(true);
  });
});
