import exifr from "exifr";
import sharp from "sharp";
for (const f of process.argv.slice(2)) {
  const m = await sharp(f).metadata();
  console.log(f, m.format, m.exif ? Buffer.from(m.exif.subarray(0, 10)).toString("hex") : null, m.xmp?.length);
  if (m.exif) console.log(JSON.stringify(await exifr.parse(m.exif, { tiff: true, exif: true, gps: true, xmp: false, reviveValues: false, mergeOutput: false }).catch(String), (k, v) => (v instanceof Uint8Array ? `<${v.length}>` : v)).slice(0, 400));
  if (m.xmp) console.log(JSON.stringify(await exifr.sidecar(m.xmp, { mergeOutput: false }, "xmp").catch(String)).slice(0, 300));
}
const x = await exifr.parse("test/fixtures/photos/made/xap.jpg", { tiff: false, ifd0: false, exif: false, gps: false, interop: false, ifd1: false, makerNote: false, xmp: true, mergeOutput: false, reviveValues: false });
console.log(JSON.stringify(x));
const y = await exifr.parse("test/fixtures/photos/cameras/Nikon_D70.jpg", { tiff: false, ifd0: false, exif: false, gps: false, interop: false, ifd1: false, makerNote: false, xmp: true, mergeOutput: false, reviveValues: false, icc:false, iptc:false,jfif:false,ihdr:false });
console.log(JSON.stringify(y).slice(0,300), Object.keys(y));
