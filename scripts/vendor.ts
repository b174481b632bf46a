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
];
mkdirSync(join(out, "pdfjs"), { recursive: true });
for (const [from, to] of assets) copyFileSync(join(root, "node_modules", from), join(out, to));

const svg = readFileSync(join(root, "views/static/icons/icon.svg"));
for (const size of [192, 512]) {
  await sharp(svg, { density: 300 }).resize(size, size).png().toFile(join(out, `icon-${size}.png`));
}
console.log(`vendored ${assets.length} scripts and icons into ${out}`);
