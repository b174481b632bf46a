import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

import { blobs, files, jobs } from "../platform/db/schema";
import { createTestApp, postForm, type TestApp } from "../../test/support/app";
import { STORAGE_MOVE_JOB, DISK_COPY_JOB } from "./jobs";
import { fakeRunner } from "../../hw/testing";

let t: TestApp;
const extra: string[] = [];
afterEach(() => {
  t?.cleanup();
  while (extra.length) rmSync(extra.pop()!, { recursive: true, force: true });
});

const lsblk = JSON.stringify({
  blockdevices: [
    {
      name: "vda",
      path: "/dev/vda",
      type: "disk",
      size: 8_000_000_000,
      model: null,
      children: [
        { name: "vda1", path: "/dev/vda1", type: "part", size: 500_000_000, fstype: "vfat", mountpoints: ["/boot/efi"] },
        { name: "vda2", path: "/dev/vda2", type: "part", size: 7_000_000_000, fstype: "ext4", label: "root", uuid: "u-root", mountpoints: ["/"] },
      ],
    },
    {
      name: "sda",
      path: "/dev/sda",
      type: "disk",
      size: 1_000_204_886_016,
      model: "Samsung SSD 870",
      children: [
        { name: "sda1", path: "/dev/sda1", type: "part", size: 1_000_000_000_000, fstype: "exfat", label: "<b>holiday</b>", uuid: "u-1", mountpoints: [null] },
      ],
    },
  ],
});

function app(filesystems: { device: string; mount: string }[] = []) {
  const fake = fakeRunner((argv) => (argv[0] === "lsblk" ? { stdout: lsblk } : { code: 1, stderr: `${argv[0]} not expected` }));
  t = createTestApp({
    deps: {
      hw: {
        blockDevices: async () => [],
        filesystems: async () => filesystems.map((f) => ({ ...f, type: "tmpfs", totalBytes: 1e9, usedBytes: 0, freeBytes: 1e9 })),
        storageRun: fake.run,
        storageLoopDevices: false,
      },
    },
  });
  const admin = t.createAdmin();
  return { admin, h: t.signIn(admin), fake };
}

const moveJobs = () =>
  t.db
    .select()
    .from(jobs)
    .all()
    .filter((j) => j.kind === STORAGE_MOVE_JOB);

describe("storage page", () => {
  test("lists disks, marks the system disk without a format form, escapes labels, no inline styles or scripts", async () => {
    const { h } = app();
    const res = await t.request("/dashboard/storage", { headers: h });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("System disk: it holds the running system or the data (mounted at /boot/efi)");
    expect(html).toContain("type <code>Samsung SSD 870</code>");
    expect(html).toContain('value="/dev/sda"');
    expect(html).not.toContain('value="/dev/vda"');
    expect(html).toContain("&lt;b&gt;holiday&lt;/b&gt;");
    expect(html).not.toMatch(/\sstyle=|<script(?![^>]*\bsrc=)[^>]*>/i);
  });

  test("a wrong confirmation and the system disk are refused with the reason; the right one queues the move", async () => {
    const { h } = app();
    const wrong = await t.request("/dashboard/storage/use", postForm(h, { device: "/dev/sda", confirm: "sda1" }));
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("The confirmation does not match: type &quot;Samsung SSD 870&quot;");
    const system = await t.request("/dashboard/storage/use", postForm(h, { device: "/dev/vda", confirm: "vda" }));
    expect(system.status).toBe(400);
    expect(await system.text()).toContain("cannot be used for data");
    expect(moveJobs()).toHaveLength(0);

    const ok = await t.request("/dashboard/storage/use", postForm(h, { device: "/dev/sda", confirm: "samsung ssd 870" }));
    expect(ok.status).toBe(303);
    expect(moveJobs().map((j) => j.payload)).toEqual([{ device: "/dev/sda", confirm: "samsung ssd 870" }]);
    // While it is pending the page polls its progress and offers no second move.
    const page = await (await t.request("/dashboard/storage", { headers: h })).text();
    expect(page).toContain('hx-get="/dashboard/storage/fragments/move"');
    expect(page).not.toContain("Format and move the data");
    expect((await t.request("/dashboard/storage/use", postForm(h, { device: "/dev/sda", confirm: "sda" }))).status).toBe(409);
  });

  test("admin only", async () => {
    app();
    const user = t.createUser("bob");
    expect((await t.request("/dashboard/storage", { headers: t.signIn(user) })).status).toBe(403);
    expect((await t.request("/dashboard/storage/use", postForm(t.signIn(user), { device: "/dev/sda", confirm: "sda" }))).status).toBe(403);
  });

  test("space breakdown: originals, trash, thumbnails per user from the database and a walk", async () => {
    const { admin, h } = app();
    const at = new Date();
    t.db
      .insert(blobs)
      .values([
        { userId: admin.id, sha256: "a".repeat(64), size: 5_000_000, mime: "image/jpeg", refcount: 1, createdAt: at },
        { userId: admin.id, sha256: "b".repeat(64), size: 2_000_000, mime: "image/jpeg", refcount: 1, createdAt: at },
      ])
      .run();
    t.db
      .insert(files)
      .values([
        { id: "f1", userId: admin.id, parentId: null, kind: "file", name: "live.jpg", sha256: "a".repeat(64), size: 5_000_000, createdAt: at, updatedAt: at },
        {
          id: "f2",
          userId: admin.id,
          parentId: null,
          kind: "file",
          name: "old.jpg",
          sha256: "b".repeat(64),
          size: 2_000_000,
          createdAt: at,
          updatedAt: at,
          trashedAt: at,
          trashRootId: "f2",
        },
      ])
      .run();
    mkdirSync(join(t.dataDir, "users", admin.id, "previews", "aa"), { recursive: true });
    writeFileSync(join(t.dataDir, "users", admin.id, "previews", "aa", "p.webp"), Buffer.alloc(40_000));
    mkdirSync(join(t.dataDir, "transcodes", admin.id), { recursive: true });
    writeFileSync(join(t.dataDir, "transcodes", admin.id, "v.mp4"), Buffer.alloc(3_000_000));
    const html = await (await t.request("/dashboard/storage", { headers: h })).text();
    const perUser = html.slice(html.indexOf('data-testid="space-per-user"'));
    expect(perUser).toMatch(/<td>admin<\/td><td>5\.0 MB<\/td><td>2\.0 MB<\/td><td>4\d\.\d kB<\/td><td>3\.0 MB<\/td>/);
  });

  test("second-disk copy: the target must be another disk; run now queues one job and the card polls", async () => {
    const other = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/nas-target-") : null;
    if (other) extra.push(other);
    const { h } = app(other ? [{ device: "tmpfs", mount: other }] : []);
    const inside = await t.request("/dashboard/storage/copy/target", postForm(h, { target: join(t.dataDir, "users") }));
    expect(inside.status).toBe(400);
    expect((await t.request("/dashboard/storage/copy/run", postForm(h, {}))).status).toBe(400);
    if (!other || statSync(other).dev === statSync(t.dataDir).dev) {
      console.log("SKIPPED (part): no second filesystem to choose as a copy target");
      return;
    }
    expect((await t.request("/dashboard/storage/copy/target", postForm(h, { target: other, nightly: "on" }))).status).toBe(303);
    const run = await t.request("/dashboard/storage/copy/run", postForm({ ...h, "hx-request": "true" }, {}));
    expect(run.status).toBe(200);
    const card = await run.text();
    expect(card).toContain('hx-get="/dashboard/storage/fragments/copy"');
    expect(card).toContain("checked");
    await t.request("/dashboard/storage/copy/run", postForm(h, {}));
    expect(
      t.db
        .select()
        .from(jobs)
        .all()
        .filter((j) => j.kind === DISK_COPY_JOB),
    ).toHaveLength(1);
  });
});
