// Test helpers for WebDAV: a real server process (app/main.ts) with a person and a device's app password made in
// its database, the way Settings → Devices makes them.
import { systemClock } from "../../app/platform/clock";
import { dataPaths } from "../../app/platform/paths";
import { startServer, type TestServer } from "./browser";

export type DavServer = TestServer & {
  username: string;
  password: string;
  url: string;
  auth: string;
  /** A device's app password; for `as`, another person made on first use (the server's own person by default). */
  addDevice: (name: string, scope?: "files" | "files-read", as?: string) => Promise<string>;
};

export async function startDavServer(opts: { username?: string; env?: Record<string, string>; dataDir?: string } = {}): Promise<DavServer> {
  const server = await startServer({ dataDir: opts.dataDir, env: opts.env });
  const username = opts.username ?? "alice";
  const addDevice = async (name: string, scope: "files" | "files-read" = "files", as = username) => {
    const { openDb } = await import("../../app/platform/db/client");
    const { createServices } = await import("../../app/services");
    const { loadConfig } = await import("../../app/platform/config");
    const { createAppPasswords } = await import("../../app/auth/app-passwords");
    const { createRateLimiter } = await import("../../app/platform/http/rate-limit");
    const db = openDb(dataPaths(server.dataDir).db, { log: () => {} });
    try {
      const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: server.dataDir }) });
      const user = auth.users.byName(as) ?? auth.users.add({ username: as, displayName: as, role: as === username ? "admin" : "user" }, null).user;
      const limiter = () => createRateLimiter({ limit: 10, windowMs: 60_000, now: systemClock });
      return createAppPasswords({ db, limits: { byAccount: limiter(), byIp: limiter() }, now: systemClock }).create(user.id, name, scope).password;
    } finally {
      db.$client.close();
    }
  };
  const password = await addDevice("Test client");
  return {
    ...server,
    username,
    password,
    url: `${server.origin}/dav/`,
    auth: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`,
    addDevice,
  };
}

/** Runs a client command; returns its exit code and output (stdout and stderr together). */
export async function runClient(cmd: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill(), opts.timeoutMs ?? 300_000);
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, output: out + err };
}
