// How failures reach people: the app's own page, toast or JSON with a reference, never internals (README, "Security").
import { afterEach, describe, expect, spyOn, test } from "bun:test";

import { createSmartReader } from "../../../hw/smart";
import { createSystemSampler } from "../../../hw/system";
import { hmac } from "../crypto";
import { systemdPower } from "../../dashboard/power";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../../../test/support/app";
import { fakeRunner } from "../../../hw/testing";

let t: TestApp;
afterEach(() => t?.cleanup());

/** A dashboard whose hardware throws a bug with a path and source in its message. */
function brokenDashboard() {
  const broken = createSystemSampler();
  broken.sample = async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'cpu') at /srv/secret/app/hw/system.ts:42:7");
  };
  t = createTestApp({
    deps: {
      hw: {
        smart: createSmartReader({ run: fakeRunner(() => ({ stdout: "{}" })).run }),
        liveSampler: broken,
        minuteSampler: broken,
        power: systemdPower({ appliance: false }),
        blockDevices: async () => [],
        filesystems: async () => [],
      },
    },
  });
  return t.signIn(t.createAdmin());
}

describe("#3 an unexpected error shows the app's page with a reference and logs the detail", () => {
  test("a page: the normal layout, a reference, no path, message or stack", async () => {
    const h = brokenDashboard();
    const logged = spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await t.request("/dashboard", { headers: h });
      const html = await res.text();
      expect(res.status).toBe(500);
      expect(html).toContain('class="appnav"');
      const ref = html.match(/Reference for the logs: <code>([0-9a-f]{8})<\/code>/)?.[1];
      expect(ref).toBeDefined();
      for (const leak of ["/srv/secret", "system.ts", "Cannot read", "TypeError", process.cwd()]) expect(html).not.toContain(leak);
      expect(logged.mock.calls.some((c) => String(c[0]).includes(ref!) && String(c[1]).includes("/srv/secret"))).toBe(true);
    } finally {
      logged.mockRestore();
    }
  });

  test("JSON for the API and htmx toasts carry the reference too", async () => {
    const h = brokenDashboard();
    const logged = spyOn(console, "error").mockImplementation(() => {});
    try {
      const json = await t.request("/dashboard/fragments/live", { headers: { ...h, accept: "application/json" } });
      const body = (await json.json()) as { error: string; requestId: string };
      expect([json.status, body.requestId]).toEqual([500, expect.stringMatching(/^[0-9a-f]{8}$/)]);
      expect(body.error).not.toContain("/srv/secret");
      const toast = await t.request("/dashboard/fragments/live", { headers: { ...h, "hx-request": "true" } });
      expect([toast.status, toast.headers.get("hx-retarget")]).toEqual([500, "#toasts"]);
      expect(await toast.text()).toMatch(/Reference: [0-9a-f]{8}/);
    } finally {
      logged.mockRestore();
    }
  });

  test("an unknown address is the app's 404 page with a way back", async () => {
    t = createTestApp();
    const h = t.signIn(t.createAdmin());
    const res = await t.request("/no/such/page", { headers: h });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('<a class="button primary" href="/">Back to the start page</a>');
  });
});

describe("#8 a malformed %-escape anywhere in the address is a 400", () => {
  test("static files, pages, API paths and query strings", async () => {
    t = createTestApp();
    const h = t.signIn(t.createAdmin());
    for (const path of ["/static/%E0%A4%A", "/drive/f/%ZZ", "/api/v1/files/%E0%A4%A", "/api/v1/search?q=%E0%A4%A", "/%"]) {
      const res = await t.request(path, { headers: { ...h, accept: "application/json" } });
      expect([path, res.status]).toEqual([path, 400]);
      expect(((await res.json()) as { error: string }).error).toContain("malformed");
    }
  });
});

describe("#12 refusals say what to do", () => {
  test("a 429 tells the client when to come back (Retry-After)", async () => {
    t = createTestApp();
    t.createAdmin("alice");
    const login = await t.request("/login");
    const pre = login.headers
      .getSetCookie()
      .find((c) => c.startsWith("nas_pre="))!
      .split(";")[0]!;
    const headers = {
      cookie: pre,
      origin: TEST_ORIGIN,
      "sec-fetch-site": "same-origin",
      "x-csrf-token": hmac(t.secret, `csrf:${pre.slice("nas_pre=".length)}`),
      "content-type": "application/x-www-form-urlencoded",
    };
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 12; i++) {
      last = await t.request("/auth/recover", { method: "POST", headers, body: "username=alice&code=wrong-code" });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(last!.status).toBe(429);
    const retry = Number(last!.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
  });
});
