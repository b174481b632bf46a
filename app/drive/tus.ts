// tus 1.0 resumable uploads (@tus/server + @tus/file-store) bound to Drive: the first request is checked
// (name, destination, declared length vs quota and free disk), each later request must come from the owner,
// and the finished file goes through the same hash → fsync → rename → row path as every other upload.
import type { Server } from "@tus/server";
import { mkdirSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import type { User } from "../platform/db/schema";
import type { DriveService } from "./service";
import { AppError, isDiskFull, userFacing } from "../platform/errors";
import { dataPaths, safePath } from "../platform/paths";

export const TUS_PATH = "/api/v1/uploads";
const DAY = 86_400_000;

type TusError = { status_code: number; body: string };
const tusError = (e: unknown): TusError => {
  const known = userFacing(e);
  if (known) return { status_code: known.status, body: `${known.message}\n` };
  throw e;
};

export function createTusUploads(deps: { drive: DriveService; dataDir: string }) {
  const { drive } = deps;
  const directory = dataPaths(deps.dataDir).driveUploads;
  mkdirSync(directory, { recursive: true });
  /** The user each in-flight request belongs to; the route sets it before handing the request to tus. */
  const owners = new WeakMap<Request, User>();
  /** The upload a creation request made, so a refused creation-with-upload can be undone (its client never got a Location). */
  const createdBy = new WeakMap<Request, string>();
  const ownerOf = (req: Request) => {
    const user = owners.get(req);
    if (!user) throw { status_code: 401, body: "Please sign in.\n" } satisfies TusError;
    return user;
  };

  // tus and its file store are loaded on the first resumable upload: the idle web process stays small.
  let server: Promise<Server> | null = null;
  const tusServer = () => (server ??= createServer());
  async function createServer() {
    const [{ EVENTS, Server }, { FileStore }] = await Promise.all([import("@tus/server"), import("@tus/file-store")]);
    const tus = new Server({
      path: TUS_PATH,
      relativeLocation: true,
      // No tus expiration: it re-reads a finished upload after onUploadFinish adopted its file (a creation-with-upload
      // of a whole file then answered 404). Uploads nobody resumes are dropped by sweep() from our own rows.
      datastore: new FileStore({ directory }),
      namingFunction: () => randomBytes(16).toString("hex"),
      async onUploadCreate(req, upload) {
        const user = ownerOf(req);
        const m = upload.metadata ?? {};
        if (upload.size === undefined || upload.sizeIsDeferred)
          throw { status_code: 400, body: "Declare the upload's length (Upload-Length).\n" } satisfies TusError;
        try {
          drive.beginResumable(user, upload.id, {
            name: m.filename ?? m.name ?? "",
            parentId: m.parentId || undefined,
            relativePath: m.relativePath ? m.relativePath.split("/").filter(Boolean) : undefined,
            length: upload.size,
            sha256: m.sha256 || undefined,
            conflict: m.conflict === "replace" ? "replace" : "rename",
          });
        } catch (e) {
          throw tusError(e);
        }
        createdBy.set(req, upload.id);
        return {};
      },
      async onUploadFinish(req, upload) {
        const user = ownerOf(req);
        try {
          const file = await drive.finishResumable(user, upload.id, safePath(directory, upload.id), upload.metadata?.sha256 || undefined);
          return { headers: { "X-Drive-File-Id": file.id } };
        } catch (e) {
          throw tusError(e);
        } finally {
          rmSync(safePath(directory, `${upload.id}.json`), { force: true });
        }
      },
      onResponseError: (_req, err) => (err instanceof Error && isDiskFull(err) ? tusError(err) : undefined),
    });
    tus.on(EVENTS.POST_TERMINATE, (_req: Request, _res: Response, id: string) => drive.forgetResumable(id));
    return tus;
  }

  /** Removes an upload: its partial file, tus's metadata file and the row that reserves its length against the quota. */
  const forget = (id: string) => {
    rmSync(safePath(directory, id), { force: true });
    rmSync(safePath(directory, `${id}.json`), { force: true });
    drive.forgetResumable(id);
  };

  return {
    /** Hands a request to tus after checking that an existing upload belongs to `user`. */
    async handle(request: Request, user: User, uploadId: string | undefined): Promise<Response> {
      if (uploadId) {
        if (!/^[0-9a-f]{32}$/.test(uploadId)) throw new AppError(404, "This upload does not exist or you cannot see it.");
        drive.resumableFor(user, uploadId);
      }
      owners.set(request, user);
      const response = await (await tusServer()).handleWeb(request);
      const created = createdBy.get(request);
      if (created && response.status >= 400) forget(created);
      return response;
    },
    /** Drops uploads nobody resumed for a week (rows and partial files). */
    sweep() {
      for (const up of drive.staleUploads(7 * DAY)) forget(up.id);
    },
  };
}

export type TusUploads = ReturnType<typeof createTusUploads>;
