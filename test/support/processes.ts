// The box as it runs: the real web process (app/main.ts) and worker (app/worker.ts) on one temp data dir, each
// started, stopped and killed (-9) on demand, and the admin CLI run beside them. Used by the reliability suite.
import { createAppPasswords } from "../../app/auth/app-passwords";
import { systemClock } from "../../app/platform/clock";
import { createRateLimiter } from "../../app/platform/http/rate-limit";
import type { Subprocess } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../app/platform/config";
import { openDb } from "../../app/platform/db/client";
import { createServices } from "../../app/services";
import { freePort } from "./browser";

export const ROOT = join(import.meta.dir, "../..");

export type Box = Awaited<ReturnType<typeof startBox>>;

/**
 * A web process and a worker on `dataDir` (a new temp dir by default), with an admin "ada", her app token and a device's
 * app password (WebDAV).
 */
export async function startBox(opts: { dataDir?: string; env?: Record<string, string>; worker?: boolean } = {}) {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "nas-box-"));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", ORIGIN: origin, LOG_LEVEL: "warn", ...opts.env };
  const logs: string[] = [];
  const drain = async (stream: ReadableStream<Uint8Array>, name: string) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) logs.push(`${name}: ${decoder.decode(chunk)}`);
  };
  const spawn = (entry: string, name: string) => {
    const proc = Bun.spawn(["bun", entry], { cwd: ROOT, env, stdout: "pipe", stderr: "pipe" });
    void drain(proc.stdout, name);
    void drain(proc.stderr, name);
    return proc;
  };

  // The account first, so both processes find it (the database is created and migrated here).
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const services = createServices({ db, config: loadConfig([], { DATA_DIR: dataDir }) });
  const ada = services.auth.users.add({ username: "ada", displayName: "Ada", role: "admin" }, null).user;
  const token = services.auth.tokens.create(ada.id, "reliability").token;
  const limiter = () => createRateLimiter({ limit: 10, windowMs: 60_000, now: systemClock });
  const devicePassword = createAppPasswords({ db, limits: { byAccount: limiter(), byIp: limiter() }, now: systemClock }).create(ada.id, "Phone").password;
  const davAuth = `Basic ${Buffer.from(`ada:${devicePassword}`).toString("base64")}`;
  db.$client.close();

  const box = {
    dataDir,
    origin,
    ada,
    token,
    logs,
    web: null as Subprocess | null,
    worker: null as Subprocess | null,
    async startWeb() {
      box.web = spawn("app/main.ts", "web");
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          if ((await fetch(`${origin}/healthz`)).ok) return;
        } catch {}
        if (Date.now() > deadline || box.web.exitCode !== null) throw new Error(`the web process did not start:\n${logs.join("")}`);
        await Bun.sleep(50);
      }
    },
    startWorker() {
      box.worker = spawn("app/worker.ts", "worker");
    },
    /** kill -9: no cleanup, no goodbye (a power cut of that one process). */
    async kill(which: "web" | "worker") {
      const proc = box[which];
      if (!proc) return;
      proc.kill("SIGKILL");
      await proc.exited;
      box[which] = null;
    },
    /** The admin CLI with the box's data dir; its output and exit code. */
    async cli(args: string[]) {
      const proc = Bun.spawn(["bun", "app/cli.ts", ...args], { cwd: ROOT, env, stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      return { out, err, code };
    },
    /** A WebDAV request as ada's phone (its app password, over loopback). */
    dav(path: string, init: RequestInit = {}) {
      return fetch(`${origin}/dav/${path}`, { ...init, headers: { authorization: davAuth, ...(init.headers as Record<string, string>) } });
    },
    /** An API call as ada's script (app token: no CSRF). */
    api(path: string, init: RequestInit = {}) {
      return fetch(`${origin}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
    },
    /** SIGTERM to both: they finish what they are doing and exit; the data dir stays. */
    async halt() {
      for (const proc of [box.web, box.worker]) proc?.kill("SIGTERM");
      await Promise.all([box.web?.exited, box.worker?.exited]);
      box.web = box.worker = null;
    },
    /** Halts both and removes the data dir it made. */
    async stop() {
      await box.halt();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await box.startWeb();
  if (opts.worker !== false) box.startWorker();
  return box;
}

/** Long runs for `make soak` (SOAK=1); the same code, smaller, in `make test`. */
export const SOAK = process.env.SOAK === "1";
