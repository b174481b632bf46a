// Factory reset end to end without a box: the typed confirmation on the page, the audit row, the root worker's
// marker and reboot, then the boot steps (os/rootfs-overlay/usr/lib/nas/factory-reset) on temp directories laid
// out as the state and data partitions are. Also the slots after a rollback, as the page shows them.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fakeRunner } from "../../hw/testing";
import { auditLog } from "../platform/db/schema";
import { factoryResetHandler, updateRebootHandler, updateStatusHandler } from "./root-jobs";
import type { JobContext } from "../platform/queue/queue";
import { createTestApp, postForm, type TestApp } from "../../test/support/app";

const script = resolve(import.meta.dir, "../../os/rootfs-overlay/usr/lib/nas/factory-reset");
const ctx: JobContext = { progress: () => {}, log: () => {}, signal: new AbortController().signal };
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "nas-reset-"));
  dirs.push(d);
  return d;
};
let t: TestApp;
afterEach(() => {
  t?.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function app() {
  t = createTestApp();
  const admin = t.createAdmin();
  return { admin, h: t.signIn(admin) };
}

describe("factory reset from the dashboard", () => {
  test("needs the typed phrase of its mode; a wrong one changes nothing and is audited as refused", async () => {
    const { h } = app();
    const confirm = await (await t.request("/dashboard/system?reset=keep-files", { headers: h })).text();
    expect(confirm).toContain("Type &quot;reset&quot; to confirm");
    expect(confirm).toContain("Your files, photos and backups stay on the data disk");
    const wrong = await t.request("/dashboard/system/reset", postForm(h, { mode: "erase-all", confirm: "reset" }));
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("Type &quot;erase everything&quot; to confirm.");
    expect(t.services.jobs.lastOfKind("system.factory-reset")).toBeUndefined();
    const ok = await t.request("/dashboard/system/reset", postForm(h, { mode: "erase-all", confirm: " Erase Everything " }));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("restarts into the setup wizard");
    expect(t.services.jobs.lastOfKind("system.factory-reset")?.payload).toMatchObject({ mode: "erase-all" });
    const audit = t.db
      .select()
      .from(auditLog)
      .all()
      .filter((r) => r.action.startsWith("system.factory-reset"));
    expect(audit.map((r) => [r.action, r.ok])).toEqual([
      ["system.factory-reset.erase-all", false],
      ["system.factory-reset.erase-all", true],
    ]);
  });

  test("the root worker leaves the mode on the state partition and reboots; after the reboot it does nothing again", async () => {
    const state = tempDir();
    mkdirSync(join(state, "etc"));
    const run = fakeRunner(() => ({}));
    const requestedAt = new Date().toISOString();
    const job = { payload: { mode: "keep-files", requestedAt } } as never;
    await factoryResetHandler({ dataDir: tempDir(), stateDir: state, run: run.run, bootTime: () => new Date(Date.now() - 60_000) })(job, ctx);
    expect(readFileSync(join(state, "factory-reset"), "utf8")).toBe("keep-files\n");
    expect(run.calls).toEqual([["systemctl", "reboot"]]);
    // The job was still "running" when the box went down: the worker runs it again after the boot.
    rmSync(join(state, "factory-reset"));
    await factoryResetHandler({ dataDir: tempDir(), stateDir: state, run: run.run, bootTime: () => new Date(Date.now() + 1000) })(job, ctx);
    expect(existsSync(join(state, "factory-reset"))).toBe(false);
    expect(run.calls.length).toBe(1);
    await updateRebootHandler({ dataDir: tempDir(), run: run.run, bootTime: () => new Date(Date.now() + 1000) })({ payload: { requestedAt } } as never, ctx);
    expect(run.calls.length).toBe(1);
  });
});

/** A state partition and a data partition as the box has them after months of use. */
function box() {
  const state = tempDir();
  const data = tempDir();
  const files: Record<string, string> = {
    "state/etc/upper/hostname": "living-room\n",
    "state/etc/upper/ssh/ssh_host_ed25519_key": "host key",
    "state/etc/upper/machine-id": "0123456789abcdef0123456789abcdef\n",
    "state/var/upper/log/journal/x.journal": "logs",
    "state/rauc.status": "[slot.rootfs.1]\nbundle.version=1.1.0\n",
    "data/nasd/db.sqlite": "the database",
    "data/nasd/db.sqlite-wal": "wal",
    "data/nasd/secret.key": "instance secret",
    "data/nasd/system-settings.json": '{"hostname":"living-room"}',
    "data/nasd/users/u1/blobs/ab/cd/abcd": "a photo",
    "data/nasd/backups/db-20261130-030000.sqlite": "a backup",
    "data/nasd/update/staged/x.raucb": "a bundle",
    "data/tls/ca.key": "ca key",
    "data/tls/server.crt": "cert",
    "data/nas-storage.json": '{"disk":"…"}',
  };
  for (const [rel, text] of Object.entries(files)) {
    const [part, ...rest] = rel.split("/");
    const path = join(part === "state" ? state : data, ...rest);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, text);
  }
  const tree = (root: string): string[] =>
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
      .sort();
  const sh = (...args: string[]) => Bun.spawnSync(["sh", script, ...args], { stderr: "pipe", stdout: "pipe" });
  return { state, data, tree, sh };
}

describe("factory reset at boot (os/rootfs-overlay/usr/lib/nas/factory-reset)", () => {
  test("keep my files: system state, CA and accounts go; files, backups, RAUC's slot status and the data-disk choice stay", () => {
    const b = box();
    writeFileSync(join(b.state, "factory-reset"), "keep-files\n");
    expect(b.sh("state", b.state).exitCode).toBe(0);
    expect(b.tree(b.state)).toEqual(["factory-reset-data", "rauc.status"]);
    expect(b.sh("data", b.state, b.data).exitCode).toBe(0);
    expect(b.tree(b.state)).toEqual(["rauc.status"]);
    const after = b.tree(b.data);
    const aside = after.find((p) => p.startsWith("nasd/factory-reset-"))!.split("/")[1];
    expect(after).toEqual(
      [
        "nas-storage.json",
        "nasd/backups/db-20261130-030000.sqlite",
        `nasd/${aside}/db.sqlite`,
        `nasd/${aside}/db.sqlite-wal`,
        `nasd/${aside}/secret.key`,
        `nasd/${aside}/system-settings.json`,
        "nasd/users/u1/blobs/ab/cd/abcd",
      ].sort(),
    );
  });

  test("erase everything: the data directory and the CA are emptied; RAUC's slot status and the data-disk choice stay", () => {
    const b = box();
    writeFileSync(join(b.state, "factory-reset"), "erase-all\n");
    b.sh("state", b.state);
    expect(b.sh("data", b.state, b.data).exitCode).toBe(0);
    expect(b.tree(b.data)).toEqual(["nas-storage.json"]);
    expect(readdirSync(join(b.data, "nasd"))).toEqual([]);
    expect(b.tree(b.state)).toEqual(["rauc.status"]);
  });

  test("a power cut between the steps repeats only what is left; no marker, nothing happens", () => {
    const b = box();
    expect(b.sh("state", b.state).exitCode).toBe(0);
    expect(b.sh("data", b.state, b.data).exitCode).toBe(0);
    expect(b.tree(b.data)).toContain("nasd/db.sqlite"); // nothing asked: nothing reset
    writeFileSync(join(b.state, "factory-reset"), "keep-files\n");
    b.sh("state", b.state);
    // Power cut before the data step ran: the next boot's preinit finds no state marker, the data step still runs.
    expect(b.sh("state", b.state).exitCode).toBe(0);
    expect(b.sh("data", b.state, b.data).exitCode).toBe(0);
    expect(b.tree(b.data).some((p) => p === "nasd/db.sqlite")).toBe(false);
  });
});

describe("slots on the page", () => {
  test("after a rollback the page says so plainly, with the version that failed", async () => {
    const { h } = app();
    const status = {
      compatible: "nas-x86_64",
      booted: "B",
      boot_primary: "rootfs.1",
      slots: [
        {
          "rootfs.0": {
            class: "rootfs",
            bootname: "A",
            boot_status: "bad",
            slot_status: { bundle: { version: "1.2.0+broken" }, installed: { timestamp: "2026-11-30T14:00:00Z" } },
          },
        },
        {
          "rootfs.1": {
            class: "rootfs",
            bootname: "B",
            boot_status: "good",
            slot_status: { bundle: { version: "1.1.0+n1" }, installed: { timestamp: "2026-11-30T13:00:00Z" } },
          },
        },
      ],
    };
    const osRelease = join(t.dataDir, "os-release");
    writeFileSync(osRelease, "IMAGE_VERSION=1.1.0+n1\n");
    const rauc = fakeRunner(() => ({ stdout: JSON.stringify(status) }));
    await updateStatusHandler({ dataDir: t.dataDir, run: rauc.run, osRelease })({ payload: {} } as never, ctx);
    const page = await (await t.request("/dashboard/system", { headers: h })).text();
    expect(page).toContain("The update to 1.2.0+broken did not start properly, so the box went back to slot B.");
    expect(page).toMatch(/<td>B \(running\)<\/td><td>1\.1\.0\+n1<\/td><td>good<\/td>/);
    expect(page).toMatch(/<td>A<\/td><td>1\.2\.0\+broken<\/td><td>not marked good<\/td>/);
  });
});

test("folders and results the root worker makes in the data dir belong to the data dir's owner (the web process writes there too)", async () => {
  if (process.getuid?.() !== 0) return expect(process.getuid?.()).not.toBe(0); // only root can give files away
  const dataDir = tempDir();
  Bun.spawnSync(["chown", "4321:4321", dataDir]);
  const rauc = fakeRunner(() => ({ code: 1, stderr: "no rauc service" }));
  await updateStatusHandler({ dataDir, run: rauc.run })({ payload: {} } as never, ctx);
  const { statSync } = await import("node:fs");
  expect(statSync(join(dataDir, "update")).uid).toBe(4321);
  expect(statSync(join(dataDir, "update/slots.json")).uid).toBe(4321);
});
