// PROPFIND listings of a 10,000-entry folder, another revision of this repository against the working tree: two real
// web processes side by side, rounds alternating (theirs, ours, theirs…), 30 Nextcloud-style listings (oc:permissions
// included) a round; prints each round's p50 and each process's peak RSS (sampled every 50 ms). The folder's rows are
// written straight into each one's SQLite (a listing reads rows, not content), the same on both.
// Run: bun bench/dav-listing-ab.ts <git revision, e.g. main>   Env: ROUNDS (4). Loopback only.
import { Database } from "bun:sqlite";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../app/platform/clock";
import { freePort } from "../test/support/browser";

const revision = process.argv[2];
if (!revision) throw new Error("usage: bun bench/dav-listing-ab.ts <git revision>");
const rounds = Number(process.env.ROUNDS ?? 4);
const root = join(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "dav-listing-ab-"));
const rssMb = (pid: number) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

/** The other revision's tree, with this tree's installed packages and vendored assets. */
function checkout(rev: string) {
  const dir = join(work, "src");
  Bun.spawnSync(["sh", "-c", `mkdir -p ${dir} && git -C ${root} archive ${rev} | tar -x -C ${dir}`], { stdout: "inherit", stderr: "inherit" });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  cpSync(join(root, "views/static/vendor"), join(dir, "views/static/vendor"), { recursive: true });
  return dir;
}

async function start(name: string, cwd: string) {
  const dataDir = mkdtempSync(join(work, `${name}-`));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc = Bun.spawn(["bun", "app/main.ts"], {
    cwd,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", ORIGIN: origin },
    stdout: "ignore",
    stderr: "ignore",
  });
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break;
    } catch {}
    if (tries > 300) throw new Error(`${name} did not start`);
    await Bun.sleep(100);
  }
  // A person and a device's app password, made in its database as Settings → Devices makes them.
  const { openDb } = await import("../app/platform/db/client");
  const { createServices } = await import("../app/services");
  const { loadConfig } = await import("../app/platform/config");
  const { createAppPasswords } = await import("../app/auth/app-passwords");
  const { createRateLimiter } = await import("../app/platform/http/rate-limit");
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const user = createServices({ db, config: loadConfig([], { DATA_DIR: dataDir }) }).auth.users.add(
    { username: "bench", displayName: "bench", role: "admin" },
    null,
  ).user;
  const limiter = () => createRateLimiter({ limit: 10, windowMs: 60_000, now: systemClock });
  const password = createAppPasswords({ db, limits: { byAccount: limiter(), byIp: limiter() }, now: systemClock }).create(user.id, "bench", "files").password;
  db.$client.close();
  const auth = `Basic ${Buffer.from(`bench:${password}`).toString("base64")}`;
  await fetch(`${origin}/dav/many`, { method: "MKCOL", headers: { authorization: auth } });
  const raw = new Database(join(dataDir, "db.sqlite"));
  const many = raw.query("SELECT id FROM files WHERE name = 'many'").get() as { id: string };
  const insert = raw.prepare("INSERT INTO files (id, user_id, parent_id, kind, name, sha256, size, mime, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)");
  const at = Date.now();
  raw.transaction(() => {
    for (let i = 0; i < 10_000; i++)
      insert.run(
        `${name}-${i}`,
        user.id,
        many.id,
        "file",
        `IMG_${20240000 + i}.jpg`,
        Bun.hash(String(i)).toString(16).padStart(64, "0"),
        1000 + i,
        "image/jpeg",
        at,
        at + i,
      );
  })();
  raw.close();
  return { name, origin, pid: proc.pid, auth, stop: () => proc.kill() };
}

const servers = [await start(revision, checkout(revision)), await start("working tree", root)];
const body = `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><d:resourcetype/><d:getcontentlength/><d:getetag/><d:getlastmodified/><oc:permissions/><oc:fileid/></d:prop></d:propfind>`;
const results = new Map(servers.map((s) => [s.name, { idle: rssMb(s.pid), peaks: [] as number[], p50: [] as number[] }]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const s of servers) {
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(s.pid))), 50);
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        const res = await fetch(`${s.origin}/dav/many/`, { method: "PROPFIND", headers: { authorization: s.auth, depth: "1" }, body });
        const text = await res.text();
        times.push(performance.now() - t0);
        if (res.status !== 207 || text.split("<d:response>").length !== 10_002) throw new Error(`${s.name}: ${res.status}`);
      }
      clearInterval(sampler);
      times.sort((a, b) => a - b);
      results.get(s.name)!.peaks.push(peak);
      results.get(s.name)!.p50.push(times[15]!);
    }
  }
  for (const [name, r] of results)
    console.log(
      `${name}: idle ${r.idle.toFixed(0)} MB; peak RSS by round ${r.peaks.map((x) => x.toFixed(0)).join("/")} MB; p50 by round ${r.p50.map((x) => x.toFixed(0)).join("/")} ms`,
    );
  console.log(`load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
} finally {
  for (const s of servers) s.stop();
  rmSync(work, { recursive: true, force: true });
}
