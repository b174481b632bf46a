// The windowed timeline (#photos-grid): a section per month sized from the buckets, filled with justified rows per
// day only near the viewport (bounded DOM at 200k photos), and the year/month scrubber beside it.
import { api } from "../lib/http.js";
import { $, el, targetOf } from "../lib/dom.js";
import { messageOf, toast } from "../lib/toast.js";
import { dayLabel, loadPlaceholders, MONTHS, tile } from "./tiles.js";
import { refreshSelection, selection } from "./select.js";

/** @typedef {import("./tiles.js").Item & { t: number }} GridItem */
/** @typedef {{ key: string; year: number; month: number; n: number }} Month */
/**
 * @typedef {object} Section
 * @property {string} key
 * @property {HTMLElement} el
 * @property {HTMLElement} body
 * @property {"empty" | "loading" | "shown"} state
 * @property {number} height
 */

const VENDOR = "/static/vendor/";
export const grid = $("#photos-grid");
/** @type {Section[]} */
const sections = [];
/** Month key → its items. @type {Map<string, GridItem[]>} */
const loaded = new Map();
/** justified-layout (vendored): boxes for a row of aspect ratios. @type {((sizes: { width: number; height: number }[], options: Record<string, number>) => { containerHeight: number; boxes: { left: number; top: number; width: number; height: number }[] }) | null} */
let layout = null;
/** What the grid shows: the timeline, favourites, archive, an album, a search (data-source, data-param). */
export const source = () => grid?.dataset.source ?? "timeline";
export const param = () => grid?.dataset.param ?? "";
/** Every item loaded, in order. */
export const flatItems = () => sections.flatMap((s) => loaded.get(s.key) ?? []);
const qs = () => `src=${encodeURIComponent(source())}&p=${encodeURIComponent(param())}`;
const width = () => grid?.clientWidth ?? 0;
const rowHeight = () => (width() < 500 ? 110 : 180);

/** @param {number} n */
function estimate(n) {
  const w = Math.max(width(), 300);
  return 48 + Math.ceil((n * 1.4 * rowHeight()) / w) * (rowHeight() + 4) + 40;
}

/** @param {Section} s @param {GridItem[]} items */
function renderSection(s, items) {
  if (!layout) return;
  s.body.textContent = "";
  const containerWidth = s.body.clientWidth || width();
  /** @type {Map<number, GridItem[]>} */
  const days = new Map();
  for (const it of items) {
    const day = Math.floor(it.t / 86400000);
    let list = days.get(day);
    if (!list) days.set(day, (list = []));
    list.push(it);
  }
  for (const [day, dayItems] of days) {
    const head = el("div", "photos-day");
    head.appendChild(el("h3", null, dayLabel(day * 86400000)));
    const pick = el("button", "link photos-pick-day", "Select day");
    pick.type = "button";
    pick.addEventListener("click", () => {
      selection.toggleAll(dayItems.map((i) => i.id));
      refreshSelection();
    });
    head.appendChild(pick);
    const box = el("div", "photos-rows");
    const geo = layout(
      dayItems.map((i) => ({ width: i.w || 1, height: i.h || 1 })),
      { containerWidth, targetRowHeight: rowHeight(), boxSpacing: 4, containerPadding: 0, maxNumRows: Infinity },
    );
    box.style.height = `${geo.containerHeight}px`;
    geo.boxes.forEach((b, i) => {
      const item = dayItems[i];
      if (!item) return;
      const t = tile(item);
      t.style.left = `${b.left}px`;
      t.style.top = `${b.top}px`;
      t.style.width = `${b.width}px`;
      t.style.height = `${b.height}px`;
      box.appendChild(t);
    });
    s.body.append(head, box);
  }
  s.el.style.height = "";
  s.height = s.el.offsetHeight;
}

/** @param {Section} s */
async function load(s) {
  if (s.state !== "empty") return;
  s.state = "loading";
  try {
    const { items } = await api(`/photos/api/month/${s.key}?${qs()}`);
    loaded.set(s.key, items);
    if (s.state === "loading") {
      renderSection(s, items);
      s.state = "shown";
    }
  } catch (e) {
    s.state = "empty";
    toast(messageOf(e));
  }
}
/** @param {Section} s */
function unload(s) {
  if (s.state !== "shown") return;
  s.el.style.height = `${s.height}px`;
  s.body.textContent = "";
  s.state = "empty";
}

/** The sections on screen again, from the server (after a change: trash, archive, favourite). */
export function reloadShown() {
  for (const s of sections) {
    if (s.state === "shown") {
      s.state = "empty";
      s.height = s.el.offsetHeight;
      load(s);
    }
  }
}

/** @param {Month[]} months */
function scrubber(months) {
  const nav = $("#photos-scrubber");
  if (!nav) return;
  nav.textContent = "";
  /** @type {number | null} */
  let year = null;
  for (const m of months) {
    const b = el("a", "photos-scrub");
    b.href = `#m-${m.key}`;
    b.dataset.key = m.key;
    b.style.flexGrow = String(Math.max(m.n, 1));
    b.title = `${MONTHS[m.month - 1]} ${m.year}`;
    b.setAttribute("aria-label", `${MONTHS[m.month - 1]} ${m.year}`);
    if (m.year !== year) {
      b.appendChild(el("span", "photos-scrub-year", String(m.year)));
      b.dataset.year = String(m.year);
      year = m.year;
    }
    nav.appendChild(b);
  }
  /** @param {Element | null | undefined} a */
  const jump = (a) => {
    const key = a instanceof HTMLElement ? a.dataset.key : undefined;
    const s = key && sections.find((x) => x.key === key);
    if (s) window.scrollTo({ top: s.el.getBoundingClientRect().top + window.scrollY - 60 });
  };
  nav.addEventListener("click", (e) => {
    const a = targetOf(e)?.closest(".photos-scrub");
    if (!a) return;
    e.preventDefault();
    jump(a);
  });
  // Dragging along the scrubber (mouse or finger) scrolls with it, month by month.
  let dragging = false;
  /** @param {PointerEvent} e */
  const under = (e) => document.elementFromPoint(nav.getBoundingClientRect().left + 4, e.clientY)?.closest(".photos-scrub");
  nav.addEventListener("pointerdown", (e) => {
    dragging = true;
    nav.setPointerCapture(e.pointerId);
  });
  nav.addEventListener("pointermove", (e) => {
    if (dragging) jump(under(e));
  });
  nav.addEventListener("pointerup", () => {
    dragging = false;
  });
  nav.addEventListener("pointercancel", () => {
    dragging = false;
  });
}

export async function startGrid() {
  if (!grid) return;
  const [{ months }, jl] = await Promise.all([api(`/photos/api/buckets?${qs()}`), import(`${VENDOR}justified-layout.mjs`), loadPlaceholders()]);
  layout = jl.default;
  grid.removeAttribute("aria-busy");
  if (months.length === 0) {
    grid.appendChild(el("p", "muted", grid.dataset.empty));
    return;
  }
  /** @type {WeakMap<Element, Section>} */
  const sectionOf = new WeakMap();
  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const s = sectionOf.get(e.target);
        if (!s) continue;
        if (e.isIntersecting) load(s);
        else unload(s);
      }
    },
    { rootMargin: "1500px 0px" },
  );
  for (const m of /** @type {Month[]} */ (months)) {
    const node = el("section", "photos-month");
    node.id = `m-${m.key}`;
    node.dataset.key = m.key;
    const h = el("h2", null, `${MONTHS[m.month - 1]} ${m.year}`);
    const pickMonth = el("button", "link photos-pick-month", "Select month");
    pickMonth.type = "button";
    pickMonth.addEventListener("click", () => {
      selection.toggleAll((loaded.get(m.key) ?? []).map((i) => i.id));
      refreshSelection();
    });
    h.append(" ", pickMonth);
    const body = el("div", "photos-month-body");
    node.append(h, body);
    /** @type {Section} */
    const s = { key: m.key, el: node, body, state: "empty", height: estimate(m.n) };
    sectionOf.set(node, s);
    node.style.height = `${s.height}px`;
    sections.push(s);
    grid.appendChild(node);
    observer.observe(node);
  }
  scrubber(months);
}

// A new width lays the rows out again.
let resize = 0;
window.addEventListener("resize", () => {
  clearTimeout(resize);
  resize = setTimeout(() => {
    for (const s of sections) if (s.state === "shown") renderSection(s, loaded.get(s.key) ?? []);
  }, 200);
});
