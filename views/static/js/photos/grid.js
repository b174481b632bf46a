// The windowed timeline (#photos-grid): a section per month sized from the buckets, filled with justified rows per
// day only near the viewport (bounded DOM at 200k photos), and the year/month scrubber beside it.
import { api } from "../lib/http.js";
import { $, el, targetOf } from "../lib/dom.js";
import { messageOf, toast } from "../lib/toast.js";
import { dayLabel, loadPlaceholders, MONTHS, shortDayLabel, tile } from "./tiles.js";
import { refreshSelection, selection } from "./select.js";
import { trashWithUndo } from "./albums.js";

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
/** justified-layout (vendored): boxes for a row of aspect ratios. @type {((sizes: { width: number; height: number }[], options: Record<string, number>) => Geometry) | null} */
let layout = null;
/** What the grid shows: the timeline, favourites, archive, an album, a search (data-source, data-param). */
export const source = () => grid?.dataset.source ?? "timeline";
export const param = () => grid?.dataset.param ?? "";
/** Every item loaded, in order. */
export const flatItems = () => sections.flatMap((s) => loaded.get(s.key) ?? []);
/** The grid's months as the buckets counted them, newest first (a count is corrected when its month arrives). @type {Month[]} */
let months = [];
/** Months being fetched. @type {Map<string, Promise<GridItem[]>>} */
const fetching = new Map();
const qs = () => `src=${encodeURIComponent(source())}&p=${encodeURIComponent(param())}`;
const width = () => grid?.clientWidth ?? 0;
const rowHeight = () => (width() < 500 ? 110 : 180);

/** @param {number} n */
function estimate(n) {
  const w = Math.max(width(), 300);
  return 48 + Math.ceil((n * 1.4 * rowHeight()) / w) * (rowHeight() + 4) + 40;
}

const GAP = 4;
// A small day beside another needs room for its date label, as Google Photos' packed rows do.
const MIN_DAY_WIDTH = 100;
const DAY_GAP = 16;
// How far the days of a shared row may shrink to fit side by side.
const MIN_SHELF_SCALE = 0.8;

/** @typedef {{ containerHeight: number; boxes: { left: number; top: number; width: number; height: number }[] }} Geometry */

/** Tiles at their justified boxes, scaled. @param {HTMLElement} box @param {HTMLElement[]} tiles @param {Geometry} geo @param {number} scale */
function place(box, tiles, geo, scale) {
  box.style.height = `${geo.containerHeight * scale}px`;
  geo.boxes.forEach((b, i) => {
    const t = tiles[i];
    if (!t) return;
    t.style.left = `${b.left * scale}px`;
    t.style.top = `${b.top * scale}px`;
    t.style.width = `${b.width * scale}px`;
    t.style.height = `${b.height * scale}px`;
  });
}

/** A tile of the grid: one Tab stop for the whole grid (the arrow keys move it), Space selects, so its check needs none. @param {GridItem} item */
function gridTile(item) {
  const t = tile(item);
  t.tabIndex = -1;
  t.querySelector(".photos-check")?.setAttribute("tabindex", "-1");
  return t;
}

/** A day's heading: its date and "Select day". @param {number} day @param {GridItem[]} dayItems */
function dayHead(day, dayItems) {
  const head = el("div", "photos-day");
  const label = el("h3", null, dayLabel(day * 86400000));
  label.dataset.day = String(day);
  head.appendChild(label);
  const pick = el("button", "link photos-pick-day", "Select day");
  pick.type = "button";
  pick.tabIndex = -1; // the grid is one Tab stop; by keyboard, Space and Shift+arrows select
  pick.addEventListener("click", () => {
    selection.toggleAll(dayItems.map((i) => i.id));
    refreshSelection();
  });
  head.appendChild(pick);
  return head;
}

/**
 * A month's days as justified rows. A day that fills less than one row shares a row with the days around it, each
 * under its own date (a shelf of day blocks), so a run of one-photo days is not a full row each.
 * @param {Section} s @param {GridItem[]} items
 */
function renderSection(s, items) {
  if (!layout) return;
  // The focused tile keeps the focus when its month is drawn again (after a trash, an archive, a resize).
  const focused = document.activeElement instanceof HTMLElement && s.body.contains(document.activeElement) ? document.activeElement.dataset.id : undefined;
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
  /**
   * The shelf being filled with small days: its element and its days' blocks at their natural size.
   * @type {{ el: HTMLElement; days: { block: HTMLElement; box: HTMLElement; tiles: HTMLElement[]; geo: Geometry; width: number }[] } | null}
   */
  let shelf = null;
  for (const [day, dayItems] of days) {
    const box = el("div", "photos-rows");
    const geo = layout(
      dayItems.map((i) => ({ width: i.w || 1, height: i.h || 1 })),
      { containerWidth, targetRowHeight: rowHeight(), boxSpacing: GAP, containerPadding: 0, maxNumRows: Infinity },
    );
    const tiles = dayItems.slice(0, geo.boxes.length).map((item) => gridTile(item));
    box.append(...tiles);
    place(box, tiles, geo, 1);
    const oneRow = geo.boxes.every((b) => b.top === geo.boxes[0]?.top);
    const natural = Math.max(MIN_DAY_WIDTH, ...geo.boxes.map((b) => b.left + b.width));
    if (!oneRow || natural > containerWidth) {
      shelf = null;
      s.body.append(dayHead(day, dayItems), box);
      continue;
    }
    const widths = (shelf?.days ?? []).reduce((sum, d) => sum + d.width, natural);
    const gaps = (shelf?.days.length ?? 0) * DAY_GAP;
    // Beside the days before when they all fit, shrunk a little if need be (a phone's two one-photo days).
    const scale = Math.min(1, (containerWidth - gaps) / widths);
    if (!shelf || scale < MIN_SHELF_SCALE) {
      shelf = { el: el("div", "photos-shelf"), days: [] };
      s.body.appendChild(shelf.el);
    }
    const block = el("div", "photos-day-block");
    block.append(dayHead(day, dayItems), box);
    shelf.el.appendChild(block);
    shelf.days.push({ block, box, tiles, geo, width: natural });
    const fit = Math.min(1, (containerWidth - (shelf.days.length - 1) * DAY_GAP) / shelf.days.reduce((sum, d) => sum + d.width, 0));
    for (const d of shelf.days) {
      d.block.style.width = `${d.width * fit}px`;
      place(d.box, d.tiles, d.geo, fit);
    }
    // Side by side, the days go by their short names (the month's heading names the year); alone, by the full one.
    if (shelf.days.length > 1)
      for (const h of shelf.el.querySelectorAll("h3")) {
        const ms = Number(/** @type {HTMLElement} */ (h).dataset.day) * 86400000;
        h.textContent = shortDayLabel(ms);
        h.setAttribute("title", dayLabel(ms));
      }
    if (fit < 1) shelf = null; // full
  }
  s.el.style.height = "";
  s.height = s.el.offsetHeight;
  const again = focused && s.body.querySelector(`.photos-tile[data-id="${CSS.escape(focused)}"]`);
  if (again instanceof HTMLElement) focusTile(again);
  else tabStop();
}

// ---- The keyboard: the grid is one Tab stop (roving focus); arrows move between tiles, Space selects, Enter opens ----

/** Whether the person has put the Tab stop somewhere (focused a tile); until then it follows the first tile. */
let stopChosen = false;
/** The tile the grid's Tab stop is on. @param {HTMLElement} t */
export function focusTile(t) {
  stopChosen = true;
  for (const other of grid?.querySelectorAll('.photos-tile[tabindex="0"]') ?? []) other.setAttribute("tabindex", "-1");
  t.setAttribute("tabindex", "0");
  t.focus();
}
/**
 * Some tile carries the Tab stop once tiles are drawn: the first in the grid's order until the person moves it (months
 * arrive in any order: an older month drawn first must not keep the stop once the newest is drawn above it).
 */
function tabStop() {
  if (!grid) return;
  const first = grid.querySelector(".photos-tile");
  if (stopChosen && grid.querySelector('.photos-tile[tabindex="0"]')) return;
  for (const other of grid.querySelectorAll('.photos-tile[tabindex="0"]')) if (other !== first) other.setAttribute("tabindex", "-1");
  first?.setAttribute("tabindex", "0");
}

/**
 * The tile an arrow key moves to: the one before or after in the grid's order (left, right), or in the row above or
 * below, the nearest to the same column (up, down).
 * @param {HTMLElement} from @param {string} key
 */
function neighbour(from, key) {
  const tiles = [...(grid?.querySelectorAll(".photos-tile") ?? [])].filter((t) => t instanceof HTMLElement);
  const i = tiles.indexOf(from);
  if (key === "ArrowRight") return tiles[i + 1];
  if (key === "ArrowLeft") return tiles[i - 1];
  const r = from.getBoundingClientRect();
  const x = r.left + r.width / 2;
  const down = key === "ArrowDown";
  /** @type {{ t: HTMLElement; row: number; dx: number } | null} */
  let best = null;
  for (const t of down ? tiles.slice(i + 1) : tiles.slice(0, i).reverse()) {
    const b = t.getBoundingClientRect();
    if (down ? b.top < r.bottom - 1 : b.bottom > r.top + 1) continue; // same row
    const row = down ? b.top : -b.bottom;
    if (best && row > best.row + 1) break; // past the nearest row
    const dx = Math.abs(b.left + b.width / 2 - x);
    if (!best || dx < best.dx) best = { t, row: best ? Math.min(best.row, row) : row, dx };
  }
  return best?.t;
}

/** @param {KeyboardEvent} e */
function onGridKey(e) {
  const t = targetOf(e)?.closest(".photos-tile");
  if (!(t instanceof HTMLElement) || !t.dataset.id || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key.startsWith("Arrow")) {
    const next = neighbour(t, e.key);
    e.preventDefault();
    if (next) {
      focusTile(next);
      if (e.shiftKey) {
        selection.click(
          next.dataset.id ?? "",
          flatItems().map((i) => i.id),
          true,
        );
        refreshSelection();
      }
    }
  } else if (e.key === " ") {
    e.preventDefault();
    selection.click(
      t.dataset.id,
      flatItems().map((i) => i.id),
      e.shiftKey,
    );
    refreshSelection();
  } else if (e.key === "Escape" && selection.size > 0) {
    selection.clear();
    refreshSelection();
  } else if (e.key === "Delete") {
    e.preventDefault();
    const ids = selection.size > 0 ? [...selection.ids] : [t.dataset.id];
    const after = neighbour(t, "ArrowRight") ?? neighbour(t, "ArrowLeft");
    if (after && !selection.has(after.dataset.id ?? "")) focusTile(after);
    selection.clear();
    refreshSelection();
    trashWithUndo(ids).catch((err) => toast(messageOf(err)));
  }
}
grid?.addEventListener("keydown", onGridKey);
// "Skip to the photos" lands on the tile that holds the grid's Tab stop.
$("#photos-skip")?.addEventListener("click", (e) => {
  const t = grid?.querySelector('.photos-tile[tabindex="0"]');
  if (!(t instanceof HTMLElement)) return;
  e.preventDefault();
  focusTile(t);
});
// A click or Tab onto a tile moves the Tab stop there.
grid?.addEventListener("focusin", (e) => {
  const t = targetOf(e)?.closest(".photos-tile");
  if (t instanceof HTMLElement && t.getAttribute("tabindex") !== "0") focusTile(t);
});

// Where a jump puts a month's heading: just under the top of the window.
const JUMP_OFFSET = 8;

/** A month's items from the server (one request however many ask at once). @param {string} key @returns {Promise<GridItem[]>} */
function fetchMonth(key) {
  let pending = fetching.get(key);
  if (!pending) {
    pending = api(`/photos/api/month/${key}?${qs()}`)
      .then(({ items }) => {
        loaded.set(key, items);
        const m = months.find((x) => x.key === key);
        if (m) m.n = items.length;
        return items;
      })
      .finally(() => fetching.delete(key));
    fetching.set(key, pending);
  }
  return pending;
}

/**
 * The whole grid as the lightbox walks it (viewer.js): every month counted from the buckets, a month's items fetched
 * when the lightbox reaches it, so next and previous go on past what the grid has shown, across months, in the
 * grid's order (the timeline, an album, a search, favourites, the archive).
 * @type {import("./viewer.js").Sequence}
 */
export const library = {
  count: () => months.reduce((sum, m) => sum + m.n, 0),
  at(index) {
    const at = locate(index);
    return at ? loaded.get(at.key)?.[at.offset] : undefined;
  },
  async load(index) {
    const at = locate(index);
    if (at && !loaded.has(at.key)) await fetchMonth(at.key);
  },
  indexOf(id) {
    let before = 0;
    for (const m of months) {
      const i = loaded.get(m.key)?.findIndex((x) => x.id === id) ?? -1;
      if (i >= 0) return before + i;
      before += m.n;
    }
    return -1;
  },
  reveal,
};

/** The month and place in it of the `index`th item of the grid. @param {number} index */
function locate(index) {
  let offset = index;
  for (const m of months) {
    if (offset < m.n) return { key: m.key, offset };
    offset -= m.n;
  }
  return null;
}

/**
 * The tile of `id` on screen and focused (the lightbox closed on it): its month is scrolled to and filled first when
 * the lightbox went beyond what the grid showed.
 * @param {string} id
 */
async function reveal(id) {
  const tileOf = () => grid?.querySelector(`.photos-tile[data-id="${CSS.escape(id)}"]`);
  let t = tileOf();
  if (!t) {
    const s = sections.find((x) => loaded.get(x.key)?.some((i) => i.id === id));
    if (!s) return;
    window.scrollTo({ top: s.el.getBoundingClientRect().top + window.scrollY - JUMP_OFFSET });
    await load(s);
    t = tileOf();
  }
  if (!(t instanceof HTMLElement)) return;
  t.scrollIntoView({ block: "nearest" });
  focusTile(t);
}

/** @param {Section} s */
async function load(s) {
  if (s.state !== "empty") return;
  s.state = "loading";
  try {
    const items = await fetchMonth(s.key);
    if (s.state === "loading") {
      renderSection(s, items);
      s.state = "shown";
    }
  } catch (e) {
    s.state = "empty";
    toast(messageOf(e));
  } finally {
    gridReady();
  }
}

let ready = false;
/** The first month is on screen (or there is none): the page asks for what may wait, such as the memories row. */
function gridReady() {
  if (ready) return;
  ready = true;
  document.body.dispatchEvent(new CustomEvent("photos:grid-ready"));
}
/** @param {Section} s */
function unload(s) {
  if (s.state !== "shown") return;
  s.el.style.height = `${s.height}px`;
  s.body.textContent = "";
  s.state = "empty";
  tabStop();
}

/** The sections on screen again, from the server (after a change: trash, archive, favourite). */
export function reloadShown() {
  for (const s of sections) {
    if (s.state !== "shown") loaded.delete(s.key); // the lightbox fetches them again when it gets there
    if (s.state === "shown") {
      s.state = "empty";
      s.height = s.el.offsetHeight;
      load(s);
    }
  }
}

/** The year labels that would overlap the one above are left out, as Google Photos thins them. @param {HTMLElement} nav */
function thinYears(nav) {
  let lastBottom = Number.NEGATIVE_INFINITY;
  for (const label of nav.querySelectorAll(".photos-scrub-year")) {
    label.classList.remove("thinned");
    const r = label.getBoundingClientRect();
    if (r.top < lastBottom + 2) label.classList.add("thinned");
    else lastBottom = r.bottom;
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
  // Where the window is (a line across the scrubber) and, under the pointer, which month a click or drag goes to.
  const marker = el("div", "photos-scrub-marker");
  const bubble = el("div", "photos-scrub-bubble");
  marker.setAttribute("aria-hidden", "true");
  bubble.setAttribute("aria-hidden", "true");
  bubble.hidden = true;
  nav.append(marker, bubble);
  thinYears(nav);
  window.addEventListener("resize", () => thinYears(nav));

  /** The month's link in the scrubber. @param {string} key */
  const linkOf = (key) => /** @type {HTMLElement | null} */ (nav.querySelector(`.photos-scrub[data-key="${key}"]`));
  let markerQueued = false;
  const placeMarker = () => {
    markerQueued = false;
    const s = sections.find((x) => x.el.getBoundingClientRect().bottom > JUMP_OFFSET);
    const link = s && linkOf(s.key);
    if (!s || !link) return;
    const r = s.el.getBoundingClientRect();
    const within = Math.min(1, Math.max(0, (JUMP_OFFSET - r.top) / Math.max(r.height, 1)));
    marker.style.top = `${link.offsetTop + within * link.offsetHeight}px`;
  };
  window.addEventListener(
    "scroll",
    () => {
      if (!markerQueued) requestAnimationFrame(placeMarker);
      markerQueued = true;
    },
    { passive: true },
  );
  placeMarker();

  /** @param {Element | null | undefined} a */
  const jump = (a) => {
    const key = a instanceof HTMLElement ? a.dataset.key : undefined;
    const s = key && sections.find((x) => x.key === key);
    // Months that render above it afterwards keep it in place (the browser's scroll anchoring).
    if (s) window.scrollTo({ top: s.el.getBoundingClientRect().top + window.scrollY - JUMP_OFFSET });
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
  /** The bubble beside the pointer, naming the month under it. @param {PointerEvent} e */
  const showBubble = (e) => {
    const a = under(e);
    if (!(a instanceof HTMLElement)) return;
    bubble.textContent = a.title;
    bubble.style.top = `${e.clientY - nav.getBoundingClientRect().top}px`;
    bubble.hidden = false;
  };
  // The jump happens at the press: with the pointer captured (for dragging), the click that follows goes to the
  // scrubber itself, not to the month's link. The click handler above serves the keyboard (Enter on a link).
  nav.addEventListener("pointerdown", (e) => {
    dragging = true;
    nav.setPointerCapture(e.pointerId);
    showBubble(e);
    jump(under(e));
  });
  nav.addEventListener("pointermove", (e) => {
    showBubble(e);
    if (dragging) jump(under(e));
  });
  nav.addEventListener("pointerup", () => {
    dragging = false;
  });
  nav.addEventListener("pointercancel", () => {
    dragging = false;
    bubble.hidden = true;
  });
  nav.addEventListener("pointerleave", () => {
    if (!dragging) bubble.hidden = true;
  });
}

export async function startGrid() {
  if (!grid) return;
  const [buckets, jl] = await Promise.all([api(`/photos/api/buckets?${qs()}`), import(`${VENDOR}justified-layout.mjs`), loadPlaceholders()]);
  layout = jl.default;
  months = buckets.months;
  grid.removeAttribute("aria-busy");
  if (months.length === 0) {
    grid.appendChild(el("p", "muted", grid.dataset.empty));
    gridReady();
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
  for (const m of months) {
    const node = el("section", "photos-month");
    node.id = `m-${m.key}`;
    node.dataset.key = m.key;
    const h = el("h2", null, `${MONTHS[m.month - 1]} ${m.year}`);
    const pickMonth = el("button", "link photos-pick-month", "Select month");
    pickMonth.type = "button";
    pickMonth.tabIndex = -1;
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
