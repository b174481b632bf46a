/**
 * The one logger of every process (web, worker, CLI, children): a line per event with its level and, during a
 * request of the web process, the request's id, which is also the "reference" a person sees on an unexpected error.
 *
 * A small module rather than pino (the well-kept choice for Node): on the box, journald already stamps the time, the
 * unit and the stream, and nothing ships logs anywhere, so pino's JSON and its transport worker threads would add
 * a dependency and a process-wide thread for nothing; its request id comes from a child logger handed to every
 * callee, where AsyncLocalStorage (which Bun implements) reaches services that never see the request.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
type Logger = Record<LogLevel, (message: string, error?: unknown) => void>;

/**
 * Lines for a person or a parent process, not log events: the CLI's output and the media children's answers.
 * Bun's console is the sink because it writes synchronously: a line written just before process.exit is never
 * lost, as it can be with process.stdout.write to a pipe. The only console calls outside tests.
 */
function emit(toStderr: boolean, line: string, detail?: unknown) {
  const args = detail === undefined ? [line] : [line, detail];
  if (toStderr) console.error(...args);
  else console.log(...args);
}
export const terminal = {
  out: (line: string) => emit(false, line),
  err: (line: string) => emit(true, line),
};

let threshold = LOG_LEVELS.indexOf("info");
/** Entry points set the level from the config (LOG_LEVEL); lines below it are dropped. */
export function setLogLevel(level: LogLevel) {
  threshold = LOG_LEVELS.indexOf(level);
}

const requestScope = new AsyncLocalStorage<{ id: string }>();
/** The id of the request being served, if any (it follows every await of that request). */
export const requestId = (): string | null => requestScope.getStore()?.id ?? null;

/**
 * Gives the running request its id for everything it does from here on. `enterWith` rather than `run`: Elysia has
 * no public hook that wraps a request's handling, and Bun starts each served request in a fresh async context (a
 * direct `app.handle()` call, as in tests, leaves the id in its caller's context: it only labels that caller's lines).
 */
export function enterRequest(): string {
  // Short enough to read out from an error page.
  // Only a label for log lines (not a secret): Math.random is enough, and a UUID per request cost ≈ 1 % of a page.
  const id = Math.floor(Math.random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, "0");
  requestScope.enterWith({ id });
  return id;
}

function write(level: LogLevel, message: string, error?: unknown) {
  if (LOG_LEVELS.indexOf(level) < threshold) return;
  const id = requestId();
  // The error goes to the console as is, which prints its stack (the detail stays in the log, never on a page).
  emit(level === "error" || level === "warn", `${level}: ${id ? `[request ${id}] ` : ""}${message}`, error);
}

export const log: Logger = {
  debug: (message, error) => write("debug", message, error),
  info: (message, error) => write("info", message, error),
  warn: (message, error) => write("warn", message, error),
  error: (message, error) => write("error", message, error),
};
