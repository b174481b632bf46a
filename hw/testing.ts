// Test helpers for hw/: fakes for the hardware we do not have. Tests only; never imported by the app.
import type { RunResult, Runner } from "./run";

/** A Runner for tests: answers from a function of argv, records every call. */
export function fakeRunner(answer: (argv: readonly string[]) => Partial<RunResult> | Error) {
  const calls: string[][] = [];
  const run: Runner = async (argv) => {
    calls.push([...argv]);
    const result = answer(argv);
    if (result instanceof Error) throw result;
    return { code: 0, signal: null, stdout: "", stderr: "", timedOut: false, truncated: false, durationMs: 0, ...result };
  };
  return { run, calls };
}
