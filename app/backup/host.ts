/**
 * Box-to-box: this box keeps other boxes' backups. It speaks restic's REST protocol (the one restic/rest-server
 * serves: https://restic.readthedocs.io/en/stable/REST_backend.html) on its own port, one repository per guest under
 * `<data>/backup/guests/<id>/`, and only what a guest needs:
 *
 * - **Pairing token**: HTTP Basic with the guest's id and token (only its SHA-256 is stored); a guest reaches its
 *   own repository only. Failed attempts are counted per address before the token is compared.
 * - **Append-only**: a file, once written, is never replaced or deleted, except lock files (restic removes its own)
 *   and, while the host's admin allows it for a day, everything (so the guest's `forget --prune` can run).
 * - **Quota**: what the guest stores (and uploads in flight) stays within the bytes the admin set; over it, 413.
 * - **Never readable here**: restic encrypts everything with a password that never leaves the guest.
 *
 * Every upload is checked against its name (restic names files by the SHA-256 of their content), written to a
 * temporary file, fsynced and linked into place (which fails if the name exists), then the folder is fsynced.
 * The listener uses its own self-signed certificate for the names the admin gives, pinned by the guest at pairing.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { fsyncPath, writeFileDurably } from "../../hw/files";
import type { Clock } from "../platform/clock";
import type { BackupGuest } from "../platform/db/schema";
import { createRateLimiter } from "../platform/http/rate-limit";
import { log } from "../platform/log";
import { dataPaths } from "../platform/paths";
import type { BackupRepo } from "./repo";

const TYPES = new Set(["data", "keys", "locks", "snapshots", "index"]);
const NAME = /^[0-9a-f]{64}$/;
const V2 = "application/vnd.x.restic.rest.v2";
const GUEST_ID = /^[A-Za-z0-9]{1,64}$/;

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
export const newGuestId = () => `g${randomBytes(9).toString("hex")}`;
export const newToken = () => randomBytes(32).toString("base64url");

const text = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(`${body}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });

/** A guest's files on disk and how much they take (computed once per process, then kept up to date). */
function objectPath(root: string, type: string, name: string) {
  return type === "data" ? join(root, "data", name.slice(0, 2), name) : join(root, type, name);
}

function sizeOf(dir: string): number {
  let total = 0;
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) total += sizeOf(full);
    else if (e.isFile()) total += statSync(full).size;
  }
  return total;
}

// restic's REST protocol on a guest's folder: what needs no state of the host's.

/** A new repository: restic's folders, with the 256 subfolders of data/. */
function createRepository(root: string) {
  for (const type of TYPES) mkdirSync(join(root, type), { recursive: true, mode: 0o700 });
  for (let i = 0; i < 256; i++) mkdirSync(join(root, "data", i.toString(16).padStart(2, "0")), { recursive: true, mode: 0o700 });
  return text(200, "created");
}

/** A folder's files: their names (protocol v1) or names and sizes (v2). */
function list(root: string, type: string, request: Request) {
  const dir = join(root, type);
  const out: { name: string; size: number }[] = [];
  const add = (folder: string) => {
    if (!existsSync(folder)) return;
    for (const e of readdirSync(folder, { withFileTypes: true }))
      if (e.isFile() && NAME.test(e.name)) out.push({ name: e.name, size: statSync(join(folder, e.name)).size });
  };
  if (type === "data") {
    if (existsSync(dir)) for (const sub of readdirSync(dir)) add(join(dir, sub));
  } else add(dir);
  if (request.headers.get("accept") === V2) return Response.json(out, { headers: { "content-type": V2 } });
  return Response.json(
    out.map((o) => o.name),
    { headers: { "content-type": "application/vnd.x.restic.rest.v1" } },
  );
}

/** A file's size (HEAD) or bytes, whole or a range (restic reads a pack's header by range). */
function read(path: string, request: Request) {
  if (!existsSync(path)) return text(404, "not found");
  const size = statSync(path).size;
  if (request.method === "HEAD") return new Response(null, { headers: { "content-length": String(size) } });
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.get("range") ?? "");
  if (range) {
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size || end < start) return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
    return new Response(Bun.file(path).slice(start, end + 1), {
      status: 206,
      headers: { "content-range": `bytes ${start}-${end}/${size}`, "content-type": "application/octet-stream" },
    });
  }
  return new Response(Bun.file(path), { headers: { "content-type": "application/octet-stream" } });
}

export function createBackupHost(deps: { repo: BackupRepo; dataDir: string; now: Clock }) {
  const paths = dataPaths(deps.dataDir).backup;
  const used = new Map<string, number>();
  const reserved = new Map<string, number>();
  const seen = new Map<string, number>();
  // Counted before the token is compared, per address: guessing a 256-bit token is hopeless, flooding is not.
  const failures = createRateLimiter({ limit: 20, windowMs: 15 * 60_000, now: deps.now });

  const usage = (guest: BackupGuest) => {
    let n = used.get(guest.id);
    if (n === undefined) used.set(guest.id, (n = sizeOf(paths.guest(guest.id))));
    return n;
  };

  function authenticate(request: Request, guestId: string, ip: string): BackupGuest | Response {
    const challenge = { "www-authenticate": 'Basic realm="nasd backup host"' };
    if (failures.blocked(`ip:${ip}`))
      return text(429, "Too many failed attempts; try again later.", { "retry-after": String(failures.retryAfterSeconds(`ip:${ip}`)) });
    const header = request.headers.get("authorization") ?? "";
    const m = /^Basic\s+(\S+)$/i.exec(header);
    const [user, token] = m ? Buffer.from(m[1]!, "base64").toString("utf8").split(/:(.*)/s) : [];
    const guest = GUEST_ID.test(guestId) ? deps.repo.guest(guestId) : undefined;
    const given = Buffer.from(hashToken(token ?? ""), "hex");
    const ok = !!guest && user === guest.id && timingSafeEqual(given, Buffer.from(guest.tokenHash, "hex"));
    if (!ok) {
      failures.hit(`ip:${ip}`);
      return text(401, "Unknown guest or wrong pairing token.", challenge);
    }
    const t = deps.now().getTime();
    if (t - (seen.get(guest.id) ?? 0) > 60_000) {
      seen.set(guest.id, t);
      deps.repo.updateGuest(guest.id, { lastSeenAt: new Date(t) });
    }
    return guest;
  }

  async function save(guest: BackupGuest, path: string, name: string | null, request: Request): Promise<Response> {
    if (existsSync(path)) return text(403, "This file exists and is never replaced (append-only).");
    const declared = Number(request.headers.get("content-length") ?? Number.NaN);
    const inFlight = reserved.get(guest.id) ?? 0;
    const room = guest.quotaBytes - usage(guest) - inFlight;
    if (Number.isFinite(declared) && declared > room) return text(413, "This box's quota on the host is used up.");
    const claim = Number.isFinite(declared) ? declared : 0;
    reserved.set(guest.id, inFlight + claim);
    mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
    const tmp = `${path}.tmp-${randomBytes(6).toString("hex")}`;
    const file = await open(tmp, "wx", 0o600);
    const hash = createHash("sha256");
    let written = 0;
    try {
      const reader = request.body?.getReader();
      for (let next = await reader?.read(); next && !next.done; next = await reader!.read()) {
        const chunk = next.value;
        written += chunk.byteLength;
        if (written > Math.max(claim, room)) throw Object.assign(new Error("over quota"), { status: 413 });
        hash.update(chunk);
        await file.write(chunk);
      }
      // restic names every file but the config after the SHA-256 of its content: a mismatch is a damaged upload.
      if (name !== null && hash.digest("hex") !== name) throw Object.assign(new Error("content does not match its name"), { status: 400 });
      await file.sync();
      await file.close();
      try {
        linkSync(tmp, path); // never replaces: EEXIST if another upload of the same name won
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") return text(403, "This file exists and is never replaced (append-only).");
        throw e;
      }
      fsyncPath(join(path, ".."));
      used.set(guest.id, usage(guest) + written);
      return text(200, "saved");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // The guest went away mid-upload (its link dropped): nothing was stored, restic retries it next time.
      if ((e as Error).name === "AbortError") return text(400, "The upload was cut off.");
      const status = (e as { status?: number }).status ?? (code === "ENOSPC" || code === "EDQUOT" ? 507 : 500);
      if (status === 500) log.error("backup host: saving a guest's file failed", e);
      return text(status, status === 413 ? "This box's quota on the host is used up." : status === 507 ? "The host's disk is full." : "The upload failed.");
    } finally {
      await file.close().catch(() => {});
      rmSync(tmp, { force: true });
      reserved.set(guest.id, (reserved.get(guest.id) ?? claim) - claim);
    }
  }

  function remove(guest: BackupGuest, type: string, path: string) {
    const pruning = guest.pruneUntil !== null && guest.pruneUntil.getTime() > deps.now().getTime();
    if (type !== "locks" && !pruning) return text(403, "Append-only: this host keeps every file. Its admin can allow pruning for a day.");
    if (!existsSync(path)) return text(200, "already gone");
    const size = statSync(path).size;
    unlinkSync(path);
    fsyncPath(join(path, ".."));
    used.set(guest.id, Math.max(0, usage(guest) - size));
    return text(200, "deleted");
  }

  /** One request of restic's REST protocol: `/<guest>/`, `/<guest>/config`, `/<guest>/<type>/[<name>]`. */
  async function handle(request: Request, ip: string): Promise<Response> {
    const url = new URL(request.url);
    const m = /^\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!m) return text(404, "not found");
    const guest = authenticate(request, m[1]!, ip);
    if (guest instanceof Response) return guest;
    const root = paths.guest(guest.id);
    const rest = m[2] ?? "/";
    const method = request.method;
    if (rest === "/") {
      if (method === "POST" && url.searchParams.get("create") === "true") return createRepository(root);
      return text(405, "method not allowed");
    }
    if (rest === "/config") {
      const path = join(root, "config");
      if (method === "GET" || method === "HEAD") return read(path, request);
      if (method === "POST") {
        mkdirSync(root, { recursive: true, mode: 0o700 });
        return save(guest, path, null, request);
      }
      if (method === "DELETE") return remove(guest, "config", path);
      return text(405, "method not allowed");
    }
    const o = /^\/([a-z]+)\/([^/]*)$/.exec(rest);
    if (!o || !TYPES.has(o[1]!)) return text(404, "not found");
    const [, type, name] = o as unknown as [string, string, string];
    if (!name) return method === "GET" ? list(root, type, request) : text(405, "method not allowed");
    if (!NAME.test(name)) return text(404, "not found");
    const path = objectPath(root, type, name);
    if (method === "GET" || method === "HEAD") return read(path, request);
    if (method === "POST") return save(guest, path, name, request);
    if (method === "DELETE") return remove(guest, type, path);
    return text(405, "method not allowed");
  }

  return {
    handle,
    /** What a guest stores here now (its repository's files). */
    usedBytes: (guest: BackupGuest) => usage(guest),
    /** A removed guest's repository goes with it. */
    forget(guestId: string) {
      used.delete(guestId);
      rmSync(paths.guest(guestId), { recursive: true, force: true });
    },
  };
}

export type BackupHost = ReturnType<typeof createBackupHost>;

/** The listener's certificate: self-signed for the names guests reach this box by, valid whatever a clock says. */
export async function hostCertificate(dataDir: string, names: string[]): Promise<{ cert: string; key: string }> {
  // Loaded on first use: an X.509 stack the web process needs only when it hosts other boxes (and which, bundled
  // eagerly, would evaluate before its Reflect polyfill).
  const { x509 } = await import("../../provision/x509");
  const dir = join(dataPaths(dataDir).backup.root, "host");
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  // A URL's IPv6 host comes in brackets ([fd00::1]); the certificate names the bare address.
  const wanted = [...new Set(names.map((n) => n.replace(/^\[(.*)\]$/, "$1")))].sort();
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, "utf8");
    const san = new x509.X509Certificate(cert).getExtension(x509.SubjectAlternativeNameExtension);
    const has = (san?.names.toJSON() ?? []).map((n) => n.value).sort();
    if (JSON.stringify(has) === JSON.stringify(wanted)) return { cert, key: readFileSync(keyPath, "utf8") };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const isIp = (n: string) => /^[\d.]+$/.test(n) || n.includes(":");
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString("hex").replace(/^./, "1"),
    name: `CN=${wanted[0] ?? "nasd"} backup host`,
    // A guest whose clock is far off still connects: the pin, not the dates, is what is trusted.
    notBefore: new Date("2000-01-01T00:00:00Z"),
    notAfter: new Date("2099-12-31T00:00:00Z"),
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(wanted.map((value) => ({ type: isIp(value) ? ("ip" as const) : ("dns" as const), value }))),
    ],
  });
  const pem = `${cert.toString("pem")}\n`;
  const der = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END PRIVATE KEY-----\n`;
  writeFileDurably(keyPath, keyPem, 0o600);
  writeFileDurably(certPath, pem, 0o600);
  return { cert: pem, key: keyPem };
}

/**
 * The listener (web process, BACKUP_HOST_PORT): HTTPS with the host certificate when the box serves HTTPS, plain
 * HTTP otherwise (a development machine). Restarted when the admin changes the names guests use.
 */
export function createHostListener(deps: { host: BackupHost; port: number; hostname: string; tls: boolean; dataDir: string; names: () => string[] }) {
  let server: ReturnType<typeof Bun.serve> | null = null;
  const start = async () => {
    const tls = deps.tls ? await hostCertificate(deps.dataDir, deps.names()) : undefined;
    server = Bun.serve({
      port: deps.port,
      hostname: deps.hostname,
      tls,
      // A pack file is 16 MiB by default; restic may make them larger (--pack-size, up to 128 MiB).
      maxRequestBodySize: 256 * 1024 ** 2,
      fetch: (request, srv) => deps.host.handle(request, srv.requestIP(request)?.address ?? "unknown"),
      error: (e) => {
        log.error("backup host: unexpected error", e);
        return text(500, "unexpected error");
      },
    });
    return server;
  };
  return {
    start,
    async restart() {
      server?.stop(true);
      return start();
    },
    stop: () => server?.stop(true),
    get port() {
      return server?.port ?? null;
    },
  };
}
