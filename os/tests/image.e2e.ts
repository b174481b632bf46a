#!/usr/bin/env bun
/**
 * qemu smoke test of the flashed image (make image-test). Boots out/nas-x86_64.img the way a box
 * does — UEFI firmware (OVMF) → systemd-boot → kernel → squashfs root — on a disk larger than the
 * image, under TCG, with user networking forwarded to 127.0.0.1 only and no route out of the guest.
 *
 * Checked from outside, as a person on the LAN would: the service answers over https, the wizard is
 * served, the TLS chain verifies (curl, SNI nas.local) against the CA downloaded from the box over
 * plain http, the data partition was grown (GPT read on the host + the console status line), / is
 * read-only (console status line, printed by nas-console-banner.service from /proc/mounts), and after
 * a clean power-off and a second boot of the same disk the CA that the first boot wrote to the data
 * partition is served unchanged.
 *
 * On the first boot Debian's Chromium then does what the owner does: trusts the box's CA (an NSS
 * database, as after importing ca.crt), opens https://nas.local (no port: the origin and WebAuthn rpID
 * the box announces; --host-resolver-rules points the name at the forwarded port), walks the setup
 * wizard with a virtual authenticator, and reads the admin dashboard the box renders from its own
 * hardware: CPU, memory, temperature, network, data storage, the disk /dev/vda with SMART or the
 * reason why not, the alerts page, and a backup the worker writes on "Back up now".
 */
import { spawn, spawnSync, type Subprocess } from "bun";
import { createHash } from "node:crypto";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { Database } from "bun:sqlite";
import type { Page } from "playwright-core";
import { addVirtualAuthenticator, fillWizardToSummary, launchBrowser, watchPageErrors } from "../../test/support/browser";

const repo = resolve(import.meta.dir, "../..");
const image = process.env.IMAGE ?? join(repo, "out/nas-x86_64.img");
const DISK_BYTES = 4 * 1024 ** 3;
const BOOT_TIMEOUT_MS = Number(process.env.BOOT_TIMEOUT_S ?? 300) * 1000;
const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
const OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Boot = { qemu: Subprocess; serialLog: string; monitor: string; https: number; http: number; ssh: number; startedAt: number };

/** Power on. `-no-reboot`: a reboot of the guest ends qemu, and the test powers it on again (same disk, same firmware variables). */
async function boot(work: string, disk: string, label: string, opts: { secondDisk?: string } = {}): Promise<Boot> {
  const https = await freePort();
  const http = await freePort();
  const sshPort = await freePort();
  const serialLog = join(work, `serial-${label}.log`);
  const monitor = join(work, `monitor-${label}.sock`);
  const startedAt = performance.now();
  const qemu = spawn(
    [
      // A box with one disk and one network port: no default CD drive, no network boot ROM.
      "qemu-system-x86_64",
      "-nodefaults",
      "-accel",
      "tcg",
      "-machine",
      "q35",
      "-cpu",
      "max",
      "-smp",
      "2",
      "-m",
      "1536",
      "-drive",
      `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`,
      "-drive",
      `if=pflash,format=raw,file=${join(work, "OVMF_VARS.fd")}`,
      "-drive",
      `if=none,id=disk,file=${disk},format=raw`,
      "-device",
      "virtio-blk-pci,drive=disk,bootindex=0",
      // restrict=on: the guest reaches nothing beyond qemu's own DHCP; only these forwards come in.
      // A USB stick flashed with the same image, plugged in as a second disk.
      ...(opts.secondDisk ? ["-drive", `if=none,id=disk2,file=${opts.secondDisk},format=raw`, "-device", "virtio-blk-pci,drive=disk2"] : []),
      "-netdev",
      `user,id=lan,restrict=on,hostfwd=tcp:127.0.0.1:${https}-:443,hostfwd=tcp:127.0.0.1:${http}-:80,hostfwd=tcp:127.0.0.1:${sshPort}-:22`,
      "-device",
      "virtio-net-pci,netdev=lan,romfile=",
      "-display",
      "none",
      "-serial",
      `file:${serialLog}`,
      "-monitor",
      `unix:${monitor},server,nowait`,
      "-no-reboot",
    ],
    { stdout: "inherit", stderr: "inherit" },
  );
  return { qemu, serialLog, monitor, https, http, ssh: sshPort, startedAt };
}

const serial = (b: Boot) => (existsSync(b.serialLog) ? readFileSync(b.serialLog, "latin1") : "");

/** Seconds from power-on until GET https://…/healthz answers 200 (certificate not yet trusted). */
async function waitForHttps(b: Boot): Promise<number | null> {
  while (performance.now() - b.startedAt < BOOT_TIMEOUT_MS) {
    if (b.qemu.exitCode !== null) return null;
    try {
      const res = await fetch(`https://127.0.0.1:${b.https}/healthz`, {
        tls: { rejectUnauthorized: false },
        signal: AbortSignal.timeout(5000),
      });
      if (res.status === 200) return (performance.now() - b.startedAt) / 1000;
    } catch {}
    await sleep(1000);
  }
  return null;
}

async function waitForSerial(b: Boot, pattern: RegExp, ms = 60_000): Promise<RegExpMatchArray | null> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const match = serial(b).match(pattern);
    if (match) return match;
    await sleep(1000);
  }
  return null;
}

async function powerOff(b: Boot): Promise<boolean> {
  // The ACPI power button, as a person pressing it: systemd-logind shuts the box down cleanly.
  const socket = await Bun.connect({ unix: b.monitor, socket: { data() {} } });
  socket.write("system_powerdown\n");
  const deadline = performance.now() + 180_000;
  while (b.qemu.exitCode === null && performance.now() < deadline) await sleep(1000);
  socket.end();
  if (b.qemu.exitCode === null) {
    b.qemu.kill(9);
    await b.qemu.exited;
    return false;
  }
  return true;
}

/** Power cut: qemu killed, nothing flushed or shut down. */
async function pullPlug(b: Boot) {
  b.qemu.kill(9);
  await b.qemu.exited;
}

/** Waits for the guest to reboot (qemu ends under -no-reboot); false when it is still running after `ms`. */
async function waitForExit(b: Boot, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (b.qemu.exitCode === null && performance.now() < until) await sleep(1000);
  return b.qemu.exitCode !== null;
}

const SSH_OPTS = [
  "-o",
  "StrictHostKeyChecking=no",
  "-o",
  "UserKnownHostsFile=/dev/null",
  "-o",
  "LogLevel=ERROR",
  "-o",
  "ConnectTimeout=30",
  "-o",
  "BatchMode=yes",
];

/** A command on the box as root over SSH (turned on in Settings → System with the test's key), as an admin does. */
function sshRun(b: Boot, key: string, command: string, timeoutMs = 600_000) {
  const out = spawnSync(["ssh", "-i", key, "-p", String(b.ssh), ...SSH_OPTS, "root@127.0.0.1", command], { timeout: timeoutMs });
  return { code: out.exitCode, out: out.stdout.toString(), err: out.stderr.toString().trim() };
}

/** The root helper applies the SSH setting (and makes host keys: slow under TCG) after the page answered; wait for sshd. */
async function waitForSsh(b: Boot, key: string, ms = 240_000): Promise<boolean> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (b.qemu.exitCode !== null) return false;
    if (sshRun(b, key, "true", 40_000).code === 0) return true;
    await sleep(3000);
  }
  return false;
}

function scpTo(b: Boot, key: string, file: string, dest: string) {
  const out = spawnSync(["scp", "-i", key, "-P", String(b.ssh), ...SSH_OPTS, file, `root@127.0.0.1:${dest}`], { timeout: 900_000 });
  return out.exitCode === 0 ? "" : out.stderr.toString().trim() || `scp exit ${out.exitCode}`;
}

/** Version strings in /usr/lib/os-release of the running slot. */
const bootedImage = (b: Boot, key: string) => sshRun(b, key, "sed -n 's/^IMAGE_VERSION=//p' /usr/lib/os-release").out.trim();

/**
 * The update bundles the test installs, made from the image just built: version N+1 (same root, a new
 * IMAGE_VERSION), a broken one (its web server exits at once, so it never becomes healthy), and two that
 * must be refused before anything is written: signed with another key, and made for another board.
 */
function makeTestBundles(work: string) {
  const started = performance.now();
  const built = join(repo, "out/debian-x86_64/rootfs.squashfs");
  const root = join(work, "bundle-root");
  const run = (argv: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(argv, { env: { ...process.env, ...env }, stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString().trim()}`);
    return r.stdout.toString().trim().split("\n").at(-1)!;
  };
  run(["unsquashfs", "-q", "-n", "-d", root, built]);
  const osRelease = join(root, "usr/lib/os-release");
  const current = readFileSync(osRelease, "utf8").match(/^IMAGE_VERSION=(.*)$/m)![1]!;
  const squash = (version: string, dir: string) => {
    writeFileSync(osRelease, readFileSync(osRelease, "utf8").replace(/^IMAGE_VERSION=.*$/m, `IMAGE_VERSION=${version}`));
    mkdirSync(dir, { recursive: true });
    // zstd level 3: quick to make; the image itself is built at level 19.
    run(["mksquashfs", root, join(dir, "rootfs.squashfs"), "-noappend", "-quiet", "-comp", "zstd", "-Xcompression-level", "3", "-b", "1M"]);
    return run([join(repo, "os/scripts/make-bundle.sh"), "x86_64", dir, join(work, "bundles")]);
  };
  const next = `${current}.next`;
  const nextBundle = squash(next, join(work, "next"));
  writeFileSync(join(root, "opt/nasd/dist/main.js"), "console.error('deliberately broken update'); process.exit(3);\n");
  const broken = `${current}.broken`;
  const brokenBundle = squash(broken, join(work, "broken"));
  rmSync(root, { recursive: true, force: true });

  // Refused ones: a small root is enough (RAUC checks signature and compatible before writing a byte).
  const tiny = join(work, "tiny");
  mkdirSync(join(tiny, "root/usr/lib"), { recursive: true });
  writeFileSync(join(tiny, "root/usr/lib/os-release"), `IMAGE_VERSION=${current}.other\n`);
  writeFileSync(join(tiny, "root/payload"), crypto.getRandomValues(new Uint8Array(65536)));
  run(["mksquashfs", join(tiny, "root"), join(tiny, "rootfs.squashfs"), "-noappend", "-quiet"]);
  const wrongKey = run([join(repo, "os/scripts/make-bundle.sh"), "x86_64", tiny, join(work, "bundles-other-key")], { NAS_KEYS_DIR: join(work, "other-keys") });
  const content = join(tiny, "content");
  mkdirSync(content);
  copyFileSync(join(tiny, "rootfs.squashfs"), join(content, "rootfs.img"));
  writeFileSync(
    join(content, "manifest.raucm"),
    `[update]\ncompatible=nas-rpi4_64\nversion=${current}.pi\n\n[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=rootfs.img\n`,
  );
  const wrongBoard = join(work, "bundles/wrong-board.raucb");
  const keys = (what: string) => run([join(repo, "os/scripts/signing-keys.sh"), what]);
  run(["rauc", "bundle", `--cert=${keys("cert")}`, `--key=${keys("key")}`, content, wrongBoard]);
  console.log(
    `update bundles made in ${((performance.now() - started) / 1000).toFixed(0)} s: ${next} (${(statSync(nextBundle).size / 1024 ** 2).toFixed(0)} MiB), ${broken}, another key, another board`,
  );
  return { current, next, nextBundle, broken, brokenBundle, wrongKey, wrongBoard };
}

/** The dashboard as a script signed in with an app token (`nas token create` over SSH) reaches it: same routes as the page. */
function dashboardApi(b: Boot, token: string) {
  return (path: string, init: RequestInit & { timeoutMs?: number } = {}) =>
    fetch(`https://127.0.0.1:${b.https}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
      tls: { rejectUnauthorized: false },
      signal: AbortSignal.timeout(init.timeoutMs ?? 120_000),
    });
}
type DashboardApi = ReturnType<typeof dashboardApi>;

/**
 * The booted box's media pipeline with the image's own ffmpeg: an iPhone-style HEVC MOV (made here by the host's
 * ffmpeg) is uploaded, the worker makes its poster and a 720p H.264 MP4, and both are served. Returns what it saw.
 */
async function videoThroughPipeline(api: DashboardApi, work: string) {
  const clip = join(work, "IMG_0001.MOV");
  const made = spawnSync([
    "ffmpeg",
    "-hide_banner",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=320x240:rate=15",
    "-f",
    "lavfi",
    "-i",
    "sine",
    "-t",
    "2",
    "-shortest",
    "-pix_fmt",
    "yuv420p",
    "-c:v",
    "libx265",
    "-x265-params",
    "log-level=error",
    "-tag:v",
    "hvc1",
    "-c:a",
    "aac",
    "-f",
    "mov",
    clip,
  ]);
  if (made.exitCode !== 0) return { ok: false, detail: `host ffmpeg: ${made.stderr.toString().slice(0, 200)}` };
  const up = await api("/api/v1/upload?name=IMG_0001.MOV", { method: "PUT", body: Bun.file(clip) });
  if (up.status !== 201) return { ok: false, detail: `upload: ${up.status} ${await up.text()}` };
  const id = ((await up.json()) as { item: { id: string } }).item.id;
  const started = performance.now();
  let video: Response | null = null;
  while (performance.now() - started < 300_000) {
    video = await api(`/media/video/${id}`);
    if (video.status === 200) break;
    await video.arrayBuffer();
    await sleep(3000);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (video?.status !== 200) return { ok: false, detail: `no playable MP4 after ${seconds} s (${video?.status})` };
  const mp4 = new Uint8Array(await video.arrayBuffer());
  const preview = await api(`/media/preview/${id}`);
  const jpeg = new Uint8Array(await preview.arrayBuffer());
  const ok =
    video.headers.get("content-type") === "video/mp4" &&
    String.fromCharCode(...mp4.subarray(4, 8)) === "ftyp" &&
    preview.status === 200 &&
    jpeg[0] === 0xff &&
    jpeg[1] === 0xd8;
  return { ok, detail: `MP4 ${mp4.length} bytes, poster ${preview.status} ${jpeg.length} bytes, ${seconds} s after the upload` };
}

/**
 * A tus 1.0 upload as the page's tus client makes it (creation, then PATCHes), interrupted once after the first
 * chunk and resumed from the offset the server reports (HEAD), as a browser does after a dropped connection.
 */
async function tusUpload(api: DashboardApi, endpoint: string, file: string, name: string) {
  const size = statSync(file).size;
  const tus = { "tus-resumable": "1.0.0" };
  const created = await api(endpoint, {
    method: "POST",
    headers: { ...tus, "upload-length": String(size), "upload-metadata": `filename ${Buffer.from(name).toString("base64")}` },
  });
  const location = created.headers.get("location");
  if (created.status !== 201 || !location)
    return { ok: false, detail: `create: ${created.status} ${await created.text()}`, headers: created.headers, resumed: false };
  const chunk = 32 * 1024 ** 2;
  let offset = 0;
  let resumed = false;
  let last: Response = created;
  while (offset < size) {
    if (offset > 0 && !resumed) {
      // The "dropped connection": ask the server where to go on.
      const head = await api(location, { method: "HEAD", headers: tus });
      offset = Number(head.headers.get("upload-offset"));
      resumed = true;
    }
    const end = Math.min(size, offset + chunk);
    last = await api(location, {
      method: "PATCH",
      headers: { ...tus, "upload-offset": String(offset), "content-type": "application/offset+octet-stream" },
      body: Bun.file(file).slice(offset, end),
      timeoutMs: 600_000,
    });
    if (last.status !== 204) return { ok: false, detail: `PATCH at ${offset}: ${last.status} ${await last.text()}`, headers: last.headers, resumed };
    offset = Number(last.headers.get("upload-offset"));
  }
  return { ok: true, detail: size < 1024 ** 2 ? `${size} bytes` : `${(size / 1024 ** 2).toFixed(0)} MiB`, headers: last.headers, resumed };
}

type SlotJson = { name: string; version: string; good: boolean; booted: boolean };
type SystemStateJson = {
  staged: { id: string; info: { ok: boolean; version?: string; compatible?: string } | null } | null;
  install: { status: string; progress: number; error: string | null } | null;
  slots: { status?: { booted: string; slots: SlotJson[]; rolledBack: SlotJson | null } } | null;
  support: string[];
};

/** The System page's state (slots, staged bundle, install progress, support bundles) as JSON. */
async function systemState(api: DashboardApi) {
  const r = await api("/dashboard/system/state", { timeoutMs: 30_000 }).catch(() => null);
  return r?.status === 200 ? ((await r.json()) as SystemStateJson) : null;
}

async function pollSystemState(api: DashboardApi, done: (s: SystemStateJson) => boolean, ms: number) {
  let last: SystemStateJson | null = null;
  for (const until = performance.now() + ms; performance.now() < until; await sleep(2000)) {
    last = await systemState(api);
    if (last && done(last)) return { ok: true, state: last };
  }
  return { ok: false, state: last };
}

/** GET through curl with full verification against the box's CA, addressed as https://nas.local. */
function curlVerified(b: Boot, caFile: string, path: string) {
  const out = spawnSync([
    "curl",
    "-sS",
    "--max-time",
    "30",
    "--cacert",
    caFile,
    "--resolve",
    `nas.local:${b.https}:127.0.0.1`,
    "-o",
    "-",
    "-w",
    "\n%{http_code} %{ssl_verify_result} %{redirect_url}",
    `https://nas.local:${b.https}${path}`,
  ]);
  const text = out.stdout.toString();
  const [status = "", verify = "", location = ""] = text.slice(text.lastIndexOf("\n") + 1).split(" ");
  return { ok: out.exitCode === 0, body: text.slice(0, text.lastIndexOf("\n")), status: Number(status), verify, location, error: out.stderr.toString().trim() };
}

/** The data partition copied out of the disk image into `work/name` (sparse), for debugfs to read without mounting. */
function copyDataPartition(work: string, disk: string, data: { start: number; size: number }, name: string) {
  const part = join(work, name);
  const iflag = "iflag=skip_bytes,count_bytes";
  spawnSync(["dd", `if=${disk}`, `of=${part}`, "bs=1M", iflag, `skip=${data.start * 512}`, `count=${data.size * 512}`, "conv=sparse", "status=none"]);
  return part;
}

/** The smart.* jobs in /data/nasd/db.sqlite, copied out of the data partition's ext4 with debugfs (no mount, no root). */
function smartJobsOnDisk(work: string, disk: string, data: { start: number; size: number } | undefined) {
  if (!data) return [];
  const part = copyDataPartition(work, disk, data, "data-part.ext4");
  for (const f of ["db.sqlite", "db.sqlite-wal"]) spawnSync(["debugfs", "-R", `dump /nasd/${f} ${join(work, f)}`, part], { stderr: "ignore" });
  rmSync(part, { force: true });
  if (!existsSync(join(work, "db.sqlite"))) return [];
  const db = new Database(join(work, "db.sqlite")); // a copy: read-write so a leftover WAL can be read
  try {
    return db
      .query<{ kind: string; status: string; error: string | null }, []>("select kind, status, error from jobs where kind like 'smart.%' order by id")
      .all();
  } finally {
    db.close();
  }
}

/** After a factory reset (keep files), read off the data partition without mounting it (debugfs). */
function filesOnDataPartition(work: string, disk: string, data: { start: number; size: number } | undefined, sha256: string) {
  const result = { blob: false, backups: 0, asideDb: false, liveDbHasAdmin: true };
  if (!data) return result;
  const part = copyDataPartition(work, disk, data, "data-part-reset.ext4");
  const ls = (dir: string) =>
    spawnSync(["debugfs", "-R", `ls -p ${dir}`, part], { stderr: "ignore" })
      .stdout.toString()
      .split("\n")
      .map((l) => l.split("/")[5] ?? "")
      .filter((n) => n && n !== "." && n !== "..");
  for (const user of ls("/nasd/users")) if (ls(`/nasd/users/${user}/blobs/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}`).includes(sha256)) result.blob = true;
  result.backups = ls("/nasd/backups").filter((n) => n.endsWith(".sqlite")).length;
  result.asideDb = ls("/nasd").some((n) => n.startsWith("factory-reset-") && ls(`/nasd/${n}`).includes("db.sqlite"));
  const live = join(work, "live-db.sqlite");
  spawnSync(["debugfs", "-R", `dump /nasd/db.sqlite ${live}`, part], { stderr: "ignore" });
  if (existsSync(live) && statSync(live).size > 0) {
    const db = new Database(live);
    try {
      result.liveDbHasAdmin = (db.query<{ n: number }, []>("select count(*) as n from users where role = 'admin'").get()?.n ?? 0) > 0;
    } catch {
      result.liveDbHasAdmin = false; // not even migrated yet: certainly no admin
    } finally {
      db.close();
    }
  } else result.liveDbHasAdmin = false;
  rmSync(part, { force: true });
  return result;
}

function partitions(disk: string): { name: string; start: number; size: number; uuid: string }[] {
  const out = spawnSync(["sfdisk", "--json", disk]);
  return JSON.parse(out.stdout.toString()).partitiontable.partitions;
}

async function fetchCa(b: Boot) {
  // Over plain http, as a device that does not trust the box yet.
  const res = await fetch(`http://127.0.0.1:${b.http}/ca.crt`, { signal: AbortSignal.timeout(10_000) });
  const der = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get("content-type"), der, sha256: createHash("sha256").update(der).digest("hex") };
}

const toPem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;

/**
 * Debian's Chromium with the box's CA in its NSS database (what importing ca.crt under *Authorities*
 * does), reaching https://nas.local through the forwarded port. Flags as launchBrowser() in
 * test/support/browser.ts, plus the name mapping; HOME points Chromium at the NSS database.
 */
async function launchTrustingBrowser(work: string, caFile: string, httpsPort: number) {
  const home = join(work, "browser-home");
  const nssdb = `sql:${join(home, ".pki/nssdb")}`;
  mkdirSync(join(home, ".pki/nssdb"), { recursive: true });
  for (const args of [
    ["-N", "--empty-password"],
    ["-A", "-t", "C,,", "-n", "nas-ca", "-i", caFile],
  ]) {
    const res = spawnSync(["certutil", "-d", nssdb, ...args]);
    if (res.exitCode !== 0) throw new Error(`certutil ${args[0]}: ${res.stderr.toString().trim()}`);
  }
  return launchBrowser({ env: { HOME: home }, args: [`--host-resolver-rules=MAP nas.local 127.0.0.1:${httpsPort}`] });
}

/** The element's text as rendered, whitespace collapsed; "" when there is no such element. */
async function text(page: Page, selector: string): Promise<string> {
  const element = page.locator(selector).first();
  if ((await element.count()) === 0) return "";
  // biome-ignore lint/performance/useDomNodeTextContent: what a person sees (layout and visibility applied), not the raw text
  return (await element.innerText()).replace(/\s+/g, " ").trim();
}

/** Reloads `url` until `ready` holds (work the box does in the background: SMART scan, backup job). */
async function reloadUntil(page: Page, url: string, ready: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  for (;;) {
    await page.goto(url);
    if (await ready()) return true;
    if (performance.now() > until) return false;
    await sleep(3000);
  }
}

/** First-run wizard with a passkey, then the admin dashboard as the box renders it from its hardware. */
async function checkDashboardInBrowser(work: string, caFile: string, b: Boot, sshPublicKey: string) {
  const origin = "https://nas.local";
  const browser = await launchTrustingBrowser(work, caFile, b.https);
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000); // a TCG guest renders slowly
    const authenticator = await addVirtualAuthenticator(page);
    const errors = watchPageErrors(page);

    // A certificate error fails goto (net::ERR_CERT_…) and would also make Chromium refuse WebAuthn.
    await page.goto(`${origin}/`);
    check("Chromium opens https://nas.local trusting the box's CA (NSS db) and lands on the wizard", page.url() === `${origin}/setup`, page.url());
    check("the page is a secure context with WebAuthn", (await page.evaluate("window.isSecureContext && typeof PublicKeyCredential === 'function'")) === true);

    await fillWizardToSummary(page, { deviceName: "Image Test NAS", username: "ada", displayName: "Ada Lovelace" });
    await page.click("#wizard-next"); // create the passkey
    await page.locator("#recovery-codes").waitFor({ state: "visible" });
    const codes = await page.locator("#recovery-codes .codes span").count();
    await page.click("#codes-saved");
    // Last step, signed in: where the files live. The only disk is the one the system boots from.
    await page.waitForURL(`${origin}/setup/storage`);
    const storageStep = await text(page, '[data-testid="setup-storage"]');
    check(
      "wizard storage step: the system disk is not offered for formatting",
      (await page.locator('[data-testid="setup-disks"]').count()) === 0 && !storageStep.includes("/dev/vda"),
      storageStep.slice(0, 160),
    );
    await page.click("#storage-finish");
    await page.waitForURL(`${origin}/`);
    const passkeys = (await authenticator.credentials()).length;
    check(
      "setup wizard: admin created with a passkey (virtual authenticator), signed in",
      passkeys === 1 && codes === 10 && (await text(page, "h1")).includes("Ada Lovelace"),
      `${passkeys} passkey, ${codes} recovery codes`,
    );

    // SMART is read a few seconds after the server starts (then hourly): wait for the disk row.
    const disksCard = '[data-testid="disks-card"]';
    const vdaRow = `${disksCard} tr:has(a:text-is("/dev/vda"))`;
    const listed = await reloadUntil(page, `${origin}/dashboard`, async () => (await page.locator(vdaRow).count()) > 0, 180_000);
    await page.screenshot({ path: join(work, "dashboard.png"), fullPage: true });
    copyFileSync(join(work, "dashboard.png"), "/tmp/image-dashboard.png");

    const cpu = await text(page, '[data-testid="cpu-card"] .big');
    check("dashboard: CPU usage", /^\d+ %$/.test(cpu), `${cpu}; ${await text(page, '[data-testid="cpu-card"] .muted')}`);
    const memory = await text(page, '[data-testid="memory-card"] .big');
    const memoryDetail = await text(page, '[data-testid="memory-card"] .muted');
    check("dashboard: memory usage", /^\d+ %$/.test(memory) && /^[\d.]+ [kMG]B used of [\d.]+ [MG]B/.test(memoryDetail), `${memory}; ${memoryDetail}`);
    const temperature = await text(page, '[data-testid="temperature-card"] .big');
    const temperatureDetail = await text(page, '[data-testid="temperature-card"] .muted');
    check(
      "dashboard: CPU temperature or why there is none",
      /^\d+ °C$/.test(temperature) || (temperature === "—" && /no temperature sensor/.test(temperatureDetail)),
      `${temperature}; ${temperatureDetail}`,
    );
    // os-release's IMAGE_VERSION, written at build time from package.json and the commit.
    const system = await text(page, '[data-testid="system-card"]');
    check("dashboard: the image version from os-release", /image \d+\.\d+\.\d+\+[0-9a-f]{7,}/.test(system), system.match(/image \S+/)?.[0] ?? system);
    const nic = await text(page, '[data-testid="network-card"] li');
    check("dashboard: network interface with its address", /^\w+ \d+\.\d+\.\d+\.\d+/.test(nic), nic);
    const storage = await text(page, '[data-testid="storage-card"] .muted');
    const totalGB = Number(storage.match(/free of ([\d.]+) GB$/)?.[1] ?? NaN);
    // The data filesystem grown to the rest of the 4 GiB disk, not the 64 MiB the image ships.
    check("dashboard: data storage bar with its size", totalGB > 1 && (await page.locator('[data-testid="storage-card"] svg.usage-bar').count()) > 0, storage);
    const smart = listed ? await text(page, `${vdaRow} td:nth-child(2)`) : "";
    const scanNotice = await text(page, `${disksCard} .notice`);
    check(
      "dashboard: disk /dev/vda listed with SMART or the reason why not (not a permission problem)",
      listed && smart !== "" && !/could not be opened|permission|denied|not permitted/i.test(`${smart} ${scanNotice}`),
      listed ? `${smart}${scanNotice ? ` | ${scanNotice}` : ""}` : `not listed after 180 s: ${await text(page, disksCard)}`,
    );

    const alerts = await page.goto(`${origin}/dashboard/alerts`);
    const alertsText = await text(page, "main");
    check(
      "dashboard: alerts page loads",
      alerts?.status() === 200 && (await text(page, "h1")) === "Alerts" && /No active alerts|Severity/.test(alertsText),
      alertsText.match(/Active (.*?) Resolved/)?.[1] ?? `${alerts?.status()}`,
    );

    const backups = `${origin}/dashboard/backups`;
    const backupNames = () => page.locator('[data-testid="backups"] tbody tr td:first-child').allInnerTexts();
    const runNow = page.locator('#backup-status button:has-text("Back up now")');
    // The worker queues a backup of its own at start: let it finish, so the file checked below is the one asked for.
    await reloadUntil(page, backups, async () => (await runNow.count()) > 0 && (await runNow.isEnabled()), 180_000);
    const before = new Set(await backupNames());
    await Promise.all([page.waitForResponse((r) => r.url().endsWith("/dashboard/backups/run")), runNow.click()]);
    const newBackup = async () => (await backupNames()).find((name) => !before.has(name));
    const backedUp = await reloadUntil(
      page,
      backups,
      async () => (await newBackup()) !== undefined && (await text(page, "#backup-status strong + span")).startsWith("done"),
      180_000,
    );
    const name = await newBackup();
    const row = name ? await text(page, `[data-testid="backups"] tr:has(td:text-is("${name}"))`) : `none new besides ${[...before].join(", ") || "nothing"}`;
    check(
      "dashboard: Back up now → the worker writes a new backup, listed on the backups page",
      backedUp && /^db-\d{8}-\d{6}\.sqlite \S/.test(row),
      `${row}; last run: ${await text(page, "#backup-status strong + span")}`,
    );

    // What an open dashboard costs the box: the web process's own CPU share over a whole minute in which only this
    // tab (polling every 5 s) was open. 125 s covers at least one full minute between two of its samples.
    await page.goto(`${origin}/dashboard`);
    await page.waitForTimeout(125_000);
    const selfUsage = await text(page, '[data-testid="self-usage"]');
    const cpuShare = selfUsage.match(/([\d.]+) % of one core over the last minute/)?.[1];
    check("dashboard: the web process's own CPU share with this tab open is measured", cpuShare !== undefined, selfUsage);
    if (cpuShare !== undefined) console.log(`dashboard refresh on the box (qemu TCG, one open tab): web process ${cpuShare} % of one core`);

    // SSH for the update checks, as an admin turns it on: Settings → System, a public key, Allow SSH.
    await page.goto(`${origin}/settings/system`);
    await page.fill("#ssh-keys-input", sshPublicKey);
    await page.check('#ssh input[name="enabled"]');
    await Promise.all([page.waitForURL(/\/settings\/system/), page.click('#ssh button[type="submit"]')]);
    const sshCard = await text(page, "#ssh");
    check("Settings → System: SSH turned on with the admin's key", /SSH is on with 1 key/.test(sshCard), sshCard.slice(0, 120));

    check("the dashboard pages ran without console errors or CSP violations", errors.length === 0, errors.join(" | ").slice(0, 300));
  } finally {
    await browser.close();
  }
}

/** The GPT and the bytes of the state and data partitions of a disk: what the box must never touch on a second disk. */
function diskFingerprint(disk: string) {
  const parts = partitions(disk);
  const hash = createHash("sha256").update(JSON.stringify(parts));
  const fd = openSync(disk, "r");
  try {
    for (const p of parts.filter((p) => p.name === "nasd-state" || p.name === "nasd-data")) {
      const buf = Buffer.alloc(p.size * 512);
      readSync(fd, buf, 0, buf.length, p.start * 512);
      hash.update(buf);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

async function main() {
  if (!existsSync(image)) throw new Error(`${image} is missing: run make image-debian first`);
  const work = mkdtempSync(join(tmpdir(), "nas-image-test-"));
  const disk = join(work, "disk.img");
  const running: Boot[] = [];
  const stopAll = () => running.forEach((b) => b.qemu.exitCode === null && b.qemu.kill(9));
  process.on("exit", stopAll);
  process.on("SIGINT", () => process.exit(130));
  const powerOn = async (label: string, opts: { secondDisk?: string } = {}) => {
    const b = await boot(work, disk, label, opts);
    running.push(b);
    return b;
  };
  const timings: string[] = [];
  try {
    const bundles = makeTestBundles(work);
    const sshKey = join(work, "id_ed25519");
    spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "image-test", "-f", sshKey]);

    // "Flash" the image onto a larger disk; first boot must grow the data partition into the rest.
    spawnSync(["cp", "--sparse=always", image, disk]);
    spawnSync(["truncate", "-s", String(DISK_BYTES), disk]);
    copyFileSync(OVMF_VARS, join(work, "OVMF_VARS.fd"));
    const imageBytes = statSync(image).size;
    const xzBytes = existsSync(`${image}.xz`) ? statSync(`${image}.xz`).size : NaN;
    // A flash that went wrong in the data partition (its filesystem is unreadable): still empty, so first boot makes it again.
    const flashed = partitions(disk).find((p) => p.name === "nasd-data")!;
    spawnSync(["dd", "if=/dev/urandom", `of=${disk}`, "bs=512", `seek=${flashed.start}`, "count=8192", "conv=notrunc", "status=none"]);

    console.log(`boot 0: ${image} on a ${DISK_BYTES / 1024 ** 3} GiB disk (OVMF → GRUB, TCG); power cut during first-boot provisioning`);
    const zeroth = await powerOn("0");
    const provisioning = await waitForSerial(zeroth, /nas-data: (growing partition|this disk has its own)/, BOOT_TIMEOUT_MS);
    await pullPlug(zeroth);
    check(
      "boot 0: first boot re-made the damaged, empty data filesystem, then the power was cut mid-provisioning",
      provisioning !== null && /nas-data: the new, empty data filesystem .* making it again/.test(serial(zeroth)),
      provisioning?.[0] ?? "no provisioning line",
    );

    console.log("boot 1: first boot again after the power cut");
    const first = await powerOn("1");
    const firstSeconds = await waitForHttps(first);
    check("boot 1: https /healthz answers 200 after the power cut", firstSeconds !== null, firstSeconds ? `${firstSeconds.toFixed(1)} s` : "timed out");
    if (firstSeconds === null) throw new Error("no https; serial log tail:\n" + serial(first).slice(-4000));

    const ca = await fetchCa(first);
    check(
      "GET http /ca.crt serves the CA (DER)",
      ca.status === 200 && ca.type === "application/x-x509-ca-cert" && ca.der[0] === 0x30,
      `${ca.status} ${ca.type}`,
    );
    const caFile = join(work, "ca.pem");
    writeFileSync(caFile, toPem(ca.der));

    const health = curlVerified(first, caFile, "/healthz");
    check(
      "TLS chain and name nas.local verify against the box's CA (curl)",
      health.ok && health.status === 200 && health.verify === "0",
      health.error || `verify=${health.verify}`,
    );
    const caText = spawnSync(["openssl", "x509", "-noout", "-ext", "nameConstraints", "-in", caFile]).stdout.toString();
    check(
      "the box's CA is name-constrained (.local, its name, private ranges)",
      /Permitted:[\s\S]*DNS:local[\s\S]*IP:192\.168\.0\.0\/255\.255\.0\.0/.test(caText),
      caText.replace(/\s+/g, " ").slice(0, 120),
    );
    const home = curlVerified(first, caFile, "/");
    check(
      "GET / sends a new box to the wizard",
      home.status >= 300 && home.status < 400 && home.location.endsWith("/setup"),
      `${home.status} → ${home.location}`,
    );
    const wizard = curlVerified(first, caFile, "/setup");
    check("the setup wizard is served over https", wizard.status === 200 && wizard.body.includes("Set up your NAS"), `${wizard.status}`);
    const redirect = await fetch(`http://127.0.0.1:${first.http}/setup`, { redirect: "manual" });
    check(
      "plain http redirects to https",
      redirect.status >= 300 && redirect.status < 400 && (redirect.headers.get("location") ?? "").startsWith("https://"),
      `${redirect.status}`,
    );
    const trust = await fetch(`http://127.0.0.1:${first.http}/setup/trust`);
    check("the trust instructions stay on plain http", trust.status === 200 && (await trust.text()).includes("ChromeOS"));

    const statusLine = /nas-status: root=(\w+) data_bytes=(\d+) web=(\w+) storage=(\w+) storage_worker=(\w+) power=(\w+) slot=(\S+) image=(\S+) watchdog=(\S+)/;
    const status1 = await waitForSerial(first, statusLine);
    check("console status line printed", status1 !== null);
    check("/ is mounted read-only", status1?.[1] === "ro", `root=${status1?.[1]}`);
    check(
      "nas-storage.service ran and the root storage worker runs",
      status1?.[4] === "active" && status1?.[5] === "active",
      `storage=${status1?.[4]} storage_worker=${status1?.[5]}`,
    );
    check("polkit lets the web process reboot (pkcheck on its pid)", status1?.[6] === "yes", `power=${status1?.[6]}`);
    check(
      "slot A booted by GRUB, with a hardware watchdog for systemd to arm",
      status1?.[7] === "A" && status1?.[9] !== "none",
      `slot=${status1?.[7]} watchdog=${status1?.[9]}`,
    );
    check(
      "the health check passed (boot-complete.target → the slot is marked good)",
      (await waitForSerial(first, /nas-health: healthy after [\d.]+ s/, 120_000)) !== null,
    );
    const dataBytes1 = Number(status1?.[2] ?? 0);

    try {
      await checkDashboardInBrowser(work, caFile, first, readFileSync(`${sshKey}.pub`, "utf8").trim());
    } catch (error) {
      check("setup wizard and dashboard in Chromium", false, String(error).split("\n")[0]);
    }

    check("boot 1: SSH answers with the key set in the dashboard (root helper applied the setting)", await waitForSsh(first, sshKey));
    check("boot 1: clean power-off", await powerOff(first));
    const data = partitions(disk).find((p) => p.name === "nasd-data");
    const dataEnd = data ? (data.start + data.size) * 512 : 0;
    const partitionBytes = (data?.size ?? 0) * 512;
    check(
      "GPT: the data partition reaches the end of the disk",
      data !== undefined && DISK_BYTES - dataEnd < 2 * 1024 ** 2,
      `ends ${((DISK_BYTES - dataEnd) / 1024).toFixed(0)} KiB before the end`,
    );
    // The image ships a 64 MiB data filesystem; grown, it fills (nearly all of) the grown partition.
    check(
      "the data filesystem was grown at first boot",
      partitionBytes > 1024 ** 3 && dataBytes1 > 0.95 * partitionBytes,
      `${(dataBytes1 / 1024 ** 2).toFixed(0)} MiB filesystem in a ${(partitionBytes / 1024 ** 2).toFixed(0)} MiB partition`,
    );
    const imageUuids = partitions(image).map((p) => p.uuid);
    check(
      "first boot gave the disk its own partition UUIDs (another disk with the image never matches root=PARTUUID=)",
      partitions(disk).every((p, i) => p.uuid !== imageUuids[i]),
    );

    // Who read SMART: the database the box wrote, read on the host after the clean power-off.
    const jobs = smartJobsOnDisk(work, disk, data);
    check(
      "SMART was read by the root worker's smart.refresh job (database on the data partition)",
      jobs.some((j) => j.kind === "smart.refresh" && j.status === "done") && jobs.every((j) => j.status !== "failed"),
      JSON.stringify(jobs),
    );

    // A second disk flashed with the same image (a USB stick made for another box) is plugged in from now on.
    const stick = join(work, "stick.img");
    spawnSync(["cp", "--sparse=always", image, stick]);
    spawnSync(["truncate", "-s", String(DISK_BYTES), stick]);
    const stickBefore = diskFingerprint(stick);

    console.log("boot 2: same disk, a second disk carrying the image plugged in");
    const second = await powerOn("2", { secondDisk: stick });
    const secondSeconds = await waitForHttps(second);
    check("boot 2: https /healthz answers 200", secondSeconds !== null, secondSeconds ? `${secondSeconds.toFixed(1)} s` : "timed out");
    if (secondSeconds === null) throw new Error("boot 2: no https; serial log tail:\n" + serial(second).slice(-4000));
    const again = await fetchCa(second);
    check("the CA written to the data partition on boot 1 survives the reboot", again.sha256 === ca.sha256, again.sha256.slice(0, 16));
    const verified = curlVerified(second, caFile, "/healthz");
    check("boot 2: TLS still verifies with the CA trusted on boot 1", verified.ok && verified.status === 200, verified.error);
    const status2 = await waitForSerial(second, statusLine);
    check(
      "boot 2: its own data filesystem (not the second disk's), / read-only",
      status2?.[1] === "ro" && Number(status2?.[2]) === dataBytes1,
      `data_bytes=${status2?.[2]}`,
    );
    await waitForSsh(second, sshKey);
    const mounts = sshRun(second, sshKey, "findmnt -n -o SOURCE /data; readlink -f /dev/nas/data /dev/nas/rootB; ls /dev/nas");
    check(
      "SSH as root with the key set in the dashboard; /dev/nas/* are partitions of the boot disk only",
      mounts.code === 0 && /^\/dev\/vda5\n\/dev\/vda5\n\/dev\/vda3\n/.test(mounts.out),
      `${mounts.out.replace(/\n/g, " ")}${mounts.err}`,
    );

    // Refused before anything is written, with a sentence the owner can act on.
    for (const [name, file, expected] of [
      ["signed with another key", bundles.wrongKey, /refused: the bundle is not signed with this box's update key/],
      ["made for another board", bundles.wrongBoard, /refused: this bundle is for another board \(nas-rpi4_64; this box is nas-x86_64\)/],
    ] as const) {
      const copied = scpTo(second, sshKey, file, "/data/refused.raucb");
      const r = sshRun(second, sshKey, "nas update /data/refused.raucb");
      check(
        `nas update: a bundle ${name} is refused with a clear message`,
        copied === "" && r.code === 1 && expected.test(r.err),
        copied || r.err.split("\n").at(-1),
      );
    }

    const copyStarted = performance.now();
    const copyError = scpTo(second, sshKey, bundles.nextBundle, "/data/update-next.raucb");
    check("the N+1 bundle copied onto the box", copyError === "", copyError || `${((performance.now() - copyStarted) / 1000).toFixed(0)} s`);
    // Power cut in the middle of writing the other slot.
    const installing = spawn(["ssh", "-i", sshKey, "-p", String(second.ssh), ...SSH_OPTS, "root@127.0.0.1", "nas update /data/update-next.raucb --no-reboot"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    // RAUC's own progress (D-Bus), read over a second connection: cut once it is copying the image into slot B.
    let progress = "";
    for (const until = performance.now() + 300_000; performance.now() < until && installing.exitCode === null; await sleep(2000)) {
      progress = sshRun(second, sshKey, "busctl get-property de.pengutronix.rauc / de.pengutronix.rauc.Installer Progress", 30_000).out.trim();
      if (/Copying image/i.test(progress)) break;
    }
    await sleep(3000);
    const unfinished = installing.exitCode === null;
    await pullPlug(second);
    installing.kill(9);
    check("power cut while RAUC writes slot B", /Copying image/i.test(progress) && unfinished, progress || "no progress from RAUC");
    check("the second disk carrying the image was not touched (GPT, state and data partitions)", diskFingerprint(stick) === stickBefore);

    console.log("boot 3: after the power cut during the install");
    const third = await powerOn("3");
    const thirdSeconds = await waitForHttps(third);
    await waitForSsh(third, sshKey);
    check(
      "boot 3: the box serves https again, on slot A with version N",
      thirdSeconds !== null && bootedImage(third, sshKey) === bundles.current,
      thirdSeconds ? `${thirdSeconds.toFixed(1)} s, ${bootedImage(third, sshKey)}` : "timed out",
    );
    if (thirdSeconds === null) throw new Error("boot 3: no https; serial log tail:\n" + serial(third).slice(-4000));
    check(
      "boot 3: the CA and the admin survived (data intact)",
      (await fetchCa(third)).sha256 === ca.sha256 && !curlVerified(third, caFile, "/").location.endsWith("/setup"),
    );

    // Update N → N+1 from the dashboard, as the owner does it: sign in (an app token made over SSH stands in
    // for the passkey session a browser holds), upload the bundle through the System page's resumable upload,
    // let the root worker check it, install it, watch RAUC's progress, then "Reboot into it".
    const token = sshRun(third, sshKey, "nas token create ada image-test").out.trim().split("\n").at(-1) ?? "";
    const api = dashboardApi(third, token);
    const updateStarted = performance.now();
    const upload = await tusUpload(api, "/dashboard/system/update/uploads", bundles.nextBundle, basename(bundles.nextBundle));
    const uploadSeconds = (performance.now() - updateStarted) / 1000;
    check(
      "dashboard: the N+1 bundle uploads through the update page's resumable upload (resumed once)",
      upload.ok && upload.resumed,
      `${upload.detail}, ${uploadSeconds.toFixed(0)} s`,
    );
    const bundleId = upload.headers.get("x-bundle-id") ?? "";
    const inspected = await pollSystemState(api, (st) => st.staged?.id === bundleId && st.staged?.info !== null, 180_000);
    const info = inspected.state?.staged?.info;
    check(
      "dashboard: the root worker checked the bundle with RAUC: signature valid, version N+1, this board",
      info?.ok === true && info.version === bundles.next && info.compatible === "nas-x86_64",
      JSON.stringify(info ?? inspected.state),
    );
    const page = await api("/dashboard/system");
    const pageHtml = await page.text();
    check(
      "dashboard: the System page shows the checked bundle and both slots",
      page.status === 200 && pageHtml.includes('data-testid="bundle-ok"') && pageHtml.includes('data-testid="slots"'),
      String(page.status),
    );
    const installStarted = performance.now();
    const startInstall = await api("/dashboard/system/update/install", { method: "POST", body: new URLSearchParams({ bundleId }), redirect: "manual" });
    const seen = new Set<number>();
    const installed = await pollSystemState(
      api,
      (st) => {
        if (st.install?.progress !== undefined) seen.add(st.install.progress);
        return st.install?.status === "done" || st.install?.status === "failed";
      },
      900_000,
    );
    const installSeconds = (performance.now() - installStarted) / 1000;
    check(
      "dashboard: install with RAUC's progress polled from the page's state, then done",
      startInstall.status === 303 && installed.state?.install?.status === "done" && [...seen].some((p) => p > 1 && p < 100),
      `${startInstall.status}; progress seen ${[...seen].sort((a, b) => a - b).join(",")}; ${installed.state?.install?.error ?? ""}`,
    );
    const reboot = await api("/dashboard/system/update/reboot", { method: "POST", redirect: "manual" });
    const rebooted = await waitForExit(third, 180_000);
    check('dashboard: "Reboot into it" reboots the box', reboot.status === 303 && rebooted, String(reboot.status));
    if (!rebooted) throw new Error("boot 3 did not reboot after the dashboard's reboot");
    const fourth = await powerOn("4");
    const fourthSeconds = await waitForHttps(fourth);
    await waitForSsh(fourth, sshKey);
    const updateSeconds = (performance.now() - updateStarted) / 1000;
    const runningNext = fourthSeconds !== null ? bootedImage(fourth, sshKey) : "";
    check("boot 4: N+1 runs from slot B", runningNext === bundles.next && (await waitForSerial(fourth, statusLine))?.[7] === "B", `${runningNext}`);
    check(
      "boot 4: data intact after the dashboard update (the same CA, the admin still set up, TLS verifies)",
      fourthSeconds !== null &&
        (await fetchCa(fourth)).sha256 === ca.sha256 &&
        curlVerified(fourth, caFile, "/healthz").verify === "0" &&
        !curlVerified(fourth, caFile, "/").location.endsWith("/setup"),
    );
    const marked = await waitForSerial(fourth, /nas-health: healthy after [\d.]+ s/, 300_000);
    await sleep(5000); // rauc-mark-good runs right after boot-complete.target
    const statusNext = sshRun(fourth, sshKey, "nas update status").out;
    check(
      "boot 4: slot B marked good after the health check; nas update status shows both slots",
      marked !== null && new RegExp(`slot B: ${bundles.next.replace(/[.+]/g, "\\$&")}, good, booted`).test(statusNext),
      statusNext.replace(/\n/g, " | "),
    );
    timings.push(
      `update N → N+1 from the dashboard: upload ${uploadSeconds.toFixed(0)} s, install ${installSeconds.toFixed(0)} s, from the upload's start to N+1 answering https ${updateSeconds.toFixed(0)} s`,
    );
    // RAUC's view read again now that the health check marked slot B good (the page's "refresh" does the same).
    await dashboardApi(fourth, token)("/dashboard/system/update/refresh", { method: "POST", redirect: "manual" });
    const slotsAfter = (
      await pollSystemState(dashboardApi(fourth, token), (st) => st.slots?.status?.slots?.some((x) => x.name === "B" && x.booted && x.good) === true, 120_000)
    ).state;
    check(
      "dashboard: the System page shows slot B running N+1 and marked good, and the installed bundle is gone from staging",
      slotsAfter?.slots?.status?.slots?.some((x) => x.name === "B" && x.booted && x.good && x.version === bundles.next) === true && slotsAfter?.staged === null,
      JSON.stringify(slotsAfter?.slots ?? slotsAfter),
    );

    // The media pipeline on the booted box, with the ffmpeg the image carries (os/debian/ffmpeg.sh).
    const media = await videoThroughPipeline(dashboardApi(fourth, token), work);
    check("boot 4: an iPhone HEVC MOV gets its poster and a playable H.264 MP4 from the box's own ffmpeg", media.ok, media.detail);

    // A broken update: its web server never starts. GRUB's counter must bring N+1 back by itself.
    const brokenCopy = scpTo(fourth, sshKey, bundles.brokenBundle, "/data/update-broken.raucb");
    const brokenStarted = performance.now();
    const brokenInstall = sshRun(fourth, sshKey, "nas update /data/update-broken.raucb");
    const brokenRebooted = await waitForExit(fourth, 180_000);
    check(
      "the broken bundle installs (it is validly signed) and the box reboots into it",
      brokenCopy === "" && /installed/.test(brokenInstall.out) && brokenRebooted,
      brokenCopy || brokenInstall.out.trim().split("\n").at(-1) || brokenInstall.err,
    );
    if (!brokenRebooted) throw new Error(`boot 4 did not reboot after nas update: ${brokenInstall.err}`);
    const rollbackStarted = performance.now();
    let brokenBoots = 0;
    let back: Boot | null = null;
    for (let attempt = 1; attempt <= 5 && !back; attempt++) {
      const b = await powerOn(`rollback-${attempt}`);
      // Either the broken slot gives up and reboots (qemu ends), or N+1 comes back and answers.
      let answered = false;
      for (const until = performance.now() + BOOT_TIMEOUT_MS; !answered && performance.now() < until && b.qemu.exitCode === null; await sleep(2000)) {
        answered = await fetch(`https://127.0.0.1:${b.https}/healthz`, { tls: { rejectUnauthorized: false }, signal: AbortSignal.timeout(5000) }).then(
          (r) => r.status === 200,
          () => false,
        );
      }
      if (answered) back = b;
      else if (b.qemu.exitCode !== null && /nas: slot A/.test(serial(b)) && /nas-health: UNHEALTHY/.test(serial(b))) brokenBoots++;
      else await pullPlug(b);
    }
    const rollbackSeconds = (performance.now() - rollbackStarted) / 1000;
    check("the broken slot failed its health check and rebooted by itself, three times", brokenBoots === 3, `${brokenBoots} failed boots of slot A`);
    if (!back) throw new Error("the box did not come back to N+1 after the broken update");
    const backVersion = (await waitForHttps(back)) !== null && (await waitForSsh(back, sshKey)) ? bootedImage(back, sshKey) : "";
    check(
      "rollback: the box returned to N+1 on slot B by itself, data intact",
      backVersion === bundles.next && (await fetchCa(back)).sha256 === ca.sha256,
      backVersion,
    );
    const statusBack = sshRun(back, sshKey, "nas update status").out;
    check(
      "nas update status reports the rollback",
      new RegExp(`rolled back: the update to ${bundles.broken.replace(/[.+]/g, "\\$&")} in slot A did not become healthy; running slot B`).test(statusBack),
      statusBack.replace(/\n/g, " | "),
    );
    timings.push(
      `rollback from a broken update: ${brokenBoots} failed boots, ${rollbackSeconds.toFixed(0)} s from its reboot to N+1 answering https again (install ${((rollbackStarted - brokenStarted) / 1000).toFixed(0)} s)`,
    );
    const backApi = dashboardApi(back, token);
    const reported = await pollSystemState(backApi, (st) => !!st.slots?.status?.rolledBack, 120_000);
    check(
      "dashboard: the System page reports the rollback with the version that failed",
      reported.state?.slots?.status?.rolledBack?.version === bundles.broken &&
        (await (await backApi("/dashboard/system")).text()).includes(`The update to ${bundles.broken} did not start properly`),
      JSON.stringify(reported.state?.slots ?? reported.state),
    );

    // A support bundle from the booted image: made by the root worker, downloaded by the admin, without secrets.
    const supportStarted = performance.now();
    await backApi("/dashboard/system/support", { method: "POST", redirect: "manual" });
    const made = await pollSystemState(backApi, (st) => (st.support ?? []).length > 0, 180_000);
    const supportName = made.state?.support?.[0] ?? "";
    const download = supportName ? await backApi(`/dashboard/system/support/${supportName}`) : null;
    const tarString = download?.status === 200 ? new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await download.arrayBuffer()))) : "";
    check(
      "dashboard: a support bundle downloads (journal of the nasd units, versions, RAUC status) and holds neither the app token nor a key",
      /nasd-web|nasd\[|bun\[/.test(tarString) &&
        tarString.includes(`IMAGE_VERSION=${bundles.next}`) &&
        /Compatible|compatible/.test(tarString) &&
        !tarString.includes(token) &&
        !/BEGIN [A-Z ]*PRIVATE KEY/.test(tarString),
      `${supportName} ${download?.status}, ${tarString.length} bytes, ${((performance.now() - supportStarted) / 1000).toFixed(0)} s`,
    );

    // Factory reset, keeping the files: a file in Drive first, then the typed confirmation; the box reboots itself.
    const keepMe = join(work, "keep-me.txt");
    writeFileSync(keepMe, `a file the factory reset must keep ${Date.now()}\n`);
    const kept = await tusUpload(backApi, "/api/v1/uploads", keepMe, "keep-me.txt");
    const resetStarted = performance.now();
    const reset = await backApi("/dashboard/system/reset", { method: "POST", body: new URLSearchParams({ mode: "keep-files", confirm: "reset" }) });
    const resetRebooted = await waitForExit(back, 240_000);
    check(
      "factory reset (keep my files) with the typed confirmation: the box reboots by itself",
      kept.ok && reset.status === 200 && resetRebooted,
      `${kept.detail} ${reset.status}`,
    );
    if (!resetRebooted) throw new Error("the box did not reboot for the factory reset");
    const fresh = await powerOn("reset");
    const freshSeconds = await waitForHttps(fresh);
    const freshHealth =
      freshSeconds === null
        ? null
        : await fetch(`https://127.0.0.1:${fresh.https}/healthz`, { tls: { rejectUnauthorized: false } }).then(
            (r) => r.json() as Promise<{ setupDone?: boolean }>,
          );
    const freshCa = freshSeconds === null ? null : await fetchCa(fresh);
    check(
      "after the factory reset: the setup wizard is back, with a new certificate authority",
      freshHealth?.setupDone === false && freshCa !== null && freshCa.sha256 !== ca.sha256,
      `${freshSeconds?.toFixed(1)} s, ${JSON.stringify(freshHealth)}`,
    );
    timings.push(`factory reset (keep files): ${((performance.now() - resetStarted) / 1000).toFixed(0)} s from the request to the wizard answering`);
    check("final: clean power-off", await powerOff(fresh));
    const keptOnDisk = filesOnDataPartition(
      work,
      disk,
      partitions(disk).find((p) => p.name === "nasd-data"),
      createHash("sha256").update(readFileSync(keepMe)).digest("hex"),
    );
    check(
      "after the factory reset: the Drive file and the backups are still on the data disk, the old database moved aside",
      keptOnDisk.blob && keptOnDisk.backups > 0 && keptOnDisk.asideDb && !keptOnDisk.liveDbHasAdmin,
      JSON.stringify(keptOnDisk),
    );

    console.log(`image: ${(imageBytes / 1024 ** 2).toFixed(0)} MiB raw, ${(xzBytes / 1024 ** 2).toFixed(1)} MiB .img.xz (target ≤ 200)`);
    console.log(`boot to HTTPS 200 under TCG: first boot ${firstSeconds.toFixed(1)} s, second boot ${secondSeconds.toFixed(1)} s (target ≤ 60)`);
    for (const line of timings) console.log(line);
  } catch (error) {
    failed++;
    console.error(error);
  } finally {
    stopAll();
    if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
  console.log(`image-test: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

await main();
