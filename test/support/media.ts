// Test helpers for the media pipeline: a real app (temp SQLite, temp data dir), the real pipeline in process.
import { join } from "node:path";
import { runCommand, type Runner } from "../../hw/run";
import type { User } from "../../app/platform/db/schema";
import { createTestApp } from "./app";
import { createMediaPipeline } from "../../app/media/pipeline";
import { createMediaRepo } from "../../app/media/repo";
import { SOFTWARE_ENCODER, type Encoder } from "../../app/media/video";
import { systemClock } from "../../app/platform/clock";
import { createJobRunner } from "../../app/platform/queue/runner";
import { createAlbumRepo } from "../../app/photos/album-repo";
import { photosContext, type PhotosDeps } from "../../app/photos/context";
import { createMemoryRepo } from "../../app/photos/memory-repo";
import { createPartnerRepo } from "../../app/photos/partner-repo";
import { createPhotosRepo } from "../../app/photos/repo";
import { cleanContent } from "../../app/share/clean";

export const FIXTURES = join(import.meta.dir, "../fixtures/photos");

/** `lanes`: media jobs run side by side, as the worker's NAS_MEDIA_WORKERS lanes do (benchmarks); tests keep one. */
export function mediaTestApp(opts: { run?: Runner; encoder?: Encoder; lanes?: number } = {}) {
  const t = createTestApp();
  const encoder = opts.encoder ?? SOFTWARE_ENCODER;
  const pipeline = createMediaPipeline({
    db: t.db,
    dataDir: t.dataDir,
    run: opts.run ?? runCommand,
    encoder: () => encoder,
    softwareEncoder: SOFTWARE_ENCODER,
    log: () => {},
    now: systemClock,
  });
  const repo = createMediaRepo(t.db);
  const runners = Array.from({ length: opts.lanes ?? 1 }, () =>
    createJobRunner({ queue: t.services.jobs, handlers: { "media.process": pipeline.handler }, log: () => {} }),
  );
  return {
    ...t,
    /** Also ends the pipeline's imaging process (it would end by itself once idle). */
    cleanup: () => {
      pipeline.stop();
      t.cleanup();
    },
    /** Stores a file in `user`'s Drive as an upload does (which queues its media job). */
    upload: (user: User, path: string, name = path.split("/").at(-1)!) =>
      t.services.drive.upload(user, { name, conflict: "rename" }, Bun.file(path).stream() as unknown as AsyncIterable<Uint8Array>),
    /** Runs queued media jobs until none is left; returns how many ran. */
    async drain() {
      let n = 0;
      await Promise.all(
        runners.map(async (runner) => {
          while (await runner.runOnce()) n++;
        }),
      );
      return n;
    },
    /** The imaging process's id while one runs (its memory is the pipeline's). */
    imagingPid: () => pipeline.imagingPid(),
    /** The media row of one of `user`'s contents. */
    row: (user: User, sha256: string | null) => (sha256 ? repo.get(user.id, sha256) : undefined),
  };
}

/**
 * Photos' context over a test app's database with a clock of the test's choosing (memories are "by the box's clock");
 * `deps` replaces a part (e.g. a repo that counts its reads).
 */
export function photosContextAt(t: ReturnType<typeof mediaTestApp>, day: Date | (() => Date), deps: Partial<PhotosDeps> = {}) {
  return photosContext({
    repo: createPhotosRepo(t.db),
    albums: createAlbumRepo(t.db),
    memories: createMemoryRepo(t.db),
    partners: createPartnerRepo(t.db),
    drive: t.services.drive,
    access: t.services.access,
    userById: t.services.auth.users.byId,
    userByName: t.services.auth.users.byName,
    withoutPlace: cleanContent,
    now: typeof day === "function" ? day : () => day,
    ...deps,
  });
}
