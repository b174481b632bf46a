// The service worker's script and what signing out tells the browser to forget.
import { afterEach, expect, test } from "bun:test";
import { createTestApp, postForm, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

test("/sw.js is served at the root (its scope is every page), as JavaScript, checked again at every visit", async () => {
  t = createTestApp();
  const res = await t.request("/sw.js");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  expect(res.headers.get("cache-control")).toBe("no-cache");
  const body = await res.text();
  expect(body).toContain('addEventListener("fetch"');
  // The offline page it falls back to is a real page (HTML, not a download).
  const page = await t.request("/static/offline.html");
  expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(await page.text()).toContain("The box can't be reached — showing what this phone kept");
});

test("signing out (here, and everywhere) sends Clear-Site-Data for the caches and storage, and ends the session", async () => {
  t = createTestApp();
  for (const path of ["/logout", "/logout-all"]) {
    const headers = t.signIn(t.createAdmin(`admin${path.length}`));
    const res = await t.request(path, postForm(headers));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("/login");
    expect(res.headers.get("clear-site-data")).toBe('"cache", "storage"');
    expect(res.headers.get("set-cookie")).toContain("nas_session=;");
    expect((await t.request("/photos", { headers })).headers.get("location")).toContain("/login");
  }
});
