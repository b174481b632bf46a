import { afterEach, describe, expect, test } from "bun:test";

import { hmac } from "../platform/crypto";
import { jobs } from "../platform/db/schema";
import { STORAGE_MOVE_JOB } from "../storage/jobs";
import { createTestApp, postForm, TEST_ORIGIN, type TestApp } from "../../test/support/app";
import { fakeRunner } from "../../hw/testing";

let t: TestApp;
afterEach(() => t?.cleanup());

// The boot disk (mounted at /), a disk in use (mounted at /mnt/usb), and a free disk whose label and model carry markup.
const system = {
  name: "mmcblk0",
  path: "/dev/mmcblk0",
  type: "disk",
  size: 32_000_000_000,
  model: null,
  children: [
    { name: "mmcblk0p1", path: "/dev/mmcblk0p1", type: "part", size: 500_000_000, fstype: "vfat", mountpoints: ["/boot/firmware"] },
    { name: "mmcblk0p2", path: "/dev/mmcblk0p2", type: "part", size: 31_000_000_000, fstype: "ext4", label: "root", uuid: "u-root", mountpoints: ["/"] },
  ],
};
const inUse = {
  name: "sdb",
  path: "/dev/sdb",
  type: "disk",
  size: 64_000_000_000,
  model: "USB Stick",
  children: [{ name: "sdb1", path: "/dev/sdb1", type: "part", size: 64_000_000_000, fstype: "vfat", uuid: "u-2", mountpoints: ["/mnt/usb"] }],
};
const free = {
  name: "sda",
  path: "/dev/sda",
  type: "disk",
  size: 2_000_398_934_016,
  model: "WD Red <i>Plus</i>",
  children: [
    {
      name: "sda1",
      path: "/dev/sda1",
      type: "part",
      size: 2_000_000_000_000,
      fstype: "exfat",
      label: "<img src=x onerror=alert(1)>",
      uuid: "u-1",
      mountpoints: [null],
    },
  ],
};

function app(disks: object[] | Error = [system, inUse, free]) {
  const fake = fakeRunner((argv) => {
    if (argv[0] !== "lsblk") return { code: 1, stderr: `${argv[0]} not expected` };
    return disks instanceof Error ? { code: 1, stderr: disks.message } : { stdout: JSON.stringify({ blockdevices: disks }) };
  });
  t = createTestApp({ deps: { hw: { storageRun: fake.run, storageLoopDevices: false, filesystems: async () => [] } } });
  return fake;
}

const moveJobs = () =>
  t.db
    .select()
    .from(jobs)
    .all()
    .filter((j) => j.kind === STORAGE_MOVE_JOB);

describe("setup wizard: storage step", () => {
  test("the admin sees the free disk only, escaped, with the typed confirmation and a way to keep the files here", async () => {
    app();
    const h = t.signIn(t.createAdmin());
    const res = await t.request("/setup/storage", { headers: h });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Where should your files live?");
    expect(html).toContain("slow and wears out");
    expect(html).toContain("everything on it is erased");
    expect(html).toContain('action="/setup/storage/use"');
    expect(html).toContain('value="/dev/sda"');
    expect(html).toContain("type <code>WD Red &lt;i&gt;Plus&lt;/i&gt;</code>");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<i>Plus");
    // Neither the boot disk nor the disk in use is offered.
    expect(html).not.toContain("/dev/mmcblk0");
    expect(html).not.toContain("/dev/sdb");
    expect(html).toMatch(/<a class="button" href="\/" id="storage-keep">Keep files on this device for now<\/a>/);
    expect(html).not.toMatch(/\sstyle=|<script(?![^>]*\bsrc=)[^>]*>/i);
  });

  test("a wrong confirmation, the boot disk and a disk in use are refused with the reason and queue nothing", async () => {
    app();
    const h = t.signIn(t.createAdmin());
    const wrong = await t.request("/setup/storage/use", postForm(h, { device: "/dev/sda", confirm: "sda1" }));
    expect(wrong.status).toBe(400);
    const page = await wrong.text();
    expect(page).toContain("The confirmation does not match: type &quot;WD Red &lt;i&gt;Plus&lt;/i&gt;&quot; to format /dev/sda.");
    expect(page).toContain("Where should your files live?");
    // The disk just posted stays chosen, so its confirmation is open again beside the reason.
    expect(page).toContain('data-chosen="0"');
    expect(page).toMatch(/<input type="radio" name="disk" value="0" x-model="chosen" checked\/>/);

    const boot = await t.request("/setup/storage/use", postForm(h, { device: "/dev/mmcblk0", confirm: "mmcblk0" }));
    expect(boot.status).toBe(400);
    expect(await boot.text()).toContain("/dev/mmcblk0 cannot be used for data: it holds the running system or the data");

    const busy = await t.request("/setup/storage/use", postForm(h, { device: "/dev/sdb", confirm: "USB Stick" }));
    expect(busy.status).toBe(400);
    expect(await busy.text()).toContain("/dev/sdb is in use (mounted at /mnt/usb)");

    const gone = await t.request("/setup/storage/use", postForm(h, { device: "/dev/sdz", confirm: "sdz" }));
    expect(gone.status).toBe(404);
    expect(moveJobs()).toHaveLength(0);
  });

  test("the right confirmation queues storage.move; the step then shows its progress (polling) and Finish, and no second move", async () => {
    app();
    const h = t.signIn(t.createAdmin());
    const ok = await t.request("/setup/storage/use", postForm(h, { device: "/dev/sda", confirm: " wd red <i>plus</i> " }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/setup/storage");
    expect(moveJobs().map((j) => j.payload)).toEqual([{ device: "/dev/sda", confirm: " wd red <i>plus</i> " }]);

    const html = await (await t.request("/setup/storage", { headers: h })).text();
    expect(html).toContain('hx-get="/dashboard/storage/fragments/move"');
    expect(html).toContain("Moving the data: queued");
    expect(html).toMatch(/<a class="button primary" href="\/" id="storage-finish">Finish<\/a>/);
    expect(html).not.toContain("Format and move the data");
    expect(html).not.toContain("storage-keep");
    const again = await t.request("/setup/storage/use", postForm(h, { device: "/dev/sda", confirm: "sda" }));
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("A move to a data disk is already under way.");
    expect(moveJobs()).toHaveLength(1);
  });

  test("no candidate disk: one line and Finish; disks that cannot be listed: the reason and Finish", async () => {
    app([system, inUse]);
    const h = t.signIn(t.createAdmin());
    const none = await (await t.request("/setup/storage", { headers: h })).text();
    expect(none).toContain("No other disk is attached");
    expect(none).toContain('id="storage-finish"');
    expect(none).not.toContain('<form method="post" action="/setup/storage/use"');
    t.cleanup();

    app(new Error("lsblk: not found"));
    const h2 = t.signIn(t.createAdmin());
    const broken = await (await t.request("/setup/storage", { headers: h2 })).text();
    expect(broken).toContain("Disks cannot be listed here (lsblk failed: lsblk: not found)");
    expect(broken).toContain('id="storage-finish"');
  });

  test("before the admin exists nothing is offered: the step sends everyone to sign-in, which sends them to the wizard", async () => {
    const fake = app();
    const page = await t.request("/setup/storage");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe(`${TEST_ORIGIN}/login?next=%2Fsetup%2Fstorage`);
    const login = await t.request("/login?next=%2Fsetup%2Fstorage");
    expect(login.headers.get("location")).toBe("/setup");
    expect((await t.request("/setup/storage", { headers: { "hx-request": "true" } })).status).toBe(401);
    // A POST with a valid anonymous CSRF token still needs the admin.
    const pre = "anonymous-browser";
    const anon = { cookie: `nas_pre=${pre}`, origin: TEST_ORIGIN, "sec-fetch-site": "same-origin", "x-csrf-token": hmac(t.secret, `csrf:${pre}`) };
    expect((await t.request("/setup/storage/use", postForm(anon, { device: "/dev/sda", confirm: "WD Red <i>Plus</i>" }))).status).toBe(401);
    expect(moveJobs()).toHaveLength(0);
    expect(fake.calls).toEqual([]);
  });

  test("another user gets 403; a POST without the CSRF token or from another site gets 403; nothing is queued", async () => {
    app();
    const admin = t.signIn(t.createAdmin());
    const bob = t.signIn(t.createUser("bob"));
    expect((await t.request("/setup/storage", { headers: bob })).status).toBe(403);
    expect((await t.request("/setup/storage/use", postForm(bob, { device: "/dev/sda", confirm: "WD Red <i>Plus</i>" }))).status).toBe(403);
    const { "x-csrf-token": _token, ...noToken } = admin;
    expect((await t.request("/setup/storage/use", postForm(noToken, { device: "/dev/sda", confirm: "WD Red <i>Plus</i>" }))).status).toBe(403);
    const crossSite = { ...admin, origin: "http://evil.example", "sec-fetch-site": "cross-site" };
    expect((await t.request("/setup/storage/use", postForm(crossSite, { device: "/dev/sda", confirm: "WD Red <i>Plus</i>" }))).status).toBe(403);
    expect(moveJobs()).toHaveLength(0);
  });
});
