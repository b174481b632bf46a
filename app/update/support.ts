/**
 * The support bundle: what a helper needs to see what went wrong (recent logs of the nasd units, versions, slots,
 * SMART summaries, disk usage, failed jobs) and nothing that opens the box: it is built from an allow-list of
 * sources (never the database, the data dir or /etc), and every text goes through `scrubSecrets`, which removes
 * the secret values the box holds (session, token, invite, recovery and share-link hashes, passkeys, the instance
 * secret, private keys, the alert webhook) and anything shaped like a token, cookie, password field or key.
 * Built by the root storage worker (the journal of every unit needs root), downloaded by the admin.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { desc, eq } from "drizzle-orm";
import type { Runner } from "../../hw/run";
import type { Db } from "../platform/db/client";
import {
  appTokens,
  backupGuests,
  diskHealth,
  invites,
  jobs,
  passkeys,
  recoveryCodes,
  sessions,
  settings,
  shareLinks,
  users,
  challenges,
} from "../platform/db/schema";
import { ensureDir, giveToOwner } from "./files";
import { dataPaths } from "../platform/paths";
import type { Clock } from "../platform/clock";

export const SUPPORT_NAME = /^nas-support-\d{8}T\d{6}Z\.tar\.gz$/;
export const supportName = (at: Date) =>
  `nas-support-${at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "")}.tar.gz`;

const UNITS = [
  "nasd-web",
  "nasd-worker",
  "nasd-storage-worker",
  "nas-data",
  "nas-storage",
  "nas-tls",
  "nas-settings",
  "nas-health",
  "nas-factory-reset",
  "rauc",
  "rauc-mark-good",
  "nas-boot-fallback",
];

/** Every secret value the box holds in its database and data dir, longest first (a value may contain another). */
export function knownSecrets(db: Db, dataDir: string, tlsDir: string): string[] {
  const values: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === "string" && v.length >= 6) values.push(v);
    else if (Buffer.isBuffer(v) && v.length >= 6) values.push(v.toString("base64"), v.toString("base64url"), v.toString("hex"));
  };
  for (const r of db.select({ a: sessions.idHash }).from(sessions).all()) add(r.a);
  for (const r of db.select({ a: appTokens.tokenHash }).from(appTokens).all()) add(r.a);
  for (const r of db.select({ a: recoveryCodes.codeHash }).from(recoveryCodes).all()) add(r.a);
  for (const r of db.select({ a: invites.tokenHash }).from(invites).all()) add(r.a);
  for (const r of db.select({ a: shareLinks.tokenHash, b: shareLinks.passwordHash }).from(shareLinks).all()) {
    add(r.a);
    add(r.b);
  }
  for (const r of db.select({ a: passkeys.id, b: passkeys.publicKey }).from(passkeys).all()) {
    add(r.a);
    add(r.b);
  }
  for (const r of db.select({ a: users.webauthnUserId }).from(users).all()) add(r.a);
  for (const r of db.select({ a: challenges.challenge }).from(challenges).all()) add(r.a);
  // The alert webhook (an ntfy topic is a password) and the update channel (it may carry credentials).
  for (const key of ["alertWebhook", "updateChannel"]) {
    const row = db.select({ v: settings.value }).from(settings).where(eq(settings.key, key)).get();
    if (typeof row?.v === "string") add(row.v);
  }
  const file = (path: string) => {
    try {
      const text = readFileSync(path);
      add(text.toString("utf8").trim());
      add(text);
    } catch {}
  };
  file(dataPaths(dataDir).secret);
  // Offsite backups: every target's password, repository address (a pairing token) and keys; guests' token hashes.
  const targets = join(dataPaths(dataDir).backup.root, "targets");
  if (existsSync(targets))
    for (const dir of readdirSync(targets))
      for (const name of readdirSync(join(targets, dir))) {
        file(join(targets, dir, name));
        try {
          const text = readFileSync(join(targets, dir, name), "utf8");
          for (const line of text.split("\n")) add(line.split("=")[1]?.trim());
          add(/\/\/[^:/@]+:([^@/]+)@/.exec(text)?.[1]);
        } catch {}
      }
  for (const r of db.select({ a: backupGuests.tokenHash }).from(backupGuests).all()) add(r.a);
  if (existsSync(tlsDir)) for (const name of readdirSync(tlsDir)) if (/key/i.test(name)) file(join(tlsDir, name));
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

const PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[private key removed]"],
  [/\b(authorization|cookie|set-cookie|x-csrf-token)\s*[:=]\s*[^\n]*/gi, "$1: [removed]"],
  [/\bbearer\s+[^\s"']+/gi, "Bearer [removed]"],
  [/\b(nas_[a-z_]*|session|sid|token|access_token|password|passwd|secret|key|code|invite)=([^\s&"';]+)/gi, "$1=[removed]"],
  [/("(?:password|token|secret|cookie|key)"\s*:\s*)"[^"]*"/gi, '$1"[removed]"'],
  // Share links and enrolment/invite links carry their token in the path.
  [/\/(s|invite|enrol|enroll|recover|register)\/[A-Za-z0-9_~.-]{8,}/g, "/$1/[removed]"],
  // Anything else that looks like a token: long runs of hex or base64url.
  [/\b[A-Fa-f0-9]{32,}\b/g, "[hex removed]"],
  // (letters and digits mixed, so long unit and file names stay readable)
  [/(?=[A-Za-z_-]*\d)(?=[\d_-]*[A-Za-z])[A-Za-z0-9_-]{32,}={0,2}/g, "[token removed]"],
];

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join("[secret removed]");
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** A minimal POSIX ustar archive of regular files. */
export function tarFiles(files: { name: string; text: string; mtime: Date }[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const body = Buffer.from(f.text, "utf8");
    const header = Buffer.alloc(512, 0);
    const put = (value: string, offset: number, length: number) => header.write(value, offset, length, "utf8");
    const octal = (n: number, length: number) => `${n.toString(8).padStart(length - 1, "0")}\0`;
    put(f.name, 0, 100);
    put(octal(0o644, 8), 100, 8);
    put(octal(0, 8), 108, 8);
    put(octal(0, 8), 116, 8);
    put(octal(body.length, 12), 124, 12);
    put(octal(Math.floor(f.mtime.getTime() / 1000), 12), 136, 12);
    put("        ", 148, 8);
    put("0", 156, 1);
    put("ustar\0", 257, 6);
    put("00", 263, 2);
    put("root", 265, 32);
    put("root", 297, 32);
    let sum = 0;
    for (const byte of header) sum += byte;
    put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
    parts.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}

export type SupportDeps = { db: Db; dataDir: string; tlsDir: string; run: Runner; osRelease?: string; now: Clock };

async function commandText(run: Runner, argv: string[]): Promise<string> {
  try {
    const r = await run(argv, { timeoutMs: 60_000, maxOutputBytes: 8 * 1024 * 1024 });
    return `$ ${argv.join(" ")}\n${r.stdout}${r.stderr ? `\n[stderr]\n${r.stderr}` : ""}${r.code === 0 ? "" : `\n[exit ${r.code}]`}\n`;
  } catch (e) {
    return `$ ${argv.join(" ")}\n[not available: ${e instanceof Error ? e.message : String(e)}]\n`;
  }
}

/** The archive's bytes: every file scrubbed. */
export async function buildSupportBundle(deps: SupportDeps): Promise<Buffer> {
  const { db, run } = deps;
  const now = deps.now();
  const secrets = knownSecrets(db, deps.dataDir, deps.tlsDir);
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return `[${path} not readable]\n`;
    }
  };
  const smart = db
    .select()
    .from(diskHealth)
    .all()
    .map((d) => {
      const r = d.report as unknown as Record<string, unknown>;
      const summary = Object.fromEntries(
        Object.entries(r).filter(([k]) =>
          ["available", "reason", "model", "capacityBytes", "passed", "temperatureC", "powerOnHours", "attributes", "status"].includes(k),
        ),
      );
      return `${d.device} (checked ${d.checkedAt.toISOString()}): ${JSON.stringify(summary)}\n`;
    })
    .join("");
  const failed = db
    .select({ id: jobs.id, kind: jobs.kind, attempts: jobs.attempts, error: jobs.error, finishedAt: jobs.finishedAt })
    .from(jobs)
    .where(eq(jobs.status, "failed"))
    .orderBy(desc(jobs.id))
    .limit(200)
    .all()
    .map((j) => `#${j.id} ${j.kind} after ${j.attempts} attempt(s) at ${j.finishedAt?.toISOString() ?? "?"}: ${j.error ?? ""}\n`)
    .join("");
  const units = UNITS.flatMap((u) => ["-u", u]);
  const files: Record<string, string> = {
    "README.txt": `nasd support bundle, made ${now.toISOString()}.\nLogs, versions, slots, disk health and failed jobs. Secrets (tokens, cookies, keys, passwords, passkeys, share links) are removed; the database and files are not included.\n`,
    "versions.txt": `${read(deps.osRelease ?? "/usr/lib/os-release")}\n${await commandText(run, ["uname", "-a"])}`,
    "rauc-status.txt": await commandText(run, ["rauc", "status", "--detailed"]),
    "journal.txt": await commandText(run, ["journalctl", "--no-pager", "-o", "short-iso", "--since=-72h", "-n", "20000", ...units]),
    "kernel.txt": await commandText(run, ["journalctl", "--no-pager", "-o", "short-iso", "-k", "-b", "-p", "warning"]),
    "services.txt": await commandText(run, ["systemctl", "--no-pager", "--failed"]),
    "disks.txt": `${await commandText(run, ["df", "-h", "/", "/data", deps.dataDir])}\n${await commandText(run, ["lsblk", "-o", "NAME,SIZE,TYPE,FSTYPE,MOUNTPOINT,MODEL"])}\nSMART (last readings):\n${smart || "none recorded\n"}`,
    "jobs-failed.txt": failed || "no failed jobs\n",
  };
  const tar = tarFiles(Object.entries(files).map(([name, text]) => ({ name: `nas-support/${name}`, text: scrubSecrets(text, secrets), mtime: now })));
  return gzipSync(tar);
}

/** Writes the bundle into the data dir's support folder (readable by the web process) and keeps the last three. */
export async function writeSupportBundle(deps: SupportDeps, name: string): Promise<string> {
  if (!SUPPORT_NAME.test(name)) throw new Error(`not a support bundle name: ${name.slice(0, 80)}`);
  const dir = dataPaths(deps.dataDir).support;
  ensureDir(deps.dataDir, dir);
  const path = join(dir, name);
  const bytes = await buildSupportBundle(deps);
  writeFileSync(`${path}.tmp`, bytes, { mode: 0o640 });
  giveToOwner(deps.dataDir, `${path}.tmp`);
  renameSync(`${path}.tmp`, path);
  const old = listSupportBundles(deps.dataDir).slice(3);
  for (const b of old) rmSync(join(dir, b.name), { force: true });
  return path;
}

export function listSupportBundles(dataDir: string): { name: string; size: number; madeAt: Date }[] {
  const dir = dataPaths(dataDir).support;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => SUPPORT_NAME.test(n))
    .map((name) => {
      const s = statSync(join(dir, name));
      return { name, size: s.size, madeAt: s.mtime };
    })
    .sort((a, b) => b.name.localeCompare(a.name));
}
