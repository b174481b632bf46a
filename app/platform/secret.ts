import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dataPaths } from "./paths";

/** The instance secret: created once per data dir, readable only by the service user. */
export function loadOrCreateSecret(dataDir: string): Buffer {
  const path = dataPaths(dataDir).secret;
  if (existsSync(path)) {
    const s = readFileSync(path);
    if (s.length >= 32) return s;
  }
  mkdirSync(dataDir, { recursive: true });
  const s = randomBytes(32);
  writeFileSync(path, s, { mode: 0o600, flag: "w" });
  return s;
}
