// The Drive viewer (#preview holds it while open, views/drive/fragments.tsx): close, previous and next file in the
// listing's order (keys, buttons, swipes), image zoom, PDF pages with pdf.js, and the server's tile for an image the
// browser cannot show.
import { messageOf, toast } from "../lib/toast.js";
import { targetOf } from "../lib/dom.js";

const preview = () => document.getElementById("preview");
export const viewerOpen = () => !!preview()?.querySelector(".viewer");
/** @type {Element | null} */
let openedFrom = null;

function closeViewer() {
  const el = preview();
  if (!el) return;
  el.innerHTML = "";
  if (openedFrom instanceof HTMLElement) openedFrom.focus();
}

/** @param {number} delta */
function stepViewer(delta) {
  const current = preview()?.querySelector(".viewer")?.getAttribute("data-file-id");
  const files = [...document.querySelectorAll('#listing .drive-item[data-kind="file"]')].map((r) => r.getAttribute("data-id"));
  if (!current || !files.length) return;
  const i = files.indexOf(current);
  const next = files[(i + delta + files.length) % files.length];
  if (next && next !== current) window.htmx.ajax("GET", `/drive/preview/${next}`, { target: "#preview", swap: "innerHTML" });
}

// ---- PDFs ----
const PDFJS = "/static/vendor/pdfjs/pdf.min.mjs";
/** Open PDFs by canvas: the document, the page shown and the zoom. @type {WeakMap<HTMLCanvasElement, { doc: any; page: number; zoom: number }>} */
const pdfs = new WeakMap();

/** @param {HTMLCanvasElement} canvas */
async function renderPdf(canvas) {
  const pdfjs = await import(PDFJS);
  pdfjs.GlobalWorkerOptions.workerSrc = "/static/vendor/pdfjs/pdf.worker.min.mjs";
  const doc = await pdfjs.getDocument({ url: canvas.dataset.pdfUrl, isEvalSupported: false }).promise;
  pdfs.set(canvas, { doc, page: 1, zoom: 1 });
  await drawPdfPage(canvas);
}

/** @param {HTMLCanvasElement} canvas */
async function drawPdfPage(canvas) {
  const state = pdfs.get(canvas);
  if (!state) return;
  const page = await state.doc.getPage(state.page);
  const fit = Math.min(2, (canvas.parentElement?.clientWidth || 640) / page.getViewport({ scale: 1 }).width);
  const viewport = page.getViewport({ scale: fit * state.zoom });
  canvas.width = viewport.width;
  canvas.height = viewport.height;
  await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
  canvas.dataset.rendered = String(state.doc.numPages);
  canvas.dataset.page = String(state.page);
  const label = canvas.closest(".viewer-pdf")?.querySelector(".viewer-pdf-page");
  if (label) label.textContent = `Page ${state.page} of ${state.doc.numPages} · ${Math.round(state.zoom * 100)} %`;
}

/** @param {HTMLElement} button */
function pdfCommand(button) {
  const canvas = button.closest(".viewer-pdf")?.querySelector("canvas.drive-pdf");
  const state = canvas instanceof HTMLCanvasElement ? pdfs.get(canvas) : undefined;
  if (!canvas || !state) return;
  const cmd = button.dataset.pdf;
  if (cmd === "prev") state.page = Math.max(1, state.page - 1);
  if (cmd === "next") state.page = Math.min(state.doc.numPages, state.page + 1);
  if (cmd === "zoom-in") state.zoom = Math.min(4, state.zoom * 1.25);
  if (cmd === "zoom-out") state.zoom = Math.max(0.25, state.zoom / 1.25);
  drawPdfPage(/** @type {HTMLCanvasElement} */ (canvas)).catch((err) => toast(`PDF page failed: ${messageOf(err)}`));
}

// ---- image zoom ----
// A CSS transform over the fitted image (1× = fit to the window, up to 8×), around the pointer for the wheel, pinch
// and double-click, around the centre for buttons and keys; dragging pans. Past 1× the original replaces the preview
// when the browser can show it (data-full).
/** @type {WeakMap<HTMLImageElement, { z: number; x: number; y: number }>} */
const zooms = new WeakMap();
const zoomImage = () => {
  const img = preview()?.querySelector(".viewer-image .viewer-media");
  return img instanceof HTMLImageElement ? img : null;
};

/**
 * @param {HTMLImageElement} img
 * @param {number} z
 * @param {number} [clientX]
 * @param {number} [clientY]
 */
function zoomTo(img, z, clientX, clientY) {
  const st = zooms.get(img) ?? { z: 1, x: 0, y: 0 };
  const next = Math.min(8, Math.max(1, z));
  const r = img.getBoundingClientRect();
  const left = r.left - st.x;
  const top = r.top - st.y;
  const px = (clientX ?? r.left + r.width / 2) - left;
  const py = (clientY ?? r.top + r.height / 2) - top;
  st.x = next === 1 ? 0 : px - ((px - st.x) * next) / st.z;
  st.y = next === 1 ? 0 : py - ((py - st.y) * next) / st.z;
  st.z = next;
  zooms.set(img, st);
  img.style.transform = next === 1 ? "" : `translate(${st.x}px, ${st.y}px) scale(${next})`;
  const box = img.closest(".viewer-image");
  box?.classList.toggle("zoomed", next > 1);
  const level = box?.querySelector(".viewer-zoom-level");
  if (level) level.textContent = next === 1 ? "Fit" : `${Math.round(next * 100)} %`;
  if (next > 1 && img.dataset.full && img.getAttribute("src") !== img.dataset.full) img.src = img.dataset.full;
}

/**
 * @param {HTMLImageElement} img
 * @param {number} factor
 * @param {number} [clientX]
 * @param {number} [clientY]
 */
const zoomBy = (img, factor, clientX, clientY) => zoomTo(img, (zooms.get(img)?.z ?? 1) * factor, clientX, clientY);
const zoomed = () => {
  const img = zoomImage();
  return !!img && (zooms.get(img)?.z ?? 1) > 1;
};
/** The image whose stage the event happened in. @param {Event} e */
const imageUnder = (e) => {
  const img = zoomImage();
  const target = targetOf(e);
  return img && target && img.closest(".viewer-image")?.contains(target) ? img : null;
};

document.addEventListener(
  "wheel",
  (e) => {
    const img = imageUnder(e);
    if (!img) return;
    e.preventDefault();
    zoomBy(img, Math.exp(-e.deltaY * 0.002), e.clientX, e.clientY);
  },
  { passive: false },
);
document.addEventListener("dblclick", (e) => {
  const img = zoomImage();
  if (!img || e.target !== img) return;
  zoomTo(img, zoomed() ? 1 : 2.5, e.clientX, e.clientY);
});

/** Pointers down on the zoomed image: one drags, two pinch. @type {Map<number, { x: number; y: number }>} */
const pointers = new Map();
/** @type {{ d: number; z: number } | null} */
let pinch = null;
document.addEventListener("pointerdown", (e) => {
  const img = imageUnder(e);
  if (!img || targetOf(e)?.closest("button")) return;
  pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
  const [a, b] = [...pointers.values()];
  if (pointers.size === 2 && a && b) pinch = { d: Math.hypot(a.x - b.x, a.y - b.y), z: zooms.get(img)?.z ?? 1 };
});
document.addEventListener("pointermove", (e) => {
  const img = zoomImage();
  const last = pointers.get(e.pointerId);
  if (!img || !last) return;
  pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
  const [a, b] = [...pointers.values()];
  if (pointers.size === 2 && pinch && a && b) {
    zoomTo(img, (pinch.z * Math.hypot(a.x - b.x, a.y - b.y)) / pinch.d, (a.x + b.x) / 2, (a.y + b.y) / 2);
  } else if (zoomed()) {
    const st = zooms.get(img);
    if (!st) return;
    st.x += e.clientX - last.x;
    st.y += e.clientY - last.y;
    img.style.transform = `translate(${st.x}px, ${st.y}px) scale(${st.z})`;
  }
});
/** @param {PointerEvent} e */
const pointerUp = (e) => {
  pointers.delete(e.pointerId);
  if (pointers.size < 2) pinch = null;
};
document.addEventListener("pointerup", pointerUp);
document.addEventListener("pointercancel", pointerUp);

// An image the browser cannot show (415 from /drive/thumb: HEIC before the pipeline, damaged) becomes the file-type
// tile the server rendered beside it (<template class="viewer-fallback">).
document.addEventListener(
  "error",
  (e) => {
    const img = e.target;
    if (!(img instanceof HTMLImageElement) || !img.classList.contains("viewer-media")) return;
    const fallback = img.closest(".viewer-image")?.querySelector("template.viewer-fallback");
    if (fallback instanceof HTMLTemplateElement) img.replaceWith(fallback.content.cloneNode(true));
  },
  true,
);

document.addEventListener("htmx:afterSwap", (e) => {
  const target = targetOf(e);
  if (!target) return;
  for (const c of target.querySelectorAll("canvas.drive-pdf"))
    if (c instanceof HTMLCanvasElement) renderPdf(c).catch((err) => toast(`PDF preview failed: ${messageOf(err)}`));
  if (target.id === "preview" && viewerOpen()) {
    if (!target.contains(document.activeElement)) openedFrom = document.activeElement;
    const close = target.querySelector(".viewer-close");
    if (close instanceof HTMLElement) close.focus();
  }
});

document.addEventListener("click", (e) => {
  const target = targetOf(e);
  const viewerButton = target?.closest("[data-viewer]");
  if (viewerButton instanceof HTMLElement) {
    const cmd = viewerButton.dataset.viewer;
    if (cmd === "close") closeViewer();
    else stepViewer(cmd === "next" ? 1 : -1);
  }
  const pdfButton = target?.closest("[data-pdf]");
  if (pdfButton instanceof HTMLElement) pdfCommand(pdfButton);
  const zoomButton = target?.closest("[data-zoom]");
  const img = zoomImage();
  if (zoomButton instanceof HTMLElement && img) {
    const cmd = zoomButton.dataset.zoom;
    if (cmd === "fit") zoomTo(img, 1);
    else zoomBy(img, cmd === "in" ? 1.5 : 1 / 1.5);
  }
});

// A swipe goes to the next file; on a zoomed image, or with two fingers, it pans or pinches instead.
/** @type {number | null} */
let touchX = null;
document.addEventListener(
  "touchstart",
  (e) => {
    const target = targetOf(e);
    const touch = e.touches[0];
    touchX = viewerOpen() && target && preview()?.contains(target) && e.touches.length === 1 && touch && !zoomed() ? touch.clientX : null;
  },
  { passive: true },
);
document.addEventListener(
  "touchend",
  (e) => {
    const touch = e.changedTouches[0];
    if (touchX === null || !touch) return;
    const dx = touch.clientX - touchX;
    touchX = null;
    if (Math.abs(dx) > 50) stepViewer(dx < 0 ? 1 : -1);
  },
  { passive: true },
);

// While the viewer is open, the keys are its own: Escape, ←/→, and +, −, 0 on an image.
document.addEventListener("keydown", (e) => {
  if (!viewerOpen()) return;
  const typing = targetOf(e)?.closest("input:not([type=checkbox]), textarea, select, [contenteditable]");
  const img = zoomImage();
  if (e.key === "Escape") {
    e.preventDefault();
    closeViewer();
  } else if (e.key === "ArrowRight" && !typing) {
    e.preventDefault();
    stepViewer(1);
  } else if (e.key === "ArrowLeft" && !typing) {
    e.preventDefault();
    stepViewer(-1);
  } else if (img && !typing && ["+", "=", "-", "0"].includes(e.key)) {
    e.preventDefault();
    if (e.key === "0") zoomTo(img, 1);
    else zoomBy(img, e.key === "-" ? 1 / 1.5 : 1.5);
  }
});
