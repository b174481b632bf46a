// Indexing survives kill -9: the real web process and worker on one data dir, photos uploaded through the API, the
// worker (and with it its indexer child) killed mid-backfill, started again; every photo ends indexed exactly once.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { startBox, type Box } from "../../test/support/processes";
import { PEOPLE_FIXTURES } from "../../test/support/faces";
import { ENABLED_SETTING, MODEL_VERSION } from "./model";

let box: Box | undefined;
afterAll(() => box?.stop());

async function waitFor<T>(what: string, probe: () => T | false | undefined, limitMs = 120_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}\n${box?.logs.join("").slice(-3000)}`);
    await Bun.sleep(100);
  }
}

/** The processes whose parent is `pid` (the worker's indexer children). */
const childrenOf = (pid: number) =>
  readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${d}/status`, "utf8"))?.[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
const isIndexer = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("app/people/indexer.ts");
  } catch {
    return false;
  }
};
/** A process's nice value (/proc/<pid>/stat's 19th field, counted after the command name). */
const niceOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("kill -9 of the worker mid-backfill: the indexer child goes too, and the next worker finishes the rest once", async () => {
  // Never waiting for a busy box (this machine is always busy with other tests; indexing.test.ts covers the wait).
  box = await startBox({ worker: false, env: { NAS_PEOPLE_PAUSE_ABOVE: "0" } });
  const db = new Database(join(box.dataDir, "db.sqlite"));
  const people = (on: boolean) =>
    db.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [ENABLED_SETTING, String(on)]);
  // Off while the previews are made: the first worker would otherwise start indexing at its minute mark whenever the
  // previews take longer than a minute (a loaded machine), and the worker killed below would not be the one indexing.
  people(false);
  // 12 photos: the six party photos and each mirrored (distinct content, same people).
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const src = join(PEOPLE_FIXTURES, `party-${n}.jpg`);
    for (const [name, body] of [
      [`party-${n}.jpg`, readFileSync(src)],
      [`party-${n}-mirror.jpg`, await sharp(src).flop().jpeg({ quality: 85 }).toBuffer()],
    ] as const) {
      const res = await box.api(`/api/v1/upload?name=${name}`, { method: "POST", body });
      expect(res.status).toBe(201);
    }
  }
  const count = (sql: string) => (db.query(sql).get() as { n: number }).n;
  // The media pipeline makes the previews first; with People on, the next worker start queues the indexing at once.
  box.startWorker();
  await waitFor("the previews", () => count("SELECT count(*) AS n FROM media WHERE status = 'done'") === 12, 300_000);
  box.worker!.kill("SIGTERM");
  await box.worker!.exited;
  expect(count("SELECT count(*) AS n FROM people_index")).toBe(0);
  people(true);
  box.startWorker();
  const worker = box.worker!;
  // This worker's own indexing under way: its indexer children started (not the trial encodes it runs at start),
  // then two photos stored.
  const children = await waitFor("the indexer children", () => {
    const pids = childrenOf(worker.pid).filter(isIndexer);
    return pids.length > 0 && pids;
  });
  await waitFor("the first photos indexed", () => count(`SELECT count(*) AS n FROM people_index WHERE version = '${MODEL_VERSION}'`) >= 2);
  // The children give way to everything else on the box.
  for (const pid of children) expect(niceOf(pid)).toBe(19);
  await box.kill("worker");
  const before = count("SELECT count(*) AS n FROM people_index");
  expect(before).toBeLessThan(12);
  // The children notice their parent is gone and exit (no orphan keeps the models in memory).
  await waitFor("the indexer children to exit", () => children.every((pid) => !alive(pid)), 30_000);

  box.startWorker();
  await waitFor(
    "every photo indexed",
    () => count(`SELECT count(*) AS n FROM people_index WHERE version = '${MODEL_VERSION}' AND status = 'done'`) === 12,
    240_000,
  );
  // Once each: one row per photo, each face once, and the photos of the same people grouped.
  expect(count("SELECT count(*) AS n FROM (SELECT sha256, idx FROM faces GROUP BY sha256, idx HAVING count(*) > 1)")).toBe(0);
  expect(count("SELECT count(*) AS n FROM people")).toBeGreaterThanOrEqual(3);
  db.close();
}, 900_000);
