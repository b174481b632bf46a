// WebDAV benchmark against Apache httpd's mod_dav_fs (Debian's apache2) on loopback, in the same run, rounds
// alternating (Apache, ours, Apache, ours…); each line prints the median ratio ours/Apache and the spread of ratios.
//   PUT / GET of one large file (curl), Range requests (24 × 64 MiB), PROPFIND Depth 1 of a 10,000-entry folder
//   (p50/p95 of 30 requests per round), rclone copying 2,000 small files (4–200 KB) to each, nextcloudcmd's first
//   sync of them to ours (it cannot sync to Apache: no ETag on PUT), and the web process's peak RSS while a large
//   file streams in and out (and during a 5 GB upload unless DAV_BENCH_HUGE_MB=0).
// Apache's mod_dav_fs writes without fsync and computes no hash; ours hashes (SHA-256), fsyncs and records a row. So
// a second PUT row times Apache's PUT followed by `sync --data` of the file it wrote (durable, like ours), and the
// disk's own durable write speed (dd conv=fdatasync) is printed: a durable PUT cannot be faster than the disk.
// Each round PUTs new content (its first bytes changed), so ours never takes the shortcut of content it stores.
// Every row prints the machine's load (1-minute average) over its rounds: the cores are shared.
// Run: bun bench/dav.ts   Env: DAV_BENCH_MB (1024), DAV_BENCH_ROUNDS (3), DAV_BENCH_SMALL (2000),
// DAV_BENCH_HUGE_MB (5120), DAV_BENCH_DIR (a temp dir), DAV_BENCH_PARTS (transfer,propfind,small,huge: which parts
// run). Runs as root (Apache drops to www-data). Loopback only.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDavServer } from "../test/support/dav";
import { freePort } from "../test/support/browser";

const MB = 1024 * 1024;
const sizeMb = Number(process.env.DAV_BENCH_MB ?? 1024);
const rounds = Number(process.env.DAV_BENCH_ROUNDS ?? 3);
const smallFiles = Number(process.env.DAV_BENCH_SMALL ?? 2000);
const hugeMb = Number(process.env.DAV_BENCH_HUGE_MB ?? 5120);
const parts = new Set((process.env.DAV_BENCH_PARTS ?? "transfer,propfind,small,huge").split(","));
const work = mkdtempSync(join(process.env.DAV_BENCH_DIR ?? tmpdir(), "dav-bench-"));
chmodSync(work, 0o755);

function run(argv: string[], env: Record<string, string> = {}) {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (${r.exitCode}): ${r.stderr.toString().slice(-2000)}`);
  return r.stdout.toString();
}
/** A client run in the background (the RSS sampler keeps running meanwhile). */
async function runAsync(argv: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(argv, { stdout: "ignore", stderr: "pipe", env: { ...process.env, ...env } });
  const err = await new Response(proc.stderr).text();
  if ((await proc.exited) !== 0) throw new Error(`${argv[0]} failed: ${err.slice(-2000)}`);
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const seconds = async (fn: () => unknown) => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};
const loadNow = () => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
/** MiB/s of a 1 GiB write that ends with fdatasync, in the bench's folder (the same disk as both servers'). */
function diskSpeed() {
  const file = join(work, "dd.bin");
  const t0 = performance.now();
  run(["dd", "if=/dev/zero", `of=${file}`, "bs=1M", "count=1024", "conv=fdatasync", "status=none"]);
  const mbs = 1024 / ((performance.now() - t0) / 1000);
  rmSync(file);
  return mbs;
}
const rssMb = (pid: number) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

/** Apache httpd with mod_dav_fs on a folder, nothing else: the baseline. */
function startApache(port: number) {
  const dir = join(work, "apache");
  const root = join(dir, "root");
  const files = join(root, "remote.php/dav/files/bench");
  for (const d of [files, join(dir, "lock"), join(dir, "run"), join(dir, "static")]) mkdirSync(d, { recursive: true });
  // What nextcloudcmd asks before it speaks WebDAV, as static answers (no chunking offered: plain PUTs).
  writeFileSync(
    join(dir, "static/status.json"),
    JSON.stringify({
      installed: true,
      maintenance: false,
      needsDbUpgrade: false,
      version: "28.0.4.0",
      versionstring: "28.0.4",
      edition: "",
      productname: "Apache",
    }),
  );
  writeFileSync(
    join(dir, "static/capabilities.json"),
    JSON.stringify({
      ocs: {
        meta: { status: "ok", statuscode: 100 },
        data: { version: { major: 28, minor: 0, micro: 4, string: "28.0.4" }, capabilities: { core: { pollinterval: 60 } } },
      },
    }),
  );
  writeFileSync(
    join(dir, "static/user.json"),
    JSON.stringify({ ocs: { meta: { status: "ok", statuscode: 100 }, data: { id: "bench", "display-name": "bench" } } }),
  );
  for (const d of [root, join(root, "remote.php"), join(root, "remote.php/dav"), join(root, "remote.php/dav/files"), files, join(dir, "lock")])
    chownSync(d, 33, 33);
  const conf = join(dir, "httpd.conf");
  writeFileSync(
    conf,
    `ServerRoot /etc/apache2
ServerName 127.0.0.1
PidFile ${dir}/run/httpd.pid
Listen 127.0.0.1:${port}
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule dav_module /usr/lib/apache2/modules/mod_dav.so
LoadModule dav_fs_module /usr/lib/apache2/modules/mod_dav_fs.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
TypesConfig /etc/mime.types
User www-data
Group www-data
ErrorLog ${dir}/run/error.log
DocumentRoot ${root}
DavLockDB ${dir}/lock/DavLock
LimitRequestBody 0
Alias /status.php ${dir}/static/status.json
AliasMatch ^/ocs/v[12].php/cloud/capabilities ${dir}/static/capabilities.json
AliasMatch ^/ocs/v[12].php/cloud/user ${dir}/static/user.json
<Directory ${dir}/static>
  ForceType application/json
  Require all granted
</Directory>
<Directory ${root}>
  Dav On
  Require all granted
</Directory>
`,
  );
  try {
    run(["/usr/sbin/apache2", "-f", conf, "-k", "start"]);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${readFileSync(join(dir, "run/error.log"), "utf8").slice(-2000)}`);
  }
  return {
    url: `http://127.0.0.1:${port}/remote.php/dav/files/bench/`,
    origin: `http://127.0.0.1:${port}`,
    stop: () => run(["/usr/sbin/apache2", "-f", conf, "-k", "stop"]),
  };
}

type Target = { name: "apache" | "ours"; url: string; origin: string; curlAuth: string[]; user: string; password: string };

const authHeader = (t: Target): Record<string, string> =>
  t.curlAuth.length ? { authorization: `Basic ${Buffer.from(`${t.user}:${t.password}`).toString("base64")}` } : {};
/** curl in the background, so the RSS sampler keeps running while it transfers. */
async function curl(t: Target, args: string[]) {
  const proc = Bun.spawn(["curl", "-sS", "--fail", "-H", "Expect:", ...t.curlAuth, ...args], { stdout: "ignore", stderr: "pipe" });
  if ((await proc.exited) !== 0) throw new Error(`curl ${args.join(" ")} failed: ${await new Response(proc.stderr).text()}`);
}

async function main() {
  const ours = await startDavServer({ username: "bench" });
  const apachePort = await freePort();
  const apache = startApache(apachePort);
  const targets: Target[] = [
    { name: "apache", url: apache.url, origin: apache.origin, curlAuth: [], user: "bench", password: "x" },
    {
      name: "ours",
      url: `${ours.origin}/remote.php/dav/files/bench/`,
      origin: ours.origin,
      curlAuth: ["-u", `bench:${ours.password}`],
      user: "bench",
      password: ours.password,
    },
  ];
  const serverPid = Number(run(["sh", "-c", `ss -ltnp 'sport = :${ours.port}' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2`]).trim());
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssMb(serverPid));
    } catch {}
  }, 100);
  const results = new Map<string, { apache: number[]; ours: number[] }>();
  const loads = new Map<string, number[]>();
  const record = (what: string, t: Target, value: number) => {
    const r = results.get(what) ?? { apache: [], ours: [] };
    r[t.name].push(value);
    results.set(what, r);
    loads.set(what, [...(loads.get(what) ?? []), loadNow()]);
  };
  try {
    console.log(`dav bench: ${sizeMb} MiB file, ${rounds} rounds, ${smallFiles} small files, in ${work}`);
    const big = join(work, "big.bin");
    if (parts.has("transfer")) run(["sh", "-c", `head -c ${sizeMb * MB} /dev/urandom > ${big}`]);

    const apacheFiles = join(work, "apache/root/remote.php/dav/files/bench");
    for (let round = 0; parts.has("transfer") && round < rounds; round++) {
      // New content each round (its first 16 bytes), the same for both.
      run(["sh", "-c", `printf '%016d' ${round + 1} | dd of=${big} bs=16 count=1 conv=notrunc status=none`]);
      for (const t of targets) {
        const name = `big-${round}.bin`;
        const put = await seconds(() => curl(t, ["-T", big, `${t.url}${name}`]));
        record("PUT MiB/s", t, sizeMb / put);
        // Ours is durable when it answers; Apache's file is made durable after (sync --data of that file).
        const durable = t.name === "apache" ? put + (await seconds(() => runAsync(["sync", "--data", join(apacheFiles, name)]))) : put;
        record("PUT MiB/s, durable (Apache + sync --data of its file)", t, sizeMb / durable);
        record("GET MiB/s", t, sizeMb / (await seconds(() => curl(t, ["-o", "/dev/null", `${t.url}${name}`]))));
        const ranges = Array.from({ length: 24 }, (_, i) => {
          const start = ((i * 37) % Math.max(1, sizeMb - 64)) * MB;
          return `${start}-${start + 64 * MB - 1}`;
        });
        const rangeSeconds = await seconds(() =>
          Promise.all(ranges.map((r) => Bun.spawn(["curl", "-sS", "--fail", ...t.curlAuth, "-r", r, "-o", "/dev/null", `${t.url}${name}`]).exited)),
        );
        record("Range MiB/s (24 × 64 MiB, all at once)", t, (24 * 64) / rangeSeconds);
        await curl(t, ["-X", "DELETE", `${t.url}${name}`]);
      }
    }
    const rssLargeFile = peakRss;
    const diskMbs = parts.has("transfer") ? diskSpeed() : 0;

    // A folder of 10,000 entries on both, made by PUTs (8 at a time).
    for (const t of parts.has("propfind") ? targets : []) {
      await curl(t, ["-X", "MKCOL", `${t.url}many`]);
      const auth = authHeader(t);
      for (let i = 0; i < 10_000; i += 8)
        await Promise.all(
          Array.from({ length: Math.min(8, 10_000 - i) }, (_, k) =>
            fetch(`${t.url}many/file-${i + k}.txt`, { method: "PUT", headers: auth, body: `entry ${i + k}` }),
          ),
        );
    }
    const propfindBody = `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/><d:getetag/><d:getlastmodified/></d:prop></d:propfind>`;
    const p95: Record<string, number[]> = { apache: [], ours: [] };
    // What the 10,000 PUTs left (the heap keeps room for their garbage), then the peak while listing.
    const rssBeforeListing = parts.has("propfind") ? rssMb(serverPid) : 0;
    peakRss = 0;
    for (let round = 0; parts.has("propfind") && round < rounds; round++) {
      for (const t of targets) {
        const times: number[] = [];
        for (let i = 0; i < 30; i++) {
          const auth = authHeader(t);
          const t0 = performance.now();
          const res = await fetch(`${t.url}many/`, {
            method: "PROPFIND",
            headers: { ...auth, depth: "1", "content-type": "application/xml" },
            body: propfindBody,
          });
          const text = await res.text();
          times.push(performance.now() - t0);
          if (res.status !== 207 || text.split("<d:response>").length + text.split("<D:response").length - 2 < 10_001)
            throw new Error(`${t.name} PROPFIND: ${res.status}`);
        }
        record("PROPFIND Depth 1, 10k entries: requests/s (1 / p50)", t, 1000 / median(times));
        loads.set("p95", [...(loads.get("p95") ?? []), loadNow()]);
        p95[t.name]!.push(pct(times, 95));
      }
    }

    const rssPropfind = peakRss;

    // nextcloudcmd's first sync of the same 2,000 small files to each.
    const src = join(work, "small");
    for (let i = 0; parts.has("small") && i < smallFiles; i++) {
      const dir = join(src, `d${i % 20}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `f${i}.bin`), randomBytes(4096 + ((i * 7919) % (200_000 - 4096))));
    }
    // The same client on both: rclone (plain WebDAV). nextcloudcmd cannot sync to Apache (its PUT answers carry no
    // ETag, which the client requires), so its time is measured against ours alone.
    const obscured = (p: string) => run(["rclone", "obscure", p]).trim();
    let ncSeconds = 0;
    peakRss = 0;
    for (let round = 0; parts.has("small") && round < rounds; round++) {
      for (const t of targets) {
        const took = await seconds(() =>
          runAsync(["rclone", "--config", "/dev/null", "copy", src, `nas:rclone-${round}`, "--transfers", "4"], {
            RCLONE_CONFIG_NAS_TYPE: "webdav",
            RCLONE_CONFIG_NAS_URL: t.url,
            RCLONE_CONFIG_NAS_VENDOR: "other",
            RCLONE_CONFIG_NAS_USER: t.user,
            RCLONE_CONFIG_NAS_PASS: obscured(t.password),
          }),
        );
        record(`rclone copy of ${smallFiles} files (4–200 KB): files/s`, t, smallFiles / took);
      }
      const ours = targets[1]!;
      await curl(ours, ["-X", "MKCOL", `${ours.url}sync-${round}`]);
      const local = join(work, `local-${round}`);
      run(["cp", "-a", src, local]);
      ncSeconds += await seconds(() =>
        runAsync(["nextcloudcmd", "--non-interactive", "-u", ours.user, "-p", ours.password, "--path", `/sync-${round}`, local, ours.origin], {
          QT_QPA_PLATFORM: "offscreen",
        }),
      );
      rmSync(local, { recursive: true, force: true });
    }
    const rssSync = peakRss;

    let rssHuge = 0;
    if (hugeMb > 0 && parts.has("huge")) {
      const huge = join(work, "huge.bin");
      rmSync(big, { force: true });
      run(["sh", "-c", `head -c ${hugeMb * MB} /dev/urandom > ${huge}`]);
      peakRss = 0;
      await curl(targets[1]!, ["-T", huge, `${targets[1]!.url}huge.bin`]);
      rssHuge = peakRss;
      rmSync(huge);
    }

    const loadRange = (what: string) => {
      const l = loads.get(what) ?? [];
      return l.length ? `${Math.min(...l).toFixed(1)}–${Math.max(...l).toFixed(1)}` : "—";
    };
    console.log("\n| what | Apache mod_dav_fs (median) | ours (median) | ratio ours/Apache (median) | spread of round ratios | load |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const [what, r] of results) {
      const ratios = r.ours.map((o, i) => o / r.apache[i]!);
      console.log(
        `| ${what} | ${median(r.apache).toFixed(1)} | ${median(r.ours).toFixed(1)} | **${median(ratios).toFixed(2)}×** | ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} | ${loadRange(what)} |`,
      );
    }
    if (parts.has("propfind"))
      console.log(
        `| PROPFIND Depth 1, 10k entries: p95 ms | ${median(p95.apache!).toFixed(1)} | ${median(p95.ours!).toFixed(1)} | — | rounds ${p95.ours!.map((x) => x.toFixed(0)).join("/")} | ${loadRange("p95")} |`,
      );
    if (parts.has("transfer")) console.log(`\nthe disk's durable write speed (dd 1 GiB, conv=fdatasync) after the transfers: ${diskMbs.toFixed(0)} MiB/s`);
    if (parts.has("small"))
      console.log(`| nextcloudcmd first sync of ${smallFiles} files to ours: files/s | — | ${((smallFiles * rounds) / ncSeconds).toFixed(1)} | — | — |`);
    const rss = [
      parts.has("transfer") ? `${rssLargeFile.toFixed(0)} MB during ${sizeMb} MiB PUT/GET/Range` : "",
      parts.has("propfind")
        ? `${rssPropfind.toFixed(0)} MB while listing 10,000-entry folders (${rssBeforeListing.toFixed(0)} MB before, after the 10,000 PUTs)`
        : "",
      parts.has("small") ? `${rssSync.toFixed(0)} MB during the syncs of small files` : "",
      hugeMb > 0 && parts.has("huge") ? `${rssHuge.toFixed(0)} MB during a ${hugeMb} MiB PUT` : "",
    ].filter(Boolean);
    console.log(`\nweb process peak RSS: ${rss.join("; ")}; load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  } finally {
    clearInterval(sampler);
    apache.stop();
    await ours.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
