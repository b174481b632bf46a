// A photo's tile (the grid, the memories strip, the map's cluster list), its labels, and Live Photos' motion.
import { el, targetOf } from "../lib/dom.js";
import { selection } from "./select.js";

/**
 * A photo or video as the grids' JSON gives it (app/photos/routes.tsx `itemJson`); the memories strip, rendered by
 * the server, knows only some of it.
 * @typedef {object} Item
 * @property {string} id
 * @property {number | null} [w] width
 * @property {number | null} [h] height
 * @property {number} [t] when it was taken, the camera's clock as UTC fields (ms)
 * @property {string} [k] "image" or "video"
 * @property {number | null} [d] a video's duration (ms)
 * @property {string | null} [th] the ThumbHash placeholder (base64)
 * @property {boolean} [f] a favourite
 * @property {boolean} [o] the original is shown as is (browsers show its format)
 * @property {boolean} [z] a full-resolution rendition can be made for the zoom (HEIC, TIFF, RAW: app/media/full.ts)
 * @property {boolean} [v] a playable MP4 was made of the video
 * @property {string | null} [l] a Live Photo's motion (its address)
 * @property {number | null} [e] the rendered revision of its edit (app/photos/edit): a new one makes new addresses
 * @property {string | null} [u] a partner's photo: its owner's name (served by /photos/partner/…, app/photos/partner-routes.tsx)
 * @property {Item[]} [s] a stack's members, this one among them (RAW+JPEG, a burst: app/photos/duplicates.ts)
 */

/** Where a tile's thumbnail, preview and video come from: Drive's and the media routes, or a partner's photo's own. */
export const mediaUrls = (/** @type {Item} */ item) =>
  item.u
    ? {
        thumb: `/photos/partner/thumb/${item.id}${editSuffix(item)}`,
        preview: `/photos/partner/preview/${item.id}${editSuffix(item)}`,
        video: `/photos/partner/video/${item.id}`,
      }
    : { thumb: `/drive/thumb/${item.id}${editSuffix(item)}`, preview: `/media/preview/${item.id}${editSuffix(item)}`, video: `/media/video/${item.id}` };

export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/** @param {number} ms */
export const dayLabel = (ms) => {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
};
/** A packed day's label (its month heading above names the year). @param {number} ms */
export const shortDayLabel = (ms) => {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]?.slice(0, 3)}`;
};
/** @param {number | null | undefined} ms */
const duration = (ms) => {
  const s = Math.round((ms ?? 0) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

const VENDOR = "/static/vendor/";
/** @type {{ thumbHashToDataURL(hash: Uint8Array): string } | null} */
let thumbhash = null;
/** The ThumbHash decoder (vendored), for the placeholders. */
export const loadPlaceholders = async () => {
  thumbhash = await import(`${VENDOR}thumbhash.mjs`);
};
/** @param {string | null | undefined} th */
const placeholder = (th) => {
  if (!th || !thumbhash) return null;
  try {
    return thumbhash.thumbHashToDataURL(Uint8Array.from(atob(th), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
};

/**
 * The thumbnail and preview are cached an hour: an edited photo's addresses carry its edit's revision.
 * @param {Item} item
 */
export const editSuffix = (item) => (item.e ? `?e=${item.e}` : "");

/** @param {Item} item */
export function tile(item) {
  const a = el("a", "photos-tile");
  a.href = item.o && !item.u ? `/api/v1/files/${item.id}/content?inline=1` : mediaUrls(item).preview;
  a.dataset.id = item.id;
  if (item.t)
    a.setAttribute(
      "aria-label",
      `${item.k === "video" ? "Video" : item.l ? "Live Photo" : "Photo"}, ${dayLabel(item.t)}${item.u ? `, shared by ${item.u}` : ""}`,
    );
  const bg = placeholder(item.th);
  if (bg) a.style.backgroundImage = `url("${bg}")`;
  const img = el("img");
  img.alt = "";
  img.loading = "lazy";
  img.decoding = "async";
  img.src = mediaUrls(item).thumb;
  a.appendChild(img);
  if (item.u) {
    a.dataset.owner = item.u;
    a.appendChild(el("span", "photos-owner", item.u));
  }
  if (item.k === "video") a.appendChild(el("span", "photos-duration", duration(item.d)));
  if (item.f) a.appendChild(el("span", "photos-fav", "♥"));
  if (item.s && item.s.length > 1) {
    a.appendChild(el("span", "photos-stack", String(item.s.length)));
    a.setAttribute("aria-label", `Stack of ${item.s.length} photos${item.t ? `, ${dayLabel(item.t)}` : ""}`);
  }
  if (item.l) {
    a.dataset.live = item.l;
    a.appendChild(el("span", "photos-live", "LIVE"));
  }
  const check = el("button", "photos-check", "✓");
  check.type = "button";
  check.setAttribute("aria-label", "Select");
  a.appendChild(check);
  if (selection.has(item.id)) a.classList.add("selected");
  return a;
}

// ---- Live Photos: the motion plays over the still on hover (mouse) or a long press (touch) ----
/** @param {Event} e */
const liveTile = (e) => {
  const t = targetOf(e)?.closest(".photos-tile[data-live]");
  return t instanceof HTMLElement ? t : null;
};
/** @param {HTMLElement | null} t */
function playLive(t) {
  if (!t?.dataset.live || t.querySelector("video")) return;
  const v = el("video", "photos-live-video");
  v.muted = true;
  v.playsInline = true;
  v.autoplay = true;
  v.src = t.dataset.live;
  v.addEventListener("ended", () => v.remove());
  t.appendChild(v);
}
/** @param {HTMLElement | null} t */
const stopLive = (t) => t?.querySelector(".photos-live-video")?.remove();
document.addEventListener("mouseover", (e) => playLive(liveTile(e)));
document.addEventListener("mouseout", (e) => {
  const t = liveTile(e);
  if (t && !(e.relatedTarget instanceof Node && t.contains(e.relatedTarget))) stopLive(t);
});
let pressTimer = 0;
document.addEventListener(
  "touchstart",
  (e) => {
    const t = liveTile(e);
    if (t) pressTimer = setTimeout(() => playLive(t), 400);
  },
  { passive: true },
);
document.addEventListener(
  "touchend",
  (e) => {
    clearTimeout(pressTimer);
    stopLive(liveTile(e));
  },
  { passive: true },
);
