import { rmSync } from "node:fs";
import { dataPaths } from "../platform/paths";
import { removeFaceCrops } from "../people/model";

/**
 * Removes one content's derivatives (the layout is `dataPaths().derivatives`), with what an interrupted run left beside
 * them, and People's face crops of it (its rows go with the blob).
 */
export function removeDerivatives(dataDir: string, userId: string, sha256: string) {
  for (const p of Object.values(dataPaths(dataDir).derivatives(userId, sha256))) {
    for (const f of [p, `${p}.tmp`, `${p}.poster.jpg`, `${p}.poster.jpg.tmp`, `${p}.salvage.png`, `${p}.salvage.png.tmp`]) rmSync(f, { force: true });
  }
  removeFaceCrops(dataDir, userId, sha256);
}
