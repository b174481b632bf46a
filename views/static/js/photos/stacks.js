// Stacks in the lightbox (app/photos/duplicates.ts: RAW+JPEG pairs and bursts are one tile): a strip of the stack's
// members under the photo; choosing one shows it in the slide, and the lightbox's buttons then act on it.
import { el } from "../lib/dom.js";

/**
 * @param {any} pswp the PhotoSwipe instance
 * @param {import("./viewer.js").Sequence} seq
 */
export function stackStrip(pswp, seq) {
  /** Which member each stack shows, by its cover's id (the cover until one is chosen). @type {Map<string, number>} */
  const chosen = new Map();
  const strip = el("div", "photos-stack-strip");
  strip.setAttribute("role", "group");
  strip.hidden = true;

  const draw = () => {
    const cover = seq.at(pswp.currIndex);
    const members = cover?.s ?? [];
    strip.hidden = members.length < 2;
    strip.textContent = "";
    if (!cover || strip.hidden) return;
    strip.setAttribute("aria-label", `Stack of ${members.length}`);
    const at = chosen.get(cover.id) ?? members.findIndex((m) => m.id === cover.id);
    members.forEach((m, i) => {
      const b = el("button");
      b.type = "button";
      b.setAttribute("aria-label", `${m.k === "raw" ? "RAW" : "Photo"} ${i + 1} of ${members.length}`);
      b.setAttribute("aria-pressed", i === at ? "true" : "false");
      const img = el("img");
      img.alt = "";
      img.src = `/drive/thumb/${m.id}`;
      b.appendChild(img);
      b.addEventListener("click", () => {
        chosen.set(cover.id, i);
        pswp.refreshSlideContent(pswp.currIndex);
        draw();
        strip.querySelectorAll("button")[i]?.focus();
      });
      strip.appendChild(b);
    });
  };
  pswp.on("afterInit", () => {
    pswp.element.appendChild(strip);
    draw();
  });
  pswp.on("change", draw);

  return {
    /**
     * The item a slide shows: the stack member chosen in the strip, else the item itself.
     * @param {import("./tiles.js").Item} item
     */
    shown: (item) => {
      const i = chosen.get(item.id);
      return i === undefined ? item : (item.s?.[i] ?? item);
    },
  };
}
