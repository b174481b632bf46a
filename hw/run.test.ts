import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandNotFoundError, runCommand } from "./run";
import { fakeRunner } from "./testing";

describe("runCommand", () => {
  test("onStdout sees the output while the command still runs (progress lines)", async () => {
    const seen: { text: string; at: number }[] = [];
    const started = performance.now();
    const r = await runCommand(["sh", "-c", "echo ' 20% Checking'; sleep 0.4; echo '100% done'"], {
      onStdout: (text) => seen.push({ text, at: performance.now() - started }),
    });
    expect(seen.map((s) => s.text).join("")).toBe(" 20% Checking\n100% done\n");
    expect(seen[0]!.text).toBe(" 20% Checking\n");
    expect(r.durationMs - seen[0]!.at).toBeGreaterThan(300); // the first line came before the command ended
    expect(r.stdout).toBe(" 20% Checking\n100% done\n");
  });

  test("passes arguments verbatim, without a shell", async () => {
    const r = await runCommand(["printf", "%s|", "a b", "$HOME", "; echo no"]);
    expect(r).toMatchObject({ code: 0, signal: null, stdout: "a b|$HOME|; echo no|", timedOut: false, truncated: false });
  });

  test("a non-zero exit resolves with the code and stderr", async () => {
    const r = await runCommand(["sh", "-c", "echo oops >&2; exit 3"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("oops\n");
  });

  test("a missing binary rejects with CommandNotFoundError", async () => {
    const err = await runCommand(["definitely-not-installed-nasd"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandNotFoundError);
    expect(err).toMatchObject({ command: "definitely-not-installed-nasd", reason: "ENOENT" });
  });

  test("a file that is not executable rejects with reason EACCES", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "run-")), "not-a-program");
    writeFileSync(file, "data", { mode: 0o644 });
    const err = await runCommand([file]).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "CommandNotFoundError", reason: "EACCES" });
  });

  test("the timeout kills the process and says so", async () => {
    const t0 = performance.now();
    const r = await runCommand(["sleep", "10"], { timeoutMs: 100 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    expect(r.signal).toBe("SIGTERM");
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  test("a process ignoring SIGTERM is killed after the grace period", async () => {
    const r = await runCommand(["sh", "-c", "trap '' TERM; sleep 10"], { timeoutMs: 100, killGraceMs: 100 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGKILL");
  });

  test("a background grandchild holding the pipes does not hang the caller", async () => {
    const t0 = performance.now();
    const r = await runCommand(["sh", "-c", "sleep 5 & echo started"], { killGraceMs: 100 });
    expect(r).toMatchObject({ code: 0, stdout: "started\n", timedOut: false });
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  test("stdout keeps its head, stderr its tail, and the child is drained past the cap", async () => {
    const r = await runCommand(["sh", "-c", "seq 1 100000; seq 1 100000 >&2"], { maxOutputBytes: 20 });
    expect(r.code).toBe(0);
    expect(r.truncated).toBe(true);
    expect(r.stdout).toBe("1\n2\n3\n4\n5\n6\n7\n8\n9\n10");
    expect(r.stderr).toBe("\n99998\n99999\n100000\n".slice(-20));
  });

  test("stdin is passed to the child", async () => {
    const r = await runCommand(["cat"], { stdin: "hello" });
    expect(r.stdout).toBe("hello");
  });

  test("an abort signal ends the process", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await runCommand(["sleep", "10"], { signal: ac.signal });
    expect(r.signal).toBe("SIGTERM");
    expect(r.timedOut).toBe(false);
  });
});

test("fakeRunner records calls and fills defaults", async () => {
  const fake = fakeRunner((argv) => (argv[0] === "missing" ? new CommandNotFoundError("missing", "ENOENT") : { stdout: "ok" }));
  expect(await fake.run(["x", "y"])).toMatchObject({ code: 0, stdout: "ok", timedOut: false });
  expect(fake.run(["missing"])).rejects.toBeInstanceOf(CommandNotFoundError);
  expect(fake.calls).toEqual([["x", "y"], ["missing"]]);
});
