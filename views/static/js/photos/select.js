// Photos' selection (lib/selection.js): a tile's check, Shift/Ctrl/⌘ clicks, or any click while something is
// selected; on a touch screen a long press, then a drag; the selection bar shows the count.
import { $, targetOf } from "../lib/dom.js";
import { between, createSelection } from "../lib/selection.js";

export const selection = createSelection();

export function refreshSelection() {
  const bar = $("#photos-selection");
  if (!bar) return;
  // A partner's photos (tiles marked with their owner) are theirs: nothing here can be done to them, so never selected.
  for (const t of document.querySelectorAll(".photos-tile[data-owner]")) if (t instanceof HTMLElement) selection.toggle(t.dataset.id ?? "", false);
  bar.hidden = selection.size === 0;
  const count = $("#photos-selection-count");
  if (count) count.textContent = `${selection.size} selected`;
  for (const t of document.querySelectorAll(".photos-tile")) if (t instanceof HTMLElement) t.classList.toggle("selected", selection.has(t.dataset.id ?? ""));
  document.body.classList.toggle("photos-selecting", selection.size > 0);
}

/**
 * A click in a grid of tiles: selects (see above) or opens the lightbox at the tile.
 * @template {{ id: string }} T
 * @param {MouseEvent} e
 * @param {() => T[]} items the tiles' items in their order
 * @param {(items: T[], index: number) => unknown} open
 */
export function tileClick(e, items, open) {
  const target = targetOf(e);
  const check = target?.closest(".photos-check");
  const t = target?.closest(".photos-tile");
  if (!(t instanceof HTMLElement) || !t.dataset.id) return;
  e.preventDefault();
  const id = t.dataset.id;
  const list = items();
  if (check || e.shiftKey || e.ctrlKey || e.metaKey || selection.size > 0) {
    selection.click(
      id,
      list.map((i) => i.id),
      e.shiftKey,
    );
    refreshSelection();
    return;
  }
  selection.point(id);
  open(
    list,
    Math.max(
      0,
      list.findIndex((i) => i.id === id),
    ),
  );
}

// How long a finger rests on a tile before it selects (Android's long press is about this).
const LONG_PRESS_MS = 450;

/**
 * Selecting with a finger, as Google Photos does: a long press on a tile selects it instead of opening it; moving the
 * finger on after the press selects every tile from the pressed one to the one under the finger (and lets go of
 * those it moves back over); once something is selected, taps add and remove (tileClick).
 * @param {HTMLElement} container
 * @param {() => string[]} order the tiles' ids in their order
 */
export function touchSelection(container, order) {
  /** @type {{ id: string; x: number; y: number; on: boolean; timer: number; dragged: Set<string> } | null} */
  let press = null;
  let swallowClick = false;
  const cancel = () => {
    if (press) clearTimeout(press.timer);
    press = null;
  };
  container.addEventListener(
    "touchstart",
    (e) => {
      cancel();
      swallowClick = false; // a click the last press's touchend already prevented never came
      const t = targetOf(e)?.closest(".photos-tile");
      const touch = e.touches[0];
      if (e.touches.length !== 1 || !touch || !(t instanceof HTMLElement) || !t.dataset.id) return;
      const p = { id: t.dataset.id, x: touch.clientX, y: touch.clientY, on: false, timer: 0, dragged: new Set([t.dataset.id]) };
      p.timer = setTimeout(() => {
        p.on = true;
        if (selection.has(p.id)) selection.point(p.id);
        else selection.click(p.id, order(), false);
        refreshSelection();
        navigator.vibrate?.(20);
      }, LONG_PRESS_MS);
      press = p;
    },
    { passive: true },
  );
  container.addEventListener(
    "touchmove",
    (e) => {
      const touch = e.touches[0];
      if (!press || !touch) return;
      if (!press.on) {
        if (Math.hypot(touch.clientX - press.x, touch.clientY - press.y) > 10) cancel(); // a scroll, not a press
        return;
      }
      e.preventDefault(); // the finger selects; the page stays
      const t = document.elementFromPoint(touch.clientX, touch.clientY)?.closest(".photos-tile");
      if (!(t instanceof HTMLElement) || !t.dataset.id) return;
      const range = new Set(between(order(), press.id, t.dataset.id));
      for (const id of press.dragged) if (!range.has(id) && id !== press.id) selection.toggle(id, false);
      for (const id of range) selection.toggle(id, true);
      press.dragged = range;
      refreshSelection();
    },
    { passive: false },
  );
  container.addEventListener("touchend", (e) => {
    if (press?.on) {
      e.preventDefault(); // no click: the press selected, it does not open
      swallowClick = true;
    }
    cancel();
  });
  container.addEventListener("touchcancel", cancel);
  // No link menu for a long press on a tile.
  container.addEventListener("contextmenu", (e) => {
    if (press && targetOf(e)?.closest(".photos-tile")) e.preventDefault();
  });
  container.addEventListener(
    "click",
    (e) => {
      if (!swallowClick) return;
      swallowClick = false;
      e.preventDefault();
      e.stopImmediatePropagation();
    },
    true,
  );
}
