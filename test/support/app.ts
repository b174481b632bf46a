// Test helpers: a real app on a real temp SQLite file and a real temp data dir. No mocks.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hmac, randomToken } from "../../app/platform/crypto";
import { loadConfig, type Config } from "../../app/platform/config";
import { openDb } from "../../app/platform/db/client";
import type { User } from "../../app/platform/db/schema";
import { createApp, type AppDeps } from "../../app/server";

export const TEST_ORIGIN = "http://localhost:8080";

/** A form POST as a browser sends it, with the signed-in headers (cookie, origin, CSRF token) from `signIn`. */
export const postForm = (headers: Record<string, string>, fields: Record<string, string> = {}) => ({
  method: "POST",
  headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

export type TestApp = ReturnType<typeof createTestApp>;

export function createTestApp(opts: { config?: Partial<Config>; deps?: Partial<AppDeps> } = {}) {
  // A given data dir (e.g. a small tmpfs) holds the database too, as on the box.
  const dataDir = opts.config?.dataDir ?? mkdtempSync(join(tmpdir(), "nas-test-"));
  const config = { ...loadConfig([], { DATA_DIR: dataDir, PORT: "8080" }), ...opts.config };
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const secret = Buffer.from(randomToken(32));
  let ip = "127.0.0.1";
  const app = createApp({ config, db, secret, clientIp: () => ip, ...opts.deps });
  const { auth } = app.services;

  /** Creates a user directly (no passkey ceremony) and returns headers that act as their signed-in browser. */
  function signIn(user: User) {
    const sid = auth.sessions.create(user.id, { ip, userAgent: "bun-test" });
    return browserHeaders(sid);
  }
  function browserHeaders(sessionId: string) {
    return { cookie: `nas_session=${sessionId}`, origin: TEST_ORIGIN, "sec-fetch-site": "same-origin", "x-csrf-token": hmac(secret, `csrf:${sessionId}`) };
  }
  function createUser(username: string, role: "admin" | "user" = "user") {
    return auth.users.add({ username, displayName: username, role }, null).user;
  }

  return {
    app,
    db,
    config,
    dataDir,
    secret,
    services: app.services,
    setIp: (next: string) => (ip = next),
    createUser,
    /** An admin exists afterwards, so the wizard is gone. */
    createAdmin: (username = "admin") => createUser(username, "admin"),
    signIn,
    browserHeaders,
    request: (path: string, init: RequestInit = {}) => app.handle(new Request(`${TEST_ORIGIN}${path}`, init)),
    cleanup: () => {
      db.$client.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
