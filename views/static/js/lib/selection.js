// Selecting in a list the way file managers do: a click toggles one, Shift+click extends from the last click to this
// one. Drive keeps its selection in the rows' checkboxes, Photos in a set of ids; both take the range from here.

/**
 * The ids from `from` to `to` in `order` (either way round), or just `to` when `from` is not in it.
 * @param {readonly string[]} order
 * @param {string | null} from
 * @param {string} to
 * @returns {string[]}
 */
export function between(order, from, to) {
  const a = from === null ? -1 : order.indexOf(from);
  const b = order.indexOf(to);
  if (a < 0 || b < 0) return [to];
  return order.slice(Math.min(a, b), Math.max(a, b) + 1);
}

/** A set of selected ids with the last one clicked, which a Shift+click extends from. */
export function createSelection() {
  const ids = new Set(/** @type {string[]} */ ([]));
  /** @type {string | null} */
  let anchor = null;
  return {
    ids,
    get size() {
      return ids.size;
    },
    /** @param {string} id */
    has: (id) => ids.has(id),
    /** @param {string} id @param {boolean} [on] */
    toggle(id, on) {
      if (on ?? !ids.has(id)) ids.add(id);
      else ids.delete(id);
    },
    /** Every id of `group` on, or all off when they all were. @param {readonly string[]} group */
    toggleAll(group) {
      const all = group.length > 0 && group.every((id) => ids.has(id));
      for (const id of group) this.toggle(id, !all);
    },
    /**
     * A click on `id`: with `range`, everything from the last click to it is selected; else it toggles.
     * @param {string} id
     * @param {readonly string[]} order
     * @param {boolean} range
     */
    click(id, order, range) {
      if (range && anchor !== null) for (const other of between(order, anchor, id)) ids.add(other);
      else this.toggle(id);
      anchor = id;
    },
    /** Opening an item (not selecting it) still moves the anchor. @param {string} id */
    point(id) {
      anchor = id;
    },
    clear: () => ids.clear(),
  };
}
/** @typedef {ReturnType<typeof createSelection>} Selection */
