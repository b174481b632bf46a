// Hostile media through the real worker process, under strace: the worker never exits, every file ends in a clear
// state (a media row done or failed with a sentence, or no row for what is not media), and no process of the worker
// (nor the ffmpeg, ffprobe and HEIC children it starts) opens anything outside the data dir but the system's and the
// app's own files; the file outside the data dir that the playlists and the SVG name is never opened.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../../app/platform/config";
import { openDb } from "../../app/platform/db/client";
import { createDrive, createServices } from "../../app/services";
import { type HostileFile, hostileCorpus } from "./corpus";

const root = resolve(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "nas-hostile-"));
const dataDir = join(work, "data");
const canary = join(work, "outside", "secret.ts");
const trace = join(work, "strace.log");
let files: HostileFile[] = [];
let worker: ReturnType<typeof Bun.spawn>;
let db: Database;
let stderr = "";

type Row = { name: string; status: string | null; error: string | null };
const rows = () =>
  db
    .query<Row, []>("select f.name, m.status, m.error from files f left join media m on m.user_id = f.user_id and m.sha256 = f.sha256 where f.kind = 'file'")
    .all();

beforeAll(async () => {
  mkdirSync(dataDir);
  mkdirSync(join(work, "outside"));
  writeFileSync(canary, "nothing in the data dir may lead here");
  mkdirSync(join(work, "corpus"));
  files = await hostileCorpus(join(work, "corpus"), canary);
  // Stored as an upload stores them (which queues the media jobs), by a process of its own like the web process.
  const config = loadConfig([], { DATA_DIR: dataDir, PORT: "8080" });
  const setup = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const services = createServices({ db: setup, config });
  const drive = createDrive(services, { db: setup, config });
  const user = services.auth.users.add({ username: "eve", displayName: "Eve", role: "user" }, null).user;
  for (const f of files) await drive.upload(user, { name: f.name, conflict: "rename" }, (async function* () {
    yield readFileSync(f.path);
  })());
  setup.$client.close();
  worker = Bun.spawn(["strace", "-f", "-qq", "-o", trace, "-e", "trace=open,openat,openat2,execve", "bun", "app/worker.ts", "--data-dir", dataDir], {
    cwd: root,
    stdout: "ignore",
    stderr: "pipe",
    env: { ...process.env, NAS_WORKER_KINDS: "media.process" },
  });
  void (async () => {
    for await (const chunk of worker.stderr as ReadableStream<Uint8Array>) stderr += new TextDecoder().decode(chunk);
  })();
  db = new Database(join(dataDir, "db.sqlite"), { readonly: true });
  const end = Date.now() + 150_000;
  while (rows().some((r) => r.status === "queued" || r.status === "processing" || (r.error ?? "").includes("will retry"))) {
    if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode}): ${stderr.slice(-2000)}`);
    if (Date.now() > end) throw new Error(`the worker did not finish: ${JSON.stringify(rows())}`);
    await Bun.sleep(200);
  }
}, 240_000);

/** The worker itself (strace's child): it gets the SIGTERM, and strace ends with it. */
function workerPid(): number | undefined {
  const children = readFileSync(`/proc/${worker.pid}/task/${worker.pid}/children`, "utf8").trim();
  return children ? Number(children.split(" ")[0]) : undefined;
}

afterAll(async () => {
  db?.close();
  if (worker && worker.exitCode === null) {
    const pid = workerPid();
    if (pid) process.kill(pid, "SIGTERM");
    const stopped = await Promise.race([worker.exited.then(() => true), Bun.sleep(20_000).then(() => false)]);
    if (!stopped) {
      if (pid) process.kill(pid, "SIGKILL");
      worker.kill("SIGKILL");
    }
  }
  rmSync(work, { recursive: true, force: true });
});

test("the worker is still running after every hostile file", () => {
  expect(files.length).toBeGreaterThanOrEqual(15);
  expect(worker.exitCode).toBeNull();
});

// Issue 21 defect 10: a 0-byte photo left "A FileHandle object was closed during garbage collection" in the worker
// (exifr opened the file itself and never closed it); exifr now reads bytes the pipeline read (app/media/metadata.ts).
test("the worker logs no uncaught error (issue 21 defect 10)", () => {
  expect(/uncaught|panic|FileHandle object was closed/i.test(stderr) ? stderr.slice(-1000) : "").toBe("");
});

test("each file ends in a clear state: done, or failed with a sentence, or not media", () => {
  const byName = new Map(rows().map((r) => [r.name, r]));
  const states = files.map((f) => {
    const r = byName.get(f.name);
    const state = !r ? "missing" : r.status === null ? "none" : r.status;
    const ok = f.state === "done-or-failed" ? state === "done" || state === "failed" : state === f.state;
    return { name: f.name, what: f.what, state, ok, error: r?.error ?? null };
  });
  expect(states.filter((s) => !s.ok)).toEqual([]);
  if (process.env.HOSTILE_PRINT) console.table(states.map(({ name, state, error }) => ({ name: name.slice(0, 30), state, error: error?.slice(0, 70) })));
  for (const s of states.filter((s) => s.state === "failed")) {
    expect(s.error).toMatch(/^[A-Z].{8,}[.)]$/); // a sentence for people…
    expect(s.error).not.toContain(dataDir); // …that names no internal path
  }
});

test("nothing outside the data dir is opened (strace of the worker and its children): the canary never", () => {
  const log = readFileSync(trace, "utf8");
  expect(log).toContain("openat("); // the trace is real
  expect(log).not.toContain(canary);
  expect(log).not.toContain("127.0.0.1:9");
  const opened = new Set<string>();
  for (const m of log.matchAll(/(?:open|openat|openat2)\((?:[^,]*, )?"([^"]+)"/g)) opened.add(m[1]!);
  // The system's and the app's own files: libraries, the CPU and memory facts runtimes read, the app's code and
  // node_modules, the time zone, the temp dir (libvips/ffmpeg may make scratch files).
  const allowed = [dataDir, root, "/usr/", "/lib", "/etc/ld.so", "/etc/localtime", "/etc/gai.conf", "/etc/host.conf", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/ssl/", "/etc/fonts/", "/etc/gcrypt/", "/proc/", "/sys/", "/dev", "/root/.bun/", "/tmp/"];
  const relative = [...opened].filter((p) => !p.startsWith("/"));
  const ancestor = (p: string) => `${root}/`.startsWith(p.endsWith("/") ? p : `${p}/`); // module resolution walks up
  const outside = [...opened].filter((p) => p.startsWith("/") && !allowed.some((a) => p.startsWith(a)) && !ancestor(p));
  expect(outside).toEqual([]);
  // Relative opens resolve against the worker's directory (the app), never against a file's directory. A `..` is a
  // path segment: Bun's transpiler cache writes ".<hash>-0..pile" beside its cache folder's handle (the indexer child
  // loading Human's 3 MB bundle the first time), a name, not a way up.
  expect(relative.filter((p) => p.split("/").includes("..") || p.includes("outside"))).toEqual([]);
  // /tmp is allowed for scratch files only: nothing of this test's own folders but the data dir.
  expect([...opened].filter((p) => p.startsWith(work) && !p.startsWith(dataDir))).toEqual([]);
  // Programs started: bun, and the ffmpeg/ffprobe family the pipeline runs (through nice/ionice).
  const programs = new Set([...log.matchAll(/execve\("([^"]+)"/g)].map((m) => m[1]!.split("/").at(-1)!));
  expect([...programs].filter((p) => !["bun", "bun.exe", "strace", "nice", "ionice", "ffmpeg", "ffprobe"].includes(p))).toEqual([]);
});
