// Whether the box is busy with other work (serving pages and files, the media pipeline, a backup): the share of all
// its cores' time that everything except People's own indexer children used since the last look, from the kernel's
// counters (/proc/stat, /proc/<pid>/stat). Indexing waits while that share is above a line (NAS_PEOPLE_PAUSE_ABOVE):
// nice 19 gives the web process the processor, but not the memory bandwidth and caches a detector run takes, and on a
// Pi those make page loads slower than the processor share suggests.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Busy jiffies (everything but idle and iowait) and all jiffies of the whole box, from /proc/stat's first line. */
export function boxTicks(stat: string): { busy: number; total: number } {
  const line = stat.split("\n", 1)[0]!;
  if (!line.startsWith("cpu ")) throw new Error("not a /proc/stat");
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const n = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - n[3]! - (n[4] ?? 0), total };
}

/** CPU jiffies a process used (user + system), from /proc/<pid>/stat; 0 when it is gone. */
export function processTicks(stat: string): number {
  // The command name (2nd field) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

export type BusyGauge = {
  /** Why indexing should wait now (a sentence for the dashboard), or null; the first look only sets the mark. */
  check(): string | null;
};

/**
 * `abovePercent`: the share of the box (0–100) other work may use before indexing waits; 0 never waits. `children`:
 * the indexer children's pids (their own time is not "other work"). `proc`: the kernel's counters (tests give a copy).
 */
export function createBusyGauge(opts: { abovePercent: number; children: () => number[]; proc?: string }): BusyGauge {
  const proc = opts.proc ?? "/proc";
  const read = (path: string) => {
    try {
      return readFileSync(join(proc, path), "utf8");
    } catch {
      return null;
    }
  };
  // Each child's ticks at the last look: a child started since counts from 0, one that went is simply left out.
  let last: { box: { busy: number; total: number }; children: Map<number, number> } | null = null;
  return {
    check() {
      const stat = read("stat");
      if (opts.abovePercent <= 0 || stat === null) return null;
      const box = boxTicks(stat);
      const children = new Map<number, number>();
      for (const pid of opts.children()) {
        const s = read(`${pid}/stat`);
        if (s !== null) children.set(pid, processTicks(s));
      }
      const before = last;
      last = { box, children };
      if (!before || box.total <= before.box.total) return null;
      let ours = 0;
      for (const [pid, ticks] of children) ours += ticks - (before.children.get(pid) ?? 0);
      const others = Math.max(0, box.busy - before.box.busy - ours);
      const share = (100 * others) / (box.total - before.box.total);
      return share > opts.abovePercent
        ? `the box is busy (other work used ${Math.round(share)} % of its processor; People waits above ${opts.abovePercent} %)`
        : null;
    },
  };
}
