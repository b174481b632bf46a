import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { dataPaths } from "../platform/paths";

/** Face crops sit beside the content's thumbnails: `<sha256>-face<i>.webp` (the indexer child writes them). */
export function facesPrefix(dataDir: string, userId: string, sha256: string): string {
  return dataPaths(dataDir)
    .derivatives(userId, sha256)
    .thumb.replace(/-thumb\.webp$/, "-face");
}

/** Face crop `idx` of a content. */
export const faceCrop = (dataDir: string, userId: string, sha256: string, idx: number) => `${facesPrefix(dataDir, userId, sha256)}${idx}.webp`;

/** Removes every face crop of a content (a re-index writes them again; a purge or a wipe leaves none). */
export function removeFaceCrops(dataDir: string, userId: string, sha256: string) {
  const prefix = facesPrefix(dataDir, userId, sha256);
  const dir = dirname(prefix);
  const name = prefix.slice(dir.length + 1);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) if (e.startsWith(name)) rmSync(join(dir, e), { force: true });
}
