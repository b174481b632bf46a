import { rmSync } from "node:fs";
import { safePath } from "../drive/blobs";

/**
 * Where the derivatives of one user's content live. Keyed by owner and SHA-256 (never by a file id or a name), in
 * two levels of hashed folders so no folder grows huge; under the folders the dashboard already measures per user.
 * All of it is cache: deleting it loses nothing, `nas media reprocess` rebuilds it.
 */
export function derivativePaths(dataDir: string, userId: string, sha256: string) {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error("not a SHA-256");
  const sub = [sha256.slice(0, 2), sha256.slice(2, 4)];
  return {
    thumb: safePath(dataDir, "thumbs", userId, ...sub, `${sha256}-thumb.webp`),
    preview: safePath(dataDir, "thumbs", userId, ...sub, `${sha256}-preview.jpg`),
    video: safePath(dataDir, "transcodes", userId, ...sub, `${sha256}.mp4`),
  };
}
export type DerivativePaths = ReturnType<typeof derivativePaths>;

export function removeDerivatives(dataDir: string, userId: string, sha256: string) {
  for (const p of Object.values(derivativePaths(dataDir, userId, sha256))) {
    for (const f of [p, `${p}.tmp`, `${p}.poster.jpg`, `${p}.poster.jpg.tmp`]) rmSync(f, { force: true });
  }
}
