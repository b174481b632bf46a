import * as ex from "exifr";
import sharp from "sharp";
console.log(Object.keys(ex), Object.keys((ex as any).default));
const m = await sharp("test/fixtures/photos/made/helsinki-lauttasaari.webp").metadata();
console.log(JSON.stringify(await ex.default.parse(m.exif!.subarray(6), { tiff: true, exif: true, gps: true, xmp: false, reviveValues: false, mergeOutput: false }).catch(String), (k, v) => (v instanceof Uint8Array ? `<${v.length}>` : v)).slice(0, 400));
const X = (ex as any).Exifr;
const xmpText = m.xmp!.toString();
console.log(xmpText.slice(0,200));
