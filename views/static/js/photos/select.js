// Photos' selection (lib/selection.js): a tile's check, Shift/Ctrl/⌘ clicks, or any click while something is
// selected; the selection bar shows the count.
import { $, targetOf } from "../lib/dom.js";
import { createSelection } from "../lib/selection.js";

export const selection = createSelection();

export function refreshSelection() {
  const bar = $("#photos-selection");
  if (!bar) return;
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
