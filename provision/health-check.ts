#!/usr/bin/env bun
/**
 * nas-health.service: succeeds once the web server answers GET https://127.0.0.1/healthz with 200,
 * fails when the deadline passes or nasd-web.service has given up (failed, or restarted five times). Success lets the boot
 * reach boot-complete.target, so rauc-mark-good.service marks this slot good; failure starts
 * nas-boot-fallback.service, which reboots into the previous slot when there is one.
 *   health-check.ts [--deadline SECONDS] [--url URL] [--unit UNIT]
 */
import { parseArgs } from "node:util";

export type HealthOptions = { url: string; deadlineMs: number; unitFailed: () => boolean; intervalMs?: number };

export async function waitUntilHealthy(opts: HealthOptions): Promise<{ healthy: boolean; reason: string; ms: number }> {
  const started = performance.now();
  let last = "no answer yet";
  while (performance.now() - started < opts.deadlineMs) {
    try {
      // The certificate is the box's own; this checks the app, not the chain.
      const res = await fetch(opts.url, { tls: { rejectUnauthorized: false }, signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return { healthy: true, reason: "healthz 200", ms: performance.now() - started };
      last = `healthz ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (opts.unitFailed()) return { healthy: false, reason: `the web service failed (${last})`, ms: performance.now() - started };
    await Bun.sleep(opts.intervalMs ?? 2000);
  }
  return { healthy: false, reason: `no healthy answer within ${Math.round(opts.deadlineMs / 1000)} s (${last})`, ms: performance.now() - started };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      deadline: { type: "string", default: "300" },
      url: { type: "string", default: "https://127.0.0.1/healthz" },
      unit: { type: "string", default: "nasd-web.service" },
    },
  });
  const unit = values.unit!;
  const result = await waitUntilHealthy({
    url: values.url!,
    deadlineMs: Number(values.deadline) * 1000,
    // Given up: failed, or restarted over and over (an app that crashes at start never reaches failed
    // when its restarts are spaced wider than systemd's start limit).
    unitFailed: () => {
      const out = Bun.spawnSync(["systemctl", "show", "-p", "ActiveState", "-p", "NRestarts", unit]).stdout.toString();
      const props = Object.fromEntries(
        out
          .split("\n")
          .filter(Boolean)
          .map((line) => line.split("=", 2) as [string, string]),
      );
      return props.ActiveState === "failed" || Number(props.NRestarts) >= 5;
    },
  });
  console.log(`nas-health: ${result.healthy ? "healthy" : "UNHEALTHY"} after ${(result.ms / 1000).toFixed(1)} s: ${result.reason}`);
  process.exit(result.healthy ? 0 : 1);
}
