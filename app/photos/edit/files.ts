import { rmSync } from "node:fs";
import { dataPaths } from "../../platform/paths";

/** An edit's rendered files (thumbnail, preview, full size) and what an interrupted render left beside them. */
export function editFiles(dataDir: string, userId: string, sha256: string) {
  const d = dataPaths(dataDir).derivatives(userId, sha256);
  return { thumb: d.editThumb, preview: d.editPreview, full: d.editFull };
}

export function removeEditFiles(dataDir: string, userId: string, sha256: string) {
  for (const p of Object.values(editFiles(dataDir, userId, sha256))) for (const f of [p, `${p}.tmp`]) rmSync(f, { force: true });
}
