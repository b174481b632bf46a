/** The box's hostname: one DNS label, announced as <name>.local over mDNS and used as the WebAuthn rpID. */

export const DEFAULT_HOSTNAME = "nas";

export class InvalidHostnameError extends Error {}

/**
 * Lower-cases and validates a hostname (RFC 1123 label): 1–63 letters, digits and hyphens,
 * not starting or ending with a hyphen, not all digits (that would read as an address).
 */
export function parseHostname(input: string): string {
  const name = input
    .trim()
    .toLowerCase()
    .replace(/\.local\.?$/, "");
  if (name.length === 0 || name.length > 63) throw new InvalidHostnameError("A name has 1 to 63 characters.");
  if (!/^[a-z0-9-]+$/.test(name)) throw new InvalidHostnameError("Use only letters a–z, digits and hyphens.");
  if (name.startsWith("-") || name.endsWith("-")) throw new InvalidHostnameError("A name cannot start or end with a hyphen.");
  if (/^[0-9]+$/.test(name)) throw new InvalidHostnameError("A name needs at least one letter.");
  return name;
}

export function isValidHostname(input: string): boolean {
  try {
    parseHostname(input);
    return true;
  } catch {
    return false;
  }
}
