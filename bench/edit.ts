// Photo edits (app/photos/edit): an edit rendered for the preview — the 12 MP original decoded at the scale the
// preview needs, turned a quarter and straightened 3° (one libvips pass), cropped to 80 %, coloured, then the 1440-px
// preview, the grid thumbnail and the ThumbHash written; and the same without straighten (a quarter turn alone takes
// a second pass) — against the pipeline's own preview of the same photo without an edit
// (thumbnailsOfImage: one decode, the same two files and ThumbHash) in the same process, rounds alternating
// (pipeline, edit, pipeline, edit…). Also timed: the whole edit job's child process (start, preview, thumbnail and
// the full-size 12 MP JPEG for downloads), which the worker runs in the background.
// Run: bun bench/edit.ts   Env: EDIT_ROUNDS (5), EDIT_PER_ROUND (4 renders of each a round).
import { loadavg, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runCommand } from "../hw/run";
import { thumbnailsOfImage } from "../app/media/image";
import { UNEDITED, type EditParams } from "../app/photos/edit/params";
import { openSource, renderForPreview } from "../app/photos/edit/render";
import { variedSet } from "../test/support/varied";

const ROUNDS = Number(process.env.EDIT_ROUNDS ?? 5);
const PER_ROUND = Number(process.env.EDIT_PER_ROUND ?? 4);
const work = mkdtempSync(join(tmpdir(), "edit-bench-"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
const ms = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

const EDIT: EditParams = {
  ...UNEDITED,
  rotate: 90,
  straighten: 3,
  crop: { x: 0.1, y: 0.1, w: 0.8, h: 0.8 },
  brightness: 15,
  contrast: 10,
  saturation: 20,
  warmth: 25,
};
const QUARTER: EditParams = { ...EDIT, straighten: 0 };

try {
  const [photo] = await variedSet(join(work, "set"), 1, [[4000, 3000]]);
  const out = { thumb: join(work, "t.webp"), preview: join(work, "p.jpg") };
  // Warm-up: sharp loaded, the file in the page cache, as a running worker has them.
  await thumbnailsOfImage(photo!, out);
  await renderForPreview(await openSource(photo!, "image"), EDIT, out);
  await renderForPreview(await openSource(photo!, "image"), QUARTER, out);
  const base: number[] = [];
  const edit: number[] = [];
  const quarter: number[] = [];
  const ratios: number[] = [];
  const loads: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    loads.push(loadavg()[0]!);
    let b = 0;
    for (let i = 0; i < PER_ROUND; i++) b += await ms(() => thumbnailsOfImage(photo!, out));
    let e = 0;
    for (let i = 0; i < PER_ROUND; i++) e += await ms(async () => renderForPreview(await openSource(photo!, "image"), EDIT, out));
    let q = 0;
    for (let i = 0; i < PER_ROUND; i++) q += await ms(async () => renderForPreview(await openSource(photo!, "image"), QUARTER, out));
    base.push(b / PER_ROUND);
    edit.push(e / PER_ROUND);
    quarter.push(q / PER_ROUND);
    ratios.push(e / b);
    console.log(
      `round ${r + 1}: pipeline preview ${(b / PER_ROUND).toFixed(0)} ms, edit ${(e / PER_ROUND).toFixed(0)} ms, quarter turn ${(q / PER_ROUND).toFixed(0)} ms (load ${loadavg()[0]!.toFixed(1)})`,
    );
  }
  const job: number[] = [];
  for (let r = 0; r < 3; r++) {
    job.push(
      await ms(async () => {
        const res = await runCommand(
          [
            process.execPath,
            join(import.meta.dir, "../app/photos/edit/render.ts"),
            photo!,
            "image",
            JSON.stringify(EDIT),
            out.thumb,
            out.preview,
            join(work, "full.jpg"),
          ],
          { timeoutMs: 120_000 },
        );
        if (res.code !== 0) throw new Error(res.stderr);
      }),
    );
  }
  console.log(
    `\n12 MP (4000 × 3000) JPEG, ${ROUNDS} rounds × ${PER_ROUND}, load ${spread(loads.map((l) => l * 10)).replace(/(\d+)/g, (d) => (Number(d) / 10).toFixed(1))}`,
  );
  console.log(`edit rendered for the preview: median ${median(edit).toFixed(0)} ms (rounds ${spread(edit)}), target ≤ 300 ms`);
  console.log(`the same without straighten (a quarter turn: two passes): median ${median(quarter).toFixed(0)} ms (rounds ${spread(quarter)})`);
  console.log(`pipeline's preview of the unedited photo: median ${median(base).toFixed(0)} ms (rounds ${spread(base)})`);
  console.log(`edit / pipeline: median ${median(ratios).toFixed(2)}× (rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
  console.log(`the whole edit job's child (start, preview, thumbnail, full-size JPEG): median ${median(job).toFixed(0)} ms (${spread(job)})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
