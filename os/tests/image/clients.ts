/**
 * How the image test talks to the box from outside, as a person on the LAN or an admin does: SSH and scp as root
 * (turned on in Settings → System), curl verifying TLS against the box's CA, the CA over plain http, and the dashboard's
 * routes with an app token (the System page's state, its resumable tus upload).
 */
import { spawnSync } from "bun";
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { type Boot, type ImageRun, sleep } from "./harness";

export const SSH_OPTS = [
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
export function sshRun(b: Boot, key: string, command: string, timeoutMs = 600_000) {
  const out = spawnSync(["ssh", "-i", key, "-p", String(b.ssh), ...SSH_OPTS, "root@127.0.0.1", command], { timeout: timeoutMs });
  return { code: out.exitCode, out: out.stdout.toString(), err: out.stderr.toString().trim() };
}

/**
 * The same without blocking this process: a test that measures how long the web process keeps its readers waiting
 * (image/memory.ts) must not stop its own readers' loop for an SSH round trip, which spawnSync would.
 */
export async function sshRunAsync(b: Boot, key: string, command: string, timeoutMs = 600_000) {
  const proc = Bun.spawn(["ssh", "-i", key, "-p", String(b.ssh), ...SSH_OPTS, "root@127.0.0.1", command], {
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
  });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code: await proc.exited, out, err: err.trim() };
}

/** The root helper applies the SSH setting (and makes host keys: slow under TCG) after the page answered; wait for sshd. */
export async function waitForSsh(b: Boot, key: string, ms = 240_000): Promise<boolean> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (b.qemu.exitCode !== null) return false;
    if (sshRun(b, key, "true", 40_000).code === 0) return true;
    await sleep(3000);
  }
  return false;
}

export function scpTo(b: Boot, key: string, file: string, dest: string) {
  const out = spawnSync(["scp", "-i", key, "-P", String(b.ssh), ...SSH_OPTS, file, `root@127.0.0.1:${dest}`], { timeout: 900_000 });
  return out.exitCode === 0 ? "" : out.stderr.toString().trim() || `scp exit ${out.exitCode}`;
}

/** Version strings in /usr/lib/os-release of the running slot. */
export const bootedImage = (b: Boot, key: string) => sshRun(b, key, "sed -n 's/^IMAGE_VERSION=//p' /usr/lib/os-release").out.trim();

/** The admin's app token, made over SSH on the running box the first time a concern needs it (it lives in the database). */
export function appToken(run: ImageRun, b: Boot) {
  run.token ??= sshRun(b, run.sshKey, "nas token create ada image-test").out.trim().split("\n").at(-1) ?? "";
  return run.token;
}

/** The dashboard as a script signed in with an app token (`nas token create` over SSH) reaches it: same routes as the page. */
export function dashboardApi(b: Boot, token: string) {
  return (path: string, init: RequestInit & { timeoutMs?: number } = {}) =>
    fetch(`https://127.0.0.1:${b.https}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
      tls: { rejectUnauthorized: false },
      signal: AbortSignal.timeout(init.timeoutMs ?? 120_000),
    });
}
export type DashboardApi = ReturnType<typeof dashboardApi>;

/**
 * A tus 1.0 upload as the page's tus client makes it (creation, then PATCHes), interrupted once after the first
 * chunk and resumed from the offset the server reports (HEAD), as a browser does after a dropped connection.
 */
export async function tusUpload(api: DashboardApi, endpoint: string, file: string, name: string) {
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
export type SystemStateJson = {
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

export async function pollSystemState(api: DashboardApi, done: (s: SystemStateJson) => boolean, ms: number) {
  let last: SystemStateJson | null = null;
  for (const until = performance.now() + ms; performance.now() < until; await sleep(2000)) {
    last = await systemState(api);
    if (last && done(last)) return { ok: true, state: last };
  }
  return { ok: false, state: last };
}

/** GET through curl with full verification against the box's CA, addressed as https://nas.local. */
export function curlVerified(b: Boot, caFile: string, path: string) {
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

export async function fetchCa(b: Boot) {
  // Over plain http, as a device that does not trust the box yet.
  const res = await fetch(`http://127.0.0.1:${b.http}/ca.crt`, { signal: AbortSignal.timeout(10_000) });
  const der = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get("content-type"), der, sha256: createHash("sha256").update(der).digest("hex") };
}

export const toPem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
