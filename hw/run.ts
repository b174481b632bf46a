/**
 * The one way this project runs an external program (smartctl, ffmpeg, systemctl, vcgencmd…):
 * an argument array (never a shell string), a timeout, and a cap on captured output.
 * Code that needs a command takes a `Runner` as a dependency so tests can pass a fake one.
 */

export interface RunOptions {
  /** Kill the process (SIGTERM, then SIGKILL after `killGraceMs`) when it runs longer. Default 30 s. */
  timeoutMs?: number;
  killGraceMs?: number;
  /** Bytes kept per stream. stdout keeps its head (parsable output comes first), stderr its tail (errors come last). Default 4 MiB. */
  maxOutputBytes?: number;
  cwd?: string;
  /** Replaces the environment entirely when given (PATH included). */
  env?: Record<string, string | undefined>;
  stdin?: string | Uint8Array;
  signal?: AbortSignal;
  /** Called with each piece of stdout as it arrives (progress lines of a long command). */
  onStdout?: (text: string) => void;
  /** Called with each piece of stderr as it arrives (a long command's warnings, e.g. restic's retries). */
  onStderr?: (text: string) => void;
  /** The signal that asks the program to stop (timeout, abort); default SIGTERM. restic cleans up (its lock) only on SIGINT. */
  stopSignal?: "SIGTERM" | "SIGINT";
}

export interface RunResult {
  /** Exit code, or null when the process was ended by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** True when more output was produced than `maxOutputBytes` and some was dropped. */
  truncated: boolean;
  durationMs: number;
}

export type Runner = (argv: readonly string[], opts?: RunOptions) => Promise<RunResult>;

/** The program could not be started at all: not installed (ENOENT) or not executable (EACCES). */
export class CommandNotFoundError extends Error {
  override readonly name = "CommandNotFoundError";
  constructor(
    readonly command: string,
    readonly reason: "ENOENT" | "EACCES",
  ) {
    super(reason === "ENOENT" ? `${command}: not installed (not found in PATH)` : `${command}: not executable`);
  }
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Runs `argv[0]` with the remaining arguments; resolves for every exit code, rejects only with CommandNotFoundError or an unexpected spawn failure. */
export const runCommand: Runner = async (argv, opts = {}) => {
  const [command] = argv;
  if (!command) throw new TypeError("runCommand: empty argv");
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const limit = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const started = performance.now();

  let proc: Bun.Subprocess<"pipe" | "ignore", "pipe", "pipe">;
  try {
    proc = Bun.spawn([...argv], {
      cwd: opts.cwd,
      env: opts.env,
      stdin: opts.stdin === undefined ? "ignore" : "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT" || code === "EACCES") throw new CommandNotFoundError(command, code);
    throw err;
  }

  if (opts.stdin !== undefined && proc.stdin && typeof proc.stdin !== "number") {
    proc.stdin.write(opts.stdin);
    proc.stdin.end();
  }

  let timedOut: boolean = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const terminate = () => {
    proc.kill(opts.stopSignal ?? "SIGTERM");
    killTimer = setTimeout(() => proc.kill("SIGKILL"), opts.killGraceMs ?? 2_000);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    terminate();
  }, timeoutMs);
  const onAbort = () => terminate();
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    const out = collect(proc.stdout, limit, "head", opts.onStdout);
    const err = collect(proc.stderr, limit, "tail", opts.onStderr);
    await proc.exited;
    // A grandchild that inherited our pipes (a daemonising helper, `sh -c` with a background job) would keep
    // them open forever: after the exit, give the streams a short grace and then stop reading.
    const drained = Promise.all([out.done, err.done]);
    const grace = new Promise<"late">((resolve) => {
      graceTimer = setTimeout(() => resolve("late"), opts.killGraceMs ?? 2_000);
    });
    if ((await Promise.race([drained, grace])) === "late") {
      out.stop();
      err.stop();
    }
    const [stdout, stderr] = await drained;
    return {
      code: proc.signalCode ? null : proc.exitCode,
      signal: proc.signalCode === null ? null : String(proc.signalCode),
      stdout: stdout.text,
      stderr: stderr.text,
      timedOut,
      truncated: stdout.truncated || stderr.truncated,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
    clearTimeout(killTimer);
    clearTimeout(graceTimer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
};

/**
 * Reads a stream to its end, keeping at most `limit` bytes: the first ones ("head") or the last ones ("tail").
 * It keeps draining after the cap so a chatty child never blocks on a full pipe.
 */
function collect(stream: ReadableStream<Uint8Array>, limit: number, keep: "head" | "tail", onChunk?: (text: string) => void) {
  const decoder = onChunk ? new TextDecoder() : null;
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  const add = (chunk: Uint8Array) => {
    if (decoder) onChunk!(decoder.decode(chunk, { stream: true }));
    if (keep === "head") {
      if (kept >= limit) return void (truncated = true);
      const part = chunk.byteLength > limit - kept ? chunk.subarray(0, limit - kept) : chunk;
      if (part !== chunk) truncated = true;
      chunks.push(part);
      kept += part.byteLength;
      return;
    }
    chunks.push(chunk);
    kept += chunk.byteLength;
    while (kept > limit) {
      truncated = true;
      const first = chunks[0]!;
      const excess = kept - limit;
      if (first.byteLength <= excess) {
        chunks.shift();
        kept -= first.byteLength;
      } else {
        chunks[0] = first.subarray(excess);
        kept -= excess;
      }
    }
  };
  const done = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        add(value);
      }
    } catch {
      // cancelled by stop(): keep what was read
    }
    return { text: new TextDecoder().decode(Buffer.concat(chunks)), truncated };
  })();
  return { done, stop: () => void reader.cancel().catch(() => {}) };
}
