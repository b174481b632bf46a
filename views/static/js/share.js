// Share pages: the gallery's lightbox (lib/lightbox.js, as Photos': swipe, zoom, videos that play) and the drop box's
// uploads with progress. Addresses come from the server's markup; text goes in with textContent.
import { $, el } from "./lib/dom.js";
import { csrf } from "./lib/http.js";
import { lightbox, lightboxStyles } from "./lib/lightbox.js";

// ---- gallery lightbox ----
const gallery = $("#share-gallery");
if (gallery) {
  lightboxStyles();
  const tiles = [...gallery.querySelectorAll("a.share-item")].filter((a) => a instanceof HTMLAnchorElement);
  /** Sizes: the media pipeline's when known, else the thumbnail's shape (the preview keeps the picture's aspect). @param {HTMLAnchorElement} a */
  const sizeOf = (a) => {
    const w = Number(a.dataset.w);
    const h = Number(a.dataset.h);
    if (w > 0 && h > 0) return { w, h };
    const img = a.querySelector("img");
    if (img?.naturalWidth) {
      const scale = 1440 / Math.max(img.naturalWidth, img.naturalHeight);
      return { w: Math.round(img.naturalWidth * scale), h: Math.round(img.naturalHeight * scale) };
    }
    return { w: 1280, h: 720 };
  };
  /** @param {number} index */
  const open = async (index) => {
    const slides = tiles.map((a) => {
      const { w, h } = sizeOf(a);
      const caption = a.dataset.caption ?? "";
      return a.dataset.kind === "video"
        ? { type: /** @type {const} */ ("video"), video: a.href, width: w, height: h, caption }
        : { src: a.href, msrc: a.dataset.thumb, width: w, height: h, caption, alt: a.querySelector("img")?.alt ?? "" };
    });
    const pswp = await lightbox(slides, index, { bgOpacity: 0.95, videoClass: "share-lightbox-video" });
    pswp.on("uiRegister", () => {
      pswp.ui.registerElement({
        name: "share-caption",
        order: 9,
        isButton: false,
        appendTo: "root",
        className: "pswp__share-caption",
        onInit: (/** @type {HTMLElement} */ caption) => {
          const update = () => (caption.textContent = pswp.currSlide?.data.caption || "");
          pswp.on("change", update);
          update();
        },
      });
    });
    pswp.init();
  };
  tiles.forEach((a, i) =>
    a.addEventListener("click", (e) => {
      e.preventDefault();
      open(i);
    }),
  );
}

// ---- drop box ----
const box = $("#share-dropbox");
const form = box && $("#share-dropbox-form", HTMLFormElement, box);
const list = box && $("#share-dropbox-progress", HTMLElement, box);
if (box && form && list) {
  /** One file per request, its bytes as the body: progress per file, and a failure costs only that file. @param {File} file */
  const send = (file) =>
    new Promise((resolve) => {
      const li = el("li", "spread");
      const name = el("span", null, file.name);
      const state = el("span", "muted small");
      const bar = el("progress");
      bar.max = 100;
      bar.value = 0;
      li.append(name, bar, state);
      list.appendChild(li);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${box.dataset.upload}?name=${encodeURIComponent(file.name)}`);
      xhr.setRequestHeader("x-csrf-token", csrf());
      xhr.setRequestHeader("content-type", "application/octet-stream");
      xhr.setRequestHeader("accept", "application/json");
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      };
      xhr.onload = () => {
        let message = "";
        try {
          message = JSON.parse(xhr.responseText).error ?? "";
        } catch {}
        const ok = xhr.status >= 200 && xhr.status < 300;
        bar.value = ok ? 100 : bar.value;
        state.textContent = ok ? "sent" : message || `failed (${xhr.status})`;
        li.dataset.state = ok ? "sent" : "failed";
        resolve(ok);
      };
      xhr.onerror = () => {
        state.textContent = "failed: the connection broke";
        li.dataset.state = "failed";
        resolve(false);
      };
      xhr.send(file);
    });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = $("#share-dropbox-files", HTMLInputElement, form);
    if (!input) return;
    for (const f of [...(input.files ?? [])]) await send(f);
    input.value = "";
  });
}
