// Worker side of an edit: runs render.ts on the original in a child process and records what it made.
import { join } from "node:path";
import type { Runner } from "../../../hw/run";
import type { Db } from "../../platform/db/client";
import { createFileObjects } from "../../platform/objects";
import { APP_ROOT } from "../../platform/paths";
import type { JobHandler } from "../../platform/queue/queue";
import { oneAtATime } from "../../media/model";
import { ffmpegReason, LOW_PRIORITY } from "../../media/video";
import type { EditJobPayloads } from "./jobs";
import { editFiles, removeEditFiles } from "./files";
import { createEditRepo } from "./repo";

const SCRIPT = join(APP_ROOT, "app/photos/edit/render.ts");

export function createEditRendering(deps: { db: Db; dataDir: string; run: Runner }) {
  const repo = createEditRepo(deps.db);
  const objects = createFileObjects({ dataDir: deps.dataDir });
  // One render at a time: two saves of one photo never write its files side by side, and a 12 MP full-size render
  // (≈ 150 MB of pixels) never doubles.
  const serial = oneAtATime();

  async function render(userId: string, sha256: string, signal: AbortSignal) {
    const edit = repo.get(userId, sha256);
    const media = repo.mediaOf(userId, sha256);
    // Reverted (or purged) before its turn: whatever an earlier render left goes.
    if (!edit || !media) return removeEditFiles(deps.dataDir, userId, sha256);
    const out = editFiles(deps.dataDir, userId, sha256);
    const kind = media.kind === "raw" ? "raw" : "image";
    const r = await deps.run(
      [...LOW_PRIORITY, process.execPath, SCRIPT, objects.localPath(userId, sha256), kind, edit.params, out.thumb, out.preview, out.full],
      {
        timeoutMs: 180_000,
        maxOutputBytes: 64 * 1024,
        signal,
      },
    );
    if (r.code === 0) {
      const made = JSON.parse(r.stdout) as { width: number; height: number; thumbhash: string };
      // A revert while it rendered: the files it just wrote belong to nothing. A newer save has its own job queued.
      if (!repo.rendered(userId, sha256, edit.revision, made) && !repo.get(userId, sha256)) removeEditFiles(deps.dataDir, userId, sha256);
      return;
    }
    const reason =
      ffmpegReason(r.stderr, [objects.localPath(userId, sha256)]) || (r.timedOut ? "it took longer than 3 minutes" : `exit code ${r.code ?? r.signal}`);
    // The original's fault (undecodable): final, with the reason; the original's own thumbnail and preview show.
    if (r.code === 3) {
      removeEditFiles(deps.dataDir, userId, sha256);
      repo.failed(userId, sha256, edit.revision, reason);
      return;
    }
    throw new Error(`rendering the edit failed: ${reason}`);
  }

  const handler: JobHandler<"photos.edit", EditJobPayloads> = (job, ctx) => serial(() => render(job.payload.userId, job.payload.sha256, ctx.signal));
  return { handler };
}
