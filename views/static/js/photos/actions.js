// The selection bar (#photos-selection: favourite, archive, add to an album, share, download, trash, take out of the album)
// and uploads into Drive's Photos/YYYY/MM through the resumable endpoint.
import { $, targetOf } from "../lib/dom.js";
import { api } from "../lib/http.js";
import { messageOf, toast } from "../lib/toast.js";
import { resumableUpload } from "../lib/uploads.js";
import { chooseAlbum, trashWithUndo } from "./albums.js";
import { param, reloadShown, source } from "./grid.js";
import { refreshSelection, selection } from "./select.js";
import { share } from "./share.js";

/** @param {string} act @param {string[]} ids */
async function act(act, ids) {
  if (act === "clear") selection.clear();
  if (act === "share") await share(ids);
  if (act === "zip") window.location.assign(`/api/v1/zip?ids=${encodeURIComponent(ids.join(","))}`);
  if (act === "favourite") {
    await api("/photos/api/favourite", { ids, on: true });
    toast(`${ids.length} added to Favourites.`);
    selection.clear();
    reloadShown();
  }
  if (act === "archive") {
    const on = source() !== "archive";
    await api("/photos/api/archive", { ids, on });
    toast(on ? `${ids.length} archived.` : `${ids.length} back in the timeline.`, {
      label: "Undo",
      run: async () => {
        await api("/photos/api/archive", { ids, on: !on });
        reloadShown();
      },
    });
    selection.clear();
    reloadShown();
  }
  if (act === "trash") {
    await trashWithUndo(ids);
    selection.clear();
  }
  if (act === "remove") {
    await api(`/photos/albums/${param()}/remove`, { ids });
    selection.clear();
    reloadShown();
  }
  if (act === "album") {
    const choice = await chooseAlbum();
    if (!choice) return;
    if ("name" in choice) {
      const { id } = await api("/photos/albums", { name: choice.name, ids });
      toast(`Album “${choice.name}” created.`, { label: "Open", run: () => window.location.assign(`/photos/albums/${id}`) });
    } else {
      await api(`/photos/albums/${choice.id}/add`, { ids });
      toast(`${ids.length} added to the album.`);
    }
    selection.clear();
  }
}

$("#photos-selection")?.addEventListener("click", async (e) => {
  const button = targetOf(e)?.closest("button");
  const name = button?.dataset.act;
  if (!name) return;
  try {
    await act(name, [...selection.ids]);
  } catch (err) {
    toast(messageOf(err));
  }
  refreshSelection();
});

// Two at a time; "drive-changed" wakes the media progress fragment, which then polls while the worker processes.
$("#photos-upload", HTMLInputElement)?.addEventListener("change", (e) => {
  const input = /** @type {HTMLInputElement} */ (e.target);
  const files = [...(input.files ?? [])];
  const total = files.length;
  const status = $("#photos-upload-status");
  let done = 0;
  let failed = 0;
  const report = () => {
    if (status) status.textContent = `Uploaded ${done} of ${total}${failed ? `, ${failed} failed` : ""}.`;
  };
  report();
  const next = () => {
    const file = files.shift();
    if (!file) return;
    const d = new Date(file.lastModified || Date.now());
    const dir = `Photos/${d.getFullYear()}/${String(d.getMonth() + 1).padStart(2, "0")}`;
    resumableUpload(file, {
      endpoint: "/api/v1/uploads",
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000],
      metadata: { filename: file.name, filetype: file.type, parentId: "", relativePath: dir, conflict: "rename" },
      onSuccess: () => {
        done++;
        report();
        document.body.dispatchEvent(new CustomEvent("drive-changed"));
        next();
      },
      onError: () => {
        failed++;
        report();
        next();
      },
    });
  };
  if (status) status.textContent = `Uploading ${total}…`;
  next();
  next();
});
