// What a Photos request is about, in words, for its audit row: "'IMG_0042.jpg' and 2 more". Read before the handler
// runs, so a trash still sees the names it is about to move. Only what the person may read is named; anything that
// cannot be resolved is left out (the route answers its own error).
import type { DriveService } from "../drive/service";
import type { User } from "../platform/db/schema";
import type { PhotosService } from "./service";

type Req = { route: string; params?: Record<string, string>; body?: unknown };

const quote = (name: string) => `'${name}'`;

export function describePhotosRequest(drive: DriveService, photos: PhotosService, user: User, r: Req): string | null {
  const body = (r.body ?? {}) as Record<string, unknown>;
  /** The photos by Drive id, as "'a.jpg' and 2 more". */
  const items = (raw: unknown) => {
    const ids = (Array.isArray(raw) ? raw : typeof raw === "string" ? [raw] : []).filter((x): x is string => typeof x === "string");
    const first = ids.slice(0, 20).flatMap((id) => {
      try {
        return [drive.itemFor(user, id, "file.read", { trashed: true }).name];
      } catch {
        return [];
      }
    })[0];
    if (first === undefined) return null;
    return `${quote(first)}${ids.length > 1 ? ` and ${ids.length - 1} more` : ""}`;
  };
  const album = () => {
    try {
      return quote(photos.album(user, r.params?.id ?? "", "album.view").name);
    } catch {
      return null;
    }
  };
  const join = (...parts: (string | null)[]) => (parts.every((p) => p !== null) ? parts.join("") : null);
  switch (r.route) {
    case "/photos/api/trash":
    case "/photos/api/restore":
      return items(body.ids);
    case "/photos/api/favourite":
      return join(items(body.ids), body.on ? " as favourites" : " as no longer favourites");
    case "/photos/api/archive":
      return join(items(body.ids), body.on ? " as archived" : " as back in the timeline");
    case "/photos/albums":
      return join(quote(String(body.name ?? "").trim()), body.ids ? ` with ${items(body.ids) ?? "photos"}` : "");
    case "/photos/albums/:id/rename":
      return join(album(), " to ", quote(String(body.name ?? "").trim()));
    case "/photos/albums/:id/delete":
      return album();
    case "/photos/albums/:id/add":
    case "/photos/albums/:id/remove":
    case "/photos/shared/albums/:id/remove":
      return join(items(body.ids), ` (album ${album() ?? "?"})`);
    case "/photos/albums/:id/cover":
      return join(album(), ": ", items(body.id));
    default:
      return null;
  }
}
