// Choosing an album (the dialog, #photos-album-dialog) and moving to the trash with Undo: the lightbox and the
// selection bar both do these.
import { $, el } from "../lib/dom.js";
import { api } from "../lib/http.js";
import { toast } from "../lib/toast.js";
import { reloadShown } from "./grid.js";

/**
 * Which album: one of the person's (or one shared with them to add to), or a new one by name; null when cancelled.
 * @returns {Promise<{ id: string } | { name: string } | null>}
 */
export async function chooseAlbum() {
  const dialog = $("#photos-album-dialog", HTMLDialogElement);
  const choices = $("#photos-album-choices");
  const name = $("#photos-album-name", HTMLInputElement);
  if (!dialog || !choices || !name) return null;
  const { albums } = /** @type {{ albums: { id: string; name: string; n: number }[] }} */ (await api("/photos/api/albums"));
  choices.textContent = "";
  for (const a of albums) {
    const label = el("label");
    const r = el("input");
    r.type = "radio";
    r.name = "album";
    r.value = a.id;
    label.append(r, ` ${a.name} (${a.n})`);
    choices.appendChild(label);
  }
  name.value = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue !== "ok") return resolve(null);
        const typed = name.value.trim();
        const picked = choices.querySelector("input:checked");
        resolve(typed ? { name: typed } : picked instanceof HTMLInputElement ? { id: picked.value } : null);
      },
      { once: true },
    );
  });
}

/** @param {string[]} ids */
export async function trashWithUndo(ids) {
  const { ids: trashed } = /** @type {{ ids: string[] }} */ (await api("/photos/api/trash", { ids }));
  reloadShown();
  toast(`${trashed.length} moved to the trash.`, {
    label: "Undo",
    run: async () => {
      await api("/photos/api/restore", { ids: trashed });
      reloadShown();
    },
  });
}
