// Photos → Duplicates (views/photos/DuplicatesPage.tsx): "Keep this one" moves the other files of its group to the
// trash and hides the group; Undo restores them and shows it again.
import { api } from "../lib/http.js";
import { messageOf, toast } from "../lib/toast.js";

/** @param {HTMLElement} root */
export function startDuplicates(root) {
  root.addEventListener("click", async (e) => {
    const button = e.target instanceof Element ? e.target.closest("button[data-keep]") : null;
    const group = button?.closest(".dups-group");
    if (!(button instanceof HTMLButtonElement) || !(group instanceof HTMLElement)) return;
    const keep = button.dataset.keep ?? "";
    const ids = (group.dataset.ids ?? "").split(",").filter(Boolean);
    button.disabled = true;
    try {
      const { ids: trashed } = /** @type {{ ids: string[] }} */ (await api(`/photos/api/duplicates/${encodeURIComponent(keep)}/keep`, { ids }));
      // Focus moves on to the next group (or the heading), not to the top of the page.
      const next = group.nextElementSibling?.querySelector("button[data-keep]") ?? root.querySelector("h1");
      group.hidden = true;
      if (next instanceof HTMLElement) next.focus();
      toast(`Kept one; ${trashed.length} moved to the trash.`, {
        label: "Undo",
        run: async () => {
          await api("/photos/api/restore", { ids: trashed });
          group.hidden = false;
          button.focus();
        },
      });
    } catch (err) {
      toast(messageOf(err));
    } finally {
      button.disabled = false;
    }
  });
}
