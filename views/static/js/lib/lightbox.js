// The lightbox (the vendored PhotoSwipe: swipe, zoom, keyboard) for Photos and a share link's gallery: pictures, and
// videos that play in their slide, the others paused.
import { el, stylesheet } from "./dom.js";

const V = "/static/vendor/photoswipe/";
/** @type {any} */
let photoSwipe = null;

/**
 * @typedef {{ type?: undefined; src: string; msrc?: string; srcset?: string; width: number; height: number; alt?: string }} PictureSlide
 * @typedef {{ type: "video"; video: string; poster?: string; width: number; height: number }} VideoSlide
 */

/** The lightbox's stylesheet, added when a page that opens it loads (so it is there before the first open). */
export const lightboxStyles = () => stylesheet(`${V}photoswipe.css`);

/**
 * A PhotoSwipe over `slides` (each may carry more fields for the caller), opened at `index` once the caller has
 * registered its buttons and called `init()`. A video slide is a <video> with controls in an element of class `videoClass`.
 * @template {PictureSlide | VideoSlide} S
 * @param {S[]} slides
 * @param {number} index
 * @param {{ bgOpacity: number; videoClass: string } & Record<string, unknown>} options
 * @returns {Promise<any>} the PhotoSwipe instance (its API is the vendored library's)
 */
export async function lightbox(slides, index, { videoClass, ...options }) {
  lightboxStyles();
  photoSwipe ??= (await import(`${V}photoswipe.esm.min.js`)).default;
  const pswp = new photoSwipe({ dataSource: slides, index, showHideAnimationType: "fade", ...options });
  pswp.addFilter("isContentZoomable", (/** @type {boolean} */ zoomable, /** @type {{ data: S }} */ content) =>
    content.data.type === "video" ? false : zoomable,
  );
  pswp.on("contentLoad", (/** @type {{ content: { data: S; element: HTMLElement }; preventDefault(): void }} */ e) => {
    const { content } = e;
    if (content.data.type !== "video") return;
    e.preventDefault();
    content.element = el("div", videoClass);
    const v = el("video");
    v.controls = true;
    v.playsInline = true;
    v.preload = "metadata";
    if (content.data.poster) v.poster = content.data.poster;
    v.src = content.data.video;
    content.element.appendChild(v);
  });
  pswp.on("change", () => {
    pswp.element?.querySelectorAll("video").forEach((/** @type {HTMLVideoElement} */ v) => {
      if (!pswp.currSlide?.container.contains(v)) v.pause();
    });
  });
  return pswp;
}
