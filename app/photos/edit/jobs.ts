/**
 * The edit's job kind (app/platform/queue/README.md): `photos.edit` renders one photo's saved edit from its original
 * into the edited thumbnail, preview and full-size JPEG, in the worker's media lane, never in the web request.
 */
import { existsSync } from "node:fs";
import { Type } from "@sinclair/typebox";
import type { Runner } from "../../../hw/run";
import type { Db } from "../../platform/db/client";
import { defineJobs, lazy, type PayloadsOf } from "../../platform/queue/kinds";
import type { JobQueue } from "../../platform/queue/queue";

export const editJobKinds = {
  /** One photo's edit → its edited derivatives (the newest revision saved when it runs). */
  "photos.edit": { lane: "media", payload: Type.Object({ userId: Type.String({ minLength: 1 }), sha256: Type.String({ minLength: 1 }) }) },
  /**
   * Rendered edits whose files are gone (they live with the pipeline's cache under thumbs/, which a restore or a
   * cleanup may leave out) are rendered again: at the worker's start and hourly.
   */
  "photos.edit.check": { lane: "housekeeping", payload: Type.Object({}), every: 3600_000, atStart: true },
} as const;

export type EditJobPayloads = PayloadsOf<typeof editJobKinds>;

export const editJobs = defineJobs(editJobKinds, (deps: { db: Db; dataDir: string; media: { run: Runner }; queue: JobQueue<EditJobPayloads> }) => ({
  "photos.edit": lazy(async () => (await import("./rendering")).createEditRendering({ db: deps.db, dataDir: deps.dataDir, run: deps.media.run }).handler),
  "photos.edit.check": lazy(async () => {
    const [{ createEditRepo }, { editFiles }] = await Promise.all([import("./repo"), import("./files")]);
    const repo = createEditRepo(deps.db);
    return async (_job, ctx) => {
      const missing = repo.renderedAll().filter((e) => !existsSync(editFiles(deps.dataDir, e.userId, e.sha256).full));
      for (const e of missing) deps.queue.enqueue("photos.edit", { userId: e.userId, sha256: e.sha256 });
      if (missing.length) ctx.log(`queued ${missing.length} photo edits whose rendered files were missing`);
    };
  }),
}));
