import type { PlaceCount } from "../../app/photos/repo";
import type { MediaProgress as Progress } from "../../app/media/service";
import type { MapSources } from "../../app/maps/service";
import { Layout, type SignedInPage } from "../layout";
import { MediaProgress } from "../media/MediaProgress";

export type PhotosTab =
  | "timeline"
  | "memories"
  | "albums"
  | "people"
  | "favourites"
  | "archive"
  | "map"
  | "search"
  | "album"
  | "shared"
  | "backup"
  | "partners"
  | "partner"
  | "duplicates";

export type PhotosShellProps = ShellProps;
type ShellProps = {
  page: SignedInPage;
  title: string;
  tab: PhotosTab;
  query?: string;
  progress: Progress;
  children?: JSX.Element;
};

const tabs = [
  { id: "timeline", href: "/photos", label: "Photos" },
  { id: "memories", href: "/photos/memories", label: "Memories" },
  { id: "albums", href: "/photos/albums", label: "Albums" },
  { id: "people", href: "/photos/people", label: "People" },
  { id: "favourites", href: "/photos/favourites", label: "Favourites" },
  { id: "archive", href: "/photos/archive", label: "Archive" },
  { id: "map", href: "/photos/map", label: "Map" },
  { id: "duplicates", href: "/photos/duplicates", label: "Duplicates" },
  { id: "shared", href: "/photos/shared", label: "Shared with me" },
  { id: "partners", href: "/photos/partners", label: "Partner sharing" },
  { id: "backup", href: "/photos/backup", label: "Back up your phone" },
] as const;

const scripts = ["vendor/tus.min.js", "js/photos.js"];
// Tabs that show Sharing's gallery (views/share/Gallery.tsx): its styles and its lightbox come with it.
const GALLERY_TABS: PhotosTab[] = ["shared", "album"];
// Tabs whose page is the windowed grid (a skip link leads past the tabs and search into it).
const GRID_TABS: PhotosTab[] = ["timeline", "favourites", "archive", "search", "album", "partner"];

/** Every Photos page: tabs, search, upload, the processing note, the selection bar and the lightbox's host. */
export function PhotosShell(p: ShellProps) {
  const htmlChildren = p.children ?? ""; // rendered views already (escaped by their own components)
  return (
    <Layout
      title={p.title}
      page={p.page}
      active="photos"
      scripts={p.tab === "map" ? ["vendor/leaflet/leaflet.js", ...scripts] : GALLERY_TABS.includes(p.tab) ? [...scripts, "js/share.js"] : scripts}
    >
      {GALLERY_TABS.includes(p.tab) ? <link rel="stylesheet" href="/shared/assets/share.css" /> : ""}
      <div class="photos">
        {GRID_TABS.includes(p.tab) ? (
          <a href="#photos-grid" class="photos-skip" id="photos-skip">
            Skip to the photos
          </a>
        ) : (
          ""
        )}
        <header class="photos-bar">
          <nav class="photos-tabs tabbar" aria-label="Photos">
            {tabs.map((t) => (
              <a
                href={t.href}
                class={p.tab === t.id || (p.tab === "partner" && t.id === "partners") ? "active" : undefined}
                aria-current={p.tab === t.id ? "page" : undefined}
              >
                {t.label}
              </a>
            ))}
          </nav>
          <form class="photos-search" method="get" action="/photos/search" role="search">
            <input
              type="search"
              name="q"
              id="photos-q"
              placeholder="People, places, things, 2019, July 2021, camera, album"
              aria-label="Search photos"
              value={p.query ?? ""}
            />
          </form>
          <label class="button photos-upload">
            Upload
            <input type="file" id="photos-upload" accept="image/*,video/*" multiple hidden />
          </label>
        </header>
        <p id="photos-upload-status" class="small muted" role="status" aria-live="polite"></p>
        {/* Before the grid: a few Tabs from the top reach it however many photos follow (it shows at the bottom). */}
        <div id="photos-selection" class="photos-selection" role="region" aria-label="Selection" hidden>
          <span id="photos-selection-count" role="status" aria-live="polite"></span>
          <button type="button" data-act="favourite">
            Favourite
          </button>
          <button type="button" data-act="album">
            Add to album
          </button>
          <button type="button" data-act="share">
            Share
          </button>
          <button type="button" data-act="zip">
            Download
          </button>
          <button type="button" data-act="archive">
            {p.tab === "archive" ? "Unarchive" : "Archive"}
          </button>
          {p.tab === "album" ? (
            <button type="button" data-act="remove">
              Remove from album
            </button>
          ) : (
            ""
          )}
          <button type="button" data-act="trash" class="danger">
            Delete
          </button>
          <button type="button" data-act="clear" class="link">
            Clear
          </button>
        </div>
        <MediaProgress progress={p.progress} />
        {htmlChildren}
        <dialog id="photos-share-dialog" class="photos-dialog" aria-labelledby="photos-share-title">
          <form id="photos-share-form" method="dialog">
            <h2 id="photos-share-title">Share</h2>
            <p class="small muted">
              As a new album: then make a link to it (with a password and an end date if you like) or share it with people on this box, who can add their own
              photos.
            </p>
            <label>
              Album name <input name="name" id="photos-share-name" maxlength="200" />
            </label>
            <menu>
              <button type="submit" value="album" class="primary">
                Share as a new album
              </button>{" "}
              <button type="submit" value="link" id="photos-share-one">
                Link to this photo only
              </button>{" "}
              <button type="submit" value="cancel" class="link">
                Cancel
              </button>
            </menu>
          </form>
        </dialog>
        <dialog id="photos-album-dialog" class="photos-dialog">
          <form id="photos-album-form" method="dialog">
            <h2>Add to album</h2>
            <label>
              New album <input name="name" id="photos-album-name" maxlength="200" />
            </label>
            <div id="photos-album-choices" class="photos-album-choices"></div>
            <menu>
              <button type="submit" value="ok">
                Add
              </button>{" "}
              <button type="submit" value="cancel" class="link">
                Cancel
              </button>
            </menu>
          </form>
        </dialog>
      </div>
    </Layout>
  );
}

/** The windowed grid: sections are sized from the buckets and filled only near the viewport (photos.js). */
export function Grid(p: { source: string; param?: string; empty: string }) {
  return (
    <div class="photos-main">
      <div id="photos-grid" class="photos-grid" data-source={p.source} data-param={p.param ?? ""} data-empty={p.empty} aria-busy="true"></div>
      <nav id="photos-scrubber" class="photos-scrubber" aria-label="Jump to a date"></nav>
    </div>
  );
}

/**
 * The timeline. Its memories row comes after the grid's first month (grid.js fires photos:grid-ready): finding trips
 * can read every photo's place, and the first thumbnails must not wait for it (/photos/memories-row).
 */
export function TimelinePage(p: Omit<ShellProps, "tab" | "title">) {
  return (
    <PhotosShell {...p} title="Photos" tab="timeline">
      <>
        <div id="photos-memories-slot" hx-get="/photos/memories-row" hx-trigger="photos:grid-ready from:body once" hx-swap="outerHTML"></div>
        <Grid source="timeline" empty="No photos yet. Upload some, or put photos and videos in Drive." />
      </>
    </PhotosShell>
  );
}

export function GridPage(p: Omit<ShellProps, "children"> & { source: string; param?: string; heading?: string; empty: string; headerExtra?: JSX.Element }) {
  const htmlHeader = p.headerExtra ?? ""; // a rendered view (AlbumHeader escapes its own values)
  return (
    <PhotosShell {...p}>
      <>
        {p.heading ? (
          <h1 class="photos-heading" safe>
            {p.heading}
          </h1>
        ) : (
          ""
        )}
        {htmlHeader}
        <Grid source={p.source} param={p.param} empty={p.empty} />
      </>
    </PhotosShell>
  );
}

export function AlbumHeader(p: { id: string; name: string }) {
  return (
    <form class="photos-album-rename" method="post" action={`/photos/albums/${encodeURIComponent(p.id)}/rename`}>
      <label>
        Album name <input name="name" value={p.name} maxlength="200" required />
      </label>
      <button type="submit">Rename</button>
      <button type="submit" formaction={`/photos/albums/${encodeURIComponent(p.id)}/delete`} class="link danger">
        Delete album
      </button>
      <a class="button" href={`/shared/new?albumId=${encodeURIComponent(p.id)}`} id="photos-album-share">
        Share
      </a>
      <a href={`/photos/shared/albums/${encodeURIComponent(p.id)}`}>With everyone's photos</a>
    </form>
  );
}

export function AlbumsPage(p: Omit<ShellProps, "tab" | "title"> & { albums: { id: string; name: string; n: number; cover_id: string | null }[] }) {
  return (
    <PhotosShell {...p} title="Albums" tab="albums">
      <>
        <form class="photos-album-create" method="post" action="/photos/albums">
          <label>
            New album <input name="name" maxlength="200" required />
          </label>
          <button type="submit">Create</button>
        </form>
        {p.albums.length === 0 ? <p class="muted">No albums yet. Select photos in the timeline and choose "Add to album".</p> : ""}
        <ul class="photos-albums">
          {p.albums.map((a) => (
            <li>
              <a href={`/photos/albums/${encodeURIComponent(a.id)}`}>
                {a.cover_id ? <img src={`/drive/thumb/${a.cover_id}`} alt="" loading="lazy" /> : <span class="photos-album-empty"></span>}
                <strong safe>{a.name}</strong>
                <span class="small muted" safe>{`${a.n} ${a.n === 1 ? "item" : "items"}`}</span>
              </a>
            </li>
          ))}
        </ul>
      </>
    </PhotosShell>
  );
}

/** "New York City, New York, United States"; a region named like its city is said once ("Madrid, Spain"). */
export const placeLabel = (p: { city: string | null; region: string | null; country: string | null }) =>
  [p.city, p.region !== p.city ? p.region : null, p.country].filter(Boolean).join(", ");

export function MapPage(p: Omit<ShellProps, "tab" | "title"> & { places: PlaceCount[]; sources: MapSources }) {
  return (
    <PhotosShell {...p} title="Map" tab="map">
      <>
        <p id="photos-map-offline" class="photos-map-offline" role="status" hidden>
          OpenStreetMap's tiles cannot be reached from this browser now: the box's own map is shown.
        </p>
        <div
          id="photos-map"
          class="photos-map"
          role="region"
          aria-label="Map of photos"
          data-online={p.sources.online ? "1" : "0"}
          data-detail={p.sources.detail ? "1" : "0"}
        ></div>
        <section id="photos-map-items" class="photos-map-items" aria-live="polite"></section>
        <section class="photos-places">
          <h2>Places</h2>
          {p.places.length === 0 ? <p class="muted">No photo has a location yet.</p> : ""}
          <ul>
            {p.places.map((pl) => (
              <li>
                <a href={`/photos/search?q=${encodeURIComponent(pl.city)}`} safe>
                  {placeLabel(pl)}
                </a>{" "}
                <span class="small muted" safe>
                  {String(pl.n)}
                </span>
              </li>
            ))}
          </ul>
        </section>
        {p.page.admin ? <MapSettings sources={p.sources} csrfToken={p.page.csrfToken} /> : ""}
      </>
    </PhotosShell>
  );
}

/** The admin's choice of map sources (app/maps/README.md): what turning online tiles on sends, and where. */
function MapSettings(p: { sources: MapSources; csrfToken: string }) {
  return (
    <section class="photos-map-settings" aria-labelledby="map-settings-title">
      <h2 id="map-settings-title">Map settings</h2>
      <form method="post" action="/maps/online-tiles" class="stack">
        <input type="hidden" name="_csrf" value={p.csrfToken} />
        <label>
          <input type="checkbox" name="on" value="1" checked={p.sources.online} aria-describedby="online-tiles-note" /> Online map tiles (OpenStreetMap)
        </label>
        <p class="small muted" id="online-tiles-note">
          When on, each browser showing the map asks tile.openstreetmap.org, over its own internet connection, for the map squares of the area in view, which
          tells OpenStreetMap (and anyone watching that connection) which places are being looked at and from which address. When off, only the box's own map is
          drawn and nothing leaves the box.
        </p>
        <button type="submit">Save</button>
      </form>
      <p class="small muted">
        {p.sources.detail
          ? "A detailed map of your own (maps/detail.pmtiles on the data disk) is drawn over the world map."
          : "For street-level detail without the internet, put a PMTiles extract of your region at maps/detail.pmtiles on the data disk (see the README)."}
      </p>
    </section>
  );
}
