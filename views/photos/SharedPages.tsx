import type { MediaProgress as Progress } from "../../app/media/service";
import type { SignedInPage } from "../layout";
import { Gallery, type GalleryItem } from "../share/Gallery";
import { PhotosShell } from "./PhotosPage";

// Photos' "Shared with me": albums other people shared with this user, and the photos and videos in folders shared
// with them (kept out of their own timeline, as Google Photos and Immich do: the Sharing tab, not the library).

type Shell = { page: SignedInPage; progress: Progress };
export type SharedAlbum = { id: string; name: string; owner: string; n: number };
export type FolderMedia = { id: string; name: string; mime: string; owner: string; width: number | null; height: number | null; at: number };

// Camera-local times are stored as UTC clock fields (as the timeline's), so the month is read in UTC.
const monthOf = (at: number) => new Date(at).toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

export function SharedWithMePage(p: Shell & { albums: SharedAlbum[]; folderMedia: FolderMedia[] }) {
  return (
    <PhotosShell {...p} title="Shared with me" tab="shared">
      <>
        <h2>Albums shared with you</h2>
        {p.albums.length === 0 ? <p class="muted">Nobody has shared an album with you yet.</p> : ""}
        <ul class="share-list card" data-testid="shared-albums">
          {p.albums.map((a) => (
            <li class="spread">
              <a href={`/photos/shared/albums/${encodeURIComponent(a.id)}`} safe>
                {a.name}
              </a>
              <span class="muted small" safe>{`${a.owner} · ${a.n} ${a.n === 1 ? "item" : "items"}`}</span>
            </li>
          ))}
        </ul>
        <h2>From folders shared with you</h2>
        <p class="muted small">Read-only unless the folder is shared with you to read and write; open the folder in Drive to add to it.</p>
        <Gallery
          items={p.folderMedia.map((m) => ({
            id: m.id,
            name: m.name,
            mime: m.mime,
            width: m.width,
            height: m.height,
            addedBy: m.owner,
            section: monthOf(m.at),
          }))}
          urls={{
            thumb: (id) => `/drive/thumb/${id}`,
            content: (id) => `/api/v1/files/${id}/content?inline=1`,
            large: (id) => `/api/v1/files/${id}/content?inline=1`,
          }}
          showAddedBy={true}
          byWord="shared by"
        />
      </>
    </PhotosShell>
  );
}

/** An album with everyone's photos, who added each, an upload for contributors and remove buttons where allowed. */
export function SharedAlbumPage(
  p: Shell & { album: { id: string; name: string; owner: string; access: "owner" | "contribute" | "view" }; items: GalleryItem[] },
) {
  const base = `/photos/shared/albums/${encodeURIComponent(p.album.id)}`;
  return (
    <PhotosShell {...p} title={p.album.name} tab="shared">
      <>
        <div class="spread">
          <h1 safe>{p.album.name}</h1>
          <span class="muted small" safe>
            {p.album.access === "owner" ? "Your album" : `Shared by ${p.album.owner}${p.album.access === "view" ? " · view only" : ""}`}
          </span>
        </div>
        {p.album.access === "view" ? (
          ""
        ) : (
          <form method="post" action={`${base}/upload`} enctype="multipart/form-data" class="spread" id="shared-album-upload">
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <label>
              Add a photo or video <input type="file" name="file" accept="image/*,video/*" required id="shared-album-file" />
            </label>
            <button type="submit" class="primary" id="shared-album-add">
              Add
            </button>
          </form>
        )}
        <Gallery
          items={p.items}
          urls={{ thumb: (id) => `${base}/thumb/${id}`, content: (id) => `${base}/content/${id}` }}
          showAddedBy={true}
          removeAction={`${base}/remove`}
          csrfToken={p.page.csrfToken}
        />
      </>
    </PhotosShell>
  );
}

/** On the owner's album page: the photos people it is shared with added (theirs, in their Drive), with their names. */
export function AddedByOthers(p: { albumId: string; csrfToken: string; items: GalleryItem[] }) {
  if (p.items.length === 0) return "";
  const base = `/photos/shared/albums/${encodeURIComponent(p.albumId)}`;
  return (
    <section class="photos-added-by-others" id="photos-added-by-others" aria-labelledby="photos-added-by-others-h">
      <h2 id="photos-added-by-others-h" safe>{`Added by others (${p.items.length})`}</h2>
      <Gallery
        items={p.items}
        urls={{ thumb: (id) => `${base}/thumb/${id}`, content: (id) => `${base}/content/${id}` }}
        showAddedBy={true}
        removeAction={`${base}/remove`}
        csrfToken={p.csrfToken}
      />
    </section>
  );
}
