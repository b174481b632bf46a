// Suite part 5, short: the load mix of bench/load.ts for a few seconds (the five-minute run is `make soak`). Every
// request answers without an error, and neither process grows while the same work repeats.
import { expect, test } from "bun:test";
import { printReport, runLoad } from "../../bench/load";
import { SOAK } from "../support/processes";

test.skipIf(SOAK)("20 clients mixing browse, search, timeline, thumbnails, uploads, downloads and WebDAV: 0 errors, memory flat", async () => {
  const report = await runLoad({ seconds: 15, clients: 20 });
  printReport(report);
  expect(report.errors).toEqual([]);
  expect(report.actions.length).toBe(9);
  // Flat: after the warm-up, the same work adds no more than 64 MiB (a leak per request would pass that in seconds).
  expect(report.rss.web.end - report.rss.web.warm).toBeLessThan(64 * 1024 * 1024);
}, 300_000);
