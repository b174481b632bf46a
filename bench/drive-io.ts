// Drive I/O benchmark, baselines measured in the same run on the same disk:
//   upload    curl -T of one file through the server (SHA-256 + fsync + rename included) vs `dd conv=fsync` of it;
//             bytes the server wrote to disk (/proc/<pid>/io write_bytes) vs the file size.
//   download  Range requests through the server vs nginx serving the same stored file.
// Run: bun bench/drive-io.ts   Env: DRIVE_BENCH_MB (2048), DRIVE_BENCH_DIR (a temp dir), RANGE_REQUESTS (24), RANGE_MB (64).
// Only 127.0.0.1 is ever targeted.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../app/platform/config";
import { openDb } from "../app/platform/db/client";
import { createServices } from "../app/services";

const MB = 1024 * 1024;
const sizeMb = Number(process.env.DRIVE_BENCH_MB ?? 2048);
const rangeRequests = Number(process.env.RANGE_REQUESTS ?? 24);
const rangeMb = Math.min(Number(process.env.RANGE_MB ?? 64), sizeMb);
const root = join(import.meta.dir, "..");
const work = mkdtempSync(join(process.env.DRIVE_BENCH_DIR ?? tmpdir(), "drive-bench-"));

function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}
function run(argv: string[]) {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}
const seconds = (t0: number) => (performance.now() - t0) / 1000;
const writeBytes = (pid: number) => Number(/^write_bytes:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))![1]);
async function waitFor(url: string) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      /* not up yet */
    }
    await Bun.sleep(50);
  }
  throw new Error(`${url} did not come up`);
}

const procs: { kill: () => void }[] = [];
try {
  console.log(`drive-io: ${sizeMb} MiB file in ${work}`);
  const source = join(work, "source.bin");
  run(["sh", "-c", `head -c ${sizeMb * MB} /dev/urandom > ${source} && sync`]);

  // Baseline: dd of the same file with fsync at the end, on the same filesystem.
  let t0 = performance.now();
  run(["dd", `if=${source}`, `of=${join(work, "dd.bin")}`, "bs=4M", "conv=fsync", "status=none"]);
  const ddSeconds = seconds(t0);
  rmSync(join(work, "dd.bin"));
  run(["sync"]);

  const dataDir = join(work, "data");
  mkdirSync(dataDir);
  const port = freePort();
  const server = Bun.spawn(["bun", "app/main.ts"], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1" },
    stdout: "ignore",
    stderr: "inherit",
  });
  procs.push(server);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`);
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: dataDir }) });
  const user = auth.users.add({ username: "bench", displayName: "Bench", role: "admin" }, null).user;
  const { token } = auth.tokens.create(user.id, "bench");
  db.$client.close();

  const before = writeBytes(server.pid);
  t0 = performance.now();
  const out = run(["curl", "-sS", "--fail", "-T", source, "-H", "Expect:", "-H", `Authorization: Bearer ${token}`, `${base}/api/v1/upload?name=big.bin`]);
  const uploadSeconds = seconds(t0);
  const written = writeBytes(server.pid) - before;
  const item = (JSON.parse(out) as { item: { id: string; sha256: string } }).item;
  const expected = run(["sha256sum", source]).split(" ")[0];
  if (item.sha256 !== expected) throw new Error(`hash mismatch: ${item.sha256} vs ${expected}`);

  // nginx serves the very blob the server stored.
  const blobDir = join(dataDir, "users", user.id, "blobs", item.sha256.slice(0, 2), item.sha256.slice(2, 4));
  const nginxPort = freePort();
  const conf = join(work, "nginx.conf");
  writeFileSync(
    conf,
    `daemon off; user root; worker_processes 1; pid ${work}/nginx.pid; error_log ${work}/nginx-error.log;
events {}
http { access_log off; sendfile on; client_body_temp_path ${work}; proxy_temp_path ${work}; fastcgi_temp_path ${work}; uwsgi_temp_path ${work}; scgi_temp_path ${work};
  types { application/octet-stream bin; } server { listen 127.0.0.1:${nginxPort}; root ${blobDir}; location / { } } }
`,
  );
  const nginx = Bun.spawn(["nginx", "-c", conf, "-e", join(work, "nginx-error.log")], { stdout: "ignore", stderr: "inherit" });
  procs.push(nginx);
  await waitFor(`http://127.0.0.1:${nginxPort}/`);

  const offsets = Array.from({ length: rangeRequests }, (_, i) => Math.floor((((i * 7919) % rangeRequests) / rangeRequests) * (sizeMb - rangeMb)) * MB);
  const ranges = async (url: string, headers: string[]) => {
    let bytes = 0;
    const t = performance.now();
    for (const off of offsets) {
      const r = run(["curl", "-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download}", "-r", `${off}-${off + rangeMb * MB - 1}`, ...headers, url]);
      bytes += Number(r);
    }
    return bytes / MB / seconds(t);
  };
  await ranges(`${base}/api/v1/files/${item.id}/content`, ["-H", `Authorization: Bearer ${token}`]); // warm the page cache for both
  const nginxMBs = await ranges(`http://127.0.0.1:${nginxPort}/${item.sha256}`, []);
  const oursMBs = await ranges(`${base}/api/v1/files/${item.id}/content`, ["-H", `Authorization: Bearer ${token}`]);

  const ddMBs = sizeMb / ddSeconds;
  const upMBs = sizeMb / uploadSeconds;
  console.log(`upload   dd conv=fsync ${ddMBs.toFixed(0)} MiB/s · server ${upMBs.toFixed(0)} MiB/s · ratio ${(upMBs / ddMBs).toFixed(2)} (target ≥ 0.80)`);
  console.log(`written  ${(written / MB).toFixed(0)} MiB for a ${sizeMb} MiB file · ratio ${(written / (sizeMb * MB)).toFixed(3)} (target ≤ 1.05)`);
  console.log(
    `download ${rangeRequests}×${rangeMb} MiB ranges: nginx ${nginxMBs.toFixed(0)} MiB/s · server ${oursMBs.toFixed(0)} MiB/s · ratio ${(oursMBs / nginxMBs).toFixed(2)} (target ≥ 0.80)`,
  );
} finally {
  for (const p of procs) p.kill();
  await Bun.sleep(200);
  rmSync(work, { recursive: true, force: true });
}
