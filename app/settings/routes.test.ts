import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSystemSettings } from "../../provision/settings";
import { createTestApp, postForm, TEST_ORIGIN, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILkQAUmwU51aLeynpCMsI9GJUz8nDDQyvnKTWu1bJodp";
const XSS = "<img src=x onerror=alert(1)>";

/** Elements a payload could have injected: inline scripts, <img> with an event handler, <b> from a typed value. */
async function injectedElements(html: string) {
  const found: string[] = [];
  await new HTMLRewriter()
    .on("script", { element: (el) => void (el.getAttribute("src") ? null : found.push("inline <script>")) })
    .on("img[onerror]", { element: () => void found.push("<img onerror>") })
    .on("b", { element: () => void found.push("<b>") })
    .transform(new Response(html))
    .text();
  return found;
}

const requestFile = (app: TestApp) => join(app.dataDir, "system-settings.json");
const requested = (app: TestApp) => parseSystemSettings(JSON.parse(readFileSync(requestFile(app), "utf8")));

describe("/settings/system", () => {
  test("admin only: anonymous is sent to sign in (or refused on POST), a user gets 403, and nothing is written", async () => {
    t = createTestApp();
    t.createAdmin();
    const user = t.signIn(t.createUser("bob"));
    const anon = await t.request("/settings/system");
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toBe(`${TEST_ORIGIN}/login?next=%2Fsettings%2Fsystem`);
    expect((await t.request("/settings/system", { headers: user })).status).toBe(403);
    for (const [path, fields] of [
      ["/settings/system/hostname", { hostname: "attic", confirm: "yes" }],
      ["/settings/system/time-servers", { servers: "pool.ntp.org" }],
      ["/settings/system/ssh", { keys: ED25519, enabled: "on" }],
    ] as const) {
      expect((await t.request(path, postForm(user, fields))).status).toBe(403);
      expect((await t.request(path, postForm({ origin: TEST_ORIGIN, "sec-fetch-site": "same-origin" }, fields))).status).toBe(401); // signed out: 401 before any CSRF question
    }
    expect(existsSync(requestFile(t))).toBe(false);
    expect(t.services.settings.host().ssh.enabled).toBe(false);
  });

  test("a POST without the CSRF token or from another site is refused", async () => {
    t = createTestApp();
    const h = t.signIn(t.createAdmin());
    const { "x-csrf-token": _, ...noToken } = h;
    expect((await t.request("/settings/system/ssh", postForm(noToken, { keys: ED25519, enabled: "on" }))).status).toBe(403);
    expect(
      (
        await t.request(
          "/settings/system/ssh",
          postForm({ ...h, origin: "https://evil.example", "sec-fetch-site": "cross-site" }, { keys: ED25519, enabled: "on" }),
        )
      ).status,
    ).toBe(403);
    // The form's hidden _csrf field works like the header (a plain HTML form post).
    const res = await t.request("/settings/system/time-servers", postForm(noToken, { servers: "pool.ntp.org", _csrf: h["x-csrf-token"] }));
    expect(res.status).toBe(200);
    expect(requested(t).ntpServers).toEqual(["pool.ntp.org"]);
  });

  test("the admin renames the box, sets time servers and turns SSH on; the page shows them again, the request file has them, the audit log says what changed", async () => {
    t = createTestApp();
    const admin = t.createAdmin();
    const h = t.signIn(admin);
    t.services.settings.update({ deviceName: "Attic NAS" });

    let html = await (await t.request("/settings/system", { headers: h })).text();
    expect(html).toContain('value="nas"');
    expect(html).toContain("https://nas.local");
    expect(html).toContain('<option value="attic-nas"'); // suggested from the device name
    expect(html).toContain("re-issues its certificate for the new name");
    expect(html).toMatch(/SSH signs in as <strong>root<\/strong>/);
    expect(html).toContain('name="_csrf"');
    expect(await (await t.request("/settings/admin", { headers: h })).text()).toContain('href="/settings/system"');

    let res = await t.request("/settings/system/hostname", postForm(h, { hostname: "attic-nas", confirm: "yes" }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Renamed to attic-nas. Within a minute the box answers at https://attic-nas.local");
    res = await t.request("/settings/system/time-servers", postForm(h, { servers: "fritz.box\r\n192.168.1.1\r\n" }));
    expect(await res.text()).toContain("Saved: 2 time servers as well as the pool.");
    res = await t.request("/settings/system/ssh", postForm(h, { keys: `${ED25519} ${XSS}`, enabled: "on" }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("SSH is on with 1 key.");

    expect(requested(t)).toEqual({
      hostname: "attic-nas",
      ntpServers: ["fritz.box", "192.168.1.1"],
      ssh: { enabled: true, authorizedKeys: [`${ED25519} ${XSS}`] },
    });

    html = await (await t.request("/settings/system", { headers: h })).text();
    expect(html).toContain('value="attic-nas"');
    expect(html).toContain("fritz.box\n192.168.1.1</textarea>");
    expect(html).toContain('<input type="checkbox" name="enabled" value="on" checked/>');
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;"); // the key's comment, as text
    expect(html).not.toContain(XSS);
    expect(await injectedElements(html)).toEqual([]);
    expect(html).toContain('<div class="mono small muted">ssh-ed25519</div>');
    expect(html).not.toContain("AAAAC3NzaC1lZDI1NTE5AAAAILkQ"); // only type and comment, never the key

    const actions = t.services.audit.list({ userId: admin.id }).map((e) => [e.action, e.ok, e.detail]);
    expect(actions).toContainEqual(["settings.hostname", true, "nas → attic-nas"]);
    expect(actions).toContainEqual(["settings.ntp", true, "fritz.box 192.168.1.1"]);
    expect(actions).toContainEqual(["settings.ssh.on", true, `1 key; added: ssh-ed25519 ${XSS}`]);
    expect(actions).toContainEqual(["POST /settings/system/ssh", true, null]);
  });

  test("removing the last key turns SSH off and the request file says so", async () => {
    t = createTestApp();
    const h = t.signIn(t.createAdmin());
    await t.request("/settings/system/ssh", postForm(h, { keys: `${ED25519} me@laptop`, enabled: "on" }));
    const id = t.services.settings.host().ssh.keys[0]!.id;
    const res = await t.request(`/settings/system/ssh/keys/${id}/remove`, postForm(h));
    expect(await res.text()).toContain("That was the last one: SSH is off.");
    expect(requested(t).ssh).toEqual({ enabled: false, authorizedKeys: [] });
    expect((await t.request(`/settings/system/ssh/keys/${id}/remove`, postForm(h))).status).toBe(422);
  });

  test("hostile input: a clear message beside the field, what was typed is kept, 422 (audited as refused), nothing written", async () => {
    t = createTestApp();
    const admin = t.createAdmin();
    const h = t.signIn(admin);
    const cases: [string, Record<string, string>, string, string][] = [
      ["/settings/system/hostname", { hostname: "my.nas", confirm: "yes" }, "Use only letters a–z, digits and hyphens.", 'value="my.nas"'],
      ["/settings/system/hostname", { hostname: "my_nas", confirm: "yes" }, "Use only letters a–z, digits and hyphens.", 'value="my_nas"'],
      ["/settings/system/hostname", { hostname: "-nas", confirm: "yes" }, "A name cannot start or end with a hyphen.", 'value="-nas"'],
      ["/settings/system/hostname", { hostname: "x".repeat(5000), confirm: "yes" }, "A name has 1 to 63 characters.", `value="${"x".repeat(5000)}"`],
      ["/settings/system/hostname", { hostname: `"><script>alert(1)</script>`, confirm: "yes" }, "Use only letters", 'value="&#34;><script>alert(1)</script>"'], // inside a quoted attribute: text, not markup
      ["/settings/system/hostname", { hostname: "attic" }, "Tick “I have my recovery codes”", 'value="attic"'],
      [
        "/settings/system/time-servers",
        { servers: Array.from({ length: 500 }, (_, i) => `t${i}.example.org`).join("\n") },
        "List at most 20 time servers (this list has 500).",
        "t499.example.org</textarea>",
      ],
      [
        "/settings/system/time-servers",
        { servers: "ok.example.org\n<b>pool</b>" },
        "Line 2: &quot;&lt;b&gt;pool&lt;/b&gt;&quot; is not a host name or IPv4 address.",
        "&lt;b&gt;pool&lt;/b&gt;</textarea>",
      ],
      [
        "/settings/system/ssh",
        { keys: `${ED25519} me\u0000you`, enabled: "on" },
        "Key on line 1 contains control characters.",
        'name="enabled" value="on" checked',
      ],
      [
        "/settings/system/ssh",
        { keys: "ssh-dss AAAAB3NzaC1kc3MAAACBAP old", enabled: "on" },
        "Key on line 1 does not start with a supported key type",
        "ssh-dss AAAAB3NzaC1kc3MAAACBAP old</textarea>",
      ],
      ["/settings/system/ssh", { keys: `${ED25519} ${"c".repeat(9000)}`, enabled: "on" }, "Key on line 1 is longer than 8192 characters.", "</textarea>"],
      ["/settings/system/ssh", { keys: "", enabled: "on" }, "Paste at least one public key to turn SSH on.", "</textarea>"],
    ];
    for (const [path, fields, message, typed] of cases) {
      const res = await t.request(path, postForm(h, fields));
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).toContain(typed);
      expect(html).toContain('aria-invalid="true"');
      expect(await injectedElements(html)).toEqual([]);
    }
    const privateKey = await t.request(
      "/settings/system/ssh",
      postForm(h, { keys: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----", enabled: "on" }),
    );
    expect(privateKey.status).toBe(422);
    const privateHtml = await privateKey.text();
    expect(privateHtml).toContain("is a private key");
    expect(privateHtml).not.toContain("b3BlbnNzaC1rZXktdjE="); // not echoed back into the page

    expect(existsSync(requestFile(t))).toBe(false);
    expect(t.services.settings.host()).toEqual({ hostname: "nas", ntpServers: [], ssh: { enabled: false, keys: [] } });
    const refused = t.services.audit.list({ userId: admin.id }).filter((e) => e.action.startsWith("POST /settings/system/"));
    expect(refused).toHaveLength(cases.length + 1);
    expect(refused.every((e) => !e.ok)).toBe(true);
    expect(t.services.audit.list({ action: "settings." })).toEqual([]);
  });
});
