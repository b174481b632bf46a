// Offsite backup benchmark (issue 24), baselines measured in the same run on the same data and disk:
//   first       the box's first backup to a folder target (the wizard's confirm → the backup job: init, the tree of
//               hard links, the database snapshot, restic backup, the snapshot list) vs `restic init` + `restic backup`
//               of the box's blob folder run by hand;
//   incremental the same after 1 % more files, through the box (Back up now) vs by hand (restic finds its parent);
//   restore     an empty box restored from the backup as the setup wizard does it (restic restore, every file's
//               SHA-256 checked, moved into place) vs `restic restore latest --target` by hand;
//   scrub       one full unthrottled scrub pass (every blob re-hashed against its address) vs `sha256sum` of the
//               same files (Debian 12's coreutils hashes without the CPU's SHA instructions; Bun's BoringSSL uses them);
//   page        Dashboard → Backups p50/p99 while a full scrub pass runs, and idle;
//   memory      restic's peak RSS backing up BACKUP_BENCH_MANY tiny files with the box's GOGC=50 and with Go's default.
// Rounds alternate which side goes first (hand, box; box, hand; …). Each line prints the median time of each side,
// the median of the per-round ratios and their spread (min–max), restic's peak RSS (GNU time's %M), and a table for
// bench/README.md. Only local folders are used; nothing goes over the network.
// Run: bun bench/backup.ts   Env: BACKUP_BENCH_FILES (2000), BACKUP_BENCH_MB (500), BACKUP_BENCH_ROUNDS (3),
//      BACKUP_BENCH_MANY (100000), BACKUP_BENCH_DIR (a temp dir). The issue's full size: FILES=20000 MB=5000.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { backupBox, type BackupBox, passwordOf, someBytes } from "../test/support/backup";

const FILES = Number(process.env.BACKUP_BENCH_FILES ?? 2000);
const TOTAL_MB = Number(process.env.BACKUP_BENCH_MB ?? 500);
const ROUNDS = Number(process.env.BACKUP_BENCH_ROUNDS ?? 3);
const MANY = Number(process.env.BACKUP_BENCH_MANY ?? 100_000);
const MB = 1024 * 1024;

for (const tool of ["restic", "/usr/bin/time", "sha256sum"]) {
  if (!Bun.which(tool)) {
    console.error(`${tool} is missing: apt-get install -y restic time coreutils`);
    process.exit(1);
  }
}

const work = mkdtempSync(join(process.env.BACKUP_BENCH_DIR ?? tmpdir(), "backup-bench-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
// Every restic, the box's and the hand-run one, runs under GNU time, which appends its peak RSS (KiB) here.
const rssLog = join(work, "rss.log");
const timed = ["/usr/bin/time", "-a", "-o", rssLog, "-f", "%M"];
/** The largest peak RSS of the restic runs since the last call (bytes), and forget them. */
function peakRss(): number {
  const lines = existsSync(rssLog) ? readFileSync(rssLog, "utf8").split("\n") : [];
  writeFileSync(rssLog, "");
  return Math.max(0, ...lines.map((l) => Number(l.trim()) || 0)) * 1024;
}

/** restic run by hand, as a person would: the repository and password in its environment, its own cache. */
function byHand(args: string[], env: Record<string, string> = {}) {
  const r = Bun.spawnSync([...timed, "restic", ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: work, RESTIC_PASSWORD: "bench-password", RESTIC_CACHE_DIR: join(work, "hand-cache"), ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`restic ${args.join(" ")} failed: ${r.stderr.toString()}`);
}

const timeIt = async (f: () => unknown) => {
  const start = performance.now();
  await f();
  return (performance.now() - start) / 1000;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// --- the box and its data: photo-like random bytes (nothing dedupes or compresses), sizes around the mean --------
const box = backupBox({ dataDir: join(work, "box"), tuning: { restic: [...timed, "restic"], scrubRate: null } });
const admin = box.createAdmin("alice");
const mean = (TOTAL_MB * MB) / FILES;
let added = 0;
let bytesIn = 0;
async function addFiles(n: number) {
  for (let i = 0; i < n; i++, added++) {
    const size = Math.round(mean * (0.2 + 1.6 * Math.random()));
    bytesIn += size;
    await box.put(admin, `Photos/${2010 + (added % 15)}/${String(1 + (added % 12)).padStart(2, "0")}/IMG_${added}.jpg`, someBytes(size));
  }
}
const fillStart = performance.now();
await addFiles(FILES);
console.log(`data: ${FILES} files, ${(bytesIn / MB).toFixed(0)} MiB through Drive's upload in ${((performance.now() - fillStart) / 1000).toFixed(0)} s`);
const blobRoot = join(box.dataDir, "users");

type Side = { time: number; rss: number };
type Phase = { hand: Side[]; box: Side[] };
const phases = {
  first: { hand: [], box: [] } as Phase,
  incremental: { hand: [], box: [] } as Phase,
  restore: { hand: [], box: [] } as Phase,
  scrub: { hand: [], box: [] } as Phase,
};

type RoundSide = { first(): Promise<Side>; incremental(): Promise<Side>; restore(): Promise<Side>; cleanup(): Promise<void> };

/** The box's side of one round: the wizard to a new folder target, Back up now after the change, a new box restored. */
function boxSide(dir: string): RoundSide {
  const repo = join(dir, "repo");
  let id = "";
  return {
    async first() {
      id = box.backup.create({ kind: "local", name: "bench disk", path: repo }).id;
      await box.drain();
      box.backup.generatePassword(id);
      box.backup.kit(id);
      peakRss();
      const time = await timeIt(async () => {
        box.backup.confirm(
          id,
          { includeMedia: false, hour: 2, limitUploadKiB: null, lowPriority: false, keepDaily: 31, keepWeekly: 52, keepMonthly: null },
          true,
        );
        await box.drain();
      });
      if (box.backup.target(id).lastError || !box.backup.target(id).lastSuccessAt)
        throw new Error(`the box's backup failed: ${box.backup.target(id).lastError}`);
      return { time, rss: peakRss() };
    },
    async incremental() {
      const before = box.backup.target(id).snapshotCount;
      const time = await timeIt(async () => {
        box.backup.runNow(id);
        await box.drain();
      });
      if (box.backup.target(id).snapshotCount !== (before ?? 0) + 1) throw new Error(`the box's backup failed: ${box.backup.target(id).lastError}`);
      return { time, rss: peakRss() };
    },
    async restore() {
      const fresh: BackupBox = backupBox({ dataDir: join(dir, "new-box"), tuning: { restic: [...timed, "restic"] } });
      try {
        const time = await timeIt(async () => {
          const r = fresh.backup.startBoxRestore({ kind: "local", name: "bench disk", path: repo }, passwordOf(box, id));
          await fresh.drain();
          const job = fresh.backup.boxRestore(r.id).job;
          if (job?.status !== "done") throw new Error(`the box's restore did not finish: ${job?.error}`);
        });
        return { time, rss: peakRss() };
      } finally {
        fresh.cleanup();
      }
    },
    async cleanup() {
      box.backup.remove(id, box.backup.target(id).name);
      await box.drain();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same by hand: init + backup of the blob folder, backup again after the change, restore into a folder. */
function handSide(dir: string): RoundSide {
  const repo = join(dir, "repo");
  const measure = async (f: () => void) => {
    peakRss();
    return { time: await timeIt(f), rss: peakRss() };
  };
  return {
    first: () => measure(() => (byHand(["-r", repo, "init"]), byHand(["-r", repo, "backup", blobRoot]))),
    incremental: () => measure(() => byHand(["-r", repo, "backup", blobRoot])),
    restore: () => measure(() => byHand(["-r", repo, "restore", "latest", "--target", join(dir, "restored")])),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

for (let round = 0; round < ROUNDS; round++) {
  const hand = handSide(join(work, `round-${round}-hand`));
  const ours = boxSide(join(work, `round-${round}-box`));
  // Alternating: hand first in even rounds, the box first in odd ones, at every step.
  const order: ["hand" | "box", RoundSide][] =
    round % 2 === 0
      ? [
          ["hand", hand],
          ["box", ours],
        ]
      : [
          ["box", ours],
          ["hand", hand],
        ];
  for (const [who, side] of order) phases.first[who].push(await side.first());
  // The change both incremental runs back up: 1 % more files (new photos), so each round's data is 1 % larger.
  await addFiles(Math.max(1, Math.round(FILES / 100)));
  for (const [who, side] of order) phases.incremental[who].push(await side.incremental());
  for (const [who, side] of order) phases.restore[who].push(await side.restore());
  for (const [, side] of order) await side.cleanup();
  // The scrub: every blob, unthrottled, vs sha256sum of the same files (both from the page cache once warm).
  const files = Bun.spawnSync(["find", blobRoot, "-type", "f"], { stdout: "pipe" }).stdout.toString().trim().split("\n");
  const scrubSides: ["hand" | "box", () => Promise<void>][] = [
    [
      "hand",
      async () => {
        const r = Bun.spawnSync(["xargs", "-0", "sha256sum"], { stdin: new TextEncoder().encode(files.join("\0")), stdout: "ignore", stderr: "pipe" });
        if (r.exitCode !== 0) throw new Error(`sha256sum failed: ${r.stderr.toString()}`);
      },
    ],
    [
      "box",
      async () => {
        const before = box.backup.scrub().state.lastPassBlobs;
        box.backup.scrubNow();
        await box.drain();
        const { state } = box.backup.scrub();
        if (state.passStartedAt || !state.lastPassBlobs || state.lastPassBlobs === before) throw new Error("the scrub pass did not finish");
        if ((state.lastPassBytes ?? 0) < bytesIn) throw new Error(`the scrub read ${state.lastPassBytes} bytes of ${bytesIn}`);
      },
    ],
  ];
  if (round % 2 === 1) scrubSides.reverse();
  for (const [who, f] of scrubSides) phases.scrub[who].push({ time: await timeIt(f), rss: 0 });
  console.log(
    `round ${round + 1}/${ROUNDS} done (load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")})`,
  );
}

// --- Dashboard → Backups while a full scrub pass runs, against the same page idle -----------------------------------
// In this one process the scrub's hashing and the page share the event loop; the box runs the scrub in its worker,
// so this is the harder case.
const headers = box.signIn(admin);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
async function pageTimes(running: () => boolean) {
  const times: number[] = [];
  while (running() || times.length < 20) {
    const start = performance.now();
    const res = await box.request("/dashboard/backups", { headers });
    await res.text();
    if (res.status !== 200) throw new Error(`the Backups page answered ${res.status}`);
    times.push(performance.now() - start);
  }
  return times;
}
const idleUntil = performance.now() + 3000;
const idle = await pageTimes(() => performance.now() < idleUntil);
let scrubbing = true;
box.backup.scrubNow();
const scrubbed = box.drain().finally(() => (scrubbing = false));
const busy = await pageTimes(() => scrubbing);
await scrubbed;

// --- restic's memory for many files: the box's GOGC=50 (app/backup/restic.ts) and Go's default -------------------
const many = join(work, "many");
for (let i = 0; i < MANY; i++) {
  const dir = join(many, String(Math.floor(i / 1000)));
  if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${i}.txt`), `file ${i} ${Math.random()}\n`);
}
const manyRss: Record<string, number> = {};
for (const [name, env] of [
  ["GOGC=50 (the box)", { GOGC: "50" }],
  ["Go's default", {}],
] as const) {
  const repo = join(work, `many-repo-${name.length}`);
  byHand(["-r", repo, "init"], env);
  peakRss();
  byHand(["-r", repo, "backup", many], env);
  manyRss[name] = peakRss();
  rmSync(repo, { recursive: true, force: true });
}

// --- the report ----------------------------------------------------------------------------------------------------
const mib = (b: number) => `${(b / MB).toFixed(0)} MiB`;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
const rows: string[] = [];
const targets: Record<keyof typeof phases, string> = {
  first: "box ≥ 0.9× restic's speed",
  incremental: "box ≤ 1.2× restic's time",
  restore: "—",
  scrub: "box ≥ 0.8× sha256sum's speed",
};
console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model.trim()}, Bun ${Bun.version}, ${Bun.spawnSync(["restic", "version"]).stdout.toString().trim()}`);
for (const [name, p] of Object.entries(phases) as [keyof typeof phases, Phase][]) {
  // Per round: the box's time over the baseline's (below 1: the box is faster), and its inverse, the speed ratio.
  const timeRatios = p.box.map((b, i) => b.time / p.hand[i]!.time);
  const speedRatios = timeRatios.map((r) => 1 / r);
  const baseline = name === "scrub" ? "sha256sum" : "restic by hand";
  const rss =
    name === "scrub" ? "" : `; restic peak RSS box ${mib(Math.max(...p.box.map((s) => s.rss)))}, by hand ${mib(Math.max(...p.hand.map((s) => s.rss)))}`;
  const ratio =
    name === "first" || name === "scrub"
      ? `speed ratio ${median(speedRatios).toFixed(2)} (${spread(speedRatios)})`
      : `time ratio ${median(timeRatios).toFixed(2)} (${spread(timeRatios)})`;
  console.log(
    `${name.padEnd(12)} box ${median(p.box.map((s) => s.time)).toFixed(1)} s, ${baseline} ${median(p.hand.map((s) => s.time)).toFixed(1)} s: ${ratio}, target ${targets[name]}${rss}`,
  );
  rows.push(
    `| ${name} | ${median(p.box.map((s) => s.time)).toFixed(1)} s | ${median(p.hand.map((s) => s.time)).toFixed(1)} s (${baseline}) | ${ratio.replace(" ratio", "")} | ${targets[name]} | ${name === "scrub" ? "—" : `${mib(Math.max(...p.box.map((s) => s.rss)))} / ${mib(Math.max(...p.hand.map((s) => s.rss)))}`} |`,
  );
}
console.log(
  `page        Dashboard → Backups p50 ${pct(busy, 50).toFixed(1)} ms, p99 ${pct(busy, 99).toFixed(1)} ms while a scrub pass runs (${busy.length} requests); idle p50 ${pct(idle, 50).toFixed(1)} ms, p99 ${pct(idle, 99).toFixed(1)} ms`,
);
for (const [name, bytes] of Object.entries(manyRss))
  console.log(`memory       restic backup of ${MANY} files, ${name}: peak RSS ${mib(bytes)} (target ≤ 300 MiB)`);
console.log(
  `load average: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} (anything else busy on the machine moves both sides unevenly)`,
);
console.log(
  `\n${ROUNDS} alternating rounds, ${FILES} files / ${(bytesIn / MB).toFixed(0)} MiB at the end (1 % more each round), ${new Date().toISOString().slice(0, 10)}`,
);
console.log("| step | the box | baseline | median ratio (spread) | target | restic peak RSS box / hand |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);
console.log(`| Backups page p99 during a scrub pass | ${pct(busy, 99).toFixed(1)} ms | ${pct(idle, 99).toFixed(1)} ms idle | — | — | |`);
console.log(`| memory, ${MANY} files | ${mib(manyRss["GOGC=50 (the box)"]!)} | ${mib(manyRss["Go's default"]!)} (Go's default GOGC) | — | ≤ 300 MiB | |`);
box.cleanup();
