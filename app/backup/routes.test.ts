/** Dashboard → Backups and the setup wizard's restore over HTTP: who may, what the pages show, bad input. */
import { afterEach, expect, test } from "bun:test";
import { postForm } from "../../test/support/app";
import { backupBox, folderTarget } from "../../test/support/backup";
import { hashToken } from "./host";
import { parsePairing } from "./targets";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});
const box = (...args: Parameters<typeof backupBox>) => {
  const b = backupBox(...args);
  cleanups.push(b.cleanup);
  return b;
};

test("only the admin reaches Backups and a kit; signed out is sent to sign in; a kit is never cached", async () => {
  const b = box();
  const admin = b.createAdmin("alice");
  const bob = b.createUser("bob");
  const id = await b.addTarget(folderTarget());
  const ah = b.signIn(admin);
  const bh = b.signIn(bob);
  for (const path of [
    "/dashboard/backups",
    `/dashboard/backups/targets/${id}/kit`,
    `/dashboard/backups/targets/${id}/kit.txt`,
    `/dashboard/backups/targets/${id}/snapshots`,
  ]) {
    const anon = await b.request(path);
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toEndWith(`/login?next=${encodeURIComponent(path)}`);
    expect((await b.request(path, { headers: bh })).status).toBe(403);
    expect((await b.request(path, { headers: ah })).status).toBe(200);
  }
  expect((await b.request(`/dashboard/backups/targets/${id}/run`, postForm(bh))).status).toBe(403);
  expect((await b.request("/dashboard/backups/targets/tnope/kit", { headers: ah })).status).toBe(404);
  expect((await b.request("/dashboard/backups/targets/..%2F..%2Fsecret/kit", { headers: ah })).status).toBeOneOf([400, 404, 422]);
  const txt = await b.request(`/dashboard/backups/targets/${id}/kit.txt`, { headers: ah });
  expect(txt.headers.get("cache-control")).toBe("no-store");
  expect(txt.headers.get("content-disposition")).toContain("attachment");
  // Without the CSRF token, a change is refused.
  const { "x-csrf-token": _t, ...noToken } = ah;
  expect((await b.request(`/dashboard/backups/targets/${id}/run`, postForm(noToken))).status).toBe(403);
}, 60_000);

test("names with markup are shown as text; bad input comes back on its form with the reason", async () => {
  const b = box();
  const admin = b.createAdmin("alice");
  const h = b.signIn(admin);
  const bad = await b.request("/dashboard/backups/targets", postForm(h, { kind: "local", name: "x", path: "relative/path" }));
  expect(bad.status).toBe(400);
  const badHtml = await bad.text();
  expect(badHtml).toContain("Give the folder as a full path");
  expect(badHtml).toContain('value="relative/path"');
  const pairing = await b.request("/dashboard/backups/targets", postForm(h, { kind: "rest", pairing: "nasd-pair-1:garbage" }));
  expect([pairing.status, await pairing.text()]).toEqual([400, expect.stringContaining("pairing code is damaged")]);
  const secret = await b.request(
    "/dashboard/backups/targets",
    postForm(h, { kind: "s3", endpoint: "https://s3.test", bucket: "b", accessKey: "AK", secretKey: "TOPSECRETKEY" }),
  );
  expect(secret.status).toBe(400);
  expect(await secret.text()).not.toContain("TOPSECRETKEY");

  const target = folderTarget();
  const made = await b.request("/dashboard/backups/targets", postForm(h, { kind: "local", name: '<img src=x onerror="alert(1)">', path: target.path! }));
  expect(made.status).toBe(303);
  const id = made.headers.get("location")!.split("/")[4]!;
  await b.drain();
  const pages = [
    await (await b.request("/dashboard/backups", { headers: h })).text(),
    await (await b.request(`/dashboard/backups/targets/${id}/setup`, { headers: h })).text(),
  ];
  for (const html of pages) {
    expect(html).not.toContain('<img src=x onerror="alert(1)">');
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  }
  // The options' numbers are checked: a bad one changes nothing and says why.
  await b.request(`/dashboard/backups/targets/${id}/password/generate`, postForm(h));
  await b.request(`/dashboard/backups/targets/${id}/kit`, { headers: h });
  const refused = await b.request(`/dashboard/backups/targets/${id}/confirm`, postForm(h, { hour: "25", keepDaily: "31", keepWeekly: "52", kitSaved: "on" }));
  expect([refused.status, await refused.text()]).toEqual([400, expect.stringContaining("Start hour: a whole number from 0 to 23")]);
  expect(b.backup.target(id).state).toBe("setup");
  const removed = await b.request(`/dashboard/backups/targets/${id}/remove`, postForm(h, { confirm: "wrong" }));
  expect(removed.status).toBe(400);
  expect(b.backup.targets().length).toBe(1);
}, 60_000);

test("the setup wizard's restore is there only while the box has no administrator", async () => {
  const b = box();
  const page = await b.request("/setup/restore/backup?kind=sftp");
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("Restore this box from a backup");
  const wrong = await b.request(
    "/setup/restore/backup",
    postForm({ origin: "http://localhost:8080", "sec-fetch-site": "same-origin" }, { kind: "local", path: "/x", password: "short" }),
  );
  expect(wrong.status).toBe(403); // no CSRF token: a cross-site form cannot start a restore either
  b.createAdmin("alice");
  expect((await b.request("/setup/restore/backup")).status).toBe(403);
}, 60_000);

test("hosting other boxes: off without a port; a pairing code shown once, a quota, removal only by typing the name", async () => {
  const off = box();
  const h0 = off.signIn(off.createAdmin("alice"));
  // Without BACKUP_HOST_PORT this box hosts nobody and says how to turn it on.
  expect(await (await off.request("/dashboard/backups", { headers: h0 })).text()).toContain("BACKUP_HOST_PORT");
  expect((await off.request("/dashboard/backups/guests", postForm(h0, { name: "grandma", quota: "500" }))).status).toBe(409);

  const b = box({ config: { backupHostPort: 8000 } });
  const h = b.signIn(b.createAdmin("alice"));
  const made = await b.request("/dashboard/backups/guests", postForm(h, { name: "Grandma <b>", quota: "500" }));
  expect(made.headers.get("cache-control")).toBe("no-store");
  const html = await made.text();
  const code = /nasd-pair-1:[A-Za-z0-9_-]+/.exec(html)![0];
  const pairing = parsePairing(code);
  expect(pairing).toMatchObject({ url: "http://localhost:8000", cert: null });
  expect(html).toContain("Grandma &lt;b&gt;");
  const guest = b.repo.guests()[0]!;
  expect(guest).toMatchObject({ name: "Grandma <b>", quotaBytes: 500e9, tokenHash: hashToken(pairing.token) });
  // Shown once: the page afterwards has no code, and the database has only the token's hash.
  expect(await (await b.request("/dashboard/backups", { headers: h })).text()).not.toContain("nasd-pair-1:");
  expect(JSON.stringify(b.db.$client.query("select * from backup_guests").all())).not.toContain(pairing.token);
  expect((await b.request(`/dashboard/backups/guests/${guest.id}/quota`, postForm(h, { quota: "lots" }))).status).toBe(400);
  await b.request(`/dashboard/backups/guests/${guest.id}/quota`, postForm(h, { quota: "2.5" }));
  expect(b.repo.guest(guest.id)!.quotaBytes).toBe(2.5e9);
  expect((await b.request(`/dashboard/backups/guests/${guest.id}/remove`, postForm(h, { confirm: "Grandma" }))).status).toBe(400);
  expect(b.repo.guest(guest.id)).toBeDefined();
  await b.request(`/dashboard/backups/guests/${guest.id}/remove`, postForm(h, { confirm: "Grandma <b>" }));
  expect(b.repo.guest(guest.id)).toBeUndefined();
}, 60_000);
