import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb, type Db } from "../db/client";
import { createJobRepo } from "./repo";
import { AppError, notFound } from "../errors";
import { createJobQueue, isPermanent, type JobHandlers, type UntypedPayloads } from "./queue";
import { createJobRunner } from "./runner";
import { systemClock } from "../clock";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), "nas-jobs-"));
  const path = join(dir, "db.sqlite");
  const dbs: Db[] = [];
  const open = () => {
    const db = openDb(path, { log: () => {} });
    dbs.push(db);
    return db;
  };
  cleanups.push(() => {
    for (const db of dbs) db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, path, open };
}

/** A queue on a clock the test moves by hand. */
function queueAt(db: Db, start = new Date("2026-01-01T00:00:00Z"), opts: { maxAttempts?: number } = {}) {
  let t = start.getTime();
  const queue = createJobQueue<UntypedPayloads>({
    repo: createJobRepo(db),
    now: () => new Date(t),
    maxAttempts: opts.maxAttempts,
    backoffMs: (n) => n * 60_000,
  });
  return { queue, advance: (ms: number) => (t += ms) };
}

describe("claimNextJob", () => {
  test("takes the oldest due job of a handled kind and marks it running", () => {
    const { queue, advance } = queueAt(tempDb().open());
    const later = queue.enqueue("thumb", { n: 0 }, new Date("2026-01-01T01:00:00Z"));
    const other = queue.enqueue("transcode", { n: 1 });
    const first = queue.enqueue("thumb", { n: 2 });
    const second = queue.enqueue("thumb", { n: 3 });

    const claimed = queue.claimNextJob(["thumb"]);
    expect(claimed?.id).toBe(first.id);
    expect(claimed?.status).toBe("running");
    expect(claimed?.attempts).toBe(1);
    expect(claimed?.payload).toEqual({ n: 2 });
    expect(queue.claimNextJob(["thumb"])?.id).toBe(second.id);
    expect(queue.claimNextJob(["thumb"])).toBeUndefined();
    expect(queue.claimNextJob([])).toBeUndefined();
    advance(3600_000);
    expect(queue.claimNextJob(["thumb"])?.id).toBe(later.id);
    expect(queue.byId(other.id)?.status).toBe("queued");
  });

  test("two connections claiming in turn never get the same job", () => {
    const t = tempDb();
    const a = createJobQueue<UntypedPayloads>({ repo: createJobRepo(t.open()), now: systemClock });
    const b = createJobQueue<UntypedPayloads>({ repo: createJobRepo(t.open()), now: systemClock });
    for (let i = 0; i < 50; i++) a.enqueue("k", { i });
    const seen: number[] = [];
    for (;;) {
      const x = a.claimNextJob(["k"]);
      const y = b.claimNextJob(["k"]);
      if (x) seen.push(x.id);
      if (y) seen.push(y.id);
      if (!x && !y) break;
    }
    expect(seen.length).toBe(50);
    expect(new Set(seen).size).toBe(50);
  });

  test("two processes claiming at the same time split the jobs without overlap", async () => {
    const t = tempDb();
    const queue = createJobQueue<UntypedPayloads>({ repo: createJobRepo(t.open()), now: systemClock });
    const total = 300;
    for (let i = 0; i < total; i++) queue.enqueue("k", { i });
    const script = `
      import { openDb } from ${JSON.stringify(join(import.meta.dir, "../db/client.ts"))};
      import { createJobRepo } from ${JSON.stringify(join(import.meta.dir, "repo.ts"))};
      import { createJobQueue } from ${JSON.stringify(join(import.meta.dir, "queue.ts"))};
      import { systemClock } from ${JSON.stringify(join(import.meta.dir, "../clock.ts"))};
      const q = createJobQueue<UntypedPayloads>({ repo: createJobRepo(openDb(process.env.JOBS_DB!, { log: () => {} })), now: systemClock });
      const ids = [];
      for (let j; (j = q.claimNextJob(["k"])); ) ids.push(j.id);
      console.log(JSON.stringify(ids));`;
    const procs = [0, 1].map(() => Bun.spawn(["bun", "-e", script], { env: { ...process.env, JOBS_DB: t.path }, stdout: "pipe", stderr: "inherit" }));
    const outputs = await Promise.all(
      procs.map(async (p) => {
        const text = await new Response(p.stdout).text();
        expect(await p.exited).toBe(0);
        return JSON.parse(text) as number[];
      }),
    );
    const all = outputs.flat();
    expect(all.length).toBe(total);
    expect(new Set(all).size).toBe(total);
    expect(queue.counts()).toEqual({ queued: 0, running: total, done: 0, failed: 0 });
  });
});

describe("finish, fail and retry", () => {
  test("a failure waits for the backoff, then runs again; after the last attempt it fails and keeps the error", () => {
    const { queue, advance } = queueAt(tempDb().open(), undefined, { maxAttempts: 3 });
    const job = queue.enqueue("k");

    const first = queue.claimNextJob(["k"])!;
    expect(queue.fail(first, new Error("disk busy"))).toBe("retry");
    let row = queue.byId(job.id)!;
    expect(row.status).toBe("queued");
    expect(row.error).toBe("disk busy");
    expect(queue.claimNextJob(["k"])).toBeUndefined();
    advance(59_999);
    expect(queue.claimNextJob(["k"])).toBeUndefined();
    advance(1);

    const second = queue.claimNextJob(["k"])!;
    expect(second.attempts).toBe(2);
    expect(queue.fail(second, "plain string")).toBe("retry");
    advance(2 * 60_000 - 1);
    expect(queue.claimNextJob(["k"])).toBeUndefined();
    advance(1);

    const third = queue.claimNextJob(["k"])!;
    expect(third.attempts).toBe(3);
    expect(queue.fail(third, new Error("still broken"))).toBe("failed");
    row = queue.byId(job.id)!;
    expect(row.status).toBe("failed");
    expect(row.error).toBe("still broken");
    expect(row.finishedAt).not.toBeNull();
    advance(24 * 3600_000);
    expect(queue.claimNextJob(["k"])).toBeUndefined();
  });

  test("a permanent error fails on the first attempt", () => {
    const { queue } = queueAt(tempDb().open());
    const job = queue.enqueue("k");
    expect(queue.fail(queue.claimNextJob(["k"])!, new AppError(422, "not an image"))).toBe("failed");
    expect(queue.byId(job.id)).toMatchObject({ status: "failed", error: "not an image", attempts: 1 });
  });

  test("the retry rule: an error a person can act on (AppError below 500) is permanent, anything else retries", () => {
    expect(isPermanent(new AppError(400, "bad payload"))).toBe(true);
    expect(isPermanent(notFound("This disk"))).toBe(true);
    expect(isPermanent(new AppError(409, "smartctl is not installed"))).toBe(true);
    expect(isPermanent(new AppError(499, "edge"))).toBe(true);
    expect(isPermanent(new AppError(500, "a bug"))).toBe(false);
    expect(isPermanent(new AppError(507, "The disk is full"))).toBe(false);
    expect(isPermanent(new Error("timeout"))).toBe(false);
    expect(isPermanent(Object.assign(new Error("no space"), { code: "ENOSPC" }))).toBe(false);
    expect(isPermanent("a string")).toBe(false);
    expect(isPermanent(undefined)).toBe(false);

    const { queue } = queueAt(tempDb().open());
    const full = queue.enqueue("k");
    expect(queue.fail(queue.claimNextJob(["k"])!, new AppError(507, "The disk is full"))).toBe("retry");
    expect(queue.byId(full.id)).toMatchObject({ status: "queued", error: "The disk is full", attempts: 1 });
  });

  test("finish marks the job done at 100 % and clears the lock and the last error", () => {
    const { queue, advance } = queueAt(tempDb().open());
    const job = queue.enqueue("k");
    queue.fail(queue.claimNextJob(["k"])!, new Error("first try failed"));
    advance(3600_000);
    queue.claimNextJob(["k"]);
    queue.progress(job.id, 42.4);
    expect(queue.byId(job.id)?.progress).toBe(42);
    queue.finish(job.id);
    expect(queue.byId(job.id)).toMatchObject({ status: "done", progress: 100, error: null, lockedAt: null, attempts: 2 });
    expect(queue.counts()).toEqual({ queued: 0, running: 0, done: 1, failed: 0 });
  });
});

describe("lanes", () => {
  test("a long copy in its own lane does not hold up short jobs queued after it", async () => {
    const db = tempDb().open();
    const queue = createJobQueue<UntypedPayloads>({ repo: createJobRepo(db), now: systemClock });
    let releaseCopy!: () => void;
    const copying = new Promise<void>((r) => (releaseCopy = r));
    const done: string[] = [];
    const lanes: JobHandlers<string, UntypedPayloads>[] = [
      {
        "storage.disk-copy": async () => {
          await copying;
          done.push("copy");
        },
      },
      {
        "smart.refresh": async () => {
          done.push("smart");
        },
        "db.backup": async () => {
          done.push("backup");
        },
      },
    ];
    queue.enqueue("storage.disk-copy");
    queue.enqueue("smart.refresh");
    queue.enqueue("db.backup");
    const runners = lanes.map((lane) => createJobRunner({ queue, handlers: lane, pollMs: 5, log: () => {} }));
    const running = Promise.all(runners.map((r) => r.run()));
    for (let i = 0; i < 200 && done.length < 2; i++) await Bun.sleep(5);
    expect(done).toEqual(["smart", "backup"]); // while the copy is still running
    releaseCopy();
    for (let i = 0; i < 200 && done.length < 3; i++) await Bun.sleep(5);
    await Promise.all(runners.map((r) => r.stop()));
    await running;
    expect(done).toEqual(["smart", "backup", "copy"]);
    expect(queue.counts()).toMatchObject({ done: 3, queued: 0, running: 0 });
  });
});

describe("pruning", () => {
  test("done jobs go after a week, failed ones after a month; queued and running ones stay", () => {
    const db = tempDb().open();
    const { queue, advance } = queueAt(db);
    const finished = (kind: string, fail: boolean) => {
      queue.enqueue(kind);
      const job = queue.claimNextJob([kind])!;
      if (fail) queue.fail(job, new AppError(422, "broken file"));
      else queue.finish(job.id);
    };
    finished("old.done", false);
    finished("old.failed", true);
    advance(8 * 86_400_000);
    finished("recent.done", false);
    queue.enqueue("waiting");
    queue.enqueue("busy");
    queue.claimNextJob(["busy"]);
    expect(queue.pruneFinished()).toBe(1); // old.done: 8 days; old.failed is kept for a month
    advance(23 * 86_400_000);
    expect(queue.pruneFinished()).toBe(2); // old.failed (31 days), recent.done (23 days)
    const left = db.$client.query("select kind, status from jobs order by id").all();
    expect(left).toEqual([
      { kind: "waiting", status: "queued" },
      { kind: "busy", status: "running" },
    ]);
  });
});

describe("reclaiming jobs of a crashed worker", () => {
  test("a running job whose lock is older than the limit is queued again; a fresh one is left alone", () => {
    const { queue, advance } = queueAt(tempDb().open());
    const stuck = queue.enqueue("k");
    const busy = queue.enqueue("k");
    queue.claimNextJob(["k"]);
    advance(10 * 60_000);
    queue.claimNextJob(["k"]);
    advance(6 * 60_000);

    expect(queue.reclaimStale(15 * 60_000)).toEqual([{ id: stuck.id, status: "queued" }]);
    expect(queue.byId(stuck.id)).toMatchObject({ status: "queued", lockedAt: null, attempts: 1 });
    expect(queue.byId(busy.id)?.status).toBe("running");
    expect(queue.claimNextJob(["k"])?.id).toBe(stuck.id);
  });

  test("progress reports keep a long job from being reclaimed", () => {
    const { queue, advance } = queueAt(tempDb().open());
    const job = queue.enqueue("k");
    queue.claimNextJob(["k"]);
    advance(14 * 60_000);
    queue.progress(job.id, 50);
    advance(14 * 60_000);
    expect(queue.reclaimStale(15 * 60_000)).toEqual([]);
    expect(queue.byId(job.id)?.status).toBe("running");
  });

  test("a job that kills the worker on every attempt ends up failed instead of looping forever", () => {
    const { queue, advance } = queueAt(tempDb().open(), undefined, { maxAttempts: 2 });
    const job = queue.enqueue("k");
    queue.claimNextJob(["k"]);
    advance(20 * 60_000);
    expect(queue.reclaimStale(15 * 60_000)).toEqual([{ id: job.id, status: "queued" }]);
    queue.claimNextJob(["k"]);
    advance(20 * 60_000);
    expect(queue.reclaimStale(15 * 60_000)).toEqual([{ id: job.id, status: "failed" }]);
    expect(queue.byId(job.id)?.error).toContain("worker stopped");
  });
});

describe("job runner", () => {
  test("a throwing handler is recorded on its job and the next job still runs", async () => {
    const { queue } = queueAt(tempDb().open());
    const done: number[] = [];
    const handlers: JobHandlers<string, UntypedPayloads> = {
      boom: async () => {
        throw new Error("corrupt input");
      },
      syncBoom: (() => {
        throw new TypeError("not even async");
      }) as unknown as JobHandlers<string, UntypedPayloads>[string],
      weird: async () => {
        throw { not: "an error" };
      },
      ok: async (job, ctx) => {
        ctx.progress(50);
        done.push(job.id);
      },
    };
    const logs: string[] = [];
    const runner = createJobRunner({ queue, handlers, log: (m) => logs.push(m), pollMs: 5, progressEveryMs: 0 });
    const boom = queue.enqueue("boom");
    const syncBoom = queue.enqueue("syncBoom");
    const weird = queue.enqueue("weird");
    const ok = queue.enqueue("ok");

    for (let i = 0; i < 4; i++) expect(await runner.runOnce()).toBe(true);
    expect(await runner.runOnce()).toBe(false);
    expect(queue.byId(boom.id)).toMatchObject({ status: "queued", error: "corrupt input" });
    expect(queue.byId(syncBoom.id)).toMatchObject({ status: "queued", error: "not even async" });
    expect(queue.byId(weird.id)).toMatchObject({ status: "queued", error: "[object Object]" });
    expect(queue.byId(ok.id)).toMatchObject({ status: "done", progress: 100 });
    expect(done).toEqual([ok.id]);
    expect(logs.some((l) => l.includes("corrupt input") && l.includes("will retry"))).toBe(true);
  });

  test("run() keeps going past bad jobs and stop() waits for the job in hand", async () => {
    const { queue } = queueAt(tempDb().open());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const slowStarted = new Promise<void>((r) => (started = r));
    const runner = createJobRunner({
      queue,
      log: () => {},
      pollMs: 5,
      handlers: {
        bad: async () => {
          throw new Error("bad file");
        },
        slow: async () => {
          started();
          await gate;
        },
      },
    });
    const bad = queue.enqueue("bad");
    const slow = queue.enqueue("slow");
    const after = queue.enqueue("slow");

    const loop = runner.run();
    await slowStarted;
    const stopped = runner.stop();
    expect(queue.byId(slow.id)?.status).toBe("running");
    release();
    await stopped;
    await loop;
    expect(queue.byId(bad.id)?.status).toBe("queued");
    expect(queue.byId(slow.id)?.status).toBe("done");
    expect(queue.byId(after.id)?.status).toBe("queued");
  });

  test("abortCurrent() interrupts a handler that honours the signal and puts its job back", async () => {
    const { queue } = queueAt(tempDb().open());
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const runner = createJobRunner({
      queue,
      log: () => {},
      handlers: {
        long: (_job, ctx) =>
          new Promise<void>((_, reject) => {
            started();
            ctx.signal.addEventListener("abort", () => reject(new Error("aborted")));
          }),
      },
    });
    const job = queue.enqueue("long");
    const one = runner.runOnce();
    await running;
    runner.abortCurrent();
    await one;
    expect(queue.byId(job.id)).toMatchObject({ status: "queued", error: "interrupted by shutdown" });
  });
});

describe("job runner start", () => {
  test("run() takes back a job left running by a crashed worker before claiming new work", async () => {
    const { queue, advance } = queueAt(tempDb().open());
    const orphan = queue.enqueue("k");
    queue.claimNextJob(["k"]);
    advance(16 * 60_000);
    const ran: number[] = [];
    const runner = createJobRunner({
      queue,
      log: () => {},
      pollMs: 5,
      handlers: {
        k: async (job) => {
          ran.push(job.id);
        },
      },
    });
    const loop = runner.run();
    for (let i = 0; i < 400 && ran.length === 0; i++) await Bun.sleep(5);
    await runner.stop();
    await loop;
    expect(ran).toEqual([orphan.id]);
    expect(queue.byId(orphan.id)).toMatchObject({ status: "done", attempts: 2 });
  });
});
