// Unknown addresses get the app's page in the normal layout with a way back (issue 13 #15).
import { afterEach, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

test("any unknown URL: 404 in the normal layout with navigation and a way back; API paths stay JSON", async () => {
  t = createTestApp();
  const h = t.signIn(t.createAdmin("alice"));
  for (const path of ["/no/such/page", "/drive/nope/deeper", "/photos/nope/deeper"]) {
    const res = await t.request(path, { headers: h });
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('<nav class="appnav"');
    expect(html).toContain('href="/drive"');
    expect(html).toContain("Back to the start page");
  }
  const escaped = await (await t.request("/%3Cb%3Ex", { headers: h })).text();
  expect(escaped).not.toContain("<b>x");
  // Signed out: the same page without the navigation, with a way to sign in.
  const anon = await (await t.request("/no/such/page")).text();
  expect(anon).not.toContain('<nav class="appnav"');
  expect(anon).toContain('href="/login"');
  const api = await t.request("/api/v1/nothing", { headers: h });
  expect(api.status).toBe(404);
  expect(api.headers.get("content-type")).toContain("application/json");
});
