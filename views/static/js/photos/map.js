// The map (#photos-map, Leaflet on the page): clusters computed by the server for the view, over the box's own
// basemap (lib/basemap.js), and a cluster's photos in a strip below.
import { basemap } from "../lib/basemap.js";
import { $, el } from "../lib/dom.js";
import { messageOf, toast } from "../lib/toast.js";
import { api } from "../lib/http.js";
import { tileClick } from "./select.js";
import { tile } from "./tiles.js";
import { listSequence, openLightbox } from "./viewer.js";

/** @typedef {{ lat: number; lng: number; n: number; cluster: number | null; item: import("./tiles.js").Item | null }} Point */

export async function startMap() {
  const box = $("#photos-map");
  const list = $("#photos-map-items");
  const offline = $("#photos-map-offline");
  const L = window.L;
  if (!box || !list || !offline || !L) return;
  const params = new URLSearchParams(window.location.search);
  const map = L.map(box, { worldCopyJump: true }).setView(
    params.has("lat") ? [Number(params.get("lat")), Number(params.get("lng"))] : [30, 0],
    params.has("lat") ? 12 : 2,
  );
  // The box's own basemap; OpenStreetMap's tiles above it only when the admin turned them on (a note when they fail).
  basemap(L, map, { online: box.dataset.online === "1", detail: box.dataset.detail === "1" })
    .then((tiles) => {
      if (!tiles) return;
      let failures = 0;
      tiles.on("tileerror", () => {
        if (++failures >= 2) offline.hidden = false;
      });
      tiles.on("tileload", () => {
        failures = 0;
        offline.hidden = true;
      });
      if (!navigator.onLine) offline.hidden = false;
    })
    .catch((e) => toast(messageOf(e)));
  const layer = L.layerGroup().addTo(map);
  /** @type {import("./tiles.js").Item[]} */
  let clusterItems = [];
  list.addEventListener("click", (e) =>
    tileClick(
      e,
      () => clusterItems,
      (items, i) => openLightbox(listSequence(items, list), i),
    ),
  );
  /** @param {import("./tiles.js").Item[]} items @param {string} title */
  const showItems = (items, title) => {
    clusterItems = items;
    list.textContent = "";
    list.appendChild(el("h2", null, title));
    const row = el("div", "photos-strip-row");
    for (const i of items) row.appendChild(tile(i));
    list.appendChild(row);
  };
  async function refresh() {
    const b = map.getBounds();
    /** @param {number} v @param {number} lo @param {number} hi */
    const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
    const q = `w=${clamp(b.getWest(), -180, 180)}&s=${clamp(b.getSouth(), -90, 90)}&e=${clamp(b.getEast(), -180, 180)}&n=${clamp(b.getNorth(), -90, 90)}&z=${map.getZoom()}`;
    const { points } = /** @type {{ points: Point[] }} */ (await api(`/photos/api/clusters?${q}`));
    layer.clearLayers();
    for (const p of points) {
      const icon = L.divIcon({ className: p.cluster !== null ? "photos-pin cluster" : "photos-pin", html: String(p.n), iconSize: [36, 36] });
      const m = L.marker([p.lat, p.lng], { icon, keyboard: true, title: p.cluster !== null ? `${p.n} photos` : "1 photo" }).addTo(layer);
      m.on("click", async () => {
        if (p.cluster !== null) {
          const { items } = await api(`/photos/api/cluster/${p.cluster}`);
          showItems(items, `${items.length} photos here`);
        } else if (p.item) {
          openLightbox(listSequence([p.item]), 0);
        }
      });
    }
  }
  map.on("moveend", refresh);
  // The box gets its height when photos.css arrives (loaded by photos.js) and on resizes: Leaflet measures again,
  // and its moveend asks for the pins of the real viewport.
  new ResizeObserver(() => map.invalidateSize()).observe(box);
  refresh();
}
