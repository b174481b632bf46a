/**
 * Removes the metadata segments of a JPEG without re-encoding it: APP1 (Exif with GPS, XMP), APP13 (Photoshop IRB /
 * IPTC) and COM. Everything else (APP0 JFIF, APP2 ICC colour profile, tables, frame, scan data) is copied byte for
 * byte. Returns null for anything that is not a well-formed JPEG up to its first scan, so the caller can refuse it.
 */
export function stripJpegMetadata(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const kept: Uint8Array[] = [bytes.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    } // fill byte
    // Markers without a length: TEM, RSTn. Start of scan: the rest is entropy-coded data, copied as is.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      kept.push(bytes.subarray(at, at + 2));
      at += 2;
      continue;
    }
    if (marker === 0xd9) {
      kept.push(bytes.subarray(at));
      return concat(kept);
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length) return null;
    const segment = bytes.subarray(at, at + 2 + length);
    if (marker === 0xda) {
      kept.push(bytes.subarray(at));
      return concat(kept);
    }
    if (marker !== 0xe1 && marker !== 0xed && marker !== 0xfe) kept.push(segment);
    at += 2 + length;
  }
  return null;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
