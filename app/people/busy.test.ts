// The busy gauge over the kernel's counters: copies of /proc/stat and /proc/<pid>/stat in a temp dir stand in for a
// box whose load the test decides (the counters are the hardware's), and the real /proc once.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boxTicks, createBusyGauge, processTicks } from "./busy";

const dir = mkdtempSync(join(tmpdir(), "people-busy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The box's counters: `busy` and `idle` jiffies (split over user, system and iowait like a real one). */
function box(busy: number, idle: number) {
  const user = Math.floor(busy / 2);
  writeFileSync(join(dir, "stat"), `cpu  ${user} 0 ${busy - user} ${idle} 0 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n`);
}
/** A child's counters; the command name has a space and a parenthesis, as a process may choose. */
function child(pid: number, utime: number, stime: number) {
  mkdirSync(join(dir, String(pid)), { recursive: true });
  const rest = ["S", 1, 1, 1, 0, -1, 4194304, 100, 0, 0, 0, utime, stime, 0, 0, 39, 19, 12, 0, 1000].join(" ");
  writeFileSync(join(dir, String(pid), "stat"), `${pid} (bun (indexer)) ${rest}\n`);
}

test("the kernel's counters are read field by field", () => {
  expect(boxTicks("cpu  10 5 20 100 7 1 2 0 0 0\n")).toEqual({ busy: 38, total: 145 });
  expect(() => boxTicks("intr 1 2 3")).toThrow(/not a \/proc\/stat/);
  expect(processTicks(`7 (bun (indexer)) S 1 1 1 0 -1 4194304 100 0 0 0 300 45 0 0 39 19 12 0 1000`)).toBe(345);
});

test("busy when other work passes the line; the indexer's own time and a child that went do not count", () => {
  const children = [42];
  const gauge = createBusyGauge({ abovePercent: 50, children: () => children, proc: dir });
  box(0, 0);
  child(42, 0, 0);
  // The first look only sets the mark.
  expect(gauge.check()).toBeNull();
  // 200 jiffies (two cores for a second): the indexer used 100 of the 150 busy ones, other work 50 = 25 %.
  box(150, 50);
  child(42, 80, 20);
  expect(gauge.check()).toBeNull();
  // Then other work 160 of 200 (80 %), the indexer nothing: busy, and the sentence says how busy.
  box(310, 90);
  expect(gauge.check()).toBe("the box is busy (other work used 80 % of its processor; People waits above 50 %)");
  // The child was replaced by a new one (pid 43, 30 jiffies so far); others 70 of 200 = 35 %: quiet again.
  children.splice(0, 1, 43);
  child(43, 20, 10);
  box(410, 190);
  expect(gauge.check()).toBeNull();
  // At the line exactly is not above it.
  box(510, 290);
  child(43, 20, 10);
  expect(gauge.check()).toBeNull();
});

test("0 never waits, and the real /proc gives an answer", () => {
  box(0, 0);
  const never = createBusyGauge({ abovePercent: 0, children: () => [], proc: dir });
  never.check();
  box(1000, 0);
  expect(never.check()).toBeNull();
  // This machine: whatever its load, a look gives null or the sentence (never a throw or a NaN).
  const real = createBusyGauge({ abovePercent: 1, children: () => [process.pid] });
  real.check();
  let spin = 0;
  for (let i = 0; i < 5_000_000; i++) spin += i;
  expect(spin).toBeGreaterThan(0);
  const answer = real.check();
  if (answer !== null) expect(answer).toMatch(/^the box is busy \(other work used \d+ % of its processor; People waits above 1 %\)$/);
});
