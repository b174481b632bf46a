// The lightbox's edit mode (app/photos/edit): the original's preview with the edit drawn over it — the crop box with
// handles (pointer and touch; the keyboard moves it with the arrows and resizes it with Shift), the quarter turn,
// ratio chips, straighten and light/colour sliders — then Save (the server renders the edit in a job: the grid's tile
// changes when it is done), Cancel or Revert. A modal <dialog> inside the lightbox: it keeps the focus, Escape cancels.
// The geometry and colour matrix are the server's (app/photos/edit/params.ts), previewed with a CSS transform and an
// SVG colour matrix; what is saved is rendered from the original by the server. Plain module code like the rest of
// the lightbox (viewer.js drives PhotoSwipe imperatively; there is no Alpine component to hang it on).
import { el } from "../lib/dom.js";
import { api } from "../lib/http.js";
import { messageOf, toast } from "../lib/toast.js";

/**
 * @typedef {{ x: number, y: number, w: number, h: number }} Crop
 * @typedef {{ rotate: number, straighten: number, crop: Crop, ratio: string, brightness: number, contrast: number, saturation: number, warmth: number }} Params
 * @typedef {{ params: Params, edited: boolean, rendered: boolean, error: string | null, width: number, height: number,
 *   shown: { revision: number, width: number, height: number } | null }} State
 */

const RATIOS = [
  ["free", "Free"],
  ["original", "Original"],
  ["1:1", "1:1"],
  ["4:3", "4:3"],
  ["16:9", "16:9"],
];
const LIGHT = /** @type {const} */ ([
  ["brightness", "Brightness"],
  ["contrast", "Contrast"],
  ["saturation", "Saturation"],
  ["warmth", "Warmth"],
]);
const MIN = 0.05;
const FULL = { x: 0, y: 0, w: 1, h: 1 };

/** params.ts' straightenScale: how much the turned picture grows so its frame has no empty corner. */
const straightenScale = (/** @type {number} */ w, /** @type {number} */ h, /** @type {number} */ deg) => {
  const t = (Math.abs(deg) * Math.PI) / 180;
  return Math.cos(t) + Math.max(w / h, h / w) * Math.sin(t);
};

/** params.ts' colourMatrix, as an SVG feColorMatrix's 20 values. @param {Params} p */
function colourValues(p) {
  const k = p.warmth / 100;
  const warm = [1 + 0.12 * k, 0, 0, 0, 1 + 0.02 * k, 0, 0, 0, 1 - 0.12 * k];
  const s = 1 + p.saturation / 100;
  const sat = [
    0.213 + 0.787 * s,
    0.715 - 0.715 * s,
    0.072 - 0.072 * s,
    0.213 - 0.213 * s,
    0.715 + 0.285 * s,
    0.072 - 0.072 * s,
    0.213 - 0.213 * s,
    0.715 - 0.715 * s,
    0.072 + 0.928 * s,
  ];
  const c = 1 + p.contrast / 200;
  const b = 1 + p.brightness / 200;
  const m = Array.from({ length: 9 }, (_, i) => {
    const r = Math.floor(i / 3) * 3;
    const col = i % 3;
    return (sat[r] * warm[col] + sat[r + 1] * warm[3 + col] + sat[r + 2] * warm[6 + col]) * c * b;
  });
  const o = (0.5 - 0.5 * c) * b;
  return [m[0], m[1], m[2], 0, o, m[3], m[4], m[5], 0, o, m[6], m[7], m[8], 0, o, 0, 0, 0, 1, 0].map((v) => +v.toFixed(4)).join(" ");
}

/**
 * Opens the edit mode for item `id` inside the lightbox's element `host`; resolves to the state after a save or a
 * revert (the caller refreshes the slide and the grid), or null when cancelled.
 * @param {string} id
 * @param {HTMLElement} host
 * @returns {Promise<State | null>}
 */
export async function editPhoto(id, host) {
  /** @type {State} */
  const state = await api(`/photos/api/edit/${id}`);
  /** @type {Params} */
  const p = structuredClone(state.params);
  const W = state.width || 1;
  const H = state.height || 1;

  const dialog = el("dialog", "photos-editor");
  dialog.setAttribute("aria-label", "Edit photo");
  const bar = el("div", "photos-editor-bar");
  const cancel = el("button", "button", "Cancel");
  const title = el("h2", "photos-editor-title", "Edit");
  const revert = el("button", "button", "Revert to original");
  const save = el("button", "button primary", "Save");
  for (const b of [cancel, revert, save]) b.setAttribute("type", "button");
  revert.hidden = !state.edited;
  bar.append(cancel, title, revert, save);

  const stage = el("div", "photos-editor-stage");
  const frame = el("div", "photos-editor-frame");
  const img = /** @type {HTMLImageElement} */ (el("img", "photos-editor-img"));
  img.alt = "The photo being edited";
  img.src = `/media/preview/${id}?original=1`;
  img.draggable = false;
  const crop = el("div", "photos-editor-crop");
  crop.tabIndex = 0;
  crop.setAttribute("role", "group");
  crop.setAttribute("aria-label", "Crop: arrow keys move it, Shift with the arrows resizes it");
  /** @type {Record<string, HTMLElement>} */
  const handles = {};
  for (const corner of ["nw", "ne", "sw", "se"]) {
    const h = el("span", `photos-editor-handle photos-editor-handle-${corner}`);
    h.dataset.corner = corner;
    handles[corner] = h;
    crop.appendChild(h);
  }
  const clip = el("div", "photos-editor-clip");
  clip.appendChild(img);
  frame.append(clip, crop);
  stage.appendChild(frame);

  // The colour preview: the same matrix the server applies, in sRGB as the server does.
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", "photos-editor-defs");
  svg.setAttribute("aria-hidden", "true");
  const filter = document.createElementNS(svgNS, "filter");
  const filterId = `photos-edit-filter-${Math.random().toString(36).slice(2)}`;
  filter.id = filterId;
  filter.setAttribute("color-interpolation-filters", "sRGB");
  const matrix = document.createElementNS(svgNS, "feColorMatrix");
  matrix.setAttribute("type", "matrix");
  filter.appendChild(matrix);
  svg.appendChild(filter);

  const tools = el("div", "photos-editor-tools");
  const geometry = el("fieldset", "photos-editor-group");
  geometry.appendChild(el("legend", "", "Crop and rotate"));
  const rotate = el("button", "button", "Rotate 90°");
  rotate.setAttribute("type", "button");
  rotate.setAttribute("aria-label", "Rotate 90° clockwise");
  const chips = el("div", "photos-editor-chips");
  chips.setAttribute("role", "group");
  chips.setAttribute("aria-label", "Aspect ratio");
  /** @type {HTMLButtonElement[]} */
  const chipButtons = RATIOS.map(([value, label]) => {
    const b = /** @type {HTMLButtonElement} */ (el("button", "photos-editor-chip", label));
    b.type = "button";
    b.dataset.ratio = value;
    chips.appendChild(b);
    return b;
  });
  geometry.append(rotate, chips);
  /** @type {Record<string, HTMLInputElement>} */
  const sliders = {};
  /**
   * @param {HTMLElement} group
   * @param {string} name
   * @param {string} label
   * @param {number} min
   * @param {number} max
   * @param {number} step
   */
  const slider = (group, name, label, min, max, step) => {
    const row = el("label", "photos-editor-slider");
    const text = el("span", "", label);
    const input = /** @type {HTMLInputElement} */ (el("input"));
    input.type = "range";
    input.min = String(min);
    input.max = String(max);
    input.step = String(step);
    input.name = name;
    const out = el("output", "", "0");
    row.append(text, input, out);
    group.appendChild(row);
    sliders[name] = input;
    input.addEventListener("input", () => {
      /** @type {any} */ (p)[name] = Number(input.value);
      if (name === "straighten") p.crop = fitRatio(p.crop);
      draw();
    });
  };
  slider(geometry, "straighten", "Straighten", -45, 45, 0.5);
  const light = el("fieldset", "photos-editor-group");
  light.appendChild(el("legend", "", "Light and colour"));
  for (const [name, label] of LIGHT) slider(light, name, label, -100, 100, 1);
  const note = el("p", "photos-editor-note");
  note.setAttribute("role", "status");
  if (state.error) note.textContent = `The last edit could not be rendered: ${state.error}`;
  tools.append(geometry, light, note);
  dialog.append(bar, stage, tools, svg);

  /** The picture after the quarter turns: the frame's shape. */
  const turned = () => (p.rotate % 180 === 0 ? { w: W, h: H } : { w: H, h: W });
  /** Width over height of the crop's ratio, in pixels; null for free. */
  const ratioOf = () => {
    const t = turned();
    if (p.ratio === "original") return t.w / t.h;
    const m = /^(\d+):(\d+)$/.exec(p.ratio);
    if (!m) return null;
    // A landscape ratio on a portrait photo is taken the portrait way, as Google Photos does.
    const r = Number(m[1]) / Number(m[2]);
    return t.w >= t.h ? r : 1 / r;
  };
  /** The largest crop of the ratio centred on `c` (the whole frame's for free). @param {Crop} c */
  const fitRatio = (c) => {
    const r = ratioOf();
    if (r === null) return c;
    const t = turned();
    // In fractions of the frame: w·tw / (h·th) = r.
    let w = Math.min(1, c.w);
    let h = (w * t.w) / (t.h * r);
    if (h > 1) {
      h = 1;
      w = (h * t.h * r) / t.w;
    }
    const cx = c.x + c.w / 2;
    const cy = c.y + c.h / 2;
    return clampCrop({ x: cx - w / 2, y: cy - h / 2, w, h });
  };
  /** @param {Crop} c */
  const clampCrop = (c) => {
    const w = Math.min(1, Math.max(MIN, c.w));
    const h = Math.min(1, Math.max(MIN, c.h));
    return { x: Math.min(1 - w, Math.max(0, c.x)), y: Math.min(1 - h, Math.max(0, c.y)), w, h };
  };

  function draw() {
    const t = turned();
    const box = stage.getBoundingClientRect();
    const f = Math.min((box.width - 32) / t.w, (box.height - 32) / t.h);
    const fw = Math.max(1, t.w * f);
    const fh = Math.max(1, t.h * f);
    frame.style.width = `${fw}px`;
    frame.style.height = `${fh}px`;
    img.style.width = `${W * f}px`;
    img.style.height = `${H * f}px`;
    img.style.left = `${(fw - W * f) / 2}px`;
    img.style.top = `${(fh - H * f) / 2}px`;
    img.style.transform = `rotate(${p.rotate + p.straighten}deg) scale(${straightenScale(t.w, t.h, p.straighten)})`;
    matrix.setAttribute("values", colourValues(p));
    img.style.filter = `url(#${filterId})`;
    crop.style.left = `${p.crop.x * fw}px`;
    crop.style.top = `${p.crop.y * fh}px`;
    crop.style.width = `${p.crop.w * fw}px`;
    crop.style.height = `${p.crop.h * fh}px`;
    for (const b of chipButtons) b.setAttribute("aria-pressed", b.dataset.ratio === p.ratio ? "true" : "false");
    for (const [name, input] of Object.entries(sliders)) {
      const v = /** @type {any} */ (p)[name];
      input.value = String(v);
      const out = input.nextElementSibling;
      if (out) out.textContent = name === "straighten" ? `${v}°` : String(v);
    }
  }

  rotate.addEventListener("click", () => {
    p.rotate = (p.rotate + 90) % 360;
    // The crop turns with the picture (a quarter turn clockwise).
    p.crop = fitRatio({ x: 1 - p.crop.y - p.crop.h, y: p.crop.x, w: p.crop.h, h: p.crop.w });
    draw();
  });
  chips.addEventListener("click", (e) => {
    const b = e.target instanceof Element ? e.target.closest("button") : null;
    if (!b?.dataset.ratio) return;
    p.ratio = b.dataset.ratio;
    p.crop = p.ratio === "free" ? p.crop : fitRatio(FULL);
    draw();
  });

  // Dragging: the box moves; a corner resizes it (keeping the ratio unless free). Pointer events cover mouse and touch.
  /** @type {{ corner: string | null, x: number, y: number, start: Crop, fw: number, fh: number } | null} */
  let drag = null;
  crop.addEventListener("pointerdown", (e) => {
    const target = e.target instanceof HTMLElement ? e.target : null;
    const r = frame.getBoundingClientRect();
    drag = { corner: target?.dataset.corner ?? null, x: e.clientX, y: e.clientY, start: { ...p.crop }, fw: r.width, fh: r.height };
    crop.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  crop.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = (e.clientX - drag.x) / drag.fw;
    const dy = (e.clientY - drag.y) / drag.fh;
    const s = drag.start;
    if (!drag.corner) p.crop = clampCrop({ ...s, x: s.x + dx, y: s.y + dy });
    else p.crop = resize(s, drag.corner, dx, dy);
    draw();
  });
  const endDrag = () => (drag = null);
  crop.addEventListener("pointerup", endDrag);
  crop.addEventListener("pointercancel", endDrag);
  /**
   * The crop with one corner moved by (dx, dy), the opposite corner fixed; a fixed ratio follows the wider move.
   * @param {Crop} s @param {string} corner @param {number} dx @param {number} dy
   */
  function resize(s, corner, dx, dy) {
    let x0 = s.x;
    let y0 = s.y;
    let x1 = s.x + s.w;
    let y1 = s.y + s.h;
    if (corner.includes("w")) x0 = Math.min(x1 - MIN, Math.max(0, x0 + dx));
    else x1 = Math.max(x0 + MIN, Math.min(1, x1 + dx));
    if (corner.includes("n")) y0 = Math.min(y1 - MIN, Math.max(0, y0 + dy));
    else y1 = Math.max(y0 + MIN, Math.min(1, y1 + dy));
    const r = ratioOf();
    if (r !== null) {
      const t = turned();
      const h = ((x1 - x0) * t.w) / (t.h * r);
      if (corner.includes("n")) y0 = Math.max(0, y1 - h);
      else y1 = Math.min(1, y0 + h);
      const w = ((y1 - y0) * t.h * r) / t.w;
      if (corner.includes("w")) x0 = x1 - w;
      else x1 = x0 + w;
    }
    return clampCrop({ x: x0, y: y0, w: x1 - x0, h: y1 - y0 });
  }
  crop.addEventListener("keydown", (e) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (!d) return;
    e.preventDefault();
    e.stopPropagation();
    const step = 0.01;
    p.crop = e.shiftKey ? resize(p.crop, "se", d[0] * step, d[1] * step) : clampCrop({ ...p.crop, x: p.crop.x + d[0] * step, y: p.crop.y + d[1] * step });
    draw();
  });

  host.appendChild(dialog);
  const resized = () => draw();
  window.addEventListener("resize", resized);
  /** @type {(value: State | null) => void} */
  let finish = () => {};
  const done = new Promise((resolve) => (finish = resolve));
  const close = (/** @type {State | null} */ value) => {
    window.removeEventListener("resize", resized);
    dialog.close();
    dialog.remove();
    finish(value);
  };
  cancel.addEventListener("click", () => close(null));
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    close(null);
  });
  // Keys belong to the edit mode's controls, not to the lightbox underneath (its arrows, Escape and Tab); the dialog
  // itself still keeps the focus and turns Escape into "cancel".
  dialog.addEventListener("keydown", (e) => e.stopPropagation());
  /** @param {HTMLButtonElement} button @param {() => Promise<State>} work @param {string} busy */
  const act = async (button, work, busy) => {
    const label = button.textContent;
    button.disabled = true;
    button.textContent = busy;
    try {
      close(await work());
    } catch (err) {
      note.textContent = messageOf(err);
      button.disabled = false;
      button.textContent = label;
    }
  };
  save.addEventListener("click", () => act(/** @type {HTMLButtonElement} */ (save), () => api(`/photos/api/edit/${id}`, p), "Saving…"));
  revert.addEventListener("click", () => act(/** @type {HTMLButtonElement} */ (revert), () => api(`/photos/api/edit/${id}/revert`, {}), "Reverting…"));
  /** @type {HTMLDialogElement} */ (dialog).showModal();
  if (img.complete) draw();
  img.addEventListener("load", draw);
  requestAnimationFrame(draw);
  return done;
}

/**
 * After a save: waits (polling, up to a minute) until the server has rendered the edit; the state then or null.
 * @param {string} id
 * @returns {Promise<State | null>}
 */
export async function whenRendered(id) {
  for (let i = 0; i < 60; i++) {
    /** @type {State} */
    const s = await api(`/photos/api/edit/${id}`);
    if (s.rendered || s.error || !s.edited) return s;
    await new Promise((r) => setTimeout(r, 1000));
  }
  toast("The edit is still being rendered; it shows when it is done.");
  return null;
}
