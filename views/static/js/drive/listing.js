// The Drive listing (views/drive/Listing.tsx): selection (Shift+click ranges, the head's box, Ctrl/⌘+A), row menus
// placed in the viewport, right-click, thumbnails, "Move to…" and what an action did with Undo.
import { targetOf } from "../lib/dom.js";
import { between } from "../lib/selection.js";
import { toast } from "../lib/toast.js";
import { viewerOpen } from "./viewer.js";

const boxes = () => [...document.querySelectorAll("#listing .drive-select")].filter((b) => b instanceof HTMLInputElement);
export const selectedIds = () => boxes().flatMap((b) => (b.checked ? [b.value] : []));

/** "Move to…" for `ids`: the server's dialog (folders to browse), opened once it is in. @param {string[]} ids */
export function openMoveDialog(ids) {
  const dialog = document.getElementById("move-dialog");
  if (!(dialog instanceof HTMLDialogElement) || !ids.length) return;
  window.htmx
    .ajax("GET", `/drive/move-dialog?ids=${encodeURIComponent(ids.join(","))}`, { target: "#move-dialog", swap: "innerHTML" })
    .then(() => dialog.showModal());
}

// ---- selection ----
/** @type {string | null} */
let lastChecked = null;
/** @param {boolean} on */
function setAll(on) {
  for (const b of boxes()) b.checked = on;
  document.getElementById("listing")?.dispatchEvent(new Event("change", { bubbles: true }));
}
document.addEventListener("click", (e) => {
  const box = e.target;
  if (!(box instanceof HTMLInputElement)) return;
  if (box.classList.contains("drive-select-all")) return setAll(box.checked);
  if (!box.classList.contains("drive-select")) return;
  const all = boxes();
  if (e.shiftKey) {
    const range = new Set(
      between(
        all.map((b) => b.value),
        lastChecked,
        box.value,
      ),
    );
    for (const other of all) if (range.has(other.value)) other.checked = box.checked;
  }
  lastChecked = box.value;
});
document.addEventListener("change", () => {
  const all = boxes();
  const head = document.querySelector("#listing .drive-select-all");
  if (!(head instanceof HTMLInputElement)) return;
  const n = all.filter((b) => b.checked).length;
  head.checked = n > 0 && n === all.length;
  head.indeterminate = n > 0 && n < all.length;
});

// ---- row menus: fixed to the viewport beside their button, flipped up when the room below is short ----
const openMenus = () => document.querySelectorAll("details.drive-menu[open]");
/** @param {HTMLDetailsElement} menu */
function placeMenu(menu) {
  const body = menu.querySelector(".drive-menu-body");
  const summary = menu.querySelector("summary");
  if (!(body instanceof HTMLElement) || !summary) return;
  const anchor = summary.getBoundingClientRect();
  const width = Math.min(body.offsetWidth || 260, window.innerWidth - 16);
  const height = body.offsetHeight;
  const below = window.innerHeight - anchor.bottom;
  const top =
    below >= height + 8 || anchor.top < height + 8 ? Math.min(anchor.bottom + 4, Math.max(8, window.innerHeight - height - 8)) : anchor.top - height - 4;
  const left = Math.max(8, Math.min(anchor.right - width, window.innerWidth - width - 8));
  body.style.setProperty("--menu-top", `${Math.max(8, top)}px`);
  body.style.setProperty("--menu-left", `${left}px`);
  body.classList.add("placed");
}
document.addEventListener(
  "toggle",
  (e) => {
    const menu = e.target;
    if (!(menu instanceof HTMLDetailsElement) || !menu.classList.contains("drive-menu") || !menu.open) return;
    for (const other of openMenus()) if (other !== menu) other.removeAttribute("open");
    placeMenu(menu);
  },
  true,
);
window.addEventListener(
  "scroll",
  () => {
    for (const m of openMenus()) m.removeAttribute("open");
  },
  { passive: true },
);
// Right-click on a row opens its menu (and selects nothing else).
document.addEventListener("contextmenu", (e) => {
  const menu = targetOf(e)?.closest("#listing .drive-item")?.querySelector("details.drive-menu");
  if (!(menu instanceof HTMLDetailsElement)) return;
  e.preventDefault();
  menu.open = true;
  const first = menu.querySelector(".drive-menu-body button, .drive-menu-body a, .drive-menu-body input");
  if (first instanceof HTMLElement) first.focus();
});

document.addEventListener("click", (e) => {
  const target = targetOf(e);
  const close = target?.closest("[data-close-dialog]");
  if (close instanceof HTMLElement) {
    const dialog = document.getElementById(close.dataset.closeDialog ?? "");
    if (dialog instanceof HTMLDialogElement) dialog.close();
  }
  const moveOne = target?.closest(".drive-move-one");
  if (moveOne instanceof HTMLElement && moveOne.dataset.id) openMoveDialog([moveOne.dataset.id]);
  // A click outside an open row menu closes it.
  for (const menu of openMenus()) if (!target || !menu.contains(target)) menu.removeAttribute("open");
});

document.addEventListener("keydown", (e) => {
  if (viewerOpen() || e.defaultPrevented) return; // the viewer's keys (./viewer.js)
  const typing = targetOf(e)?.closest("input:not([type=checkbox]), textarea, select, [contenteditable]");
  if (e.key === "Escape") for (const m of openMenus()) m.removeAttribute("open");
  if ((e.ctrlKey || e.metaKey) && (e.key === "a" || e.key === "A") && !typing && document.getElementById("listing")) {
    e.preventDefault();
    setAll(true);
  }
});

// ---- thumbnails: a tile shows the picture once it loads; one that fails (HEIC, damaged) leaves the type's tile ----
document.addEventListener(
  "error",
  (e) => {
    const img = e.target;
    if (!(img instanceof HTMLImageElement) || !img.classList.contains("drive-thumb")) return;
    img.closest(".drive-item")?.classList.add("no-thumb");
    img.remove();
  },
  true,
);
document.addEventListener(
  "load",
  (e) => {
    const img = e.target;
    if (img instanceof HTMLImageElement && img.classList.contains("drive-thumb")) img.closest(".drive-item")?.classList.add("has-thumb");
  },
  true,
);

// What an action did, with Undo (the server's HX-Trigger "drive-done", app/drive/routes.tsx).
document.body.addEventListener("drive-done", (e) => {
  const { message, undo } = /** @type {CustomEvent<{ message?: string; undo?: { url: string; vals: Record<string, string> } }>} */ (e).detail ?? {};
  if (!message) return;
  toast(message, undo ? { label: "Undo", run: () => window.htmx.ajax("POST", undo.url, { values: undo.vals, swap: "none" }) } : undefined);
});
