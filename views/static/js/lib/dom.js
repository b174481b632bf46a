// Small DOM helpers. Text always goes in with textContent, never as HTML.

/**
 * The first element matching `selector` (typed by the caller: `$("#x", HTMLInputElement)`), or null.
 * @template {Element} [T=HTMLElement]
 * @param {string} selector
 * @param {{ new (): T }} [type]
 * @param {ParentNode} [root]
 * @returns {T | null}
 */
export function $(selector, type, root = document) {
  const found = root.querySelector(selector);
  return found && (!type || found instanceof type) ? /** @type {T} */ (found) : null;
}

/**
 * A new element with a class and text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string | null} [cls]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * The element an event happened on, as an Element (events from text nodes and the window have none).
 * @param {Event} e
 */
export const targetOf = (e) => (e.target instanceof Element ? e.target : null);

/** A stylesheet for the page, once. @param {string} href */
export function stylesheet(href) {
  if (document.querySelector(`link[rel="stylesheet"][href="${CSS.escape(href)}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.appendChild(link);
}
