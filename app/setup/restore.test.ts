import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomToken } from "../platform/crypto";
import { openDb } from "../platform/db/client";
import { passkeys, users } from "../platform/db/schema";
import { backupDatabase } from "../dashboard/backups";
import { createApp } from "../server";
import { createTestApp, TEST_ORIGIN, type TestApp } from "../../test/support/app";
import { applyPendingRestore, checkBackup } from "./restore";
import { dataPaths } from "../platform/paths";

const apps: TestApp[] = [];
afterEach(() => {
  while (apps.length) apps.pop()!.cleanup();
});

/** The old box: an admin with a passkey, backed up into `intoDataDir`'s backups folder. */
function oldBoxBackup(intoDataDir: string, at = new Date("2026-11-20T03:00:00Z")) {
  const old = createTestApp();
  apps.push(old);
  const alice = old.createAdmin("alice");
  old.db
    .insert(passkeys)
    .values({ id: "cred-1", userId: alice.id, publicKey: Buffer.from("pk"), deviceType: "singleDevice", name: "Laptop", createdAt: at })
    .run();
  return backupDatabase(old.db, dataPaths(intoDataDir).backups, at);
}

const form = (fields: Record<string, string>, headers: Record<string, string>) => ({
  method: "POST",
  headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

/** An anonymous browser's cookie + CSRF token, as the wizard page hands them out. */
async function anonymous(t: TestApp) {
  const res = await t.request("/setup");
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const html = await res.text();
  const csrf = html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
  return { html, headers: { cookie, origin: TEST_ORIGIN, "sec-fetch-site": "same-origin", "x-csrf-token": csrf } };
}

describe("restore from a backup in the setup wizard", () => {
  test("offered on a fresh box with backups; checked, staged, swapped in at start; the old admin and passkey are back", async () => {
    let restarts = 0;
    const t = createTestApp({ deps: { requestRestart: () => void restarts++ } });
    apps.push(t);
    const backup = oldBoxBackup(t.dataDir);
    const { html, headers } = await anonymous(t);
    expect(html).toContain("Restore from a backup");
    expect(html).toContain(backup.name);

    const res = await t.request("/setup/restore", form({ name: backup.name }, headers));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("administrators: alice");
    expect(restarts).toBe(1);
    expect(existsSync(dataPaths(t.dataDir).dbRestore)).toBe(true);

    // The restart: the process closes its database, and the next start swaps the backup in before opening it.
    t.db.$client.close();
    expect(applyPendingRestore(t.dataDir, () => {})).toBe(true);
    expect(existsSync(dataPaths(t.dataDir).dbRestore)).toBe(false);
    expect(readdirSync(t.dataDir).some((n) => n.startsWith("db.sqlite.before-restore-"))).toBe(true);
    const db = openDb(join(t.dataDir, "db.sqlite"), { log: () => {} });
    t.db.$client = db.$client; // so cleanup closes the new connection
    expect(db.select({ username: users.username, role: users.role }).from(users).all()).toEqual([{ username: "alice", role: "admin" }]);
    expect(db.select({ id: passkeys.id }).from(passkeys).all()).toEqual([{ id: "cred-1" }]);

    const restarted = createApp({ config: t.config, db, secret: Buffer.from(randomToken(32)), clientIp: () => "127.0.0.1" });
    const setup = await restarted.handle(new Request(`${TEST_ORIGIN}/setup`));
    expect(setup.status).toBe(303);
    expect(setup.headers.get("location")).toBe("/login");
    const status = await restarted.handle(new Request(`${TEST_ORIGIN}/setup/restore/status`, { headers: { "hx-request": "true" } }));
    expect(status.headers.get("hx-redirect")).toBe("/login");
  });

  test("a damaged backup is refused with the reason and nothing is staged", async () => {
    let restarts = 0;
    const t = createTestApp({ deps: { requestRestart: () => void restarts++ } });
    apps.push(t);
    mkdirSync(dataPaths(t.dataDir).backups, { recursive: true });
    const bad = join(dataPaths(t.dataDir).backups, "db-20261121-030000.sqlite");
    writeFileSync(bad, Buffer.concat([Buffer.from("SQLite format 3\0"), Buffer.alloc(4096, 0xab)]));
    expect(checkBackup(bad).ok).toBe(false);
    const { headers } = await anonymous(t);
    const res = await t.request("/setup/restore", form({ name: "db-20261121-030000.sqlite" }, headers));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("This backup cannot be restored");
    const missing = await t.request("/setup/restore", form({ name: "db-20200101-000000.sqlite" }, headers));
    expect(missing.status).toBe(404);
    expect(restarts).toBe(0);
    expect(existsSync(dataPaths(t.dataDir).dbRestore)).toBe(false);
  });

  test("no restore once an admin exists; no offer without backups", async () => {
    const t = createTestApp({
      deps: {
        requestRestart: () => {
          throw new Error("must not restart");
        },
      },
    });
    apps.push(t);
    const { html, headers } = await anonymous(t);
    expect(html).not.toContain("Restore from a backup");
    const backup = oldBoxBackup(t.dataDir);
    t.createAdmin("bob");
    const res = await t.request("/setup/restore", form({ name: backup.name }, headers));
    expect(res.status).toBe(403);
    expect(existsSync(dataPaths(t.dataDir).dbRestore)).toBe(false);
  });

  test("a backup without an administrator (an unfinished setup) is never offered", async () => {
    const t = createTestApp();
    apps.push(t);
    const empty = createTestApp();
    apps.push(empty);
    backupDatabase(empty.db, dataPaths(t.dataDir).backups, new Date("2026-11-29T03:00:00Z"));
    const { html } = await anonymous(t);
    expect(html).not.toContain("Restore from a backup");
    expect(html).not.toContain('id="restore"');
    const real = oldBoxBackup(t.dataDir);
    const again = await anonymous(t);
    expect(again.html).toContain("Restore from a backup");
    expect(again.html).toContain(real.name);
    expect(again.html).not.toContain("db-20261129-030000.sqlite");
  });

  test("a staged file that fails its check at start is set aside and the current database stays", () => {
    const t = createTestApp();
    apps.push(t);
    t.createAdmin("current");
    writeFileSync(dataPaths(t.dataDir).dbRestore, "not a database");
    expect(applyPendingRestore(t.dataDir, () => {})).toBe(false);
    expect(existsSync(`${dataPaths(t.dataDir).dbRestore}.rejected`)).toBe(true);
    expect(t.db.select({ username: users.username }).from(users).all()).toEqual([{ username: "current" }]);
  });
});
