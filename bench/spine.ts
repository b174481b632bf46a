// Spine benchmark: idle RSS of the web server, and wrk throughput of the signed-in home page against a bare
// Bun.serve hello-world measured in the same run on the same machine. Run: bun bench/spine.ts
// Only 127.0.0.1 is ever targeted. Options (env): WRK_THREADS (2), WRK_CONNECTIONS (32), WRK_DURATION (5s), WRK_ROUNDS (3).
import type { Subprocess } from "bun";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { SESSION_COOKIE } from "../app/platform/http/context";
import { loadConfig } from "../app/platform/config";
import { openDb } from "../app/platform/db/client";
import { createServices } from "../app/services";

const RSS_TARGET_MB = 60;
const RATIO_TARGET = 0.3;
const IDLE_WAIT_MS = 3000;
const ROUNDS = Number(process.env.WRK_ROUNDS ?? 3);
const wrkSettings = {
  threads: process.env.WRK_THREADS ?? "2",
  connections: process.env.WRK_CONNECTIONS ?? "32",
  duration: process.env.WRK_DURATION ?? "5s",
};
const root = join(import.meta.dir, "..");

function fail(message: string): never {
  console.error(`bench/spine: ${message}`);
  process.exit(1);
}

function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) fail(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

async function waitForHttp(url: string, proc: Subprocess, limitMs = 20_000) {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (proc.exitCode !== null) fail(`process exited with ${proc.exitCode} before answering ${url}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(50);
  }
  fail(`${url} did not answer within ${limitMs} ms`);
}

async function stop(proc: Subprocess) {
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  await proc.exited;
  clearTimeout(timer);
}

type WrkResult = { requestsPerSec: number; non2xx: number; errors: string | null; latencyAvg: string };

async function wrk(url: string, headers: string[] = []): Promise<WrkResult> {
  const args = ["wrk", `-t${wrkSettings.threads}`, `-c${wrkSettings.connections}`, `-d${wrkSettings.duration}`, ...headers.flatMap((h) => ["-H", h]), url];
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) fail(`wrk exited with ${code}: ${err || out}`);
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  if (!rps) fail(`could not read wrk output:\n${out}`);
  return {
    requestsPerSec: Number(rps[1]),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    errors: /Socket errors:.*$/m.exec(out)?.[0] ?? null,
    latencyAvg: /^\s+Latency\s+(\S+)/m.exec(out)?.[1] ?? "?",
  };
}

function ensureWrk() {
  if (Bun.which("wrk")) return;
  console.error("wrk not found; installing the Debian package (apt-get install -y wrk)…");
  const install = Bun.spawnSync(["apt-get", "install", "-y", "wrk"], { stdout: "inherit", stderr: "inherit" });
  if (install.exitCode !== 0 || !Bun.which("wrk")) fail("wrk is missing: run `apt-get update && apt-get install -y wrk`");
}

/** A signed-in admin made directly in the database, before the server starts: the cookie wrk sends. */
function seedAdmin(dataDir: string): string {
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  try {
    const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: dataDir }) });
    const { user } = auth.users.add({ username: "bench", displayName: "Bench Admin", role: "admin" }, null);
    return auth.sessions.create(user.id, { ip: "127.0.0.1", userAgent: "wrk" });
  } finally {
    db.$client.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medianBy = <T>(xs: T[], key: (x: T) => number) => [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main() {
  ensureWrk();
  const dataDir = mkdtempSync(join(tmpdir(), "nas-bench-"));
  const procs: Subprocess[] = [];
  try {
    const sessionId = seedAdmin(dataDir);
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    // What the image runs: the bundle from `make build` (dist/main.js). The sources are measured too, for comparison.
    const build = Bun.spawnSync(["make", "-s", "build"], { cwd: root, stdout: "ignore", stderr: "inherit" });
    if (build.exitCode !== 0) fail("make build failed");
    const startServer = async (entry: string) => {
      const proc = Bun.spawn(["bun", entry], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", ORIGIN: base, NODE_ENV: "production" },
        stdout: "ignore",
        stderr: "inherit",
      });
      procs.push(proc);
      await waitForHttp(`${base}/healthz`, proc);
      await Bun.sleep(IDLE_WAIT_MS);
      return proc;
    };
    const fromSources = await startServer("app/main.ts");
    const sourcesRss = rssMb(fromSources.pid);
    await stop(fromSources);
    const server = await startServer("dist/main.js");
    const idleRss = rssMb(server.pid);

    const cookie = `Cookie: ${SESSION_COOKIE}=${sessionId}`;
    const home = await fetch(`${base}/`, { headers: { cookie: `${SESSION_COOKIE}=${sessionId}` }, redirect: "manual" });
    const homeHtml = await home.text();
    if (home.status !== 200 || !homeHtml.includes("Bench Admin")) fail(`GET / as the admin gave ${home.status}, not the signed-in home page`);

    const helloPort = freePort();
    const helloUrl = `http://127.0.0.1:${helloPort}/`;
    const hello = Bun.spawn(["bun", "-e", `Bun.serve({ port: ${helloPort}, hostname: "127.0.0.1", fetch: () => new Response("Hello, world!") })`], {
      stdout: "ignore",
      stderr: "inherit",
    });
    procs.push(hello);
    await waitForHttp(helloUrl, hello);

    // Warm-up (JIT, SQLite page cache), then alternate the two so background load hits both alike.
    await wrk(`${base}/`, [cookie]);
    await wrk(helloUrl);
    const rounds: { app: WrkResult; baseline: WrkResult }[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push({ app: await wrk(`${base}/`, [cookie]), baseline: await wrk(helloUrl) });
    const loadedRss = rssMb(server.pid);
    await stop(server);
    await stop(hello);

    const app = medianBy(
      rounds.map((r) => r.app),
      (r) => r.requestsPerSec,
    );
    const baseline = medianBy(
      rounds.map((r) => r.baseline),
      (r) => r.requestsPerSec,
    );
    const ratios = rounds.map((r) => r.app.requestsPerSec / r.baseline.requestsPerSec);
    const ratio = median(ratios);
    const non2xx = rounds.reduce((n, r) => n + r.app.non2xx, 0);
    if (non2xx > 0) fail(`${non2xx} responses of GET / were not 2xx: the session did not hold`);
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}`;
    const settings = `wrk -t${wrkSettings.threads} -c${wrkSettings.connections} -d${wrkSettings.duration}`;

    console.log(`machine:              ${machine}, Bun ${Bun.version}`);
    console.log(
      `idle RSS after start: ${idleRss.toFixed(1)} MB (target ≤ ${RSS_TARGET_MB} MB) ${idleRss <= RSS_TARGET_MB ? "OK" : "OVER"} (dist/main.js, as on the image; ${sourcesRss.toFixed(1)} MB running app/main.ts)`,
    );
    console.log(`RSS after load:       ${loadedRss.toFixed(1)} MB`);
    console.log(`GET / signed in:      ${fmt(app.requestsPerSec)} req/s (avg latency ${app.latencyAvg}${app.errors ? `; ${app.errors}` : ""})`);
    console.log(
      `Bun.serve hello:      ${fmt(baseline.requestsPerSec)} req/s (avg latency ${baseline.latencyAvg}${baseline.errors ? `; ${baseline.errors}` : ""})`,
    );
    console.log(
      `ratio:                ${ratio.toFixed(2)} (target ≥ ${RATIO_TARGET}) ${ratio >= RATIO_TARGET ? "OK" : "UNDER"}; median of ${ROUNDS} alternating rounds: ${ratios.map((r) => r.toFixed(2)).join(", ")}`,
    );
    console.log(
      `load average:         ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} (anything else busy on the machine lowers both numbers unevenly)`,
    );
    console.log("");
    console.log("| date | machine | idle RSS | GET / (signed in) | Bun.serve hello | ratio | wrk |");
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    console.log(
      `| ${new Date().toISOString().slice(0, 10)} | ${machine} | ${idleRss.toFixed(1)} MB | ${fmt(app.requestsPerSec)} req/s | ${fmt(baseline.requestsPerSec)} req/s | ${ratio.toFixed(2)} | ${settings} |`,
    );
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
