// The update channel against a real HTTP server on 127.0.0.1: an index signed by os/scripts/sign-index.sh with
// real keys, checked with openssl against the box's keyring; tampered, wrong key, older, unreachable, hostile.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createTestApp, postForm, type TestApp } from "../../test/support/app";
import { createJobRunner } from "../platform/queue/runner";
import { isNewer } from "./channel";
import { updateWebJobs } from "./jobs";
import { makeBundle, makeKeys, type Keys } from "../../test/support/update";
import { dataPaths } from "../platform/paths";

const repo = resolve(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "nas-channel-"));
let keys: Keys;
let otherKeys: Keys;
/** Folders served as they are: /<folder>/<file>. */
const site = join(work, "site");
let server: ReturnType<typeof Bun.serve>;
let origin: string;

function signIndex(folder: string, k: Keys) {
  const p = Bun.spawnSync([join(repo, "os/scripts/sign-index.sh"), folder], {
    env: { ...process.env, NAS_KEYRING: k.keyring, NAS_SIGNING_CERT: k.cert, NAS_SIGNING_KEY: k.key },
    stderr: "pipe",
  });
  if (p.exitCode !== 0) throw new Error(p.stderr.toString());
}

/** A channel folder with one bundle of `version`, its index signed by `k`. */
function channel(name: string, version: string, k: Keys = keys) {
  const folder = join(site, name);
  mkdirSync(folder, { recursive: true });
  makeBundle(folder, keys, { compatible: "nas-x86_64", version, name: `nas-x86_64-${version}.raucb` });
  signIndex(folder, keys);
  if (k !== keys) {
    const index = join(folder, "index.json");
    Bun.spawnSync(["openssl", "cms", "-sign", "-binary", "-in", index, "-signer", k.cert, "-inkey", k.key, "-outform", "PEM", "-out", `${index}.sig`]);
  }
  return `${origin}/${name}/index.json`;
}

beforeAll(() => {
  keys = makeKeys(join(work, "keys"), "release");
  otherKeys = makeKeys(join(work, "keys"), "other");
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => {
      const path = join(site, decodeURIComponent(new URL(req.url).pathname));
      return path.startsWith(site) ? new Response(Bun.file(path)) : new Response("no", { status: 404 });
    },
    error: () => new Response("not found", { status: 404 }),
  });
  origin = `http://127.0.0.1:${server.port}`;
});
afterAll(() => {
  server.stop(true);
  rmSync(work, { recursive: true, force: true });
});

let t: TestApp;
afterEach(() => t?.cleanup());

function app() {
  t = createTestApp({
    deps: { hw: { updates: { compatible: () => "nas-x86_64", version: () => "1.2.0+aaa", keyring: keys.keyring, freeBytes: () => 10 * 1024 ** 3 } } },
  });
  const admin = t.createAdmin();
  const h = t.signIn(admin);
  const setChannel = (url: string, auto = false) => t.request("/dashboard/system/update/channel", postForm(h, { url, ...(auto ? { auto: "1" } : {}) }));
  const check = (download = false) => t.request("/dashboard/system/update/channel/check", postForm(h, download ? { download: "1" } : {}));
  return { h, setChannel, check };
}

describe("update channel", () => {
  test("a signed index with a newer version: Check now says so; Check and download fetches it, checks its sha256 and stages it for RAUC's check", async () => {
    const url = channel("good", "1.3.0+bbb");
    const { setChannel, check } = app();
    expect((await setChannel(url)).status).toBe(303);
    expect(t.services.update.state().channel).toMatchObject({ url, autoDownload: false });
    const checked = await check();
    expect(checked.status).toBe(200);
    const page = await checked.text();
    expect(page).toContain("Version 1.3.0+bbb is available (this box runs 1.2.0+aaa).");
    expect(t.services.update.state().staged).toBeNull(); // Check now downloads nothing

    const downloaded = await check(true);
    expect(downloaded.status).toBe(200);
    const staged = t.services.update.state().staged!;
    expect(staged).toMatchObject({ name: "nas-x86_64-1.3.0+bbb.raucb", source: "channel", info: null });
    expect(readFileSync(join(dataPaths(t.dataDir).updateStaged, `${staged.id}.raucb`))).toEqual(readFileSync(join(site, "good/nas-x86_64-1.3.0+bbb.raucb")));
    // Still checked by RAUC before it can be installed.
    expect(t.services.jobs.lastOfKind("update.inspect")?.payload).toEqual({ bundleId: staged.id });
  });

  test("an index changed after signing is refused, and nothing is downloaded", async () => {
    const url = channel("tampered", "1.3.0+ccc");
    const index = join(site, "tampered/index.json");
    writeFileSync(index, readFileSync(index, "utf8").replace("1.3.0+ccc", "9.9.9+ccc"));
    const { setChannel, check } = app();
    await setChannel(url);
    const r = await check(true);
    expect(r.status).toBe(502);
    expect(await r.text()).toContain("The channel&#x27;s index is not signed with this box&#x27;s update key");
    expect(t.services.update.state().staged).toBeNull();
    expect(t.services.update.state().channel.lastCheck).toMatchObject({ state: "error" });
  });

  test("an index signed with another key is refused", async () => {
    const url = channel("other-key", "1.3.0+ddd", otherKeys);
    const { setChannel, check } = app();
    await setChannel(url);
    const r = await check(true);
    expect(r.status).toBe(502);
    expect(await r.text()).toContain("not signed with this box&#x27;s update key");
    expect(t.services.update.state().staged).toBeNull();
  });

  test("an older (or the same) version is not offered", async () => {
    const url = channel("older", "1.1.5+eee");
    const { setChannel, check } = app();
    await setChannel(url);
    const page = await (await check(true)).text();
    expect(page).toContain("Up to date: the channel&#x27;s newest is 1.1.5+eee; this box runs 1.2.0+aaa.");
    expect(t.services.update.state().staged).toBeNull();
    expect(isNewer("1.2.0+zzz", "1.2.0+aaa")).toBe(false);
    expect(isNewer("1.10.0", "1.9.9")).toBe(true);
  });

  test("an unreachable server is a clear error", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const port = closed.port;
    closed.stop(true);
    const { setChannel, check } = app();
    await setChannel(`http://127.0.0.1:${port}/nas/index.json`);
    const r = await check();
    expect(r.status).toBe(502);
    expect(await r.text()).toContain("The update channel cannot be reached");
  });

  test("file://, ftp:// and other schemes are refused as a channel; credentials too", async () => {
    const { setChannel } = app();
    for (const [url, message] of [
      ["file:///etc/shadow", "Only http:// and https:// channels are allowed (not file)"],
      ["ftp://example.com/index.json", "Only http:// and https:// channels are allowed (not ftp)"],
      ["javascript:alert(1)", "Only http:// and https:// channels are allowed (not javascript)"],
      ["not a url", "Give the full address of the channel"],
      ["https://user:pw@example.com/index.json", "Leave credentials out of the channel address"],
    ] as const) {
      const r = await setChannel(url);
      expect(r.status).toBe(400);
      expect(await r.text()).toContain(message);
    }
    expect(t.services.update.state().channel.url).toBeNull();
  });

  test("a signed index pointing at a bundle on another scheme (file:) is refused", async () => {
    const folder = join(site, "file-url");
    mkdirSync(folder, { recursive: true });
    signIndex(folder, keys); // an empty index, then one entry with a file: URL, signed again
    const index = join(folder, "index.json");
    writeFileSync(
      index,
      JSON.stringify({ bundles: [{ version: "2.0.0", compatible: "nas-x86_64", url: "file:///data/nasd/db.sqlite", sha256: "a".repeat(64) }] }),
    );
    Bun.spawnSync(["openssl", "cms", "-sign", "-binary", "-in", index, "-signer", keys.cert, "-inkey", keys.key, "-outform", "PEM", "-out", `${index}.sig`]);
    const { setChannel, check } = app();
    await setChannel(`${origin}/file-url/index.json`);
    const r = await check(true);
    expect(r.status).toBe(502);
    expect(await r.text()).toContain("is on a file: address; only http(s) is followed");
    expect(t.services.update.state().staged).toBeNull();
  });

  test("a bundle whose bytes do not match the signed sha256 is deleted, not staged", async () => {
    const url = channel("swapped", "1.4.0+fff");
    // Another validly signed bundle put in its place after the index was signed.
    const other = makeBundle(mkdtempSync(join(work, "other-")), keys, { compatible: "nas-x86_64", version: "1.4.0+fff" });
    copyFileSync(other, join(site, "swapped/nas-x86_64-1.4.0+fff.raucb"));
    const { setChannel, check } = app();
    await setChannel(url);
    const r = await check(true);
    expect(r.status).toBe(502);
    expect(await r.text()).toContain("does not match the sha256 in the signed index");
    expect(t.services.update.state().staged).toBeNull();
    expect(readdirSync(join(t.dataDir, "update")).filter((n) => n.startsWith("download-"))).toEqual([]);
  });

  test("automatic download is off by default, and on only when asked; it downloads and stages, never installs", async () => {
    const url = channel("auto", "1.5.0+ggg");
    const { setChannel } = app();
    await setChannel(url);
    expect(t.services.update.state().channel.autoDownload).toBe(false);
    // The check the worker queues every 6 hours, run by the web process's lane (the one with the network).
    const webLane = createJobRunner({ queue: t.services.jobs, handlers: updateWebJobs.handlers(t.services), log: () => {} });
    const periodicCheck = async () => {
      t.services.jobs.enqueue("update.channel-check");
      expect(await webLane.runOnce()).toBe(true);
      expect(t.services.jobs.lastOfKind("update.channel-check")?.status).toBe("done");
    };
    await periodicCheck();
    expect(t.services.update.state().staged).toBeNull();
    expect(t.services.update.state().channel.lastCheck).toBeNull(); // not even asked

    await setChannel(url, true);
    expect(t.services.update.state().channel.autoDownload).toBe(true);
    await periodicCheck();
    expect(t.services.update.state().staged).toMatchObject({ name: "nas-x86_64-1.5.0+ggg.raucb", source: "channel" });
    expect(t.services.jobs.lastOfKind("update.inspect")).toBeDefined();
    expect(t.services.jobs.lastOfKind("update.install")).toBeUndefined();
  });
});
