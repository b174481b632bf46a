// Photos' pages (views/photos/PhotosPage.tsx): the windowed timeline and its scrubber, selection, the lightbox, the
// selection bar and uploads and the map, one module each under photos/ (a memory's story: photos/story.js). Everything the server
// sends here is ids, numbers and escaped HTML fragments; text goes in with textContent.
import { $, stylesheet } from "./lib/dom.js";
import { lightboxStyles } from "./lib/lightbox.js";
import { messageOf, toast } from "./lib/toast.js";
import "./photos/actions.js";
import { flatItems, grid, library, startGrid } from "./photos/grid.js";
import { startMap } from "./photos/map.js";
import { tileClick, touchSelection } from "./photos/select.js";
import { loadPlaceholders } from "./photos/tiles.js";
import { startDuplicates } from "./photos/duplicates.js";
import { openLightbox } from "./photos/viewer.js";

stylesheet("/static/photos.css");
lightboxStyles();
if ($("#photos-map")) stylesheet("/static/vendor/leaflet/leaflet.css");

// The pipeline finished what was pending (the progress fragment stopped polling): offer the new photos.
const busy = () => document.getElementById("media-progress")?.getAttribute("hx-trigger")?.startsWith("load") ?? false;
let wasBusy = busy();
document.body.addEventListener("htmx:afterSwap", () => {
  const now = busy();
  if (grid && wasBusy && !now) toast("New photos are ready.", { label: "Show", run: () => window.location.reload() });
  wasBusy = now;
});

if (grid) {
  // The lightbox walks the whole grid (every month, fetched as it goes), not just the tiles loaded so far.
  grid.addEventListener("click", (e) => tileClick(e, flatItems, (list, i) => openLightbox(library, library.indexOf(list[i]?.id ?? ""))));
  touchSelection(grid, () => flatItems().map((i) => i.id));
  startGrid().catch((e) => toast(messageOf(e)));
} else {
  loadPlaceholders();
}
if ($("#photos-map") && window.L) startMap().catch((e) => toast(messageOf(e)));
const duplicates = $("#photos-duplicates");
if (duplicates) startDuplicates(duplicates);
