/**
 * Backup targets as the admin describes them in the wizard: checked, turned into the repository address restic
 * opens, and their secrets written to the target's folder (0600), never to the database. Also the repository
 * password (generated here, or typed for an existing repository) and the pairing code that links a box to the box
 * hosting its backups (host.ts makes it).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, normalize } from "node:path";
import { fsyncPath } from "../../hw/files";
import { AppError } from "../platform/errors";
import { type TargetKind, targetFiles } from "./restic";

export type TargetInput = {
  kind: TargetKind;
  name?: string;
  /** local: the folder that holds (or will hold) the repository. */
  path?: string;
  /** sftp */
  user?: string;
  host?: string;
  port?: string;
  /** another box: the pairing code its admin gave. */
  pairing?: string;
  /** s3 */
  endpoint?: string;
  bucket?: string;
  prefix?: string;
  accessKey?: string;
  secretKey?: string;
  /** rclone: remote:path and the remote's configuration (rclone.conf text). */
  remote?: string;
  rcloneConfig?: string;
};

/** What the database keeps (no secret) and what goes to the target's files. */
export type ParsedTarget = {
  kind: TargetKind;
  name: string;
  location: string;
  port: number | null;
  secrets: { repository: string; env?: string; rcloneConfig?: string; cacert?: string };
};

export const KIND_NAMES: Record<TargetKind, string> = {
  local: "A USB or second disk",
  sftp: "An SFTP server",
  rest: "Another nasd box",
  s3: "S3-compatible storage",
  rclone: "An rclone remote",
};

const bad = (message: string) => new AppError(400, message);
const clean = (v: string | undefined) => (v ?? "").trim();
/** No control characters anywhere (a newline would end an env line or an ssh option). */
const plain = (v: string, what: string) => {
  if (/[\u0000-\u001f\u007f]/.test(v)) throw bad(`${what} may not contain control characters.`);
  return v;
};

/** A pairing code: `nasd-pair-1:` and base64url JSON of the host's address, this box's guest id and token, and the host's certificate. */
export type Pairing = { url: string; guest: string; token: string; cert: string | null };
const PAIRING_PREFIX = "nasd-pair-1:";

export const pairingCode = (p: Pairing) => `${PAIRING_PREFIX}${Buffer.from(JSON.stringify(p)).toString("base64url")}`;

export function parsePairing(code: string): Pairing {
  const text = code.replace(/\s+/g, "");
  if (!text.startsWith(PAIRING_PREFIX)) throw bad("That is not a pairing code: it starts with nasd-pair-1: (copy it whole from the other box's Backups page).");
  let p: Partial<Pairing>;
  try {
    p = JSON.parse(Buffer.from(text.slice(PAIRING_PREFIX.length), "base64url").toString("utf8")) as Partial<Pairing>;
  } catch {
    throw bad("The pairing code is damaged: copy it again, whole.");
  }
  if (typeof p.url !== "string" || typeof p.guest !== "string" || typeof p.token !== "string")
    throw bad("The pairing code is incomplete: copy it again, whole.");
  const url = new URL(p.url);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw bad("The pairing code names an address that is not http(s).");
  if (!/^[A-Za-z0-9]{1,64}$/.test(p.guest) || !/^[A-Za-z0-9_-]{16,128}$/.test(p.token)) throw bad("The pairing code is damaged: copy it again, whole.");
  const cert = typeof p.cert === "string" && p.cert.includes("-----BEGIN CERTIFICATE-----") ? p.cert : null;
  return { url: url.origin, guest: p.guest, token: p.token, cert };
}

export function parseTarget(input: TargetInput): ParsedTarget {
  const name = plain(clean(input.name), "The name").slice(0, 60) || KIND_NAMES[input.kind];
  switch (input.kind) {
    case "local": {
      const path = plain(clean(input.path), "The folder");
      if (!isAbsolute(path)) throw bad("Give the folder as a full path, e.g. /media/usb-disk/nasd-backup.");
      const location = normalize(path).replace(/\/+$/, "") || "/";
      if (location === "/") throw bad("Choose a folder on the disk, not the root of the file system.");
      return { kind: "local", name, location, port: null, secrets: { repository: location } };
    }
    case "sftp": {
      const user = clean(input.user);
      const host = clean(input.host);
      const port = Number(clean(input.port) || 22);
      const path = plain(clean(input.path), "The path");
      if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(user)) throw bad("The user name may hold letters, digits, . _ and - only.");
      if (!/^([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]+\])$/.test(host)) throw bad("The server must be a host name or an address.");
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad("The port must be a number from 1 to 65535.");
      if (!path || /\s/.test(path)) throw bad("Give the folder on the server (no spaces), e.g. /srv/backups/nasd.");
      const location = `sftp:${user}@${host}:${path}`;
      return { kind: "sftp", name, location, port, secrets: { repository: location } };
    }
    case "rest": {
      const p = parsePairing(clean(input.pairing));
      const url = new URL(p.url);
      const location = `rest:${url.origin}/${p.guest}/`;
      const repository = `rest:${url.protocol}//${p.guest}:${p.token}@${url.host}/${p.guest}/`;
      return { kind: "rest", name, location, port: null, secrets: { repository, cacert: p.cert ?? undefined } };
    }
    case "s3": {
      const endpoint = clean(input.endpoint).replace(/\/+$/, "");
      const bucket = clean(input.bucket);
      const prefix = plain(clean(input.prefix), "The prefix").replace(/^\/+|\/+$/g, "");
      const accessKey = plain(clean(input.accessKey), "The access key");
      const secretKey = plain(clean(input.secretKey), "The secret key");
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        throw bad("The endpoint must be an address like https://s3.example.com.");
      }
      if (url.protocol !== "https:" && url.protocol !== "http:") throw bad("The endpoint must be an http(s) address.");
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw bad("The bucket name must be 3–63 lower-case letters, digits, dots or dashes.");
      if (!accessKey || !secretKey) throw bad("Give the access key and the secret key.");
      const location = `s3:${url.origin}/${bucket}${prefix ? `/${prefix}` : ""}`;
      return {
        kind: "s3",
        name,
        location,
        port: null,
        secrets: { repository: location, env: `AWS_ACCESS_KEY_ID=${accessKey}\nAWS_SECRET_ACCESS_KEY=${secretKey}\n` },
      };
    }
    case "rclone": {
      const remote = plain(clean(input.remote), "The remote");
      if (!/^[A-Za-z0-9_.-]+:\S*$/.test(remote)) throw bad("The remote must look like name:path, as in rclone's configuration.");
      const config = (input.rcloneConfig ?? "").slice(0, 64 * 1024);
      return { kind: "rclone", name, location: `rclone:${remote}`, port: null, secrets: { repository: `rclone:${remote}`, rcloneConfig: config || undefined } };
    }
  }
}

function writeSecret(path: string, text: string) {
  const partial = `${path}.partial`;
  writeFileSync(partial, text, { mode: 0o600 });
  fsyncPath(partial);
  renameSync(partial, path);
}

/** Writes a target's secret files (its folder is 0700, each file 0600). */
export function writeTargetSecrets(dataDir: string, targetId: string, secrets: ParsedTarget["secrets"]) {
  const f = targetFiles(dataDir, targetId);
  mkdirSync(f.dir, { recursive: true, mode: 0o700 });
  writeSecret(f.repository, `${secrets.repository}\n`);
  if (secrets.env) writeSecret(f.env, secrets.env);
  if (secrets.rcloneConfig) writeSecret(f.rcloneConfig, secrets.rcloneConfig);
  if (secrets.cacert) writeSecret(f.cacert, secrets.cacert);
}

/** Crockford's base32 without look-alikes, in groups of five: easy to read off paper and type again. */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
export function generatePassword(): string {
  const bytes = randomBytes(30);
  const chars = Array.from(bytes, (b) => ALPHABET[b & 31]);
  return Array.from({ length: 6 }, (_, i) => chars.slice(i * 5, i * 5 + 5).join("")).join("-");
}

export function setPassword(dataDir: string, targetId: string, password: string) {
  const value = password.trim();
  if (value.length < 8) throw bad("The repository password must have at least 8 characters.");
  plain(value, "The password");
  mkdirSync(targetFiles(dataDir, targetId).dir, { recursive: true, mode: 0o700 });
  writeSecret(targetFiles(dataDir, targetId).password, value);
}

export function readPassword(dataDir: string, targetId: string): string | null {
  const f = targetFiles(dataDir, targetId).password;
  return existsSync(f) ? readFileSync(f, "utf8").trim() : null;
}

/** The full repository address, with a pairing token in it for another box (the emergency kit shows it). */
export function readRepository(dataDir: string, targetId: string): string {
  return readFileSync(targetFiles(dataDir, targetId).repository, "utf8").trim();
}

export function readCert(dataDir: string, targetId: string): string | null {
  const f = targetFiles(dataDir, targetId).cacert;
  return existsSync(f) ? readFileSync(f, "utf8") : null;
}

export const removeTargetSecrets = (dataDir: string, targetId: string) => rmSync(targetFiles(dataDir, targetId).dir, { recursive: true, force: true });
