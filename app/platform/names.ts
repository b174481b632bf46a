import { AppError } from "./errors";

/**
 * The one rule for a name a person gives something the box shows to people: a file or folder, an album, an app token
 * or device, a passkey, a display name, the box itself. Kept as typed (NFC; only the edges trimmed where `trim` is
 * asked for — Drive keeps a file's name exactly). Refused: empty, control characters (C0 with NUL, and C1: U+0085
 * breaks a line in some tools), bidi overrides and isolates (`photos‮gpj.exe` reads as `photosexe.jpg`), longer than
 * `maxChars` characters or `maxBytes` UTF-8 bytes. A name that becomes one segment of a path (`segment`: a Drive
 * item, an album's folder in a zip, a device's camera folder) also may not be `.`, `..` or contain `/`. Returns the
 * name or throws a 400 that says why.
 */
export function checkName(raw: string, opts: { what?: string; trim?: boolean; segment?: boolean; maxChars?: number; maxBytes?: number } = {}): string {
  const what = opts.what ?? "Names";
  const typed = raw.normalize("NFC");
  const name = opts.trim ? typed.trim() : typed;
  if (name.length === 0 || name.trim().length === 0) throw new AppError(400, "Give it a name.");
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw new AppError(400, `${what} cannot contain control characters.`);
  if (/[\u202a-\u202e\u2066-\u2069]/.test(name)) throw new AppError(400, `${what} cannot contain text-direction override characters.`);
  if (opts.segment && (name === "." || name === "..")) throw new AppError(400, `“${name}” is reserved and cannot be used as a name.`);
  if (opts.segment && name.includes("/")) throw new AppError(400, `${what} cannot contain “/”.`);
  if (opts.maxChars !== undefined && [...name].length > opts.maxChars) throw new AppError(400, `${what} can be at most ${opts.maxChars} characters long.`);
  if (opts.maxBytes !== undefined && Buffer.byteLength(name, "utf8") > opts.maxBytes)
    throw new AppError(400, `${what} can be at most ${opts.maxBytes} bytes long (UTF-8).`);
  return name;
}
