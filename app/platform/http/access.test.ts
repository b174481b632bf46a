// The route table is the source of the access tests: every route declares who may call it, and every declaration
// is checked here against anonymous visitors, a signed-in user and forged cross-site requests.
import { afterEach, describe, expect, test } from "bun:test";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../../../test/support/app";
import { routeAccess } from "./access";

let t: TestApp;
afterEach(() => t?.cleanup());

const concrete = (path: string) => path.replace(/:[A-Za-z]+\??/g, "x").replace(/\*/g, "x");
const methodsOf = (method: string) => (method === "ALL" ? ["GET", "POST", "PATCH", "DELETE"] : [method]);

function routes() {
  t = createTestApp();
  return t.app.routes.map((r) => ({ method: r.method, path: r.path, access: routeAccess(r) }));
}

describe("access declared on every route", () => {
  test("no route lacks an access level", () => {
    const table = routes();
    expect(table.length).toBeGreaterThan(80);
    expect(table.filter((r) => !["public", "user", "admin", "link", "device", "client"].includes(r.access ?? ""))).toEqual([]);
  });

  test("signed out: every user and admin route answers 401 before reading its input, on every method", async () => {
    const table = routes().filter((r) => r.access === "user" || r.access === "admin" || r.access === "device");
    t.createAdmin();
    const wrong: string[] = [];
    for (const r of table) {
      for (const method of methodsOf(r.method)) {
        const res = await t.request(concrete(r.path), {
          method,
          headers: { accept: "application/json", origin: TEST_ORIGIN, "sec-fetch-site": "same-origin" },
        });
        if (res.status !== 401) wrong.push(`${method} ${r.path} → ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("a signed-in user who is not the admin gets 403 from every admin route", async () => {
    const table = routes().filter((r) => r.access === "admin");
    t.createAdmin();
    const bob = t.signIn(t.createUser("bob"));
    const wrong: string[] = [];
    for (const r of table) {
      for (const method of methodsOf(r.method)) {
        const res = await t.request(concrete(r.path), { method, headers: { ...bob, accept: "application/json" } });
        if (res.status !== 403) wrong.push(`${method} ${r.path} → ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("every unsafe route refuses a cookie-authenticated request without the CSRF token or from another site", async () => {
    // Native clients' routes never read the cookie: their own test below.
    const table = routes().filter((r) => r.method !== "GET" && r.method !== "HEAD" && r.access !== "device" && r.access !== "client");
    const admin = t.signIn(t.createAdmin());
    const { "x-csrf-token": _token, ...noToken } = admin;
    const wrong: string[] = [];
    for (const r of table) {
      for (const method of methodsOf(r.method).filter((m) => m !== "GET")) {
        const missing = await t.request(concrete(r.path), { method, headers: { ...noToken, accept: "application/json" } });
        const foreign = await t.request(concrete(r.path), {
          method,
          headers: { ...admin, origin: "https://evil.example", "sec-fetch-site": "cross-site", accept: "application/json" },
        });
        if (missing.status !== 403 || foreign.status !== 403) wrong.push(`${method} ${r.path} → ${missing.status}/${foreign.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("native clients' routes (WebDAV, the Nextcloud API)", () => {
  test("a signed-in browser's cookie never opens them; an app password from another site is refused", async () => {
    const table = routes().filter((r) => r.access === "device");
    expect(table.length).toBeGreaterThan(40);
    const admin = t.createAdmin();
    const browser = t.signIn(admin);
    const { password } = t.services.devices.create(admin.id, "Laptop");
    const basic = `Basic ${Buffer.from(`${admin.username}:${password}`).toString("base64")}`;
    const wrong: string[] = [];
    for (const r of table) {
      const path = concrete(r.path)
        .replace("/x/x", "/admin/x")
        .replace(/files\/x$/, "files/admin");
      const cookie = await t.request(path, { method: r.method, headers: browser });
      const foreign = await t.request(path, {
        method: r.method,
        headers: { authorization: basic, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      });
      if (cookie.status !== 401 || foreign.status !== 403) wrong.push(`${r.method} ${r.path} → ${cookie.status}/${foreign.status}`);
    }
    expect(wrong).toEqual([]);
  });

  test("an app password opens only files: the pages and the JSON API answer 401", async () => {
    t = createTestApp();
    const admin = t.createAdmin();
    const { password } = t.services.devices.create(admin.id, "Laptop");
    const basic = `Basic ${Buffer.from(`${admin.username}:${password}`).toString("base64")}`;
    for (const path of ["/api/v1/root", "/settings", "/drive", "/dashboard"]) {
      expect((await t.request(path, { headers: { authorization: basic, accept: "application/json" } })).status).toBe(401);
    }
    expect((await t.request("/dav/", { method: "PROPFIND", headers: { authorization: basic, depth: "0" } })).status).toBe(207);
  });
});

describe("an Authorization header is a claim to be checked, never a reason to skip CSRF", () => {
  test("a malformed or unknown bearer token with a valid session cookie is a 401, from any origin, and changes nothing", async () => {
    t = createTestApp();
    const alice = t.createAdmin("alice");
    const browser = t.signIn(alice);
    for (const authorization of ["Bearer a b", "Bearer", "Bearer nas_unknown", "Basic YTpi", "bearer\tx y"]) {
      const headers = { ...browser, origin: "https://evil.example", "sec-fetch-site": "cross-site", authorization, "content-type": "application/json" };
      const folder = await t.request("/api/v1/folders", { method: "POST", headers, body: JSON.stringify({ name: "pwned" }) });
      expect([authorization, folder.status]).toEqual([authorization, 401]);
      const token = await t.request("/settings/tokens", {
        method: "POST",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
        body: "name=x",
      });
      expect([authorization, token.status]).toEqual([authorization, 401]);
    }
    const root = (await (await t.request("/api/v1/root", { headers: browser })).json()) as { children: unknown[] };
    expect(root.children).toEqual([]);
    expect(t.services.auth.tokens.of(alice.id)).toEqual([]);
  });

  test("a valid app token works from a script without a CSRF token", async () => {
    t = createTestApp();
    const alice = t.createAdmin("alice");
    const { token } = t.services.auth.tokens.create(alice.id, "script");
    const res = await t.request("/api/v1/folders", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "ok" }),
    });
    expect(res.status).toBe(201);
  });
});
