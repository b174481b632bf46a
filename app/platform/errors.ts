/**
 * The one error type for something a person can act on: services throw it with an HTTP status and a sentence that
 * is shown as is. The web app maps it once (app/platform/http/errors.ts) to a page, an htmx toast or JSON; a job that throws
 * one below 500 fails at once with its sentence (retrying cannot fix bad input: `isPermanent` in
 * app/platform/queue/queue.ts), one of 500 and above is retried. Anything else that escapes is a bug: logged, never shown.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** A 429 that tells the client when to come back (`Retry-After`). */
export const tooManyRequests = (message: string, retryAfterSeconds: number) => new AppError(429, message, Math.max(1, retryAfterSeconds));

export const notFound = (what = "This item") => new AppError(404, `${what} does not exist or you cannot see it.`);

export const DISK_FULL_MESSAGE = "The disk is full: nothing was stored. Free some space (empty the trash, delete large files) and try again.";

/**
 * A full disk reaches us as ENOSPC (or EDQUOT) from a file write, or as SQLite's SQLITE_FULL ("database or disk is
 * full") from any insert, the audit row included: all become the same 507 with the same sentence.
 */
export function isDiskFull(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return code === "ENOSPC" || code === "EDQUOT" || code === "SQLITE_FULL" || (typeof message === "string" && /database or disk is full/i.test(message));
}

/** The status and message to show for any thrown value; `null` for a bug (to be logged and shown as a plain 500). */
export function userFacing(e: unknown): AppError | null {
  if (e instanceof AppError) return e;
  if (isDiskFull(e)) return new AppError(507, DISK_FULL_MESSAGE);
  if (e instanceof URIError) return new AppError(400, "The address contains a malformed %-escape.");
  return null;
}
