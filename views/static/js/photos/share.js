// Sharing from where you look (the selection bar and the lightbox): one photo as a link of its own, or any number
// as a new album, then Sharing's page for it (#photos-share-dialog; the link and the people are chosen there).
import { $ } from "../lib/dom.js";
import { api } from "../lib/http.js";

const dateName = () => `Shared ${new Date().toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric" })}`;

/** Asks how to share `ids`, then opens Sharing's page for the photo or the new album. @param {string[]} ids */
export async function share(ids) {
  const dialog = $("#photos-share-dialog", HTMLDialogElement);
  const name = $("#photos-share-name", HTMLInputElement);
  const one = $("#photos-share-one", HTMLButtonElement);
  const title = $("#photos-share-title");
  if (!dialog || !name || !one || !title || ids.length === 0) return;
  title.textContent = ids.length === 1 ? "Share this photo" : `Share ${ids.length} photos`;
  one.hidden = ids.length !== 1;
  name.value = dateName();
  dialog.showModal();
  const how = await new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true }));
  if (how === "link") return window.location.assign(`/shared/new?fileId=${encodeURIComponent(ids[0] ?? "")}`);
  if (how !== "album") return;
  const { id } = await api("/photos/albums", { name: name.value.trim() || dateName(), ids });
  window.location.assign(`/shared/new?albumId=${encodeURIComponent(id)}`);
}
