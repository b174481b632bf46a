// Resumable bundle uploads: the same tus 1.0 server Drive uses (@tus/server + @tus/file-store), into the update
// staging area of the data dir. The first request is checked (name, declared length against the free space);
// the finished file must be a RAUC bundle, then the root worker checks its signature and board.
import type { Server } from "@tus/server";
import { mkdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { randomBytes } from "node:crypto";
import { AppError, isDiskFull, userFacing } from "../platform/errors";
import type { UpdateService } from "./service";
import { dataPaths } from "../platform/paths";

export const UPDATE_TUS_PATH = "/dashboard/system/update/uploads";

type TusError = { status_code: number; body: string };
const tusError = (e: unknown): TusError => {
  const known = userFacing(e);
  if (known) return { status_code: known.status, body: `${known.message}\n` };
  throw e;
};

export function createUpdateUploads(deps: { update: UpdateService; dataDir: string }) {
  const directory = dataPaths(deps.dataDir).updateUploads;
  let server: Promise<Server> | null = null;
  const names = new Map<string, string>();
  async function createServer() {
    mkdirSync(directory, { recursive: true });
    const [{ Server }, { FileStore }] = await Promise.all([import("@tus/server"), import("@tus/file-store")]);
    return new Server({
      path: UPDATE_TUS_PATH,
      relativeLocation: true,
      datastore: new FileStore({ directory }),
      namingFunction: () => randomBytes(16).toString("hex"),
      async onUploadCreate(_req, upload) {
        if (upload.size === undefined || upload.sizeIsDeferred)
          throw { status_code: 400, body: "Declare the upload's length (Upload-Length).\n" } satisfies TusError;
        try {
          names.set(upload.id, deps.update.checkUpload(upload.metadata?.filename ?? upload.metadata?.name ?? "", upload.size));
        } catch (e) {
          throw tusError(e);
        }
        return {};
      },
      async onUploadFinish(_req, upload) {
        // After a restart of the web process the checked name is gone: the metadata's, reduced to a plain name.
        const name = names.get(upload.id) ?? basename((upload.metadata?.filename ?? "bundle.raucb").replace(/\\/g, "/")).slice(0, 200);
        try {
          const staged = deps.update.stage(join(directory, upload.id), name, "upload");
          return { headers: { "X-Bundle-Id": staged.id } };
        } catch (e) {
          throw tusError(e);
        } finally {
          names.delete(upload.id);
          rmSync(join(directory, `${upload.id}.json`), { force: true });
        }
      },
      onResponseError: (_req, err) => (err instanceof Error && isDiskFull(err) ? tusError(err) : undefined),
    });
  }
  return {
    async handle(request: Request, uploadId: string | undefined): Promise<Response> {
      if (uploadId !== undefined && !/^[0-9a-f]{32}$/.test(uploadId)) throw new AppError(404, "This upload does not exist.");
      return (await (server ??= createServer())).handleWeb(request);
    },
  };
}

export type UpdateUploads = ReturnType<typeof createUpdateUploads>;
