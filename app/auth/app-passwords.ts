// Per-device app passwords: what a phone or a computer signs in with over WebDAV and the Nextcloud client protocol
// (HTTP Basic: username + app password). They are rows of `app_tokens` with a "files" scope: made in Settings →
// Devices or by the login flow (app/dav/login-flow.ts), shown once, stored as SHA-256 (150 random bits: a slow hash
// adds nothing), revocable, with the time and address of their last use. They open files only: the JSON API and the
// pages refuse them (app/platform/http/access.ts), and a session cookie never opens WebDAV.
import { and, desc, eq, isNull, ne, sql } from "drizzle-orm";
import { randomInt, randomUUID } from "node:crypto";
import type { Clock } from "../platform/clock";
import type { Db } from "../platform/db/client";
import { appTokens, users, type AppToken, type User } from "../platform/db/schema";
import { validateName } from "../drive/model";
import { AppError } from "../platform/errors";
import { beginAttempt, type Guard, type RateLimiter } from "../platform/http/rate-limit";
import { bookkeeping } from "../platform/space";
import { safeEqual, sha256 } from "../platform/crypto";

export type DeviceScope = "files" | "files-read";
export type Device = AppToken & { scope: DeviceScope };
export type DeviceLogin = { user: User; device: Device };

// 32 lower-case letters and digits without look-alikes (0/o and 1/l stay out): 5 bits each, 30 of them = 150 bits.
const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
const GROUPS = 5;
const GROUP_LENGTH = 6;
/** A successful sign-in from an address keeps that address exempt from the per-account limit for this long. */
const KNOWN_ADDRESS_MS = 30 * 24 * 3600_000;

/** Loopback needs no TLS: nothing leaves the machine. */
export function isLoopback(ip: string | null): boolean {
  if (!ip) return false;
  const v4 = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  return v4.startsWith("127.") || ip === "::1";
}

/** "Basic base64(user:password)" → its parts; null when it is not a well-formed Basic header. */
export function parseBasic(header: string): { username: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 1) return null;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function newAppPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let s = "";
    for (let i = 0; i < GROUP_LENGTH; i++) s += ALPHABET[randomInt(32)];
    groups.push(s);
  }
  return groups.join("-");
}

export function createAppPasswords(deps: { db: Db; limits: { byAccount: RateLimiter; byIp: RateLimiter }; now: Clock }) {
  const { db, limits, now } = deps;
  // Addresses that signed in to an account: an attacker guessing from elsewhere cannot lock its devices out.
  const knownAddresses = new Map<string, number>();
  const known = (account: string, ip: string | null) => {
    const at = knownAddresses.get(`${account}\n${ip}`);
    return at !== undefined && now().getTime() - at < KNOWN_ADDRESS_MS;
  };
  const remember = (account: string, ip: string | null) => {
    if (knownAddresses.size > 10_000) knownAddresses.clear();
    knownAddresses.set(`${account}\n${ip}`, now().getTime());
  };
  const byHash = db
    .select({ token: appTokens, user: users })
    .from(appTokens)
    .innerJoin(users, eq(users.id, appTokens.userId))
    .where(and(eq(appTokens.tokenHash, sql.placeholder("hash")), isNull(appTokens.revokedAt), ne(appTokens.scope, "api")))
    .prepare();

  return {
    /** A new device: its name (the Drive's name rule: it names the device's camera folder) and its password, shown once. */
    create(userId: string, rawName: string, scope: DeviceScope = "files"): { device: Device; password: string } {
      const name = validateName(rawName.trim().slice(0, 64));
      const password = newAppPassword();
      const row = db
        .insert(appTokens)
        .values({ id: randomUUID(), userId, name, tokenHash: sha256(password), createdAt: now(), scope })
        .returning()
        .get();
      return { device: row as Device, password };
    },

    /**
     * Checks `Authorization: Basic` from a device. Refused before anything is checked: plain HTTP from another
     * machine (the password would cross the network readable), and an address or account over its limit of wrong
     * passwords. Each attempt is counted before the password is looked up (`beginAttempt`, the rule sign-in and link
     * passwords follow): 300 guesses arriving together are counted one by one; a right one gives its count back.
     */
    verify(header: string, at: { ip: string | null; secure: boolean }): DeviceLogin {
      if (!at.secure && !isLoopback(at.ip)) {
        throw new AppError(
          403,
          "App passwords are accepted only over HTTPS (or on this machine): plain HTTP would carry the password readable across the network. Use the https:// address of the box.",
        );
      }
      const basic = parseBasic(header);
      const account = `account:${(basic?.username ?? "").toLowerCase()}`;
      // The one rule for every secret (sign-in, recovery codes, link passwords): counted before it is checked.
      const guards: Guard[] = [[limits.byIp, `ip:${at.ip ?? "unknown"}`]];
      if (!known(account, at.ip)) guards.push([limits.byAccount, account]);
      const attempt = beginAttempt(guards, "Too many wrong passwords: wait a moment before trying again.");
      // Phone keyboards capitalise the first letter: the password is lower case, so case never matters.
      const row = basic ? byHash.get({ hash: sha256(basic.password.trim().toLowerCase()) }) : undefined;
      const ok = !!row && !row.user.disabledAt && safeEqual(row.user.username, basic!.username.toLowerCase());
      if (!ok) throw new AppError(401, "Wrong username or app password (make one in Settings → Devices; it may have been revoked).");
      attempt.succeeded();
      remember(account, at.ip);
      const t = now();
      // Bookkeeping only: a full disk must not turn a working password into an error.
      if (!row.token.lastUsedAt || t.getTime() - row.token.lastUsedAt.getTime() > 60_000 || row.token.lastUsedIp !== at.ip)
        bookkeeping(() => db.update(appTokens).set({ lastUsedAt: t, lastUsedIp: at.ip }).where(eq(appTokens.id, row.token.id)).run());
      return { user: row.user, device: row.token as Device };
    },

    /** The person's devices (revoked ones are gone from the list), newest first. */
    list: (userId: string): Device[] =>
      db
        .select()
        .from(appTokens)
        .where(and(eq(appTokens.userId, userId), isNull(appTokens.revokedAt), ne(appTokens.scope, "api")))
        .orderBy(desc(appTokens.createdAt))
        .all() as Device[],
    byId: (userId: string, id: string): Device | undefined =>
      db
        .select()
        .from(appTokens)
        .where(and(eq(appTokens.id, id), eq(appTokens.userId, userId), ne(appTokens.scope, "api")))
        .get() as Device | undefined,
    /** Revoked at once: the next request with it is a 401. */
    revoke(userId: string, id: string) {
      const done = db
        .update(appTokens)
        .set({ revokedAt: now() })
        .where(and(eq(appTokens.id, id), eq(appTokens.userId, userId), isNull(appTokens.revokedAt), ne(appTokens.scope, "api")))
        .returning()
        .all();
      if (!done.length) throw new AppError(404, "No such device.");
    },
  };
}

export type AppPasswords = ReturnType<typeof createAppPasswords>;
