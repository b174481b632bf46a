// The Photos lightbox (lib/lightbox.js): the preview, then the original when zooming in; videos; an info panel (i)
// from the server's view; favourite, download, add to album, share, archive and trash.
import { el } from "../lib/dom.js";
import { api } from "../lib/http.js";
import { lightbox } from "../lib/lightbox.js";
import { toast } from "../lib/toast.js";
import { chooseAlbum, trashWithUndo } from "./albums.js";
import { reloadShown, source } from "./grid.js";
import { share } from "./share.js";

// The lightbox's own buttons as inline SVG: symbol characters (ⓘ, 🗑) are missing from many fonts.
/** @param {string} inner */
const svg = (inner) =>
  `<svg class="photos-icn" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${inner}</svg>`;
const ICONS = {
  info: svg('<circle cx="12" cy="12" r="9"/><path d="M12 11v5M12 7.5v.5"/>'),
  favourite: svg('<path d="M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z"/>'),
  download: svg('<path d="M12 4v11M7 10l5 5 5-5M5 20h14"/>'),
  album: svg('<rect x="4" y="4" width="16" height="16" rx="3"/><path d="M12 8v8M8 12h8"/>'),
  share: svg('<circle cx="18" cy="6" r="3"/><circle cx="6" cy="12" r="3"/><circle cx="18" cy="18" r="3"/><path d="M8.6 13.5l6.8 3M15.4 7.5l-6.8 3"/>'),
  archive: svg('<rect x="3" y="4" width="18" height="5" rx="1"/><path d="M5 9v10h14V9M10 13h4"/>'),
  trash: svg('<path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6"/>'),
};

/** @param {import("./tiles.js").Item} i */
function slideOf(i) {
  const preview = `/media/preview/${i.id}`;
  const w = i.w || 1440;
  const h = i.h || 1080;
  const fit = Math.min(1, 1440 / Math.max(w, h));
  if (i.k === "video")
    return {
      type: /** @type {const} */ ("video"),
      id: i.id,
      width: w,
      height: h,
      video: i.v ? `/media/video/${i.id}` : `/api/v1/files/${i.id}/content?inline=1`,
      poster: preview,
      item: i,
    };
  // The preview first; zooming in past it loads the real pixels: the original when browsers show it as is (JPEG,
  // PNG, WebP, GIF, AVIF), else a full-resolution rendition the server makes on the first zoom (HEIC, TIFF, RAW).
  const src = i.o ? `/api/v1/files/${i.id}/content?inline=1` : i.z ? `/media/full/${i.id}` : preview;
  return {
    id: i.id,
    src,
    srcset: i.o || i.z ? `${preview} ${Math.round(w * fit)}w, ${src} ${w}w` : undefined,
    width: w,
    height: h,
    msrc: `/drive/thumb/${i.id}`,
    item: i,
  };
}

/**
 * Opens the lightbox over `items` at `index`.
 * @param {import("./tiles.js").Item[]} items
 * @param {number} index
 */
export async function openLightbox(items, index) {
  const slides = items.map(slideOf);
  const pswp = await lightbox(slides, index, { bgOpacity: 1, secondaryZoomLevel: 2, maxZoomLevel: 4, videoClass: "photos-video-slide" });
  const panel = el("aside", "photos-info-panel");
  panel.id = "photos-info-panel";
  panel.hidden = true;
  /** @returns {ReturnType<typeof slideOf>} */
  const current = () => slides[pswp.currIndex] ?? slides[0];
  const refreshInfo = async () => {
    if (panel.hidden || !current()) return;
    const res = await fetch(`/photos/api/info/${current().id}`, { credentials: "same-origin" });
    panel.innerHTML = await res.text(); // escaped by the server's view
  };
  /** @type {HTMLElement | null} */
  let favButton = null;
  const syncFav = () => favButton?.setAttribute("aria-pressed", current()?.item.f ? "true" : "false");
  pswp.on("change", () => {
    refreshInfo();
    syncFav();
  });
  const toggleInfo = () => {
    panel.hidden = !panel.hidden;
    refreshInfo();
  };
  pswp.on("uiRegister", () => {
    pswp.ui.registerElement({ name: "info", order: 15, isButton: true, title: "Info (i)", html: ICONS.info, onClick: toggleInfo });
    pswp.ui.registerElement({
      name: "favourite",
      order: 16,
      isButton: true,
      title: "Favourite",
      html: ICONS.favourite,
      onInit: (/** @type {HTMLElement} */ b) => {
        favButton = b;
        syncFav();
      },
      onClick: async () => {
        const d = current();
        const on = !d.item.f;
        await api("/photos/api/favourite", { ids: [d.id], on });
        d.item.f = on;
        syncFav();
      },
    });
    pswp.ui.registerElement({
      name: "download",
      order: 17,
      isButton: true,
      title: "Download original",
      html: ICONS.download,
      onClick: () => {
        const a = el("a");
        a.href = `/api/v1/files/${current().id}/content`;
        a.download = "";
        document.body.appendChild(a);
        a.click();
        a.remove();
      },
    });
    pswp.ui.registerElement({
      name: "album",
      order: 18,
      isButton: true,
      title: "Add to album",
      html: ICONS.album,
      onClick: async () => {
        const id = current().id;
        const choice = await chooseAlbum();
        if (!choice) return;
        if ("name" in choice) await api("/photos/albums", { name: choice.name, ids: [id] });
        else await api(`/photos/albums/${choice.id}/add`, { ids: [id] });
        toast("name" in choice ? `Album “${choice.name}” created.` : "Added to the album.");
        refreshInfo();
      },
    });
    pswp.ui.registerElement({ name: "share", order: 18, isButton: true, title: "Share", html: ICONS.share, onClick: () => share([current().id]) });
    pswp.ui.registerElement({
      name: "archive",
      order: 19,
      isButton: true,
      title: "Archive (leaves the timeline)",
      html: ICONS.archive,
      onClick: async () => {
        const id = current().id;
        const on = source() !== "archive";
        await api("/photos/api/archive", { ids: [id], on });
        toast(on ? "Archived: it stays in Drive, albums and search." : "Back in the timeline.", {
          label: "Undo",
          run: async () => {
            await api("/photos/api/archive", { ids: [id], on: !on });
            reloadShown();
          },
        });
        pswp.close();
        reloadShown();
      },
    });
    pswp.ui.registerElement({
      name: "delete",
      order: 19.5, // before close (20), which stays in the corner
      isButton: true,
      title: "Move to trash",
      html: ICONS.trash,
      onClick: async () => {
        await trashWithUndo([current().id]);
        pswp.close();
      },
    });
  });
  /** @param {KeyboardEvent} e */
  const onKey = (e) => {
    if (e.key === "i" && !e.ctrlKey && !e.metaKey && !e.altKey) toggleInfo();
  };
  pswp.on("afterInit", () => pswp.element.appendChild(panel));
  pswp.on("openingAnimationEnd", () => pswp.element.classList.add("photos-opened"));
  document.addEventListener("keydown", onKey);
  pswp.on("destroy", () => document.removeEventListener("keydown", onKey));
  pswp.init();
}
