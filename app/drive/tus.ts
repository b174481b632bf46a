// tus 1.0 resumable uploads (@tus/server + @tus/file-store) bound to Drive: the first request is checked
// (name, destination, declared length vs quota and free disk), each later request must come from the owner,
// and the finished file goes through the same hash → fsync → rename → row path as every other upload.
import type { Server } from "@tus/server";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { User } from "../db/schema";
import type { DriveService } from "./service";
import { isDiskFull, safePath } from "./storage";
import { AppError } from "../errors";

export const TUS_PATH = "/api/v1/uploads";
const DAY = 86_400_000;

type TusError = { status_code: number; body: string };
const tusError = (e: unknown): TusError => {
  if (e instanceof AppError || e instanceof AppError) return { status_code: e.status, body: `${e.message}\n` };
  if (isDiskFull(e)) return { status_code: 507, body: "The disk is full: the upload was not stored.\n" };
  throw e;
};

export function createTusUploads(deps: { drive: DriveService; dataDir: string }) {
  const { drive } = deps;
  const directory = join(deps.dataDir, "uploads");
  mkdirSync(directory, { recursive: true });
  /** The user each in-flight request belongs to; the route sets it before handing the request to tus. */
  const owners = new WeakMap<Request, User>();
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
      datastore: new FileStore({ directory, expirationPeriodInMilliseconds: 7 * DAY }),
      namingFunction: () => randomBytes(16).toString("hex"),
      async onUploadCreate(req, upload) {
        const user = ownerOf(req);
        const m = upload.metadata ?? {};
        if (upload.size === undefined || upload.sizeIsDeferred) throw { status_code: 400, body: "Declare the upload's length (Upload-Length).\n" } satisfies TusError;
        try {
          drive.beginResumable(user, upload.id, {
            name: m.filename ?? m.name ?? "",
            parentId: m.parentId || undefined,
            relativePath: m.relativePath ? m.relativePath.split("/").filter(Boolean) : undefined,
            length: upload.size,
            conflict: m.conflict === "replace" ? "replace" : "rename",
          });
        } catch (e) {
          throw tusError(e);
        }
        return {};
      },
      async onUploadFinish(req, upload) {
        const user = ownerOf(req);
        try {
          const file = await drive.finishResumable(user, upload.id, safePath(directory, upload.id));
          return { headers: { "X-Drive-File-Id": file.id } };
        } catch (e) {
          throw tusError(e);
        } finally {
          rmSync(safePath(directory, `${upload.id}.json`), { force: true });
        }
      },
      onResponseError: (_req, err) => (err instanceof Error ? (isDiskFull(err) ? tusError(err) : undefined) : undefined),
    });
    tus.on(EVENTS.POST_TERMINATE, (_req: Request, _res: Response, id: string) => drive.forgetResumable(id));
    return tus;
  }

  return {
    /** Hands a request to tus after checking that an existing upload belongs to `user`. */
    async handle(request: Request, user: User, uploadId: string | undefined): Promise<Response> {
      if (uploadId) {
        if (!/^[0-9a-f]{32}$/.test(uploadId)) throw new AppError(404, "This upload does not exist or you cannot see it.");
        drive.resumableFor(user, uploadId);
      }
      owners.set(request, user);
      return (await tusServer()).handleWeb(request);
    },
    /** Drops uploads nobody resumed for a week (rows and partial files). */
    async sweep() {
      if (readdirSync(directory).length > 0) await (await tusServer()).cleanUpExpiredUploads().catch(() => 0);
      for (const up of drive.staleUploads(7 * DAY)) {
        rmSync(safePath(directory, up.id), { force: true });
        rmSync(safePath(directory, `${up.id}.json`), { force: true });
        drive.forgetResumable(up.id);
      }
    },
  };
}

export type TusUploads = ReturnType<typeof createTusUploads>;
