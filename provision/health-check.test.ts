import { describe, expect, test } from "bun:test";
import { waitUntilHealthy } from "./health-check";

describe("waitUntilHealthy", () => {
  test("healthy as soon as /healthz answers 200", async () => {
    let calls = 0;
    using server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok", { status: ++calls < 3 ? 503 : 200 }) });
    const result = await waitUntilHealthy({ url: `http://127.0.0.1:${server.port}/healthz`, deadlineMs: 5000, unitFailed: () => false, intervalMs: 10 });
    expect(result).toMatchObject({ healthy: true, reason: "healthz 200" });
    expect(calls).toBe(3);
  });

  test("unhealthy when the deadline passes with no answer (a hung or never-started app)", async () => {
    const result = await waitUntilHealthy({ url: "http://127.0.0.1:9/healthz", deadlineMs: 300, unitFailed: () => false, intervalMs: 50 });
    expect(result.healthy).toBe(false);
    expect(result.reason).toMatch(/no healthy answer within 0 s/);
  });

  test("unhealthy at once when the web unit has failed, without waiting for the deadline", async () => {
    const result = await waitUntilHealthy({ url: "http://127.0.0.1:9/healthz", deadlineMs: 60_000, unitFailed: () => true, intervalMs: 10 });
    expect(result.healthy).toBe(false);
    expect(result.reason).toMatch(/the web service failed/);
    expect(result.ms).toBeLessThan(5000);
  });
});
