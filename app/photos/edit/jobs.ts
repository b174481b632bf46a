/**
 * The edit's job kind (app/platform/queue/README.md): `photos.edit` renders one photo's saved edit from its original
 * into the edited thumbnail, preview and full-size JPEG, in the worker's media lane, never in the web request.
 */
import { Type } from "@sinclair/typebox";
import type { Runner } from "../../../hw/run";
import type { Db } from "../../platform/db/client";
import { defineJobs, lazy, type PayloadsOf } from "../../platform/queue/kinds";

export const editJobKinds = {
  /** One photo's edit → its edited derivatives (the newest revision saved when it runs). */
  "photos.edit": { lane: "media", payload: Type.Object({ userId: Type.String({ minLength: 1 }), sha256: Type.String({ minLength: 1 }) }) },
} as const;

export type EditJobPayloads = PayloadsOf<typeof editJobKinds>;

export const editJobs = defineJobs(editJobKinds, (deps: { db: Db; dataDir: string; media: { run: Runner } }) => ({
  "photos.edit": lazy(async () => (await import("./rendering")).createEditRendering({ db: deps.db, dataDir: deps.dataDir, run: deps.media.run }).handler),
}));
