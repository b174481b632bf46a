// Dashboard → System → Update through the real app: tus upload into the staging area, the root worker's check
// with the real `rauc info` (host package) against a temp keyring, install/reboot jobs, and hostile input.
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, copyFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeRunner } from "../../hw/testing";
import { auditLog } from "../platform/db/schema";
import { updateInspectHandler, updateInstallHandler, type UpdateJobDeps } from "./root-jobs";
import type { JobContext, TypedJob } from "../platform/queue/queue";
import type { JobKind } from "../jobs";
import { createTestApp, postForm, type TestApp } from "../../test/support/app";
import { makeBundle, makeKeys, makeSystemConf, type Keys } from "../../test/support/update";
import { dataPaths } from "../platform/paths";

const work = mkdtempSync(join(tmpdir(), "nas-update-routes-"));
let keys: Keys;
let otherKeys: Keys;
let good: string;
let wrongKey: string;
let wrongBoard: string;
let systemConf: string;
beforeAll(() => {
  keys = makeKeys(join(work, "keys"), "release");
  otherKeys = makeKeys(join(work, "keys"), "other");
  good = makeBundle(work, keys, { compatible: "nas-x86_64", version: "1.1.0+next" });
  wrongKey = makeBundle(work, otherKeys, { compatible: "nas-x86_64", version: "1.1.0+other", name: "other-key.raucb" });
  wrongBoard = makeBundle(work, keys, { compatible: "nas-rpi4_64", version: "1.1.0+pi" });
  systemConf = makeSystemConf(work, "nas-x86_64");
});

let t: TestApp;
afterEach(() => t?.cleanup());

function app(opts: { freeBytes?: number } = {}) {
  t = createTestApp({
    deps: {
      hw: {
        updates: { compatible: () => "nas-x86_64", version: () => "1.0.0+now", keyring: keys.keyring, freeBytes: () => opts.freeBytes ?? 10 * 1024 ** 3 },
      },
    },
  });
  const admin = t.createAdmin();
  return { admin, h: t.signIn(admin) };
}

const tus = { "tus-resumable": "1.0.0" };
const meta = (name: string) => `filename ${Buffer.from(name).toString("base64")}`;

/** A tus upload as the page's client does it: creation, then two PATCHes (resumed from HEAD's offset). */
async function upload(h: Record<string, string>, file: string, name: string) {
  const bytes = readFileSync(file);
  const created = await t.request("/dashboard/system/update/uploads", {
    method: "POST",
    headers: { ...h, ...tus, "upload-length": String(bytes.length), "upload-metadata": meta(name) },
  });
  if (created.status !== 201) return { status: created.status, text: await created.text(), id: null };
  const location = created.headers.get("location")!;
  const half = Math.floor(bytes.length / 2);
  const first = await t.request(location, {
    method: "PATCH",
    headers: { ...h, ...tus, "upload-offset": "0", "content-type": "application/offset+octet-stream" },
    body: bytes.subarray(0, half),
  });
  expect(first.status).toBe(204);
  const head = await t.request(location, { method: "HEAD", headers: { ...h, ...tus } });
  const offset = Number(head.headers.get("upload-offset"));
  expect(offset).toBe(half);
  const last = await t.request(location, {
    method: "PATCH",
    headers: { ...h, ...tus, "upload-offset": String(offset), "content-type": "application/offset+octet-stream" },
    body: bytes.subarray(offset),
  });
  return { status: last.status, text: await last.text(), id: last.headers.get("x-bundle-id") };
}

const ctx = (progress: number[] = []): JobContext => ({ progress: (p) => progress.push(p), log: () => {}, signal: new AbortController().signal });
const job = <K extends JobKind>(kind: K, payload: TypedJob["payload"]) => ({ id: 1, kind, payload, attempts: 1 }) as unknown as TypedJob<never, never>;
const rootDeps = (): UpdateJobDeps => ({ dataDir: t.dataDir, keyring: keys.keyring, systemConf });

/** What the root storage worker does with the queued `update.inspect`, with the real rauc. */
async function runInspect() {
  const queued = t.services.jobs.lastOfKind("update.inspect")!;
  await updateInspectHandler(rootDeps())(job("update.inspect", queued.payload) as never, ctx());
  t.services.jobs.finish(queued.id);
}

describe("update page", () => {
  test("upload (resumed) → RAUC's check → install with progress → reboot into it", async () => {
    const { h } = app();
    const up = await upload(h, good, "nas-x86_64-1.1.0+next.raucb");
    expect(up.status).toBe(204);
    expect(up.id).toMatch(/^[0-9a-f]{32}$/);
    // Staged on the data disk, outside every Drive; tus's partial files are gone.
    expect(readdirSync(dataPaths(t.dataDir).updateStaged).sort()).toEqual([`${up.id}.json`, `${up.id}.raucb`]);
    expect(readdirSync(dataPaths(t.dataDir).updateUploads)).toEqual([]);

    let page = await (await t.request("/dashboard/system", { headers: h })).text();
    expect(page).toContain("Checking the signature and the board");
    expect(page).toContain('hx-trigger="load delay:1s"');

    await runInspect();
    page = await (await t.request("/dashboard/system/fragments/update", { headers: h })).text();
    expect(page).toContain("Version 1.1.0+next for nas-x86_64: signature valid (CN = release bundle signing)");
    expect(page).not.toContain("hx-trigger");

    const started = await t.request("/dashboard/system/update/install", postForm(h, { bundleId: up.id! }));
    expect(started.status).toBe(303);
    const install = t.services.jobs.claimNextJob(["update.install"])!;
    // rauc install cannot run on the build host: a fake RAUC prints progress as the real one does.
    const rauc = fakeRunner((argv) =>
      argv[1] === "install"
        ? { stdout: "installing\n  0% Installing\n 20% Checking bundle\n 40% Copying image to rootfs.1\n100% Installing done.\n" }
        : { code: 1, stderr: "no rauc service" },
    );
    const seen: number[] = [];
    const deps = {
      ...rootDeps(),
      run: async (argv: readonly string[], o?: { onStdout?: (s: string) => void }) => {
        const r = await rauc.run(argv);
        for (const line of r.stdout.split(/(?<=\n)/)) o?.onStdout?.(line); // line by line, as RAUC prints it
        return r;
      },
    };
    await updateInstallHandler(deps as UpdateJobDeps)(job("update.install", install.payload) as never, ctx(seen));
    expect(seen).toContain(40);
    expect(rauc.calls[0]).toEqual(["rauc", "install", join(dataPaths(t.dataDir).updateStaged, `${up.id}.raucb`)]);
    t.services.jobs.finish(install.id);

    page = await (await t.request("/dashboard/system", { headers: h })).text();
    expect(page).toContain("is installed in the other slot");
    expect(page).toContain("Reboot into it");
    expect((await t.request("/dashboard/system/update/reboot", postForm(h))).status).toBe(303);
    expect(t.services.jobs.lastOfKind("update.reboot")?.status).toBe("queued");
    const audit = t.db
      .select()
      .from(auditLog)
      .all()
      .map((r) => r.action);
    expect(audit).toEqual(expect.arrayContaining(["update.install", "update.reboot"]));
  });

  test("progress while installing: the page polls and shows RAUC's percentage", async () => {
    const { h } = app();
    const up = await upload(h, good, "next.raucb");
    await runInspect();
    await t.request("/dashboard/system/update/install", postForm(h, { bundleId: up.id! }));
    const install = t.services.jobs.claimNextJob(["update.install"])!;
    t.services.jobs.progress(install.id, 40);
    const fragment = await (await t.request("/dashboard/system/fragments/update", { headers: h })).text();
    expect(fragment).toContain("Installing… 40%");
    expect(fragment).toContain('<progress max="100" value="40">');
    expect(fragment).toContain('hx-trigger="load delay:1s"');
    const again = await t.request("/dashboard/system/update/install", postForm(h, { bundleId: up.id! }));
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("already being installed");
    // A second upload meanwhile would replace the bundle RAUC is reading: refused until the install ends.
    const other = await upload(h, good, "other.raucb");
    expect(other.status).toBe(409);
    expect(other.text).toContain("An update is being installed");
    expect(t.services.update.state().staged?.id).toBe(up.id!);
  });

  for (const [what, file, message] of [
    ["signed with another key", () => wrongKey, "update key (signature verification failed"],
    ["made for another board", () => wrongBoard, "This bundle is for another board (nas-rpi4_64; this box is nas-x86_64)"],
  ] as const) {
    test(`a bundle ${what} is refused with a clear message and cannot be installed`, async () => {
      const { h } = app();
      const up = await upload(h, file(), "refused.raucb");
      expect(up.status).toBe(204);
      await runInspect();
      const page = await (await t.request("/dashboard/system", { headers: h })).text();
      expect(page).toContain('data-testid="bundle-refused"');
      expect(page).toContain(message);
      const install = await t.request("/dashboard/system/update/install", postForm(h, { bundleId: up.id! }));
      expect(install.status).toBe(400);
      expect(t.services.jobs.lastOfKind("update.install")).toBeUndefined();
    });
  }

  test("a damaged (truncated) bundle is refused as not a complete bundle", async () => {
    const { h } = app();
    const damaged = join(work, "damaged.raucb");
    copyFileSync(good, damaged);
    truncateSync(damaged, 60_000);
    expect((await upload(h, damaged, "damaged.raucb")).status).toBe(204);
    await runInspect();
    const page = await (await t.request("/dashboard/system", { headers: h })).text();
    expect(page).toContain("The file is not a complete update bundle (damaged, truncated or not a bundle)");
  });
});

describe("hostile uploads", () => {
  test("a file that is not a bundle (but named .raucb) is refused and removed; nothing is staged or queued", async () => {
    const { h } = app();
    const fake = join(work, "photo.raucb");
    writeFileSync(fake, "\xff\xd8\xff\xe0 this is a JPEG really");
    const up = await upload(h, fake, "photo.raucb");
    expect(up.status).toBe(400);
    expect(up.text).toContain('"photo.raucb" is not an update bundle (it is not a RAUC bundle)');
    expect(existsSync(dataPaths(t.dataDir).updateStaged) ? readdirSync(dataPaths(t.dataDir).updateStaged) : []).toEqual([]);
    expect(readdirSync(dataPaths(t.dataDir).updateUploads).filter((n) => !n.endsWith(".json"))).toEqual([]);
    expect(t.services.jobs.lastOfKind("update.inspect")).toBeUndefined();
  });

  test("a name that is not a bundle's is refused before a byte is stored", async () => {
    const { h } = app();
    const r = await t.request("/dashboard/system/update/uploads", {
      method: "POST",
      headers: { ...h, ...tus, "upload-length": "1000", "upload-metadata": meta("setup.exe") },
    });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain("bundles end in .raucb");
  });

  test("an upload larger than the free space (or than any bundle) is refused before a byte is stored", async () => {
    const { h } = app({ freeBytes: 300 * 1024 ** 2 });
    const big = await t.request("/dashboard/system/update/uploads", {
      method: "POST",
      headers: { ...h, ...tus, "upload-length": String(200 * 1024 ** 2), "upload-metadata": meta("nas.raucb") },
    });
    expect(big.status).toBe(507);
    expect(await big.text()).toContain("not enough free space on the data disk");
    const huge = await t.request("/dashboard/system/update/uploads", {
      method: "POST",
      headers: { ...h, ...tus, "upload-length": String(20 * 1024 ** 3), "upload-metadata": meta("nas.raucb") },
    });
    expect(huge.status).toBe(413);
    expect(readdirSync(dataPaths(t.dataDir).updateUploads)).toEqual([]);
  });

  test("path traversal in the name stays a display name; in the upload id it is a 404", async () => {
    const { h } = app();
    const up = await upload(h, good, "../../../etc/cron.d/evil.raucb");
    expect(up.status).toBe(204);
    const state = (await (await t.request("/dashboard/system/state", { headers: h })).json()) as { staged: { name: string } };
    expect(state.staged.name).toBe("evil.raucb");
    expect(readdirSync(dataPaths(t.dataDir).updateStaged).every((n) => n.startsWith(up.id!))).toBe(true);
    for (const id of ["..%2F..%2Fdb.sqlite", "../x", "0123"]) {
      const r = await t.request(`/dashboard/system/update/uploads/${id}`, { method: "HEAD", headers: { ...h, ...tus } });
      expect([404, 400]).toContain(r.status);
    }
    const bad = await t.request("/dashboard/system/update/install", postForm(h, { bundleId: "../../db" }));
    expect(bad.status).toBe(404);
  });

  test("a server that is not the appliance image takes no bundle, and says why", async () => {
    t = createTestApp({ deps: { hw: { updates: { compatible: () => null, version: () => "unknown" } } } });
    const h = t.signIn(t.createAdmin());
    const r = await t.request("/dashboard/system/update/uploads", {
      method: "POST",
      headers: { ...h, ...tus, "upload-length": "1000", "upload-metadata": meta("nas.raucb") },
    });
    expect(r.status).toBe(409);
    expect(await r.text()).toContain("not the appliance image");
    expect(await (await t.request("/dashboard/system", { headers: h })).text()).toContain("Only the appliance image has A/B slots.");
  });

  test("only the admin: another user gets 403 on the page, the upload and the state", async () => {
    app();
    const bob = t.signIn(t.createUser("bob"));
    for (const [path, init] of [
      ["/dashboard/system", { headers: bob }],
      ["/dashboard/system/state", { headers: bob }],
      ["/dashboard/system/update/uploads", { method: "POST", headers: { ...bob, ...tus, "upload-length": "10", "upload-metadata": meta("a.raucb") } }],
    ] as const) {
      expect((await t.request(path, init)).status).toBe(403);
    }
  });
});

process.on("exit", () => rmSync(work, { recursive: true, force: true }));
