/**
 * What the machine is doing: the live sample the cards show (reused for a few seconds, so several open tabs cost
 * one), the machine's static facts, the minute samples behind the history charts, and this web process's own
 * footprint.
 */
import type { SystemInfo, SystemSample, SystemSampler } from "../../hw/system";
import type { DashboardRepo } from "./repo";

export type SeriesPoint = { at: number; cpu: number; mem: number; temp: number | null; rx: number | null; tx: number | null };

/** The web server's own footprint: memory now, and its share of one core over the last recorded minute. */
export type SelfUsage = { rssBytes: number; cpuPercentLastMinute: number | null };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Samples for the live cards are reused for this long, so several open tabs cost one sample. */
const LIVE_SAMPLE_MAX_AGE_MS = 4_000;

const processCounters = () => {
  const cpu = process.cpuUsage();
  return { cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() };
};

export function createSamples(ctx: {
  repo: DashboardRepo;
  /** For the live cards (every few seconds while someone watches). */
  liveSampler: SystemSampler;
  /** A second sampler used once a minute, so the stored CPU% and throughput are averages over that minute. */
  minuteSampler: SystemSampler;
  now: () => Date;
  /** This process's CPU time (µs, user + system) and resident memory; default: Bun's process counters. */
  processUsage?: () => { cpuMicros: number; rssBytes: number };
}) {
  const { repo, now } = ctx;
  const processUsage = ctx.processUsage ?? processCounters;
  let live: { at: number; sample: Promise<SystemSample> } | null = null;
  let info: { at: number; value: Promise<SystemInfo> } | null = null;
  // CPU time at the previous minute sample, and the share of a core used since then (open tabs' polling included).
  let cpuMark: { at: number; cpuMicros: number } | null = null;
  let cpuPercentLastMinute: number | null = null;

  return {
    liveSample(): Promise<SystemSample> {
      const t = now().getTime();
      if (!live || t - live.at > LIVE_SAMPLE_MAX_AGE_MS) live = { at: t, sample: ctx.liveSampler.sample() };
      return live.sample;
    },
    /** Static facts, re-read every 10 minutes (an address from DHCP can change). */
    info(): Promise<SystemInfo> {
      const t = now().getTime();
      if (!info || t - info.at > 10 * MINUTE) info = { at: t, value: ctx.liveSampler.info() };
      return info.value;
    },

    /** Before this process's first minute sample: its CPU and throughput become deltas from now, not since boot. */
    async primeMinute() {
      cpuMark = { at: now().getTime(), cpuMicros: processUsage().cpuMicros };
      await ctx.minuteSampler.sample();
    },
    /**
     * Stores a sample for the charts and drops what is older than a day; returns it for the alert rules. Stamped with
     * the minute it was due (`dueAt`, the job's run_after): however late a run starts, each minute gets one row.
     */
    async recordMinute(dueAt?: Date): Promise<SystemSample> {
      const usage = processUsage();
      const t = now().getTime();
      // µs of CPU per ms of wall time is 0.1 % of one core; kept to two decimals.
      if (cpuMark && t > cpuMark.at) cpuPercentLastMinute = Math.round((10 * (usage.cpuMicros - cpuMark.cpuMicros)) / (t - cpuMark.at)) / 100;
      cpuMark = { at: t, cpuMicros: usage.cpuMicros };
      const sample = await ctx.minuteSampler.sample();
      // Stamped, pruned and queried with the one injected clock (the sampler's own clock only times its deltas).
      const at = new Date(Math.floor((dueAt?.getTime() ?? t) / MINUTE) * MINUTE);
      const eth = sample.network.filter((n) => n.up);
      const sum = (k: "rxBytesPerSec" | "txBytesPerSec") => (eth.some((n) => n[k] !== null) ? eth.reduce((s, n) => s + (n[k] ?? 0), 0) : null);
      repo.insertSample({
        at,
        cpuPercent: sample.cpu.percent,
        memPercent: sample.memory.percent,
        cpuTempC: sample.cpuTemperatureC,
        rxBytesPerSec: sum("rxBytesPerSec"),
        txBytesPerSec: sum("txBytesPerSec"),
      });
      repo.pruneSamples(new Date(at.getTime() - DAY));
      return sample;
    },

    series(range: "hour" | "day"): SeriesPoint[] {
      const since = new Date(now().getTime() - (range === "hour" ? HOUR : DAY));
      return repo
        .samplesSince(since)
        .map((r) => ({ at: r.at.getTime(), cpu: r.cpuPercent, mem: r.memPercent, temp: r.cpuTempC, rx: r.rxBytesPerSec, tx: r.txBytesPerSec }));
    },

    self: (): SelfUsage => ({ rssBytes: processUsage().rssBytes, cpuPercentLastMinute }),
  };
}
