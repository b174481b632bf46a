// The box's own world map under Leaflet (app/maps/README.md): Natural Earth's countries and coastlines (1:50m, from
// world-atlas) and GeoNames' big cities, shipped in /static/vendor/basemap/ and coloured by photos.css for light and
// dark. Above it, when present: the owner's detailed PMTiles basemap, and OpenStreetMap's tiles if the admin allows
// them. Nothing else is fetched, and the page's CSP refuses any other host.
import { el, stylesheet } from "./dom.js";

const BASE = "/static/vendor/basemap/";
const OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const OSM_CREDIT = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
const CREDIT = '<a href="https://www.naturalearthdata.com/">Natural Earth</a> · <a href="https://www.geonames.org/">GeoNames</a>';
/** The smallest city labelled at each zoom (capitals from zoom 4); from zoom 7 every city the file has (≥ 100,000). */
const MIN_POPULATION = [8e6, 8e6, 8e6, 3e6, 1e6, 5e5, 2.5e5];
/** Natural Earth's 1:50m shapes and cities of 100,000 people carry no more detail than this (a region, its cities). */
const OFFLINE_MAX_ZOOM = 8;
/** Labels on screen at once: enough to find one's way, few enough to read. */
const MAX_LABELS = 60;

/** @type {Map<string, Promise<unknown>>} */
const scripts = new Map();
/** A vendored classic script, once. @param {string} src */
function script(src) {
  if (!scripts.has(src)) {
    scripts.set(
      src,
      new Promise((ok, fail) => {
        const s = document.createElement("script");
        s.src = src;
        s.onload = ok;
        s.onerror = () => fail(new Error(`${src} could not be loaded`));
        document.head.appendChild(s);
      }),
    );
  }
  return /** @type {Promise<unknown>} */ (scripts.get(src));
}

/** Leaflet and its stylesheet (the map page has the script already; the lightbox loads it on the first small map). */
export async function leaflet() {
  stylesheet("/static/vendor/leaflet/leaflet.css");
  if (!window.L) await script("/static/vendor/leaflet/leaflet.js");
  return window.L;
}

/** @param {string} url */
async function json(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** @typedef {{ land: object; coast: object; borders: object }} World */
/** @type {Promise<World> | null} */
let world = null;
/** @type {Promise<[string, number, number, number, number][]> | null} */
let cities = null;

/** @typedef {[number, number][]} Line */
/**
 * world-atlas stitches shapes across the antimeridian (for spherical projections): on Leaflet's flat map a ring that
 * jumps from 180° to -180° would be drawn straight across the world. Rings continue past ±180° instead (Chukotka at
 * 190°), and lines are cut at the jump.
 * @param {Line} ring
 */
function unwrap(ring) {
  let shift = 0;
  return ring.map(([lng, lat], i) => {
    if (i) {
      const step = lng - ring[i - 1][0];
      if (step > 180) shift -= 360;
      else if (step < -180) shift += 360;
    }
    return /** @type {[number, number]} */ ([lng + shift, lat]);
  });
}
/** @param {Line} line */
function cut(line) {
  /** @type {Line[]} */
  const parts = [[]];
  line.forEach((p, i) => {
    if (i && Math.abs(p[0] - line[i - 1][0]) > 180) parts.push([]);
    parts[parts.length - 1].push(p);
  });
  return parts.filter((part) => part.length > 1);
}
/** @param {any} geometry */
function flat(geometry) {
  if (geometry.type === "Polygon") geometry.coordinates = geometry.coordinates.map(unwrap);
  else if (geometry.type === "MultiPolygon") geometry.coordinates = geometry.coordinates.map((/** @type {Line[]} */ p) => p.map(unwrap));
  else if (geometry.type === "MultiLineString") geometry.coordinates = geometry.coordinates.flatMap(cut);
  return geometry;
}

/** Countries filled, coastlines (arcs of one country) and borders (arcs shared by two), as GeoJSON; read once per page. */
function worldShapes() {
  world ??= Promise.all([import(`${BASE}topojson.mjs`), json(`${BASE}countries-50m.json`)]).then(([topojson, topo]) => {
    const countries = topo.objects.countries;
    const land = topojson.feature(topo, countries);
    for (const f of land.features) flat(f.geometry);
    return {
      land,
      coast: flat(topojson.mesh(topo, countries, (/** @type {unknown} */ a, /** @type {unknown} */ b) => a === b)),
      borders: flat(topojson.mesh(topo, countries, (/** @type {unknown} */ a, /** @type {unknown} */ b) => a !== b)),
    };
  });
  return world;
}

/** [name, lat, lng, population, capital], largest first (scripts/vendor.ts). */
const cityList = () => (cities ??= json(`${BASE}cities.json`));

/**
 * Labels the biggest cities in view, largest first, skipping any that would overlap one already placed.
 * @param {any} L @param {any} map @param {any} layer @param {[string, number, number, number, number][]} list
 */
function labelCities(L, map, layer, list) {
  layer.clearLayers();
  const z = Math.round(map.getZoom());
  const min = MIN_POPULATION[z] ?? 1e5;
  const view = map.getBounds().pad(0.1);
  /** @type {number[][]} */
  const taken = [];
  for (const [name, lat, lng, population, capital] of list) {
    if (population < min && !(capital && z >= 4)) continue;
    if (!view.contains([lat, lng])) continue;
    const p = map.latLngToContainerPoint([lat, lng]);
    const box = [p.x - 4, p.y - 9, p.x + 12 + name.length * 7, p.y + 9];
    if (taken.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) continue;
    taken.push(box);
    const icon = L.divIcon({ className: capital ? "basemap-city capital" : "basemap-city", html: el("span", null, name), iconSize: null, iconAnchor: [4, 9] });
    layer.addLayer(L.marker([lat, lng], { icon, interactive: false, keyboard: false, pane: "basemap-labels" }));
    if (taken.length >= MAX_LABELS) break;
  }
}

const dark = () => window.matchMedia("(prefers-color-scheme: dark)").matches;

/**
 * The owner's PMTiles file (/maps/detail.pmtiles, read in ranges): vector tiles through protomaps-leaflet in the
 * page's colour scheme, raster tiles through pmtiles' own Leaflet layer. Resolves to its deepest zoom.
 * @param {any} map
 */
async function detailLayer(map) {
  await script(`${BASE}pmtiles.js`);
  const { PMTiles, TileType, leafletRasterLayer } = window.pmtiles;
  const source = new PMTiles("/maps/detail.pmtiles");
  const header = await source.getHeader();
  // The archive's own credit (Protomaps' builds name OpenStreetMap's contributors), as plain text: the file is the
  // owner's, its markup is not trusted into the page.
  const meta = /** @type {{ attribution?: unknown } | null} */ (await source.getMetadata().catch(() => null));
  const credit = typeof meta?.attribution === "string" ? new DOMParser().parseFromString(meta.attribution, "text/html").body.textContent?.trim() : "";
  const attribution = el("span", null, credit || "Detailed map: the owner's file").outerHTML;
  if (header.tileType === TileType.Mvt) {
    await script(`${BASE}protomaps-leaflet.js`);
    window.protomapsL
      .leafletLayer({ url: "/maps/detail.pmtiles", flavor: dark() ? "dark" : "light", lang: "en", maxDataZoom: header.maxZoom, attribution })
      .addTo(map);
  } else if ([TileType.Png, TileType.Jpeg, TileType.Webp, TileType.Avif].includes(header.tileType)) {
    leafletRasterLayer(source, { maxNativeZoom: header.maxZoom, attribution }).addTo(map);
  } else {
    throw new Error(`its tiles are of a kind this map cannot draw (PMTiles tile type ${header.tileType})`);
  }
  return /** @type {number} */ (header.maxZoom);
}

/**
 * Draws the basemap under `map`'s own layers. Resolves to OpenStreetMap's tile layer when `online`, else null.
 * @param {any} L @param {any} map
 * @param {{ online?: boolean; detail?: boolean }} [sources]
 */
export async function basemap(L, map, sources = {}) {
  map.getContainer().classList.add("basemap");
  // Under Leaflet's tile pane (200): the owner's and OpenStreetMap's tiles, when drawn, cover the shapes and labels.
  map.createPane("basemap").style.zIndex = "150";
  map.createPane("basemap-labels").style.zIndex = "160";
  map.attributionControl?.addAttribution(CREDIT);
  map.setMaxZoom(sources.online ? 19 : OFFLINE_MAX_ZOOM);
  const [shapes, list] = await Promise.all([worldShapes(), cityList()]);
  const renderer = L.svg({ pane: "basemap" });
  for (const [shape, className] of /** @type {const} */ ([
    [shapes.land, "basemap-land"],
    [shapes.coast, "basemap-coast"],
    [shapes.borders, "basemap-border"],
  ])) {
    L.geoJSON(shape, { renderer, pane: "basemap", interactive: false, className }).addTo(map);
  }
  const labels = L.layerGroup().addTo(map);
  const relabel = () => labelCities(L, map, labels, list);
  map.on("moveend", relabel);
  relabel();
  if (sources.detail) {
    try {
      const deepest = await detailLayer(map);
      if (!sources.online) map.setMaxZoom(Math.max(OFFLINE_MAX_ZOOM, deepest + 2));
    } catch (e) {
      // A damaged or unreadable file: the world map stays, and the console says why.
      console.warn(`The detailed map could not be drawn: ${e instanceof Error ? e.message : e}`);
    }
  }
  return sources.online ? L.tileLayer(OSM, { maxZoom: 19, attribution: OSM_CREDIT, className: "basemap-osm" }).addTo(map) : null;
}

/** @type {any} */
let small = null;
/**
 * The info panel's small map of where a photo was taken (its `box` carries data-lat, data-lng, data-detail): the
 * box's own basemap only, never online tiles, so looking through photos tells no one where they were taken.
 * @param {HTMLElement} box
 */
export async function smallMap(box) {
  const L = await leaflet();
  small?.remove(); // the previous photo's map, with its listeners
  const at = [Number(box.dataset.lat), Number(box.dataset.lng)];
  const map = L.map(box, {
    zoomControl: false,
    dragging: false,
    scrollWheelZoom: false,
    doubleClickZoom: false,
    touchZoom: false,
    boxZoom: false,
    keyboard: false,
  }).setView(at, 6);
  small = map;
  map.attributionControl.setPrefix(false);
  L.circleMarker(at, { radius: 6, className: "basemap-here", interactive: false }).addTo(map);
  await basemap(L, map, { detail: box.dataset.detail === "1" });
}
