// The map's sources (README.md): the world basemap shipped with the app, an owner's detailed basemap file, and
// OpenStreetMap's tiles only when the admin turns them on.
import { statSync } from "node:fs";
import { join } from "node:path";
import { CSP } from "../platform/http/csp";
import { dataPaths } from "../platform/paths";

/** The only host the browser may fetch map tiles from, and only when the admin allows it. */
export const OSM_TILES = "https://tile.openstreetmap.org";
const ONLINE_SETTING = "maps.onlineTiles";
/** The owner's detailed basemap: one PMTiles file in this folder of the data disk (README.md says how to make one). */
export const DETAIL_FILE = "detail.pmtiles";

export type MapSources = {
  /** OpenStreetMap's tiles drawn over the basemap (the admin's switch, off by default). */
  online: boolean;
  /** An owner's PMTiles file is in place and served at /maps/detail.pmtiles. */
  detail: boolean;
};

export type MapsDeps = {
  /** The shared settings table, where the admin's switch lives. */
  settings: { get: <T>(key: string) => T | undefined; set: (key: string, value: unknown) => unknown };
  dataDir: string;
};

export function createMapsService(deps: MapsDeps) {
  const folder = dataPaths(deps.dataDir).maps;
  const detailPath = join(folder, DETAIL_FILE);
  /** The detailed basemap when it is a readable, non-empty regular file; null otherwise (no file is the usual case). */
  const detailFile = () => {
    try {
      const s = statSync(detailPath);
      return s.isFile() && s.size > 0 ? { path: detailPath, size: s.size, modified: s.mtimeMs } : null;
    } catch {
      return null;
    }
  };
  const online = () => deps.settings.get<boolean>(ONLINE_SETTING) === true;
  return {
    folder,
    detailFile,
    sources: (): MapSources => ({ online: online(), detail: detailFile() !== null }),
    setOnline: (on: boolean) => deps.settings.set(ONLINE_SETTING, on),
    /**
     * The Content-Security-Policy of a page that draws the map: the app's own, widened to OpenStreetMap's tile host
     * only while the admin allows it, so the browser itself refuses any other map request.
     */
    csp: () => (online() ? CSP.replace("img-src 'self' data: blob:", `img-src 'self' data: blob: ${OSM_TILES}`) : CSP),
  };
}

export type MapsService = ReturnType<typeof createMapsService>;
