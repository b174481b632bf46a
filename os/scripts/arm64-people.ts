// The People indexer's detector on one photo, for os/scripts/arm64-check.sh: `detect <photo> <out.json>` runs the
// detector of the app in the current directory (the arm64 bundle under qemu-user, or the checkout on this machine)
// and writes what it found; `compare <x86.json> <arm64.json>` says whether the two agree: the same faces and objects,
// boxes within 0.001 of the picture, embeddings with a cosine ≥ 0.999 (issue 25 measured them bit-identical).
import { join } from "node:path";

const [mode, a, b] = process.argv.slice(2);
/** [x, y, width, height], fractions of the picture (app/people/model.ts). */
type Box = [number, number, number, number];
type Found = { faces: { box: Box; embedding: number[] }[]; objects: { label: string; box: Box }[] };

if (mode === "detect" && a && b) {
  const { detect } = (await import(join(process.cwd(), "app/people/detect.ts"))) as {
    detect: (input: string, crop: (i: number) => string) => Promise<Found>;
  };
  const started = performance.now();
  const found = await detect(a, (i) => `${b}.crop${i}.webp`);
  await Bun.write(b, JSON.stringify(found));
  console.log(`${found.faces.length} faces, ${found.objects.map((o) => o.label).join(" ") || "no objects"} in ${Math.round(performance.now() - started)} ms`);
  process.exit(0);
} else if (mode === "compare" && a && b) {
  const [x, y] = (await Promise.all([Bun.file(a).json(), Bun.file(b).json()])) as [Found, Found];
  const near = (p: Box, q: Box) => p.every((v, i) => Math.abs(v - q[i]!) <= 0.001);
  const cosine = (p: number[], q: number[]) => {
    let dot = 0;
    let np = 0;
    let nq = 0;
    for (let i = 0; i < p.length; i++) [dot, np, nq] = [dot + p[i]! * q[i]!, np + p[i]! ** 2, nq + q[i]! ** 2];
    return dot / Math.sqrt(np * nq);
  };
  const problems: string[] = [];
  if (x.faces.length !== y.faces.length) problems.push(`faces ${x.faces.length} vs ${y.faces.length}`);
  x.faces.forEach((f, i) => {
    const g = y.faces[i];
    if (!g) return;
    if (!near(f.box, g.box)) problems.push(`face ${i} box differs`);
    const c = cosine(f.embedding, g.embedding);
    if (!(c >= 0.999)) problems.push(`face ${i} embedding cosine ${c.toFixed(4)}`);
  });
  const labels = (f: Found) => f.objects.map((o) => o.label).join(" ");
  if (labels(x) !== labels(y)) problems.push(`objects "${labels(x)}" vs "${labels(y)}"`);
  const identical = (await Bun.file(a).text()) === (await Bun.file(b).text());
  console.log(problems.length ? `differ: ${problems.join("; ")}` : `agree: ${x.faces.length} faces, objects "${labels(x)}"${identical ? ", bit-identical" : ""}`);
  process.exit(problems.length ? 1 : 0);
} else {
  console.error("usage: bun os/scripts/arm64-people.ts detect <photo> <out.json> | compare <a.json> <b.json>");
  process.exit(2);
}
