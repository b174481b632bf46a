// A photo's edit, web side: who may edit (the access policy's `file.edit`: the owner alone), the record, the job that
// renders it, revert, and which file a download or a link serves. Never decodes anything (render.ts does, in the worker).
import { existsSync, statSync } from "node:fs";
import type { Clock } from "../../platform/clock";
import type { DriveFile, User } from "../../platform/db/schema";
import { AppError } from "../../platform/errors";
import type { JobQueue } from "../../platform/queue/queue";
import type { DriveService } from "../../drive/service";
import type { EditJobPayloads } from "./jobs";
import { editFiles, removeEditFiles } from "./files";
import { isUnedited, parseEdit, UNEDITED, type EditParams } from "./params";
import type { EditRepo } from "./repo";

export type EditDeps = {
  repo: EditRepo;
  drive: DriveService;
  jobs: JobQueue<EditJobPayloads>;
  dataDir: string;
  /** A person's name by id (who saved the edit). */
  userName: (id: string) => string | undefined;
  now: Clock;
};

/** What the edit mode shows: the saved parameters (or none), who saved them when, and how the render went. */
export type EditState = {
  params: EditParams;
  edited: boolean;
  editedBy: string | null;
  editedAt: string | null;
  /** The saved revision is rendered: the thumbnail, preview and downloads show it. */
  rendered: boolean;
  /** What the grid shows now: the rendered revision (null: the original) and its size. */
  shown: { revision: number; width: number; height: number } | null;
  error: string | null;
  /** The original's upright size: the edit mode draws the crop over it. */
  width: number;
  height: number;
};

export function createPhotoEdits(deps: EditDeps) {
  const { repo } = deps;

  /** The photo `user` may edit, by its Drive file id: another person's id is a 404, as everywhere in Photos. */
  function editable(user: User, id: string) {
    const file = deps.drive.itemFor(user, id, "file.edit");
    const media = file.kind === "file" && file.sha256 ? repo.mediaOf(file.userId, file.sha256) : null;
    if (!media) throw new AppError(404, "This photo does not exist or you cannot see it.");
    return { file: file as DriveFile & { sha256: string }, media };
  }

  return {
    state(user: User, id: string): EditState {
      const { file } = editable(user, id);
      const e = repo.get(file.userId, file.sha256);
      const size = repo.sizeOf(file.userId, file.sha256);
      return {
        params: e ? (JSON.parse(e.params) as EditParams) : UNEDITED,
        edited: !!e,
        editedBy: e ? (deps.userName(e.editedBy) ?? null) : null,
        editedAt: e ? e.editedAt.toISOString() : null,
        rendered: !!e && e.renderedRevision === e.revision,
        shown: e?.renderedRevision && e.width && e.height ? { revision: e.renderedRevision, width: e.width, height: e.height } : null,
        error: e?.error ?? null,
        width: size.width,
        height: size.height,
      };
    },
    /**
     * Saves the edit (parameters checked first: a 400 names the field) and queues its render. A photo the pipeline
     * could not read cannot be edited (a 422 with its reason); saving no change at all is a revert.
     */
    save(user: User, id: string, body: unknown) {
      const { file, media } = editable(user, id);
      const params = parseEdit(body);
      if (media.kind === "video") throw new AppError(400, "Videos cannot be edited here; only photos.");
      if (media.status === "failed" || media.status === "no-preview")
        throw new AppError(422, `This photo cannot be edited: it could not be read${media.error ? ` (${media.error.replace(/\.$/, "")})` : ""}.`);
      if (media.status !== "done") throw new AppError(409, "This photo is still being processed; edit it in a moment.");
      if (isUnedited(params)) return this.revert(user, id);
      repo.transaction(() => {
        repo.save(file.userId, file.sha256, params, user.id, deps.now());
        deps.jobs.enqueue("photos.edit", { userId: file.userId, sha256: file.sha256 });
      });
      return this.state(user, id);
    },
    /** Back to the original: the record and the rendered files go; the original's own derivatives show again. */
    revert(user: User, id: string) {
      const { file } = editable(user, id);
      repo.remove(file.userId, file.sha256);
      removeEditFiles(deps.dataDir, file.userId, file.sha256);
      return this.state(user, id);
    },
    /**
     * The edited full-size JPEG of a file the caller may read (Drive's `itemFor` or a link decided that), when its
     * edit is rendered; undefined for an unedited photo (the original is served).
     */
    editedOriginal(file: DriveFile): { file: DriveFile; path: string } | undefined {
      if (!file.sha256) return undefined;
      const path = editFiles(deps.dataDir, file.userId, file.sha256).full;
      const edit = repo.get(file.userId, file.sha256);
      if (!edit?.renderedRevision || !existsSync(path)) return undefined;
      // Its own name, type and ETag: a download of the edit is a JPEG beside the original, never mistaken for it.
      const name = `${file.name.replace(/\.[^.]*$/, "")}-edited.jpg`;
      return { file: { ...file, name, mime: "image/jpeg", size: statSync(path).size, sha256: `${file.sha256}-edit-${edit.renderedRevision}` }, path };
    },
  };
}

export type PhotoEdits = ReturnType<typeof createPhotoEdits>;
