// The map: places, and clusters of located photos for a viewport.
import Supercluster from "supercluster";
import type { User } from "../platform/db/schema";
import { notFound } from "../platform/errors";
import type { PhotosContext } from "./context";
import type { GridItem } from "./repo";

const MAP_CACHE_MS = 60_000;

export type ClusterPoint = { lat: number; lng: number; n: number; cluster: number | null; item: GridItem | null };

export const places = (ctx: PhotosContext, user: User) => ctx.repo.places(user.id);

function mapIndex(ctx: PhotosContext, user: User) {
  const cached = ctx.maps.get(user.id);
  const done = ctx.repo.doneCount(user.id);
  if (cached && cached.done === done && ctx.now().getTime() - cached.at < MAP_CACHE_MS) return cached.index;
  const index = new Supercluster<{ sha256: string }>({ radius: 60, maxZoom: 17 });
  index.load(
    ctx.repo.gpsPoints(user.id).map((p) => ({ type: "Feature", properties: { sha256: p.sha256 }, geometry: { type: "Point", coordinates: [p.lng, p.lat] } })),
  );
  ctx.maps.set(user.id, { at: ctx.now().getTime(), done, index });
  return index;
}

/**
 * Clustered pins for a viewport (west, south, east, north) at a zoom. One index per user, kept while the count of
 * processed rows is unchanged and for at most a minute (a trash from Drive shows on the map within that minute).
 */
export function clusters(ctx: PhotosContext, user: User, bbox: [number, number, number, number], zoom: number): ClusterPoint[] {
  const index = mapIndex(ctx, user);
  const features = index.getClusters(bbox, Math.max(0, Math.min(20, Math.round(zoom))));
  const singles = features.filter((f) => !f.properties || !("cluster" in f.properties)).map((f) => (f.properties as { sha256: string }).sha256);
  const items = new Map(ctx.repo.itemsFor(user.id, singles).map((i) => [i.sha256, i]));
  return features.map((f) => {
    const [lng, lat] = f.geometry.coordinates as [number, number];
    const p = f.properties as { cluster?: boolean; cluster_id?: number; point_count?: number; sha256?: string };
    return p.cluster
      ? { lat, lng, n: p.point_count!, cluster: p.cluster_id!, item: null }
      : { lat, lng, n: 1, cluster: null, item: items.get(p.sha256!) ?? null };
  });
}

/** The photos under one cluster pin (newest first, at most `limit`). */
export function clusterItems(ctx: PhotosContext, user: User, clusterId: number, limit = 500): GridItem[] {
  let leaves: { properties: { sha256: string } }[];
  try {
    leaves = mapIndex(ctx, user).getLeaves(clusterId, limit) as never;
  } catch {
    throw notFound("This map cluster");
  }
  return ctx.repo.itemsFor(
    user.id,
    leaves.map((l) => l.properties.sha256),
  );
}
