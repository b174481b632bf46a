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
  ...["layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"].map((f): [string, string] => [
    `leaflet/dist/images/${f}`,
    `leaflet/images/${f}`,
  ]),
];
for (const dir of ["pdfjs", "photoswipe", "leaflet/images"]) mkdirSync(join(out, dir), { recursive: true });
for (const [from, to] of assets) copyFileSync(join(root, "node_modules", from), join(out, to));

// justified-layout ships CommonJS only: bundled once into an ES module the Photos page imports.
const justified = await Bun.build({ entrypoints: [join(root, "node_modules/justified-layout/lib/index.js")], format: "esm", minify: true, target: "browser" });
if (!justified.success) throw new Error(`justified-layout bundle failed: ${justified.logs.join("\n")}`);
await Bun.write(join(out, "justified-layout.mjs"), justified.outputs[0]!);

const svg = readFileSync(join(root, "views/static/icons/icon.svg"));
for (const size of [192, 512]) {
  await sharp(svg, { density: 300 })
    .resize(size, size)
    .png()
    .toFile(join(out, `icon-${size}.png`));
}
console.log(`vendored ${assets.length} scripts and icons into ${out}`);
