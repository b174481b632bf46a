// The Photos lightbox (lib/lightbox.js): the preview, then the original when zooming in; videos; an info panel (i)
// from the server's view, beside the photo on a wide screen and a sheet under it on a phone; favourite, download,
// add to album, share, archive and trash (Delete). It walks a Sequence: the grid's is the whole library (or album,
// search…), fetched a month at a time as it goes; a strip's is its own tiles. Closing returns focus to the tile.
import { smallMap } from "../lib/basemap.js";
import { $, el } from "../lib/dom.js";
import { api } from "../lib/http.js";
import { lightbox } from "../lib/lightbox.js";
import { messageOf, toast } from "../lib/toast.js";
import { chooseAlbum, trashWithUndo } from "./albums.js";
import { reloadShown, source as gridSource } from "./grid.js";
import { share } from "./share.js";
import { mediaUrls } from "./tiles.js";
import { editPhoto, whenRendered } from "./edit.js";
import { stackStrip } from "./stacks.js";

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
  edit: svg('<path d="M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4"/>'),
};

/**
 * What the lightbox steps through, in order: `at(i)` is undefined until `load(i)` has fetched it.
 * @typedef {object} Sequence
 * @property {() => number} count
 * @property {(index: number) => import("./tiles.js").Item | undefined} at
 * @property {(index: number) => Promise<unknown>} load
 * @property {(id: string) => number} indexOf
 * @property {(id: string) => unknown} reveal shows and focuses the item's tile
 */

/**
 * A sequence of items already at hand (a strip's, a map cluster's).
 * @param {import("./tiles.js").Item[]} items
 * @param {ParentNode} [scope] where their tiles are
 * @returns {Sequence}
 */
export const listSequence = (items, scope = document) => ({
  count: () => items.length,
  at: (i) => items[i],
  load: async () => {},
  indexOf: (id) => items.findIndex((i) => i.id === id),
  reveal: (id) => {
    const t = scope.querySelector(`.photos-tile[data-id="${CSS.escape(id)}"]`);
    if (t instanceof HTMLElement) t.focus();
  },
});

// A slide whose month is still on its way.
const LOADING = '<div class="photos-slide-loading" role="status">Loading…</div>';
// The info panel's width beside the photo on a wide screen (photos.css); under it on a phone.
const SIDE_PANEL = 360;
const wide = () => window.innerWidth > 760;

/** @param {import("./tiles.js").Item} i */
function slideOf(i) {
  // A partner's photo: its own routes, and the preview is as far as it goes (its original stays its owner's).
  if (i.u) i = { ...i, o: false, z: false, v: true };
  const urls = mediaUrls(i);
  const preview = urls.preview;
  const w = i.w || 1440;
  const h = i.h || 1080;
  const fit = Math.min(1, 1440 / Math.max(w, h));
  if (i.k === "video")
    return {
      type: /** @type {const} */ ("video"),
      id: i.id,
      width: w,
      height: h,
      video: i.v ? urls.video : `/api/v1/files/${i.id}/content?inline=1`,
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
    msrc: urls.thumb,
    item: i,
  };
}

/**
 * Opens the lightbox over `seq` at `index`.
 * @param {Sequence} seq
 * @param {number} index
 */
export async function openLightbox(seq, index) {
  const panel = el("aside", "photos-info-panel");
  panel.id = "photos-info-panel";
  panel.setAttribute("aria-label", "Info");
  panel.hidden = true;
  /** Room the photo leaves for the panel: at its side when wide, above the sheet on a phone. */
  const paddingFn = () => {
    if (panel.hidden) return { top: 0, bottom: 0, left: 0, right: 0 };
    return wide() ? { top: 0, bottom: 0, left: 0, right: SIDE_PANEL } : { top: 50, bottom: Math.round(window.innerHeight * 0.45), left: 0, right: 0 };
  };
  // `dataSource` only counts: each slide comes from the sequence when PhotoSwipe asks (filter below).
  const source = {
    get length() {
      return seq.count();
    },
  };
  const pswp = await lightbox(/** @type {any} */ (source), index, {
    bgOpacity: 1,
    secondaryZoomLevel: 2,
    maxZoomLevel: 4,
    videoClass: "photos-video-slide",
    loop: false,
    returnFocus: false,
    paddingFn,
  });
  let open = true;
  const stack = stackStrip(pswp, seq);
  pswp.addFilter("itemData", (/** @type {unknown} */ _, /** @type {number} */ i) => {
    const item = seq.at(i);
    if (item) return slideOf(stack.shown(item));
    // Its month is fetched; the slide is drawn again when it arrives (the counter already says where it is).
    seq
      .load(i)
      .then(() => {
        if (open && seq.at(i)) pswp.refreshSlideContent(i);
      })
      .catch((e) => toast(messageOf(e)));
    return { html: LOADING, item: null };
  });
  /** @returns {ReturnType<typeof slideOf> | null} the current slide's data, null while its month loads */
  const current = () => {
    const d = pswp.currSlide?.data;
    return d?.item ? d : null;
  };
  const refreshInfo = async () => {
    const d = current();
    if (panel.hidden || !d) return;
    const res = await fetch(d.item.u ? `/photos/partner/info/${d.id}` : `/photos/api/info/${d.id}`, { credentials: "same-origin" });
    if (current()?.id !== d.id) return;
    panel.innerHTML = await res.text(); // escaped by the server's view
    const spot = $(".photos-info-map", HTMLElement, panel);
    if (spot) smallMap(spot).catch((e) => console.warn(`The small map could not be drawn: ${messageOf(e)}`));
  };
  /** @type {HTMLElement | null} */
  let favButton = null;
  const syncFav = () => favButton?.setAttribute("aria-pressed", current()?.item.f ? "true" : "false");
  pswp.on("change", () => {
    // A partner's photo: read only (photos.css hides the lightbox's actions on it).
    pswp.element?.classList.toggle("photos-partner-slide", !!current()?.item.u);
    refreshInfo();
    syncFav();
  });
  const toggleInfo = () => {
    panel.hidden = !panel.hidden;
    pswp.element?.classList.toggle("photos-with-info", !panel.hidden);
    pswp.updateSize(true); // the photo narrows beside the panel, or grows back
    refreshInfo();
  };
  /** Delete: to the trash with Undo; the lightbox closes on the grid. */
  const trash = async () => {
    const d = current();
    if (!d || d.item.u) return;
    // The grid's focus goes to the photo that takes its place.
    lastId = seq.at(pswp.currIndex + 1)?.id ?? seq.at(pswp.currIndex - 1)?.id ?? null;
    pswp.close();
    await trashWithUndo([d.id]);
  };
  /** The edit mode (edit.js); after a save the slide and the grid's tile show the edit once the server rendered it. */
  const edit = async () => {
    const d = current();
    if (!d || d.item.k === "video") return;
    const item = d.item;
    const index = pswp.currIndex;
    const result = await editPhoto(d.id, pswp.element).catch((e) => {
      toast(messageOf(e));
      return null;
    });
    if (!result) return;
    const show = (/** @type {import("./edit.js").State} */ s) => {
      item.e = s.shown?.revision ?? null;
      item.w = s.shown?.width ?? s.width;
      item.h = s.shown?.height ?? s.height;
      item.o = false; // the edit's preview, or the original's (the grid's next fetch knows the rest)
      item.z = false;
      if (open) pswp.refreshSlideContent(index);
      reloadShown();
    };
    if (!result.edited) {
      show(result);
      toast("Back to the original.");
      return;
    }
    toast("Saved. The edited photo shows in a moment; the original is kept.");
    const rendered = await whenRendered(d.id);
    if (rendered?.error) toast(`The edit could not be rendered: ${rendered.error}`);
    else if (rendered) show(rendered);
  };
  pswp.on("uiRegister", () => {
    // A labelled button at the bottom (as phones show it); the top bar is full on a phone.
    pswp.ui.registerElement({
      name: "edit",
      order: 9,
      appendTo: "root",
      isButton: true,
      title: "Edit (e)",
      html: `${ICONS.edit}<span>Edit</span>`,
      onInit: (/** @type {HTMLElement} */ b) => {
        const sync = () => (b.hidden = !current() || current()?.item.k === "video");
        pswp.on("change", sync);
        sync();
      },
      onClick: edit,
    });
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
        if (!d) return;
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
      title: "Download",
      html: ICONS.download,
      onClick: () => {
        const d = current();
        if (!d) return;
        const a = el("a");
        // The edited photo when it has an edit, else the original (the info panel also offers the original).
        a.href = `/photos/download/${d.id}`;
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
        const id = current()?.id;
        if (!id) return;
        const choice = await chooseAlbum();
        if (!choice) return;
        if ("name" in choice) await api("/photos/albums", { name: choice.name, ids: [id] });
        else await api(`/photos/albums/${choice.id}/add`, { ids: [id] });
        toast("name" in choice ? `Album “${choice.name}” created.` : "Added to the album.");
        refreshInfo();
      },
    });
    pswp.ui.registerElement({
      name: "share",
      order: 18,
      isButton: true,
      title: "Share",
      html: ICONS.share,
      onClick: () => {
        const d = current();
        if (d) share([d.id]);
      },
    });
    pswp.ui.registerElement({
      name: "archive",
      order: 19,
      isButton: true,
      title: "Archive (leaves the timeline)",
      html: ICONS.archive,
      onClick: async () => {
        const id = current()?.id;
        if (!id) return;
        const on = gridSource() !== "archive";
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
      onClick: trash,
    });
  });
  /** @param {KeyboardEvent} e */
  const onKey = (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || (e.target instanceof Element && e.target.closest("dialog, input, textarea"))) return;
    if (e.key === "i") toggleInfo();
    if (e.key === "Delete") trash();
    if (e.key === "e") edit();
  };
  /** The item on screen when the lightbox closes: its tile gets the focus back. @type {string | null} */
  let lastId = null;
  pswp.on("close", () => {
    lastId ??= current()?.id ?? null;
  });
  pswp.on("afterInit", () => {
    pswp.element.appendChild(panel);
    pswp.element.classList.toggle("photos-partner-slide", !!current()?.item.u);
  });
  pswp.on("openingAnimationEnd", () => pswp.element.classList.add("photos-opened"));
  document.addEventListener("keydown", onKey);
  pswp.on("destroy", () => {
    open = false;
    document.removeEventListener("keydown", onKey);
    if (lastId) seq.reveal(lastId);
  });
  pswp.init();
}
