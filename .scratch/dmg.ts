import sharp from "sharp";
for (const f of process.argv.slice(2)) {
  for (const failOn of ["warning", "truncated", "error", "none"] as const) {
    const r = await sharp(f, { failOn }).rotate().resize(1440, 1440, { fit: "inside" }).raw().toBuffer({ resolveWithObject: true }).then((x) => `ok ${x.info.width}x${x.info.height}`, (e) => `ERR ${String(e).slice(0, 100)}`);
    console.log(f.split("/").slice(-2).join("/"), failOn, r);
  }
}
