// Settings → account: what a new owner reads there (issue 13 #4, #5, #14).
import { afterEach, expect, test } from "bun:test";
import { hmac } from "../platform/crypto";
import { createTestApp, postForm, TEST_ORIGIN, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

function browser(sid: string) {
  return { cookie: `nas_session=${sid}`, origin: TEST_ORIGIN, "sec-fetch-site": "same-origin", "x-csrf-token": hmac(t.secret, `csrf:${sid}`) };
}

test("the app-token hint shows the <token> placeholder as text, not as a swallowed tag", async () => {
  t = createTestApp();
  const html = await (await t.request("/settings", { headers: t.signIn(t.createAdmin()) })).text();
  expect(html).toContain("Authorization: Bearer &lt;token&gt;");
  expect(html).not.toContain("<token>");
});

test("signed-in browsers by name with last seen and 'this browser'; one other browser can be signed out, not someone else's", async () => {
  t = createTestApp();
  t.services.settings.update({ timeZone: "Europe/Berlin" });
  const alice = t.createAdmin("alice");
  const bob = t.createUser("bob");
  const { auth } = t.services;
  const here = auth.sessions.create(alice.id, { ip: "192.168.1.20", userAgent: FIREFOX_WINDOWS });
  auth.sessions.create(alice.id, { ip: "192.168.1.30", userAgent: SAFARI_IPHONE });
  auth.sessions.create(bob.id, { ip: "192.168.1.40", userAgent: SAFARI_IPHONE });
  const html = await (await t.request("/settings", { headers: browser(here) })).text();
  expect(html).toContain("<strong>Firefox on Windows</strong>");
  expect(html).toContain("<strong>Safari on iOS</strong>");
  expect(html).toContain(" · this browser");
  expect(html).toMatch(/last seen <time datetime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d CET">just now<\/time>/);
  expect(html).not.toContain("Mozilla/5.0");
  expect(html).toContain('id="sign-out-here"');

  const others = [...html.matchAll(/action="\/settings\/sessions\/([0-9a-f]+)\/end"/g)].map((m) => m[1]!);
  expect(others).toHaveLength(1);
  const bobsHash = auth.sessions.of(bob.id)[0]!.idHash;
  // Bob's session cannot be ended from Alice's account.
  expect((await t.request(`/settings/sessions/${bobsHash}/end`, postForm(browser(here)))).status).toBe(404);
  expect(auth.sessions.of(bob.id)).toHaveLength(1);
  const res = await t.request(`/settings/sessions/${others[0]}/end`, postForm(browser(here)));
  expect(res.status).toBe(303);
  expect(auth.sessions.of(alice.id).map((s) => s.userAgent)).toEqual([FIREFOX_WINDOWS]);
  // Without the CSRF token: refused.
  const { "x-csrf-token": _, ...noCsrf } = browser(here);
  expect((await t.request(`/settings/sessions/${auth.sessions.of(alice.id)[0]!.idHash}/end`, postForm(noCsrf))).status).toBe(403);
  expect(auth.sessions.of(alice.id)).toHaveLength(1);
});
