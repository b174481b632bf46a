import { afterEach, expect, spyOn, test } from "bun:test";
import { Elysia } from "elysia";
import { errorHandler, requestIds } from "./http/errors";
import { log, requestId, setLogLevel } from "./log";

afterEach(() => setLogLevel("info"));

test("levels: lines below the configured level are dropped; warnings and errors go to stderr", () => {
  const out = spyOn(console, "log").mockImplementation(() => {});
  const err = spyOn(console, "error").mockImplementation(() => {});
  try {
    setLogLevel("warn");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e", new Error("detail"));
    expect(out.mock.calls).toEqual([]);
    expect(err.mock.calls.map((c) => c[0])).toEqual(["warn: w", "error: e"]);
    expect(String(err.mock.calls[1]![1])).toContain("detail");
    setLogLevel("debug");
    log.debug("d");
    expect(out.mock.calls.map((c) => c[0])).toEqual(["debug: d"]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
});

test("each served request has its own id in every line it logs, across awaits, and it is the error's reference", async () => {
  const out = spyOn(console, "log").mockImplementation(() => {});
  const err = spyOn(console, "error").mockImplementation(() => {});
  const app = new Elysia()
    .use(requestIds)
    .use(errorHandler({ pageOf: () => ({ user: null, csrfToken: "", admin: false, deviceName: "nas", timeZone: "UTC", banner: [] }) }))
    .get("/work", async ({ query }) => {
      const first = requestId();
      await Bun.sleep(Number(query.ms));
      log.info(`done ${query.n}`);
      return { first, last: requestId() };
    })
    .get("/bug", async () => {
      await Bun.sleep(1);
      throw new Error("a bug");
    })
    .listen({ port: 0, hostname: "127.0.0.1" });
  try {
    const base = `http://127.0.0.1:${app.server!.port}`;
    const answers = await Promise.all(
      [30, 5, 20, 1].map((ms, n) => fetch(`${base}/work?ms=${ms}&n=${n}`).then((r) => r.json() as Promise<{ first: string; last: string }>)),
    );
    expect(new Set(answers.map((a) => a.first)).size).toBe(4);
    answers.forEach((a, n) => {
      expect(a.last).toBe(a.first);
      expect(a.first).toMatch(/^[0-9a-f]{8}$/);
      expect(out.mock.calls.map((c) => c[0])).toContain(`info: [request ${a.first}] done ${n}`);
    });

    const bug = (await (await fetch(`${base}/bug`, { headers: { accept: "application/json" } })).json()) as { requestId: string };
    const line = err.mock.calls.find((c) => String(c[0]).includes("GET /bug failed"));
    expect(line?.[0]).toBe(`error: [request ${bug.requestId}] GET /bug failed:`);
    expect(String(line?.[1])).toContain("a bug");
    expect(requestId()).toBeNull();
  } finally {
    app.stop(true);
    out.mockRestore();
    err.mockRestore();
  }
});
