// Issue 21 #4: bodies are read only after access is checked, and never more than a route takes. Generated from the
// route table: every route, every method that carries a body.
import { afterEach, describe, expect, test } from "bun:test";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../../../test/support/app";
import { routeAccess } from "./access";
import { BODY_LIMIT } from "./body";

let t: TestApp;
afterEach(() => t?.cleanup());

const concrete = (path: string) => path.replace(/:[A-Za-z]+\??/g, "x").replace(/\*/g, "x");
const methodsOf = (method: string) => (method === "ALL" ? ["POST", "PUT", "PATCH", "DELETE"] : [method]);
const unsafe = (method: string) => !["GET", "HEAD", "OPTIONS"].includes(method);

/** A body of `total` bytes made as it is pulled; `pulled()` says how much the server read. */
function countedBody(total: number, contentType: string) {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(contentType.includes("json") ? 0x20 : 0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(chunk.byteLength, total - sent);
      sent += n;
      controller.enqueue(chunk.subarray(0, n));
    },
  });
  return { stream, pulled: () => sent };
}

describe("bodies and access (issue 21 #4)", () => {
  test("signed out, an oversized body to every route: 401 (or 413 on public routes) with at most the limit read", async () => {
    t = createTestApp();
    t.createAdmin();
    const TOTAL = 8 * BODY_LIMIT;
    const wrong: string[] = [];
    const routes = t.app.routes.filter((r) => methodsOf(r.method).some(unsafe));
    expect(routes.length).toBeGreaterThan(60);
    for (const r of routes) {
      const access = routeAccess(r);
      for (const method of methodsOf(r.method).filter(unsafe)) {
        for (const type of ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]) {
          const body = countedBody(TOTAL, type);
          const res = await t.request(concrete(r.path), {
            method,
            headers: {
              "content-type": type,
              "content-length": String(TOTAL),
              origin: TEST_ORIGIN,
              "sec-fetch-site": "same-origin",
              accept: "application/json",
            },
            body: body.stream,
          });
          // A native client's route needs its app password as a page needs a session.
          const signedIn = access === "user" || access === "admin" || access === "device";
          const expected = signedIn ? [401] : [401, 403, 404, 413];
          // Nothing at all for routes that need a signed-in person; at most the limit (and one chunk) for the others.
          const allowed = signedIn ? 128 * 1024 : BODY_LIMIT + 128 * 1024; // a stream pulls a chunk or two ahead
          if (!expected.includes(res.status) || body.pulled() > allowed) wrong.push(`${method} ${r.path} ${type} → ${res.status}, read ${body.pulled()}`);
          await res.arrayBuffer();
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  test("signed in, over the limit: 413 with a sentence, from Content-Length and while streaming; under it works", async () => {
    t = createTestApp();
    const h = t.signIn(t.createAdmin());
    const big = JSON.stringify({ name: "x".repeat(BODY_LIMIT) });
    const declared = await t.request("/api/v1/folders", { method: "POST", headers: { ...h, "content-type": "application/json" }, body: big });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toMatch(/too large/i);
    // No Content-Length (chunked): counted while it streams.
    const streamed = countedBody(8 * BODY_LIMIT, "application/json");
    const chunked = await t.request("/api/v1/folders", { method: "POST", headers: { ...h, "content-type": "application/json" }, body: streamed.stream });
    expect(chunked.status).toBe(413);
    expect(streamed.pulled()).toBeLessThanOrEqual(BODY_LIMIT + 128 * 1024); // the stream pulls a chunk ahead
    const ok = await t.request("/api/v1/folders", {
      method: "POST",
      headers: { ...h, "content-type": "application/json" },
      body: JSON.stringify({ name: "fits" }),
    });
    expect(ok.status).toBe(201);
    const malformed = await t.request("/api/v1/folders", { method: "POST", headers: { ...h, "content-type": "application/json" }, body: "{ not json" });
    expect(malformed.status).toBe(400);
  });
});
