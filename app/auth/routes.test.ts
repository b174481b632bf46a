import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

const json = (headers: Record<string, string>, body: unknown) => ({
  method: "POST",
  headers: { ...headers, "content-type": "application/json", accept: "application/json" },
  body: JSON.stringify(body),
});

/** Headers of an anonymous browser: its pre-session cookie and the matching CSRF token. */
async function anonymousBrowser(app: TestApp) {
  let res = await app.request("/login");
  if (res.status === 303) res = await app.request("/setup");
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const html = await res.text();
  const token = html.match(/name="csrf-token" content="([^"]+)"/)![1]!;
  return { cookie, origin: TEST_ORIGIN, "sec-fetch-site": "same-origin", "x-csrf-token": token };
}

describe("setup wizard", () => {
  test("is shown only while no admin exists", async () => {
    t = createTestApp();
    let res = await t.request("/");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/setup");
    res = await t.request("/setup");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('x-data="setupWizard"');

    t.createAdmin();
    res = await t.request("/setup");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login");
  });

  test("setup registration options are refused once an admin exists", async () => {
    t = createTestApp();
    const h = await anonymousBrowser(t);
    const ok = await t.request("/auth/register/options", json(h, { kind: "setup", username: "root", displayName: "Root", settings: {} }));
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { challengeId: string; options: { rp: { id: string }; challenge: string } };
    expect(body.options.rp.id).toBe("localhost");
    expect(body.challengeId.length).toBeGreaterThan(16);

    t.createAdmin();
    const refused = await t.request("/auth/register/options", json(h, { kind: "setup", username: "root2", displayName: "Root", settings: {} }));
    expect(refused.status).toBe(409);
  });

  test("warns when opened on an origin passkeys are not set up for", async () => {
    t = createTestApp();
    const res = await t.app.handle(new Request("http://192.168.1.20:8080/setup"));
    expect(await res.text()).toContain("You opened this page as <code>http://192.168.1.20:8080</code>");
  });
});

describe("registration policy", () => {
  test("closed refuses sign-up, invite needs a valid invite, open allows anyone", async () => {
    t = createTestApp();
    const admin = t.createAdmin();
    const { settings, auth } = t.services;
    const h = await anonymousBrowser(t);
    const signup = (invite?: string) =>
      t.request("/auth/register/options", json(h, { kind: "signup", username: "bob", displayName: "Bob", inviteToken: invite ?? null }));

    settings.update({ registrationPolicy: "closed" });
    expect((await signup()).status).toBe(403);
    expect(await (await t.request("/register")).text()).toContain("Registration is closed");
    const invite = auth.invites.create(admin.id);
    expect((await signup(invite)).status).toBe(403);

    settings.update({ registrationPolicy: "invite" });
    expect((await signup()).status).toBe(403);
    expect((await signup("not-a-real-invite")).status).toBe(403);
    expect((await signup(invite)).status).toBe(200);

    settings.update({ registrationPolicy: "open" });
    expect((await signup()).status).toBe(200);
  });

  test("usernames are validated before any passkey prompt", async () => {
    t = createTestApp();
    t.createAdmin();
    t.services.settings.update({ registrationPolicy: "open" });
    const h = await anonymousBrowser(t);
    const res = await t.request("/auth/register/options", json(h, { kind: "signup", username: "../etc", displayName: "x" }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("Usernames are");
  });
});

describe("sessions", () => {
  test("a new login replaces the browser's previous session id (rotation) and logout-all ends every session", async () => {
    t = createTestApp();
    const user = t.createAdmin();
    const { auth } = t.services;
    const first = auth.sessions.create(user.id, { ip: null, userAgent: null });
    const second = auth.sessions.create(user.id, { ip: null, userAgent: null }, first);
    expect(second).not.toBe(first);
    expect(auth.sessions.resolve(first)).toBeNull();
    expect(auth.sessions.resolve(second)?.user.id).toBe(user.id);

    const other = auth.sessions.create(user.id, { ip: null, userAgent: null });
    const res = await t.request("/logout-all", { method: "POST", headers: t.browserHeaders(second) });
    expect(res.status).toBe(303);
    expect(auth.sessions.resolve(second)).toBeNull();
    expect(auth.sessions.resolve(other)).toBeNull();
  });

  test("signed out: pages redirect to sign-in, htmx polls get HX-Redirect to it, the API answers 401 JSON", async () => {
    t = createTestApp();
    t.createAdmin();
    const page = await t.request("/settings?tab=1");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe(`${TEST_ORIGIN}/login?next=%2Fsettings%3Ftab%3D1`);
    const poll = await t.request("/settings", { headers: { "hx-request": "true", "hx-current-url": `${TEST_ORIGIN}/dashboard` } });
    expect(poll.status).toBe(401);
    expect(poll.headers.get("hx-redirect")).toBe("/login?next=%2Fdashboard");
    const api = await t.request("/settings", { headers: { accept: "application/json" } });
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: "Please sign in." });
  });

  test("sessions are cached, yet a sign-out or reset made by another process (the CLI) applies within 0.2 s", async () => {
    t = createTestApp();
    const user = t.createAdmin();
    const sid = t.services.auth.sessions.create(user.id, { ip: null, userAgent: null });
    expect(t.services.auth.sessions.resolve(sid)?.user.id).toBe(user.id);
    expect(t.services.auth.sessions.resolve(sid)?.user.id).toBe(user.id); // from the cache
    const other = new Database(join(t.dataDir, "db.sqlite"));
    other.run("update users set display_name = 'Renamed' where id = ?", [user.id]);
    await Bun.sleep(250);
    expect(t.services.auth.sessions.resolve(sid)?.user.displayName).toBe("Renamed");
    other.run("delete from sessions");
    other.close();
    await Bun.sleep(250);
    expect(t.services.auth.sessions.resolve(sid)).toBeNull();
  });

  test("idle and absolute expiry", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    t = createTestApp({ deps: { now: () => now } });
    const user = t.createAdmin();
    const { auth } = t.services;
    const sid = auth.sessions.create(user.id, { ip: null, userAgent: null });
    now = new Date("2026-01-07T23:00:00Z");
    expect(auth.sessions.resolve(sid)).not.toBeNull(); // touched: idle clock restarts
    now = new Date("2026-01-14T22:00:00Z");
    expect(auth.sessions.resolve(sid)).not.toBeNull();
    now = new Date("2026-02-01T00:00:01Z"); // past 30 days absolute
    expect(auth.sessions.resolve(sid)).toBeNull();

    const idle = auth.sessions.create(user.id, { ip: null, userAgent: null });
    now = new Date(now.getTime() + 8 * 24 * 3600_000);
    expect(auth.sessions.resolve(idle)).toBeNull();
  });

  test("the session cookie is HttpOnly, SameSite=Lax, and Secure on https origins", async () => {
    t = createTestApp({ config: { secureCookies: true, origins: ["https://nas.local"], rpID: "nas.local" } });
    const user = t.createAdmin();
    const sid = t.services.auth.sessions.create(user.id, { ip: null, userAgent: null });
    const [code] = t.services.auth.recovery.regenerate(user.id);
    const h = { ...t.browserHeaders(sid), origin: "https://nas.local", "content-type": "application/x-www-form-urlencoded" };
    const res = await t.app.handle(
      new Request("https://nas.local/auth/recover", { method: "POST", headers: h, body: new URLSearchParams({ username: "admin", code: code! }) }),
    );
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toContain("nas_session=");
    expect(setCookie).toContain("Secure");
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
  });
});

describe("CSRF", () => {
  test("cross-origin POST is refused, same-origin without token refused, with token accepted", async () => {
    t = createTestApp();
    const user = t.createAdmin();
    const sid = t.services.auth.sessions.create(user.id, { ip: null, userAgent: null });
    const good = t.browserHeaders(sid);
    const post = (headers: Record<string, string>) =>
      t.request("/settings/tokens", { method: "POST", headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: "name=laptop" });

    expect((await post({ ...good, origin: "https://evil.example", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post({ ...good, origin: "https://evil.example", "sec-fetch-site": "" })).status).toBe(403);
    expect((await post({ ...good, "x-csrf-token": "forged" })).status).toBe(403);
    const { "x-csrf-token": _, ...noToken } = good;
    expect((await post(noToken)).status).toBe(403);
    expect(t.services.auth.tokens.of(user.id)).toHaveLength(0);

    const ok = await post(good);
    expect(ok.status).toBe(200);
    expect(t.services.auth.tokens.of(user.id)).toHaveLength(1);
  });

  test("every refused and accepted state change lands in the audit log", async () => {
    t = createTestApp();
    const user = t.createAdmin();
    const h = t.signIn(user);
    await t.request("/settings/tokens", { method: "POST", headers: { ...h, origin: "https://evil.example" }, body: new URLSearchParams({ name: "x" }) });
    await t.request("/settings/tokens", { method: "POST", headers: h, body: new URLSearchParams({ name: "x" }) });
    const rows = t.services.audit.list({});
    expect(rows.map((r) => [r.action, r.ok])).toEqual([
      ["POST /settings/tokens", true],
      ["POST /settings/tokens", false],
    ]);
    expect(rows[0]!.userId).toBe(user.id);
    expect(rows[0]!.ip).toBe("127.0.0.1");
  });
});

describe("app tokens", () => {
  test("bearer token authenticates, skips CSRF, and stops working when revoked", async () => {
    t = createTestApp();
    const user = t.createAdmin();
    const { auth } = t.services;
    const { id, token } = auth.tokens.create(user.id, "backup script");
    expect(token.startsWith("nas_")).toBe(true);
    const row = t.db.$client.query("select token_hash from app_tokens").get() as { token_hash: string };
    expect(row.token_hash).not.toContain(token.slice(4)); // hashed at rest

    const page = await t.request("/settings", { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("backup script");
    const created = await t.request("/settings/tokens", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: new URLSearchParams({ name: "second" }),
    });
    expect(created.status).toBe(200);

    auth.tokens.revoke(user.id, id);
    const refused = await t.request("/settings", { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
    expect(refused.status).toBe(401);
  });

  test("another user's token id cannot be revoked", async () => {
    t = createTestApp();
    const a = t.createAdmin("alice");
    const b = t.createUser("bob");
    const { id } = t.services.auth.tokens.create(a.id, "alice laptop");
    const res = await t.request(`/settings/tokens/${id}/revoke`, { method: "POST", headers: t.signIn(b) });
    expect(await res.text()).toContain("No such token");
    expect(t.services.auth.tokens.of(a.id)).toHaveLength(1);
  });
});

describe("passkeys", () => {
  test("a user can rename their passkeys but never someone else's, and cannot delete their last one", async () => {
    t = createTestApp();
    const a = t.createAdmin("alice");
    const b = t.createUser("bob");
    const insert = (id: string, userId: string) =>
      t.db.$client.run("insert into passkeys (id, user_id, public_key, device_type, name, created_at) values (?, ?, x'00', 'multiDevice', 'Phone', 0)", [
        id,
        userId,
      ]);
    insert("cred-a", a.id);
    insert("cred-b", b.id);
    const form = (name: string) => ({
      method: "POST",
      headers: { ...t.signIn(b), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ name }),
    });

    expect(await (await t.request("/settings/passkeys/cred-a/rename", form("mine now"))).text()).toContain("No such passkey");
    expect(t.services.auth.passkeys.of(a.id)[0]!.name).toBe("Phone");
    await t.request("/settings/passkeys/cred-b/rename", form("Bob's <b>phone</b>"));
    expect(t.services.auth.passkeys.of(b.id)[0]!.name).toBe("Bob's <b>phone</b>");

    const del = await t.request("/settings/passkeys/cred-b/delete", { method: "POST", headers: t.signIn(b) });
    expect(await del.text()).toContain("cannot remove your last passkey");
    insert("cred-b2", b.id);
    const other = await t.request("/settings/passkeys/cred-a/delete", { method: "POST", headers: t.signIn(b) });
    expect(await other.text()).toContain("No such passkey");
    expect(t.services.auth.passkeys.of(a.id)).toHaveLength(1);
  });
});

describe("rate limits", () => {
  test("recovery codes: blocked after 5 tries for one account, and a right code then still waits", async () => {
    t = createTestApp();
    const user = t.createAdmin("carol");
    const [code] = t.services.auth.recovery.regenerate(user.id);
    const h = await anonymousBrowser(t);
    const attempt = (c: string) =>
      t.request("/auth/recover", {
        method: "POST",
        headers: { ...h, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ username: "carol", code: c }),
      });
    for (let i = 0; i < 5; i++) expect((await attempt("wrong-code")).status).toBe(401);
    expect((await attempt(code!)).status).toBe(429);
  });

  test("recovery codes work once", async () => {
    t = createTestApp();
    const user = t.createAdmin("dave");
    const [code] = t.services.auth.recovery.regenerate(user.id);
    const h = await anonymousBrowser(t);
    const attempt = () =>
      t.request("/auth/recover", {
        method: "POST",
        headers: { ...h, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ username: "dave", code: code! }),
      });
    const first = await attempt();
    expect(first.status).toBe(303);
    expect(first.headers.get("set-cookie")).toContain("nas_session=");
    expect((await attempt()).status).toBe(401);
  });

  test("300 sign-in and recovery attempts at once: each is counted before it is checked, at most the limit are checked", async () => {
    t = createTestApp();
    const user = t.createAdmin("erin");
    const [code] = t.services.auth.recovery.regenerate(user.id);
    const h = await anonymousBrowser(t);
    const bogus = { id: "AAAA", rawId: "AAAA", type: "public-key", response: {}, clientExtensionResults: {} };
    const logins = await Promise.all(Array.from({ length: 300 }, () => t.request("/auth/login/verify", json(h, { challengeId: "x", response: bogus }))));
    expect(logins.filter((r) => r.status !== 429).length).toBeLessThanOrEqual(20); // 20 per address
    for (const r of logins.filter((r) => r.status === 429)) expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    t.setIp("10.7.7.7");
    const recoveries = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        t.request("/auth/recover", {
          method: "POST",
          headers: { ...h, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ username: "erin", code: i === 150 ? code! : `wrong-${i}` }),
        }),
      ),
    );
    expect(recoveries.filter((r) => r.status !== 429).length).toBeLessThanOrEqual(5); // 5 per account
    expect(recoveries[150]!.status).toBe(429);
    expect(recoveries.some((r) => r.headers.getSetCookie().some((c) => c.startsWith("nas_session=")))).toBe(false);
  });

  test("passkey login: an IP is blocked after repeated failures", async () => {
    t = createTestApp();
    t.createAdmin();
    t.setIp("10.9.9.9");
    const h = await anonymousBrowser(t);
    const bogus = { id: "AAAA", rawId: "AAAA", type: "public-key", response: {}, clientExtensionResults: {} };
    let last = 0;
    for (let i = 0; i < 21; i++) {
      const { challengeId } = (await (await t.request("/auth/login/options", json(h, {}))).json().catch(() => ({}))) as { challengeId?: string };
      last = (await t.request("/auth/login/verify", json(h, { challengeId: challengeId ?? "x", response: bogus }))).status;
    }
    expect(last).toBe(429);
    t.setIp("10.9.9.10");
    const other = await t.request("/auth/login/options", json(h, {}));
    expect(other.status).toBe(200);
  });
});

describe("XSS", () => {
  const payloads = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', '" http-equiv="refresh" content="0;url=https://evil.example'];

  /** Elements and attributes a payload would have to create to run or redirect; counted by a real HTML parser. */
  async function dangerousElements(html: string) {
    const found: string[] = [];
    await new HTMLRewriter()
      .on("script", { element: (el) => void (el.getAttribute("src") ? null : found.push("inline <script>")) })
      .on("img", { element: (el) => void (el.getAttribute("onerror") !== null ? found.push("<img onerror>") : null) })
      .on("meta", { element: (el) => void (el.getAttribute("http-equiv") !== null ? found.push("<meta http-equiv>") : null) })
      .transform(new Response(html))
      .text();
    return found;
  }

  test("display names and device names render inert", async () => {
    t = createTestApp();
    const admin = t.createAdmin();
    for (const [i, p] of payloads.entries()) {
      t.services.auth.users.add({ username: `u${i}`, displayName: p }, admin.id);
      t.services.settings.update({ deviceName: p });
      for (const path of ["/settings/admin", "/", "/settings"]) {
        const html = await (await t.request(path, { headers: t.signIn(admin) })).text();
        expect(await dangerousElements(html)).toEqual([]);
      }
      expect(await dangerousElements(await (await t.request("/login")).text())).toEqual([]);
    }
  });

  test("security headers: strict CSP without inline script, nosniff, no framing", async () => {
    t = createTestApp();
    const res = await t.request("/setup");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
