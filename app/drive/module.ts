import { join } from "node:path";
import type { Db } from "../db/client";
import { runCommand, type Runner } from "../../hw/run";
import { createDriveRepo } from "./repo";
import { createDriveService, type ContentListener } from "./service";
import { createStorage, type WriteFn } from "./storage";
import { createTusUploads } from "./tus";
import { APP_ROOT } from "../paths";

/** Wires Drive's repo, storage, service and tus endpoint over one database and data dir. */
export function createDrive(deps: {
  db: Db;
  dataDir: string;
  media?: ContentListener;
  trashRetentionDays: () => number;
  now?: () => Date;
  write?: WriteFn;
  run?: Runner;
}) {
  const run = deps.run ?? runCommand;
  const previewScript = join(APP_ROOT, "app/media/preview.ts");
  const runPreview = (input: string, out: string) => run([process.execPath, previewScript, input, out], { timeoutMs: 20_000 });
  const storage = createStorage({ dataDir: deps.dataDir, write: deps.write });
  const drive = createDriveService({ repo: createDriveRepo(deps.db), storage, media: deps.media, runPreview, trashRetentionDays: deps.trashRetentionDays, now: deps.now });
  const tus = createTusUploads({ drive, dataDir: deps.dataDir });
  return { drive, tus, storage };
}
