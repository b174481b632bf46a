import sharp from "sharp";
const f = "test/fixtures/photos/damaged/corrupted.jpg";
console.log(await sharp(f, { failOn: "none" }).raw().toBuffer({ resolveWithObject: true }).then((x) => `ok ${x.info.width}x${x.info.height}`, (e) => `ERR ${e}`));
console.log(await sharp(f, { failOn: "none", sequentialRead: false }).resize(1440).raw().toBuffer({ resolveWithObject: true }).then((x) => `ok ${x.info.width}x${x.info.height}`, (e) => `ERR ${e}`));
console.log(await sharp(f, { failOn: "none" }).resize(1440).jpeg().toBuffer({ resolveWithObject: true }).then((x) => `ok ${x.info.width}x${x.info.height}`, (e) => `ERR ${e}`));
console.log(sharp.versions);
