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
    expect(table.filter((r) => !["public", "user", "admin", "link"].includes(r.access ?? ""))).toEqual([]);
  });

  test("signed out: every user and admin route answers 401 before reading its input, on every method", async () => {
    const table = routes().filter((r) => r.access === "user" || r.access === "admin");
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
    const table = routes().filter((r) => r.method !== "GET" && r.method !== "HEAD");
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
