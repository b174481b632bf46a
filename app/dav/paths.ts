// Turning WebDAV addresses into path segments: the request URL and the Destination and If headers. Names never
// become filesystem paths here (Drive is content-addressed); these checks make every address mean one thing.
import { AppError } from "../platform/errors";

/** The three places clients look for a person's files: our own and the two Nextcloud paths. */
export const davBases = (username: string) => ["/dav/", "/remote.php/webdav/", `/remote.php/dav/files/${encodeURIComponent(username)}/`];

/**
 * `rest` (the URL path after the base, still %-encoded) → names. Empty segments are dropped (clients write `//`);
 * `.` and `..`, plain or %-encoded once or twice, are refused: a client that sends them is confused or hostile.
 */
export function segmentsOf(rest: string): string[] {
  const out: string[] = [];
  for (const raw of rest.split("/")) {
    if (raw === "") continue;
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      throw new AppError(400, "The address contains a malformed %-escape.");
    }
    let again = name;
    try {
      again = decodeURIComponent(name);
    } catch {}
    if (name === "." || name === ".." || again === "." || again === "..") throw new AppError(400, "“.” and “..” are not names: the address was refused.");
    out.push(name.normalize("NFC"));
  }
  return out;
}

/** A name as one segment of an href: %-encoded, but for `@` and `,`, which clients show as they are. */
export function hrefSegment(name: string): string {
  const encoded = encodeURIComponent(name);
  return encoded.includes("%") ? encoded.replace(/%40/g, "@").replace(/%2C/g, ",") : encoded;
}

/**
 * A Destination (or an If header's resource): an absolute URL on this host or an absolute path, inside one of the
 * bases of this person's space (or the `bases` given: the trash bin's). Another host → 502 (RFC 4918 §9.8.5);
 * another place on this host → 403.
 */
export function destinationSegments(value: string | null, requestUrl: string, username: string, bases = davBases(username)): string[] {
  if (!value) throw new AppError(400, "A Destination header is required.");
  let url: URL;
  try {
    url = new URL(value, requestUrl);
  } catch {
    throw new AppError(400, "The Destination header is not a valid address.");
  }
  if (url.host !== new URL(requestUrl).host) throw new AppError(502, "The Destination is on another server.");
  const path = url.pathname;
  // WHATWG URLs resolve "..": compare the raw value too, so "/dav/a/../../etc" is refused rather than reinterpreted.
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(value.replace(/^[a-z]+:\/\/[^/]+/i, "").split("?")[0]!) || /%252e/i.test(value))
    throw new AppError(400, "“.” and “..” are not names: the Destination was refused.");
  for (const base of bases) {
    if (path.startsWith(base) || path === base.slice(0, -1)) return segmentsOf(path.slice(base.length));
  }
  throw new AppError(403, "The Destination is outside your files.");
}
