import { readPhotoMetadata } from "../app/media/metadata";
import { readdirSync } from "node:fs";
const dirs = ["test/fixtures/photos/made", "test/fixtures/photos/makernotes", "test/fixtures/photos/cameras", "test/fixtures/photos/damaged", "test/fixtures/photos/phone", "test/fixtures/photos/gps"];
for (const d of dirs) for (const f of readdirSync(d)) {
  if (/\.(json|sh|md)$/.test(f)) continue;
  const m = await readPhotoMetadata(`${d}/${f}`, new Date("2020-01-01T00:00:00Z"), f);
  const local = new Date(m.takenAt.getTime() + m.takenOffset * 60000).toISOString().slice(0, 19);
  console.log(`${d.split("/").pop()}/${f}`.padEnd(40), local, m.takenOffset, m.takenZoneKnown ? "known" : "?", m.takenSource, "|", m.model, "|", m.lens, "|", m.latitude?.toFixed(4), m.longitude?.toFixed(4));
}
