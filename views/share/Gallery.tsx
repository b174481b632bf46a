// One photo gallery for an album link (/s/<token>) and for an album shared between users (/photos/shared/albums/…):
// square thumbnails that open the vendored PhotoSwipe lightbox (swipe, zoom) from views/static/js/share.js.
// Every address is built by the route from ids the server already checked.

/** How a link page shows a file: a photo, a player, a PDF viewer, or only its name and download. */
export type MediaKind = "image" | "video" | "audio" | "pdf" | "none";

export function mediaKind(mime: string | null): MediaKind {
  const m = mime ?? "";
  if (m.startsWith("image/") && !m.includes("svg")) return "image";
  // Every video: a link plays the media pipeline's MP4 of one browsers cannot play (an iPhone's HEVC MOV).
  if (m.startsWith("video/")) return "video";
  if (/^audio\//.test(m)) return "audio";
  if (m === "application/pdf") return "pdf";
  return "none";
}

export type GalleryItem = {
  id: string;
  name: string;
  mime: string;
  width: number | null;
  height: number | null;
  /** Shown under the tile and in the lightbox: "added by bob" (albums shared between users). */
  addedBy?: string;
  /** May the viewer take it out of the album (owner: any; contributor: their own)? */
  removable?: boolean;
  /** A video whose poster frame the box has made: its tile shows it (else the name). */
  poster?: boolean;
  /** The heading of the run of tiles it starts or continues ("October 2008"), as the timeline's months. */
  section?: string;
};
/** Tile picture, playable content and (optional) the lightbox's picture, which is the tile's when not given. */
export type GalleryUrls = { thumb: (id: string) => string; content: (id: string) => string; large?: (id: string) => string };

export function Gallery({
  items,
  urls,
  showAddedBy,
  byWord = "added by",
  removeAction,
  csrfToken,
}: {
  items: GalleryItem[];
  urls: GalleryUrls;
  showAddedBy: boolean;
  /** How the person is introduced: "added by" (albums), "shared by" (a shared folder's owner). */
  byWord?: string;
  /** Where a removal posts (ids as `ids`), when the viewer may remove something. */
  removeAction?: string;
  csrfToken?: string;
}) {
  if (!items.length) return <p class="muted">No photos here yet.</p>;
  return (
    <ul class="share-gallery" data-testid="share-gallery" id="share-gallery">
      {items.map((i, n) => {
        const kind = mediaKind(i.mime);
        // A heading item spans the grid's row: one list keeps one lightbox across every section.
        const heading =
          i.section && i.section !== items[n - 1]?.section ? (
            <li class="share-gallery-heading">
              <h3 safe>{i.section}</h3>
            </li>
          ) : (
            ""
          );
        return (
          <>
            {heading}
            <li class="share-tile">
              <a
                href={kind === "video" ? urls.content(i.id) : (urls.large ?? urls.thumb)(i.id)}
                class="share-item"
                data-id={i.id}
                data-kind={kind === "video" ? "video" : "image"}
                data-w={i.width ?? ""}
                data-h={i.height ?? ""}
                data-thumb={urls.thumb(i.id)}
                data-caption={showAddedBy && i.addedBy ? `${byWord} ${i.addedBy}` : ""}
              >
                {kind === "video" && i.poster ? (
                  <span class="share-video-tile">
                    <img src={urls.thumb(i.id)} alt={i.name} loading="lazy" />
                    <span class="share-video-badge" aria-hidden="true">
                      ▶
                    </span>
                  </span>
                ) : kind === "video" ? (
                  <span class="share-video-tile" safe>
                    {`▶ ${i.name}`}
                  </span>
                ) : (
                  <img src={urls.thumb(i.id)} alt={i.name} loading="lazy" />
                )}
              </a>
              {showAddedBy && i.addedBy ? (
                <span class="share-added-by small muted" safe>
                  {`${byWord} ${i.addedBy}`}
                </span>
              ) : (
                ""
              )}
              {i.removable && removeAction ? (
                <form method="post" action={removeAction} class="share-remove">
                  <input type="hidden" name="_csrf" value={csrfToken ?? ""} />
                  <input type="hidden" name="ids" value={i.id} />
                  <button type="submit" class="link small" title="Remove from the album (the file stays in Drive)">
                    Remove
                  </button>
                </form>
              ) : (
                ""
              )}
            </li>
          </>
        );
      })}
    </ul>
  );
}
