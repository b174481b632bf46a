import { systemClock } from "../clock";
import { Type } from "@sinclair/typebox";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../db/client";
import { defineJobs, lazy, type PayloadsOf } from "./kinds";
import { createJobQueue } from "./queue";
import { createJobRepo } from "./repo";
import { createJobRunner } from "./runner";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const kinds = {
  "disk.test": {
    lane: "system",
    payload: Type.Object({ device: Type.String({ minLength: 1 }), kind: Type.Union([Type.Literal("short"), Type.Literal("long")]) }),
  },
} as const;

test("a payload is checked against its kind's schema once, before the handler: a bad one fails at once and names the field", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nas-kinds-"));
  const db = openDb(join(dir, "db.sqlite"), { log: () => {} });
  cleanups.push(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const seen: unknown[] = [];
  let loads = 0;
  const group = defineJobs(kinds, (deps: { seen: unknown[] }) => ({
    "disk.test": lazy(async () => {
      loads++;
      return async (job) => {
        deps.seen.push(job.payload);
      };
    }),
  }));
  const queue = createJobQueue<PayloadsOf<typeof kinds>>({ repo: createJobRepo(db), now: systemClock });
  const runner = createJobRunner({ queue, handlers: group.handlers({ seen }), log: () => {} });

  const bad = [
    queue.enqueue("disk.test", { device: "/dev/sda", kind: "forever" as "long" }), // as an old or hand-written row could hold
    queue.enqueue("disk.test", { kind: "short" } as never),
    queue.enqueue("disk.test", { device: "", kind: "short" }),
  ];
  const good = queue.enqueue("disk.test", { device: "/dev/sda", kind: "short" });
  while (await runner.runOnce());

  expect(bad.map((j) => queue.byId(j.id)).map((j) => [j?.status, j?.attempts])).toEqual([
    ["failed", 1],
    ["failed", 1],
    ["failed", 1],
  ]);
  expect(queue.byId(bad[0]!.id)?.error).toStartWith("The disk.test job's payload is not valid (/kind: ");
  expect(queue.byId(bad[1]!.id)?.error).toStartWith("The disk.test job's payload is not valid (/device: ");
  expect(queue.byId(bad[2]!.id)?.error).toStartWith("The disk.test job's payload is not valid (/device: ");
  expect(queue.byId(good.id)?.status).toBe("done");
  expect(seen).toEqual([{ device: "/dev/sda", kind: "short" }]);
  expect(loads).toBe(1); // the handler's module loaded once, on the first job that reached it
});
