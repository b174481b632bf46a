// Elysia reads every hook's source to decide what to prepare for the app's routes (sucrose): one hook anywhere that
// names `cookie`, or hands its whole context to a function, makes every request of the whole app parse every cookie
// into proxies and copy its headers into an object — about a tenth of a start page request. Hooks name the fields they
// read; a route's own handler may still use the cookie jar (it costs only that route).
import { afterEach, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

test("no hook makes every request parse cookies or copy headers", () => {
  t = createTestApp();
  const inference = (t.app as unknown as { inference: Record<string, boolean> }).inference;
  expect({ cookie: inference.cookie, headers: inference.headers }).toEqual({ cookie: false, headers: false });
});

test("the start page's handler gets neither (its composed handler parses no cookie)", async () => {
  t = createTestApp();
  await t.request("/");
  const route = (t.app as unknown as { router: { history: { method: string; path: string; composed?: unknown }[] } }).router.history.find(
    (r) => r.method === "GET" && r.path === "/",
  );
  expect(String(route?.composed)).not.toContain("parseCookie");
});
