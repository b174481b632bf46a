// Toasts: one short message at the bottom of the page (#toasts, in every layout), for Drive, Photos and the rest.

/** @typedef {{ label: string; run: () => void }} ToastAction */

/**
 * A short message; with `action` it carries a button (Undo, Show, Open) and stays a little longer.
 * @param {string} message
 * @param {ToastAction} [action]
 */
export function toast(message, action) {
  const el = document.createElement("div");
  el.className = "toast";
  el.setAttribute("role", action ? "status" : "alert");
  const text = document.createElement("span");
  text.textContent = message;
  el.append(text);
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "toast-action";
    button.textContent = action.label;
    button.addEventListener("click", () => {
      el.remove();
      action.run();
    });
    el.append(button);
  }
  document.getElementById("toasts")?.append(el);
  setTimeout(() => el.remove(), action ? 10_000 : 6000);
}

/** The message of anything thrown. @param {unknown} err */
export const messageOf = (err) => (err instanceof Error ? err.message : String(err));
