import { systemClock } from "../clock";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb, type Db } from "../db/client";
import { AppError } from "../errors";
import { createJobQueue, type UntypedPayloads } from "./queue";
import { createJobRepo } from "./repo";
import { createScheduler, type Periodic } from "./scheduler";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function tempDb(): Db {
  const dir = mkdtempSync(join(tmpdir(), "nas-scheduler-"));
  const db = openDb(join(dir, "db.sqlite"), { log: () => {} });
  cleanups.push(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

/** A queue and a scheduler on a clock the test moves by hand. */
function setUp(periodic: Periodic[], start = "2026-01-01T00:00:00Z") {
  let t = new Date(start).getTime();
  const now = () => new Date(t);
  const queue = createJobQueue<UntypedPayloads>({ repo: createJobRepo(tempDb()), now });
  const scheduler = createScheduler({ queue, periodic, now, log: () => {} });
  /** Runs the job of `kind` that is due, as a worker would; `fail` records an error instead. */
  const runDue = (kind: string, fail?: Error) => {
    const job = queue.claimNextJob([kind]);
    if (!job) return undefined;
    if (fail) queue.fail(job, fail);
    else queue.finish(job.id);
    return job;
  };
  return { queue, scheduler, runDue, at: (iso: string) => (t = new Date(iso).getTime()), advance: (ms: number) => (t += ms) };
}

describe("periodic jobs", () => {
  test("queued at start when never run, never twice while one waits, then one period after the last", () => {
    const s = setUp([{ kind: "sample", every: MINUTE, payload: () => ({}) }]);
    expect(s.scheduler.queueDue()).toBe(MINUTE);
    const first = s.queue.lastOfKind("sample")!;
    expect(first).toMatchObject({ status: "queued", runAfter: new Date("2026-01-01T00:00:00Z"), payload: {} });
    s.advance(2 * MINUTE); // the web process was slow to take it: still one waiting, looked at again soon
    expect(s.scheduler.queueDue()).toBe(5_000);
    expect(s.queue.recentOfKind("sample")).toHaveLength(1);
    s.runDue("sample");
    s.at("2026-01-01T00:02:30Z");
    s.scheduler.queueDue();
    // Late by more than a period: once, from now, not once per missed minute.
    expect(s.queue.recentOfKind("sample").map((j) => [j.status, j.runAfter.toISOString()])).toEqual([["queued", "2026-01-01T00:02:30.000Z"]]);
  });

  test("an atStart kind runs again when a new scheduler starts (after a reboot), however recent its last run; others wait", () => {
    const s = setUp([
      { kind: "slots", every: HOUR, payload: () => ({}), atStart: true },
      { kind: "hourly", every: HOUR, payload: () => ({}) },
    ]);
    s.scheduler.queueDue();
    s.runDue("slots");
    s.runDue("hourly");
    s.advance(5 * MINUTE);
    s.scheduler.queueDue();
    expect(s.queue.lastOfKind("slots")?.status).toBe("done"); // the same scheduler: not again
    const restarted = createScheduler({
      queue: s.queue,
      periodic: [
        { kind: "slots", every: HOUR, payload: () => ({}), atStart: true },
        { kind: "hourly", every: HOUR, payload: () => ({}) },
      ],
      now: () => new Date("2026-01-01T00:05:00Z"),
      log: () => {},
    });
    restarted.queueDue();
    expect(s.queue.lastOfKind("slots")).toMatchObject({ status: "queued", runAfter: new Date("2026-01-01T00:05:00Z") });
    expect(s.queue.lastOfKind("hourly")?.status).toBe("done");
    s.runDue("slots");
    restarted.queueDue();
    expect(s.queue.lastOfKind("slots")?.status).toBe("done"); // once per start
  });

  test("keeps the rhythm: a run queued a little late is still due at its own minute, and the sleep ends at the next", () => {
    const s = setUp([{ kind: "sample", every: MINUTE, payload: () => ({}) }]);
    s.scheduler.queueDue();
    s.runDue("sample");
    s.advance(30_000);
    expect(s.scheduler.queueDue()).toBe(30_000);
    s.advance(30_007); // the timer fired 7 ms late
    s.scheduler.queueDue();
    expect(s.queue.lastOfKind("sample")?.runAfter).toEqual(new Date("2026-01-01T00:01:00Z"));
    expect(s.queue.claimNextJob(["sample"])).toBeDefined();
  });

  test("a run asked for by a person moves the next scheduled one; a null payload skips until it says otherwise", () => {
    let enabled = false;
    const s = setUp([{ kind: "copy", every: 23 * HOUR, payload: () => (enabled ? { nightly: true } : null) }]);
    s.scheduler.queueDue();
    expect(s.queue.lastOfKind("copy")).toBeUndefined();
    s.queue.enqueue("copy", {}); // "Copy now"
    s.runDue("copy");
    enabled = true;
    s.advance(HOUR);
    s.scheduler.queueDue();
    expect(s.queue.recentOfKind("copy")).toHaveLength(1);
    s.advance(22 * HOUR);
    s.scheduler.queueDue();
    expect(s.queue.lastOfKind("copy")).toMatchObject({ status: "queued", payload: { nightly: true } });
  });

  test("queuing the next run forgets the kind's earlier done runs; failures stay (they are alerts); other kinds are untouched", () => {
    const s = setUp([{ kind: "sample", every: MINUTE, payload: () => ({}) }]);
    const manual = s.queue.enqueue("thumb", {});
    s.runDue("thumb");
    for (let i = 0; i < 5; i++) {
      s.scheduler.queueDue();
      s.runDue("sample", i === 1 ? new AppError(409, "no sensors") : undefined);
      s.advance(MINUTE);
    }
    // Five runs, one failed: each queuing dropped the done runs before it.
    expect(s.queue.recentOfKind("sample").map((j) => j.status)).toEqual(["done", "failed"]);
    s.scheduler.queueDue();
    expect(s.queue.recentOfKind("sample").map((j) => j.status)).toEqual(["queued", "failed"]);
    expect(s.queue.byId(manual.id)?.status).toBe("done");
  });

  test("finished jobs are pruned at start and then hourly", () => {
    let q = new Date("2026-01-01T00:00:00Z").getTime();
    let t = q;
    const queue = createJobQueue<UntypedPayloads>({ repo: createJobRepo(tempDb()), now: () => new Date(q) });
    const scheduler = createScheduler({ queue, periodic: [], now: () => new Date(t), log: () => {} });
    const done = () => {
      const job = queue.enqueue("thumb", {});
      queue.claimNextJob(["thumb"]);
      queue.finish(job.id);
      return job.id;
    };
    const old = done();
    q += 8 * 24 * HOUR;
    scheduler.queueDue();
    expect(queue.byId(old)).toBeUndefined();
    const recent = done();
    q += 8 * 24 * HOUR;
    t += 30 * MINUTE;
    scheduler.queueDue(); // pruned half an hour ago: not yet
    expect(queue.byId(recent)?.status).toBe("done");
    t += 30 * MINUTE;
    scheduler.queueDue();
    expect(queue.byId(recent)).toBeUndefined();
  });
});

describe("the scheduler loop", () => {
  test("run() queues what is due at once; stop() ends it; a database error is logged and the loop goes on", async () => {
    const db = tempDb();
    const queue = createJobQueue<UntypedPayloads>({ repo: createJobRepo(db), now: systemClock });
    const logged: string[] = [];
    let broken = true;
    const scheduler = createScheduler({
      now: systemClock,
      queue,
      periodic: [
        {
          kind: "sample",
          every: HOUR,
          payload: () => {
            if (broken) {
              broken = false;
              throw new Error("database is locked");
            }
            return {};
          },
        },
      ],
      log: (m) => logged.push(m),
      maxSleepMs: 10,
    });
    const loop = scheduler.run();
    for (let i = 0; i < 400 && !queue.lastOfKind("sample"); i++) await Bun.sleep(25);
    await scheduler.stop();
    await loop;
    expect(logged).toEqual(["scheduler: database is locked"]);
    expect(queue.recentOfKind("sample")).toMatchObject([{ status: "queued" }]);
  });
});
