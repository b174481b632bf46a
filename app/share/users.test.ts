// Folders shared between users of the box, through Drive's one authorization function (can()): read and read-write
// access, "Shared with me", uploads counted against the owner's quota and attributed to their author, nothing above
// the shared folder visible, and a removed share ending at once for open sessions and app tokens.
import { afterEach, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());
type H = Record<string, string>;
const json = (h: H) => ({ ...h, "content-type": "application/json", accept: "application/json" });
const bytes = (s: string) =>
  (async function* () {
    yield new TextEncoder().encode(s);
  })();

async function setup() {
  t = createTestApp();
  const { drive, share } = t.services;
  const alice = t.createAdmin("alice");
  const bob = t.createUser("bob");
  const carol = t.createUser("carol");
  const dave = t.createUser("dave");
  const family = drive.mkdir(alice, undefined, "Family");
  const recipes = await drive.upload(alice, { parentId: family.id, name: "recipes.txt", conflict: "fail" }, bytes("flour, eggs"));
  const privateFolder = drive.mkdir(alice, undefined, "Private");
  const secret = await drive.upload(alice, { parentId: privateFolder.id, name: "secret.txt", conflict: "fail" }, bytes("not shared"));
  const read = share.shareWithUser(alice, { folderId: family.id, username: "bob", access: "read" });
  const write = share.shareWithUser(alice, { folderId: family.id, username: "carol", access: "write" });
  return {
    alice,
    bob,
    carol,
    dave,
    family,
    recipes,
    privateFolder,
    secret,
    read,
    write,
    A: t.signIn(alice),
    B: t.signIn(bob),
    C: t.signIn(carol),
    D: t.signIn(dave),
  };
}
const upload = (h: H, name: string, body: string, parentId: string) =>
  t.request(`/api/v1/upload?name=${encodeURIComponent(name)}&parentId=${parentId}`, { method: "PUT", headers: h, body });

describe("folders shared with users", () => {
  test("“Shared with me” lists the folder for its recipients only; opening it shows nothing above it", async () => {
    const s = await setup();
    for (const [h, sees] of [
      [s.B, true],
      [s.C, true],
      [s.D, false],
    ] as const) {
      const page = await (await t.request("/drive/shared", { headers: h })).text();
      expect(page.includes(`data-name="Family"`)).toBe(sees);
    }
    const res = await t.request(`/api/v1/files/${s.family.id}`, { headers: s.B });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { path: { id: string }[]; children: { name: string }[] };
    expect(body.children.map((c) => c.name)).toEqual(["recipes.txt"]);
    expect(body.path.map((p) => p.id)).toEqual([s.family.id]); // not alice's root
    const page = await (await t.request(`/drive/f/${s.family.id}`, { headers: s.B })).text();
    expect(page).toContain("recipes.txt");
    expect(page).not.toContain("Private");
  });

  test("read: list, preview, download and zip; no change of any kind; nothing outside the folder", async () => {
    const s = await setup();
    expect(await (await t.request(`/api/v1/files/${s.recipes.id}/content`, { headers: s.B })).text()).toBe("flour, eggs");
    expect((await t.request(`/api/v1/zip?ids=${s.family.id}`, { headers: s.B })).status).toBe(200);
    expect((await upload(s.B, "x.txt", "x", s.family.id)).status).toBe(404);
    expect(
      (await t.request("/api/v1/folders", { method: "POST", headers: json(s.B), body: JSON.stringify({ name: "x", parentId: s.family.id }) })).status,
    ).toBe(404);
    expect((await t.request(`/api/v1/files/${s.recipes.id}`, { method: "PATCH", headers: json(s.B), body: JSON.stringify({ name: "mine.txt" }) })).status).toBe(
      404,
    );
    expect((await t.request("/api/v1/trash", { method: "POST", headers: json(s.B), body: JSON.stringify({ ids: [s.recipes.id] }) })).status).toBe(404);
    for (const id of [s.secret.id, s.privateFolder.id, t.services.drive.rootOf(s.alice).id]) {
      expect((await t.request(`/api/v1/files/${id}`, { headers: s.B })).status).toBe(404);
      expect((await t.request(`/api/v1/zip?ids=${id}`, { headers: s.B })).status).toBe(404);
    }
    expect((await t.request(`/api/v1/files/${s.recipes.id}/content`, { headers: s.D })).status).toBe(404);
  });

  test("read-write: uploads land in the owner's Drive, count against the owner's quota and name their author", async () => {
    const s = await setup();
    const res = await upload(s.C, "soup.txt", "leek and potato", s.family.id);
    expect(res.status).toBe(201);
    const { item } = (await res.json()) as { item: { id: string } };
    const row = t.services.drive.itemFor(s.alice, item.id, "file.read");
    expect([row.userId, row.createdBy]).toEqual([s.alice.id, s.carol.id]);
    expect(t.services.drive.usage(s.alice).used).toBe("flour, eggs".length + "not shared".length + "leek and potato".length);
    expect(t.services.drive.usage(s.carol).used).toBe(0);
    expect(await (await t.request(`/api/v1/files/${item.id}/content`, { headers: s.A })).text()).toBe("leek and potato");
    const made = await t.request("/api/v1/folders", { method: "POST", headers: json(s.C), body: JSON.stringify({ name: "Carol's", parentId: s.family.id }) });
    expect(made.status).toBe(201);
    // The owner's quota is what counts: over it, the recipient's upload is refused.
    t.db.$client.query("UPDATE users SET quota_bytes = ? WHERE id = ?").run(t.services.drive.usage(s.alice).used, s.alice.id);
    expect((await upload(s.C, "big.txt", "more", s.family.id)).status).toBe(413);
  });

  test("read-write: rename and trash inside; never the shared folder itself, never out of the owner's Drive, no stars, no purge", async () => {
    const s = await setup();
    expect(
      (await t.request(`/api/v1/files/${s.recipes.id}`, { method: "PATCH", headers: json(s.C), body: JSON.stringify({ name: "Recipes.txt" }) })).status,
    ).toBe(200);
    expect((await t.request(`/api/v1/files/${s.family.id}`, { method: "PATCH", headers: json(s.C), body: JSON.stringify({ name: "Mine" }) })).status).toBe(403);
    expect((await t.request("/api/v1/trash", { method: "POST", headers: json(s.C), body: JSON.stringify({ ids: [s.family.id] }) })).status).toBe(403);
    const carolsRoot = t.services.drive.rootOf(s.carol).id;
    expect(
      (await t.request("/api/v1/move", { method: "POST", headers: json(s.C), body: JSON.stringify({ ids: [s.recipes.id], targetId: carolsRoot }) })).status,
    ).toBe(400);
    expect(
      (await t.request("/api/v1/copy", { method: "POST", headers: json(s.C), body: JSON.stringify({ ids: [s.recipes.id], targetId: carolsRoot }) })).status,
    ).toBe(400);
    expect(
      (await t.request(`/api/v1/files/${s.recipes.id}/star`, { method: "POST", headers: json(s.C), body: JSON.stringify({ starred: true }) })).status,
    ).toBe(403);
    expect((await t.request("/api/v1/trash", { method: "POST", headers: json(s.C), body: JSON.stringify({ ids: [s.recipes.id] }) })).status).toBe(200);
    expect(t.services.drive.trash(s.alice).map((i) => i.id)).toEqual([s.recipes.id]); // the owner's trash
    expect((await t.request("/api/v1/purge", { method: "POST", headers: json(s.C), body: JSON.stringify({ ids: [s.recipes.id] }) })).status).toBe(403);
    expect((await t.request("/api/v1/restore", { method: "POST", headers: json(s.C), body: JSON.stringify({ ids: [s.recipes.id] }) })).status).toBe(403);
  });

  test("removing access is immediate, for an open session and an app token alike; only the owner or the admin can remove it", async () => {
    const s = await setup();
    const { token } = t.services.auth.tokens.create(s.carol.id, "script");
    const bearer = { authorization: `Bearer ${token}` };
    expect((await t.request(`/api/v1/files/${s.recipes.id}/content`, { headers: bearer })).status).toBe(200);
    expect((await t.request(`/api/v1/shares/users/${s.write.id}`, { method: "DELETE", headers: s.B })).status).toBe(404);
    expect((await t.request(`/api/v1/shares/users/${s.write.id}`, { method: "DELETE", headers: s.D })).status).toBe(404);
    expect((await t.request(`/api/v1/shares/users/${s.write.id}`, { method: "DELETE", headers: s.A })).status).toBe(200);
    for (const h of [bearer, s.C]) {
      expect((await t.request(`/api/v1/files/${s.recipes.id}/content`, { headers: h })).status).toBe(404);
      expect((await upload(h, "late.txt", "x", s.family.id)).status).toBe(404);
    }
    expect(await (await t.request("/drive/shared", { headers: s.C })).text()).not.toContain('data-name="Family"');
    // The admin may remove anyone's share (bob's here, as the box's administrator is also its owner in this test).
    const dShare = t.services.share.shareWithUser(s.bob, { folderId: t.services.drive.mkdir(s.bob, undefined, "Bob's").id, username: "dave", access: "read" });
    expect(
      (
        await t.request(`/shared/users/${dShare.id}/remove`, {
          method: "POST",
          headers: { ...s.A, "content-type": "application/x-www-form-urlencoded" },
          body: "",
        })
      ).status,
    ).toBe(303);
    const actions = t.services.audit.list({ action: "share.user" }).map((r) => `${r.action} ${r.objectId}`);
    expect(actions).toContain(`share.user.grant ${s.write.id}`);
    expect(actions).toContain(`share.user.remove ${s.write.id}`);
    expect(actions).toContain(`share.user.remove ${dShare.id}`);
  });

  test("only the owner shares a folder, with someone who exists; the owner sees who has access", async () => {
    const s = await setup();
    const body = (folderId: string, username: string, access = "read") => ({
      method: "POST",
      headers: json(s.B),
      body: JSON.stringify({ folderId, username, access }),
    });
    expect((await t.request("/api/v1/shares/users", body(s.family.id, "dave"))).status).toBe(403); // bob can read it, not share it
    expect((await t.request("/api/v1/shares/users", body(s.privateFolder.id, "dave"))).status).toBe(404);
    const own = t.services.drive.mkdir(s.bob, undefined, "Bob's");
    expect((await t.request("/api/v1/shares/users", body(own.id, "nobody"))).status).toBe(404);
    expect((await t.request("/api/v1/shares/users", body(own.id, "bob"))).status).toBe(404);
    expect((await t.request("/api/v1/shares/users", body(own.id, "dave", "admin"))).status).toBe(400);
    expect((await t.request("/api/v1/shares/users", body(own.id, "dave", "write"))).status).toBe(201);
    const list = (await (await t.request("/api/v1/shares/users", { headers: s.A })).json()) as { shares: { grantee: string; access: string }[] };
    expect(list.shares.map((g) => `${g.grantee}:${g.access}`).sort()).toEqual(["bob:read", "carol:write"]);
    const page = await (await t.request("/shared", { headers: s.A })).text();
    expect(page).toContain('data-testid="people-shares"');
  });
});
