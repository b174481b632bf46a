import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** 256 bits of randomness, URL-safe: session ids, tokens, invite links. */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString("base64url");

/** Secrets at rest are stored as SHA-256: they are high-entropy, so a slow hash adds nothing. */
export const sha256 = (value: string) => Bun.SHA256.hash(value, "hex");

export const hmac = (key: Buffer, value: string) => createHmac("sha256", key).update(value).digest("base64url");

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
