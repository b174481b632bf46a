// CPU cost of the dashboard's live refresh at idle, on this machine.
// Starts the real web server (the bundle, dist/main.js, as on the image) on a temp data dir, then measures its CPU (process + children, from
// /proc/<pid>/stat) for two equal windows: the server alone (baseline: its job lane looking for due jobs every 5 s; the
// minute samples and SMART checks are jobs the worker queues, and no worker runs here), and the
// server with one admin tab open on /dashboard polling like htmx does (#live every 5 s, banner every 30 s,
// #disks and #history every 60 s).
// Run: bun bench/dashboard-refresh.ts [seconds per window, default 60]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../app/platform/config";
import { openDb } from "../app/platform/db/client";
import { createServices } from "../app/services";

const seconds = Number(process.argv[2] ?? 60);
const root = join(import.meta.dir, "..");
const dataDir = mkdtempSync(join(tmpdir(), "bench-dash-"));
const port = 20000 + Math.floor(Math.random() * 20000);
const origin = `http://localhost:${port}`;

// The bundle the image runs (make build → dist/main.js).
if (Bun.spawnSync(["make", "-s", "build"], { cwd: root, stdout: "ignore", stderr: "inherit" }).exitCode !== 0) throw new Error("make build failed");
const server = Bun.spawn(["bun", "dist/main.js"], {
  cwd: root,
  env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", ORIGIN: origin },
  stdout: "ignore",
  stderr: "pipe",
});

function cpuTicks(pid: number) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
}
const TICK_MS = 10; // USER_HZ = 100 on Linux

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break;
    } catch {}
    if (i > 200) throw new Error(`server did not start: ${await new Response(server.stderr).text()}`);
    await Bun.sleep(100);
  }
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: dataDir }) });
  const { user } = auth.users.add({ username: "admin", displayName: "Admin", role: "admin" }, null);
  const cookie = `nas_session=${auth.sessions.create(user.id, { ip: "127.0.0.1", userAgent: "bench" })}`;
  db.$client.close();

  const get = async (path: string) => {
    const res = await fetch(`${origin}${path}`, { headers: { cookie, "hx-request": "true" } });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    await res.arrayBuffer();
  };
  // Warm up: first renders, lazily compiled routes, the JIT, systeminformation's static facts.
  for (let i = 0; i < 20; i++) {
    for (const path of ["/dashboard", "/dashboard/fragments/live", "/dashboard/fragments/banner", "/dashboard/fragments/disks", "/dashboard/fragments/history"])
      await get(path);
  }
  await Bun.sleep(6_000); // past the server's first SMART check (5 s after start)

  async function window(label: string, poll: boolean) {
    const t0 = cpuTicks(server.pid);
    const w0 = performance.now();
    let requests = 0;
    for (let s = 0; s < seconds; s += 5) {
      if (poll) {
        const due = ["/dashboard/fragments/live"];
        if (s % 30 === 0) due.push("/dashboard/fragments/banner");
        if (s % 60 === 0) due.push("/dashboard/fragments/disks", "/dashboard/fragments/history");
        for (const path of due) await get(path);
        requests += due.length;
      }
      await Bun.sleep(5_000);
    }
    const cpuMs = (cpuTicks(server.pid) - t0) * TICK_MS;
    const wallMs = performance.now() - w0;
    const percent = (100 * cpuMs) / wallMs;
    console.log(`${label.padEnd(34)} ${cpuMs} ms CPU in ${(wallMs / 1000).toFixed(0)} s = ${percent.toFixed(3)} % of one core (${requests} requests)`);
    return { cpuMs, percent, requests };
  }

  const idle = await window("server idle (baseline)", false);
  const watched = await window("server + dashboard tab polling", true);
  const refreshCpu = Math.max(0, watched.cpuMs - idle.cpuMs);
  console.log(
    `dashboard refresh: ${(refreshCpu / watched.requests).toFixed(1)} ms CPU per fragment request; ${((100 * refreshCpu) / (seconds * 1000)).toFixed(3)} % of one core`,
  );
  console.log(`ratio watched/idle: ${(watched.cpuMs / Math.max(idle.cpuMs, TICK_MS)).toFixed(2)}`);
  const check = openDb(join(dataDir, "db.sqlite"), { migrate: false, log: () => {} });
  const samples = check.$client.query("select count(*) as n from system_samples").get() as { n: number };
  console.log(`one-minute samples the server recorded meanwhile: ${samples.n}`);
  check.$client.close();
} finally {
  server.kill("SIGTERM");
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
}
