// The imaging process: the worker's photo work (sharp, exifr, the city table: app/media/photo.ts) in a child that
// the worker starts on the first photo of a batch and that exits once idle. libvips' thread pools and malloc arenas,
// the JS heap grown by a batch and the city table then go back to the system as a whole, so the worker returns to
// its idle size minutes earlier than a long-lived process would shrink (bench/media.ts measures both). A decoder crash
// on a hostile file ends this process, not the worker.
import { join } from "node:path";
import { runCommand } from "../../hw/run";
import { APP_ROOT, type DerivativePaths } from "../platform/paths";
import { log } from "../platform/log";
import { MediaFileError } from "./image";
import type { PhotoFacts, PhotoRequest } from "./photo";

/** The imaging process ends this long after its last answer (a batch's photos arrive back to back). */
export const IMAGING_IDLE_MS = 10_000;

type Message =
  | { op: "photo"; req: PhotoRequest }
  | { op: "still"; input: string; out: DerivativePaths; latitude: number | null; longitude: number | null }
  /** The perceptual hash of a stored preview: Photos' backfill for rows made before the pipeline hashed (app/photos/jobs.ts). */
  | { op: "phash"; input: string };
type Request = { id: number } & Message;
type Reply = { id: number; facts?: PhotoFacts; error?: string; fileFault?: boolean };
/** The imaging process ended while it owed answers; `idle`: it was its own idle exit, racing a new request. */
class ImagingGone extends Error {
  constructor(
    message: string,
    readonly idle: boolean,
  ) {
    super(message);
  }
}

const SCRIPT = join(APP_ROOT, "app/media/imaging.ts");
/**
 * glibc's malloc for libvips' threads: two arenas instead of one per thread, and blocks of 128 kB or more (pixel
 * regions) mapped on their own so a free returns them at once. Two 24 MP decodes at a time, six rounds: peak RSS
 * 131–140 MB instead of 176–182, in the same time (measured in this process; musl ignores the variables).
 */
const MALLOC_ENV = { MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "131072" };
/** Dates cross the process boundary as ISO strings. */
const revive = (f: PhotoFacts): PhotoFacts => (typeof f.takenAt === "string" ? { ...f, takenAt: new Date(f.takenAt) } : f);

/** A photo the imaging process has not answered in this long ends it (a hostile file, a stuck decoder); the queue retries. */
export const IMAGING_TIMEOUT_MS = 300_000;

/** The worker's side: sends work to the imaging process, starting it when none runs. */
export function createImagingClient(opts: { idleMs?: number; timeoutMs?: number } = {}) {
  let child: Bun.Subprocess | undefined;
  let nextId = 1;
  const pending = new Map<number, { proc: Bun.Subprocess; resolve: (f: PhotoFacts) => void; reject: (e: Error) => void }>();

  function start() {
    const proc = Bun.spawn([process.execPath, SCRIPT], {
      stdin: "ignore",
      stdout: "inherit",
      stderr: "inherit",
      env: { ...MALLOC_ENV, ...process.env, ...(opts.idleMs ? { NAS_IMAGING_IDLE_MS: String(opts.idleMs) } : {}) },
      serialization: "json",
      ipc(message: Reply) {
        const p = pending.get(message.id);
        if (!p) return;
        pending.delete(message.id);
        if (message.facts) p.resolve(revive(message.facts));
        else p.reject(message.fileFault ? new MediaFileError(message.error ?? "") : new Error(message.error));
      },
    });
    void proc.exited.then((code) => {
      if (child === proc) child = undefined;
      // Work it had not answered: a crash (or a kill) is retried by the queue, never taken for the file's fault.
      for (const [id, p] of [...pending].filter(([, p]) => p.proc === proc)) {
        pending.delete(id);
        p.reject(new ImagingGone(`the imaging process ended (exit code ${code ?? proc.signalCode}) before answering`, code === 0));
      }
    });
    return proc;
  }

  function sendOnce(message: Message): Promise<PhotoFacts> {
    const id = nextId++;
    if (!child || child.killed || child.exitCode !== null) child = start();
    const proc = child;
    const limit = opts.timeoutMs ?? IMAGING_TIMEOUT_MS;
    let timer: Timer | undefined;
    return new Promise<PhotoFacts>((resolve, reject) => {
      pending.set(id, { proc, resolve, reject });
      timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the photo took longer than ${Math.round(limit / 1000)} s`));
        proc.kill(9);
      }, limit);
      try {
        proc.send({ ...message, id });
      } catch (e) {
        pending.delete(id);
        reject(new ImagingGone((e as Error).message, true));
      }
    }).finally(() => clearTimeout(timer));
  }
  /** A request that met the process's idle exit goes to a new process at once; a crash is left to the queue's retry. */
  const send = (message: Message) => sendOnce(message).catch((e) => (e instanceof ImagingGone && e.idle ? sendOnce(message) : Promise.reject(e)));

  return {
    photo: (req: PhotoRequest) => send({ op: "photo", req }),
    still: (input: string, out: DerivativePaths, latitude: number | null, longitude: number | null) => send({ op: "still", input, out, latitude, longitude }),
    phash: async (input: string) => (await send({ op: "phash", input })).phash!,
    /**
     * Ends the imaging process if it owes nothing: what its photo decodes left in its heap goes back to the system
     * before heavy work (a transcode, a HEIC decode) needs the room. The next request starts a new one.
     */
    release() {
      if (child && ![...pending.values()].some((p) => p.proc === child)) this.stop();
    },
    /** Ends the imaging process now (worker shutdown, tests). */
    stop() {
      child?.kill();
      child = undefined;
    },
    /** The running imaging process's id (benchmarks measure its memory), if one runs. */
    pid: () => child?.pid,
  };
}

export type ImagingClient = ReturnType<typeof createImagingClient>;

if (import.meta.main) {
  const { createPhotoTools } = await import("./photo");
  const tools = createPhotoTools(runCommand);
  const idleMs = Number(process.env.NAS_IMAGING_IDLE_MS) || IMAGING_IDLE_MS;
  let busy = 0;
  let idle: Timer | undefined;
  const arm = () => {
    clearTimeout(idle);
    // Exiting while a request may already be on its way loses nothing: the worker retries it in a new process.
    if (busy === 0) idle = setTimeout(() => process.exit(0), idleMs);
  };
  process.on("message", async (m: Request) => {
    busy++;
    clearTimeout(idle);
    let reply: Reply;
    try {
      const facts =
        m.op === "photo"
          ? await tools.photo(m.req)
          : m.op === "phash"
            ? { phash: await tools.phash(m.input) }
            : await tools.still(m.input, m.out, m.latitude, m.longitude);
      reply = { id: m.id, facts };
    } catch (e) {
      reply = { id: m.id, error: e instanceof Error ? e.message : String(e), fileFault: e instanceof MediaFileError };
      if (!(e instanceof MediaFileError)) log.warn(`imaging: ${reply.error}`);
    }
    busy--;
    process.send?.(reply);
    arm();
  });
  // The worker went away (killed, restarted): nothing is left to answer.
  process.on("disconnect", () => process.exit(0));
  arm();
}
