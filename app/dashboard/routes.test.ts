import { systemClock } from "../platform/clock";
import { afterEach, describe, expect, test } from "bun:test";
import { CommandNotFoundError, type Runner } from "../../hw/run";
import { createSmartReader } from "../../hw/smart";
import { createSystemSampler } from "../../hw/system";
import { smartFixture } from "../../hw/test-fixtures";
import { systemSamples } from "../platform/db/schema";
import { createTestApp, postForm, type TestApp } from "../../test/support/app";
import { createJobRunner } from "../platform/queue/runner";
import { dashboardJobs } from "./jobs";
import { createSettingsRepo } from "../settings/repo";
import { systemdPower } from "./power";
import type { SystemHw } from "../services";
import { fakeRunner } from "../../hw/testing";

let t: TestApp;
afterEach(() => t?.cleanup());

const noVcgencmd: Runner = async () => {
  throw new CommandNotFoundError("vcgencmd", "ENOENT");
};

/** A fake smartctl answering --scan-open with `devices` and `-x <dev>` with the fixture's text. */
function fakeSmartctl(devices: Record<string, { type: string; text: () => string }>) {
  return fakeRunner((argv) => {
    if (argv.includes("--scan-open")) {
      return { stdout: JSON.stringify({ devices: Object.entries(devices).map(([name, d]) => ({ name, info_name: name, type: d.type, protocol: "ATA" })) }) };
    }
    if (argv.includes("-t")) return { stdout: JSON.stringify({ smartctl: { exit_status: 0 } }) };
    const text = devices[argv[argv.length - 1]!]!.text();
    return { code: JSON.parse(text).smartctl?.exit_status ?? 0, stdout: text };
  });
}

function app(hw: Partial<SystemHw> = {}) {
  t = createTestApp({
    deps: {
      hw: {
        smart: createSmartReader({ run: fakeSmartctl({}).run }),
        liveSampler: createSystemSampler({ run: noVcgencmd }),
        minuteSampler: createSystemSampler({ run: noVcgencmd }),
        power: systemdPower({ appliance: false }),
        blockDevices: async () => [],
        filesystems: async () => [],
        ...hw,
      },
    },
  });
  const admin = t.createAdmin();
  return { admin, h: t.signIn(admin) };
}

/** The strict CSP forbids inline styles and scripts: the dashboard's HTML must carry neither. */
function expectCspClean(html: string) {
  expect(html).not.toMatch(/\sstyle=/i);
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
}

describe("overview", () => {
  test("the admin sees every card, server-rendered sparklines, polling fragments, and no inline style or script", async () => {
    const { h } = app();
    t.db
      .insert(systemSamples)
      .values(
        [0, 1, 2].map((i) => ({
          at: new Date(Date.now() - (3 - i) * 60_000),
          cpuPercent: 10 * i,
          memPercent: 40,
          cpuTempC: null,
          rxBytesPerSec: 100,
          txBytesPerSec: 50,
        })),
      )
      .run();
    const res = await t.request("/dashboard", { headers: h });
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const card of [
      "health",
      "cpu-card",
      "memory-card",
      "temperature-card",
      "network-card",
      "system-card",
      "jobs-card",
      "storage-card",
      "disks-card",
      "history-card",
    ]) {
      expect(html).toContain(`data-testid="${card}"`);
    }
    expect(html).toContain('hx-get="/dashboard/fragments/live" hx-trigger="every 5s"');
    expect(html).toMatch(/<polyline points="0\.0,31\.0 60\.0,[\d.]+ 120\.0,[\d.]+"/);
    expect(html).toContain("Disks are checked a few seconds after the server starts");
    expect(html).toContain("This machine exposes no temperature sensor");
    expect(html).toContain("Video acceleration: <span>");
    expect(html).toContain("Healthy");
    expectCspClean(html);
  });

  test("fragments render alone for htmx", async () => {
    const { h } = app();
    for (const [path, id] of [
      ["live", "live"],
      ["disks", "disks"],
      ["history", "history"],
      ["banner", "alert-banner"],
    ] as const) {
      const res = await t.request(`/dashboard/fragments/${path}`, { headers: { ...h, "hx-request": "true" } });
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).toStartWith(`<div id="${id}"`);
      expect(html).not.toContain("<html");
    }
  });

  test("chart data endpoint returns the stored one-minute points", async () => {
    const { h } = app();
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    t.db.insert(systemSamples).values({ at, cpuPercent: 12.5, memPercent: 40, cpuTempC: 51, rxBytesPerSec: 1000, txBytesPerSec: 200 }).run();
    const res = await t.request("/dashboard/series?range=hour", { headers: h });
    expect(await res.json()).toEqual({ range: "hour", points: [{ at: at.getTime(), cpu: 12.5, mem: 40, temp: 51, rx: 1000, tx: 200 }] });
    expect([400, 422]).toContain((await t.request("/dashboard/series?range=week", { headers: h })).status);
  });

  test("a user sees only their own usage and quota; admin pages are refused; anonymous is sent to sign in", async () => {
    app();
    const user = t.createUser("alice");
    t.db.$client.run("update users set quota_bytes = 10000000000 where id = ?", [user.id]);
    const h = t.signIn(user);
    const res = await t.request("/dashboard", { headers: h });
    const html = await res.text();
    expect(html).toContain('data-testid="usage-card"');
    expect(html).toContain("0 % of your 10.0 GB quota");
    expect(html).not.toContain("cpu-card");
    for (const path of [
      "/dashboard/fragments/live",
      "/dashboard/alerts",
      "/dashboard/power",
      "/dashboard/backups",
      "/dashboard/users",
      "/dashboard/series?range=day",
    ]) {
      expect((await t.request(path, { headers: h })).status).toBe(403);
    }
    const anon = await t.request("/dashboard");
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toEndWith("/login?next=%2Fdashboard");
  });
});

describe("disks", () => {
  test("check now reads SMART; the failing disk shows on the overview, in the banner and on its page with attributes and self-test log", async () => {
    const smartctl = fakeSmartctl({ "/dev/sdc": { type: "usbjmicron", text: () => smartFixture("smart-fail2.json") } });
    const { h } = app({ smart: createSmartReader({ run: smartctl.run }) });
    const check = await t.request("/dashboard/disks/check", postForm(h));
    expect(check.status).toBe(303);

    const overview = await (await t.request("/dashboard", { headers: h })).text();
    expect(overview).toContain("health-red");
    expect(overview).toContain("reports SMART health FAILING");
    expect(overview).toContain('<span class="badge bad">Failing</span>');
    expect(overview).toContain('role="alert"');

    const page = await t.request("/dashboard/disk?dev=%2Fdev%2Fsdc", { headers: h });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("Hitachi HDS721050DLE630");
    expect(html).toContain("Reallocated_Sector_Ct (pre-fail) — FAILED now");
    expect(html).toContain("Sectors found bad and remapped to spares");
    expect(html).toContain("Completed: read failure");
    expect(html).toContain("SMART overall health: DISK FAILING");
    expectCspClean(html);

    expect((await t.request("/dashboard/disk?dev=%2Fdev%2Fsdz", { headers: h })).status).toBe(404);
  });

  test("start a self-test: smartctl -t with the disk's type", async () => {
    const smartctl = fakeSmartctl({ "/dev/sdb": { type: "sat", text: () => smartFixture("smart-ata-full.json") } });
    const { h } = app({ smart: createSmartReader({ run: smartctl.run }) });
    await t.request("/dashboard/disks/check", postForm(h));
    const res = await t.request("/dashboard/disk/selftest?dev=%2Fdev%2Fsdb", postForm(h, { kind: "long" }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("The long self-test started.");
    expect(smartctl.calls).toContainEqual(["smartctl", "-t", "long", "--json=c", "-d", "sat", "/dev/sdb"]);
  });

  test("a running self-test shows its progress in a fragment that polls itself", async () => {
    const smartctl = fakeSmartctl({ "/dev/sdb": { type: "sat", text: () => smartFixture("smart-ata.json") } });
    const { h } = app({ smart: createSmartReader({ run: smartctl.run }) });
    await t.request("/dashboard/disks/check", postForm(h));
    const html = await (await t.request("/dashboard/fragments/selftest?dev=%2Fdev%2Fsdb", { headers: { ...h, "hx-request": "true" } })).text();
    expect(html).toContain("A self-test is running: 10 % left.");
    expect(html).toContain('hx-trigger="load delay:15s"');
    expect(html).toContain('<progress max="100" value="90">');
  });

  test("disk text from smartctl is escaped", async () => {
    const evil = () => {
      const json = JSON.parse(smartFixture("smart-nvme.json"));
      json.model_name = '<img src=x onerror="alert(1)">';
      return JSON.stringify(json);
    };
    const { h } = app({ smart: createSmartReader({ run: fakeSmartctl({ "/dev/nvme0": { type: "nvme", text: evil } }).run }) });
    await t.request("/dashboard/disks/check", postForm(h));
    for (const path of ["/dashboard", "/dashboard/disk?dev=%2Fdev%2Fnvme0"]) {
      const html = await (await t.request(path, { headers: h })).text();
      expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
      expect(html).not.toContain("<img src=x");
    }
  });

  test("without smartctl the dashboard still renders, with the reason", async () => {
    const sda = { path: "/dev/sda", sizeBytes: 4e12, removable: false, model: "WDC WD40EFRX" };
    const { h } = app({ smart: createSmartReader({ smartctl: "/nonexistent/smartctl" }), blockDevices: async () => [sda] });
    expect((await t.request("/dashboard/disks/check", postForm(h))).status).toBe(303);
    const res = await t.request("/dashboard", { headers: h });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("SMART is not available: smartctl is not installed (package smartmontools).");
    expect(html).toContain("WDC WD40EFRX");
    expect(html).toContain("No SMART");
    expect(html).toContain("health-green");
  });

  test("on the image (SMART in the root worker) the buttons queue jobs and the page says a check is running", async () => {
    const smartctl = fakeSmartctl({});
    const { h } = app({ smart: createSmartReader({ run: smartctl.run }), smartInWorker: true });
    expect((await t.request("/dashboard/disks/check", postForm(h))).status).toBe(303);
    expect(smartctl.calls).toEqual([]);
    expect(t.services.jobs.recentOfKind("smart.refresh")).toMatchObject([{ status: "queued" }]);
    const html = await (await t.request("/dashboard", { headers: h })).text();
    expect(html).toContain("Checking the disks…");
    // Nobody took it for ten minutes: the page names the worker that should have.
    t.db.$client.run("update jobs set created_at = created_at - 600000 where kind = 'smart.refresh'");
    expect(await (await t.request("/dashboard", { headers: h })).text()).toContain(
      "the storage worker (nasd-storage-worker.service), which reads SMART, does not seem to be running",
    );
    t.db.$client.run("update jobs set created_at = created_at + 600000 where kind = 'smart.refresh'");
    expect((await t.request("/dashboard/disk/refresh?dev=%2Fdev%2Fsdz", postForm(h))).status).toBe(404); // unknown disk: nothing queued
    expect(t.services.jobs.recentOfKind("smart.refresh")).toHaveLength(1);

    // The root worker runs the check; then "Read SMART now" queues that disk and its page polls until it is read.
    const disks = fakeSmartctl({ "/dev/sdb": { type: "sat", text: () => smartFixture("smart-ata-full.json") } });
    const worker = createJobRunner({
      queue: t.services.jobs,
      handlers: {
        "smart.refresh": dashboardJobs.handlers({
          now: systemClock,
          db: t.db,
          dataDir: t.dataDir,
          settings: createSettingsRepo(t.db),
          smart: createSmartReader({ run: disks.run }),
          blockDevices: async () => [],
        })["smart.refresh"],
      },
      log: () => {},
    });
    expect(await worker.runOnce()).toBe(true);
    expect((await t.request("/dashboard/disk/refresh?dev=%2Fdev%2Fsdb", postForm(h))).status).toBe(303);
    expect(await (await t.request("/dashboard/disk?dev=%2Fdev%2Fsdb", { headers: h })).text()).toContain("Reading SMART from the disk");
    expect(await worker.runOnce()).toBe(true);
    expect(await (await t.request("/dashboard/disk?dev=%2Fdev%2Fsdb", { headers: h })).text()).not.toContain("Reading SMART from the disk");
    expect(disks.calls.at(-1)).toEqual(["smartctl", "-x", "--json=c", "-d", "sat", "/dev/sdb"]); // woken (no -n standby), same -d type
  });

  test("a VM's virtio disk (not in --scan-open) is listed as not available with smartctl's reason", async () => {
    const smartctl = fakeRunner((argv) =>
      argv.includes("--scan-open") ? { stdout: smartFixture("scan-open-virtio.json") } : { code: 1, stdout: smartFixture("virtio-no-smart.json") },
    );
    const vda = { path: "/dev/vda", sizeBytes: 256e9, removable: false, model: null };
    const { h } = app({ smart: createSmartReader({ run: smartctl.run }), blockDevices: async () => [vda] });
    await t.request("/dashboard/disks/check", postForm(h));
    const overview = await (await t.request("/dashboard", { headers: h })).text();
    expect(overview).toContain("No SMART");
    const page = await (await t.request("/dashboard/disk?dev=%2Fdev%2Fvda", { headers: h })).text();
    expect(page).toContain('data-testid="smart-unavailable"');
    expect(page).toContain("smartctl cannot identify this kind of device");
  });
});

describe("alerts", () => {
  test("list and acknowledge (htmx swaps the row); the banner empties", async () => {
    const { h } = app({
      smart: createSmartReader({ run: fakeSmartctl({ "/dev/nvme0": { type: "nvme", text: () => smartFixture("smart-nvme-failed.json") } }).run }),
    });
    await t.request("/dashboard/disks/check", postForm(h));
    const list = await (await t.request("/dashboard/alerts", { headers: h })).text();
    expect(list).toContain("logged 7 media errors");
    const id = list.match(/id="alert-(\d+)"/)![1]!;
    const ack = await t.request(`/dashboard/alerts/${id}/ack`, postForm({ ...h, "hx-request": "true" }));
    const row = await ack.text();
    expect(row).toStartWith(`<tr id="alert-${id}"`);
    expect(row).toContain("acknowledged");
    const banner = await (await t.request("/dashboard/fragments/banner", { headers: h })).text();
    expect(banner).not.toContain('role="alert"');
    expect((await t.request("/dashboard/alerts/99999/ack", postForm(h))).status).toBe(404);
  });

  test("acknowledging needs the CSRF token", async () => {
    const { h } = app();
    const { "x-csrf-token": _, ...noToken } = h;
    expect((await t.request("/dashboard/alerts/1/ack", postForm(noToken))).status).toBe(403);
  });
});

describe("power", () => {
  test("disabled off the appliance, with the reason; a POST is refused and nothing runs", async () => {
    const systemctl = fakeRunner(() => ({}));
    const { h } = app({ power: systemdPower({ appliance: false, run: systemctl.run }) });
    const page = await (await t.request("/dashboard/power", { headers: h })).text();
    expect(page).toContain('data-testid="power-disabled"');
    expect(page).toContain("work only on the NAS appliance itself");
    expect(page).not.toContain("NAS_APPLIANCE"); // plain words, not the variable (issue 13 #18)
    expect(page).toMatch(/<button type="submit" disabled>Restart…<\/button>/);
    expect((await t.request("/dashboard/power/reboot", postForm(h, { confirm: "reboot" }))).status).toBe(409);
    expect(systemctl.calls).toEqual([]);
  });

  test("admin-only, CSRF-protected, confirmed, audit-logged", async () => {
    const systemctl = fakeRunner(() => ({}));
    const { admin, h } = app({ power: systemdPower({ appliance: true, systemdBooted: () => true, run: systemctl.run }) });
    const user = t.createUser("bob");
    const hUser = t.signIn(user);
    const { "x-csrf-token": _, ...noToken } = h;

    expect((await t.request("/dashboard/power/reboot", postForm(hUser, { confirm: "reboot" }))).status).toBe(403);
    expect((await t.request("/dashboard/power/reboot", postForm(noToken, { confirm: "reboot" }))).status).toBe(403);
    expect(
      (await t.request("/dashboard/power/reboot", postForm({ ...h, origin: "https://evil.example", "sec-fetch-site": "cross-site" }, { confirm: "reboot" })))
        .status,
    ).toBe(403);
    expect([400, 422]).toContain((await t.request("/dashboard/power/reboot", postForm(h))).status);
    expect((await t.request("/dashboard/power/reboot", postForm(h, { confirm: "poweroff" }))).status).toBe(400);
    expect([400, 422]).toContain((await t.request("/dashboard/power/selfdestruct", postForm(h, { confirm: "selfdestruct" }))).status);
    expect(systemctl.calls).toEqual([]);

    const confirmPage = await (await t.request("/dashboard/power?confirm=reboot", { headers: h })).text();
    expect(confirmPage).toContain('data-testid="power-confirm"');
    const res = await t.request("/dashboard/power/reboot", postForm(h, { confirm: "reboot" }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Rebooting now…");
    expect(systemctl.calls).toEqual([["systemctl", "reboot", "--no-wall"]]);

    const audit = t.services.audit.list({});
    expect(audit.find((e) => e.action === "power.reboot")).toMatchObject({ userId: admin.id, ok: true });
    expect(audit.find((e) => e.action === "POST /dashboard/power/:action" && e.ok)).toMatchObject({ userId: admin.id, objectId: "reboot" });
    expect(audit.filter((e) => e.action === "POST /dashboard/power/:action" && !e.ok).length).toBeGreaterThanOrEqual(5);
  });
});

describe("backups and users", () => {
  test("back up now queues one job and shows it pending", async () => {
    const { h } = app();
    const res = await t.request("/dashboard/backups/run", postForm({ ...h, "hx-request": "true" }));
    const html = await res.text();
    expect(html).toContain("Backup pending…");
    expect(html).toContain('hx-trigger="load delay:2s"');
    await t.request("/dashboard/backups/run", postForm(h));
    expect(t.services.jobs.counts().queued).toBe(1);
    const page = await (await t.request("/dashboard/backups", { headers: h })).text();
    expect(page).toContain("No backup yet.");
  });

  test("the admin points alerts at a webhook (ntfy), sends a test, and bad addresses are refused", async () => {
    const { h } = app();
    const got: string[] = [];
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async (req) => (got.push(await req.text()), new Response("ok")) });
    try {
      const url = `http://127.0.0.1:${server.port}/my-nas`;
      const save = (value: string, headers = h) => t.request("/dashboard/alerts/webhook", postForm(headers, { url: value }));
      for (const [bad, why] of [
        ["ftp://example.com/x", "must start with https:// or http://"],
        ["not a url", "Enter a full web address"],
        ["https://me:secret@ntfy.example/t", "no user name or password"],
      ]) {
        const res = await save(bad!);
        expect(res.status).toBe(400);
        const html = await res.text();
        expect(html).toContain(why!);
        expect(html).toContain(`value="${bad}"`);
      }
      expect(t.services.settings.all().alertWebhook).toBeNull();
      expect((await save(url)).status).toBe(303);
      expect(t.services.settings.all().alertWebhook).toBe(url);
      const page = await (await t.request("/dashboard/alerts/webhook/test", postForm(h))).text();
      expect(page).toContain("Delivered");
      expect(got).toEqual([expect.stringContaining("test alert")]);
      expect((await save("", t.signIn(t.createUser("mallory")))).status).toBe(403);
      expect((await save("")).status).toBe(303); // empty: alerts stay on the pages only
      expect(t.services.settings.all().alertWebhook).toBeNull();
      expect((await t.request("/dashboard/alerts/webhook/test", postForm(h))).status).toBe(409);
    } finally {
      server.stop(true);
    }
  });

  test("the admin sets how many days of backups to keep; Back up now and the page use it; bad input changes nothing", async () => {
    const { h } = app();
    const keep = (days: string, headers = h) => t.request("/dashboard/backups/keep", postForm(headers, { days }));
    expect((await keep("30")).status).toBe(303);
    expect(t.services.settings.all().backupKeepDays).toBe(30);
    expect(await (await t.request("/dashboard/backups", { headers: h })).text()).toContain("keeps 30 days of them");
    await t.request("/dashboard/backups/run", postForm(h));
    expect(t.services.jobs.lastOfKind("db.backup")?.payload).toEqual({ keepDays: 30 });
    for (const bad of ["0", "366", "abc", "7.5", "-1", ""]) {
      const res = await keep(bad);
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain("Keep backups for 1 to 365 days.");
      expect(html).toContain(`value="${bad}"`);
    }
    const user = t.signIn(t.createUser("mallory"));
    expect((await keep("1", user)).status).toBe(403);
    expect(t.services.settings.all().backupKeepDays).toBe(30);
  });

  test("the admin sets a quota in GB; Drive enforces it; empty removes it; bad input changes nothing", async () => {
    const { h } = app();
    const alice = t.createUser("alice");
    const A = t.signIn(alice);
    const quotaOf = () => t.services.auth.users.byId(alice.id)?.quotaBytes;
    const set = (quota: string) => t.request(`/dashboard/users/${alice.id}/quota`, postForm(h, { quota }));

    const saved = await set("0.000000015"); // 15 bytes, so an upload can cross it
    expect(saved.status).toBe(303);
    expect(quotaOf()).toBe(15);
    expect(await (await t.request(saved.headers.get("location")!, { headers: h })).text()).toContain('<span class="badge ok">saved</span>');
    const upload = (name: string, body: string) => t.request(`/api/v1/upload?name=${name}`, { method: "PUT", headers: A, body });
    expect((await upload("a.txt", "0123456789")).status).toBe(201);
    expect((await upload("b.txt", "0123456789")).status).toBe(413); // would make 20 > 15 bytes

    expect((await set("2,5")).status).toBe(303); // a decimal comma is read as a point
    expect(quotaOf()).toBe(2_500_000_000);
    for (const bad of ["-1", "0", "abc", "1e3", "2000000", "1.2.3"]) {
      const res = await set(bad);
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain("Enter the quota in GB");
      expect(html).toContain(`value="${bad}"`); // the typed value stays in the field
      expect(quotaOf()).toBe(2_500_000_000);
    }
    expect((await set("")).status).toBe(303);
    expect(quotaOf()).toBeNull();

    expect((await t.request("/dashboard/users/no-such-user/quota", postForm(h, { quota: "5" }))).status).toBe(404);
    expect((await t.request(`/dashboard/users/${alice.id}/quota`, postForm(A, { quota: "1000" }))).status).toBe(403); // not an admin
    expect((await t.request(`/dashboard/users/${alice.id}/quota`, postForm({ ...h, "x-csrf-token": "forged" }, { quota: "1000" }))).status).toBe(403);
    expect(quotaOf()).toBeNull();
    // Every attempt is in the audit log; the three that changed the quota are marked ok.
    expect(t.db.$client.query("select count(*) as n, sum(ok) as ok from audit_log where action like 'POST /dashboard/users/%/quota'").get()).toEqual({
      n: 12,
      ok: 3,
    });
  });

  test("users with usage and quota", async () => {
    const { h } = app();
    const alice = t.createUser("alice");
    t.db.$client.run("update users set quota_bytes = 5000000000 where id = ?", [alice.id]);
    const html = await (await t.request("/dashboard/users", { headers: h })).text();
    expect(html).toContain("alice");
    expect(html).toContain("0 % of 5.0 GB");
    expect(html).toContain("unlimited");
  });
});
