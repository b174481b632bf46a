// The worker's side of the indexer children (indexer.ts): one per spare core, each a long-lived process that keeps the
// models loaded, fed one photo at a time over IPC. Not hw/run.ts's one-shot runner: a child answers hundreds of
// photos before it is replaced, and loading the models takes longer than indexing a photo.
import { setPriority } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { APP_ROOT } from "../platform/paths";
import type { IndexAnswer, IndexRequest } from "./indexer";
import type { Detection } from "./model";

const INDEXER = join(APP_ROOT, "app/people/indexer.ts");

/** A photo the child could not read (damaged, not an image): indexing it again cannot help. */
export class PhotoUnreadableError extends Error {}

export type PoolOptions = {
  /** Children side by side (one per spare core). */
  size: number;
  /** A child is replaced after this many photos… */
  maxPhotos?: number;
  /** …or once its resident memory passes this (bytes). */
  maxRssBytes?: number;
  /** A photo that takes longer kills its child (a hostile file, a stuck model). */
  timeoutMs?: number;
  /** `nice` of the children: the web process always goes first. */
  niceness?: number;
};

type Child = {
  proc: Subprocess;
  ready: Promise<void>;
  photos: number;
  busy: boolean;
  pending?: { id: number; resolve: (a: IndexAnswer) => void; reject: (e: Error) => void; timer: Timer };
};

export function createIndexerPool(opts: PoolOptions) {
  const maxPhotos = opts.maxPhotos ?? 300;
  const maxRss = opts.maxRssBytes ?? 420 * 1024 ** 2;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const children: (Child | null)[] = Array.from({ length: Math.max(1, opts.size) }, () => null);
  const waiting: (() => void)[] = [];
  let nextId = 1;
  let closed = false;
  const stats = { photos: 0, started: 0, peakRss: 0, lastRss: 0 };

  function spawn(slot: number): Child {
    let markReady!: () => void;
    let failReady!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => ((markReady = res), (failReady = rej)));
    const child: Child = { proc: null as unknown as Subprocess, ready, photos: 0, busy: false };
    child.proc = Bun.spawn([process.execPath, INDEXER], {
      stdio: ["ignore", "inherit", "inherit"],
      ipc(message: IndexAnswer | { ready: true }) {
        if ("ready" in message) return markReady();
        const p = child.pending;
        if (!p || p.id !== message.id) return;
        clearTimeout(p.timer);
        child.pending = undefined;
        p.resolve(message);
      },
      onExit(_proc, code, signal) {
        if (children[slot] === child) children[slot] = null;
        const why = new Error(`the indexer stopped (${signal ?? `exit ${code}`})`);
        failReady(why);
        const p = child.pending;
        child.pending = undefined;
        if (p) clearTimeout(p.timer), p.reject(why);
        wakeOne();
      },
    });
    stats.started += 1;
    try {
      setPriority(child.proc.pid, opts.niceness ?? 19);
    } catch {
      // Not permitted (a container without CAP_SYS_NICE lowering is always allowed; raising is not): keep the default.
    }
    return child;
  }

  function wakeOne() {
    waiting.shift()?.();
  }

  async function acquire(): Promise<[number, Child]> {
    for (;;) {
      if (closed) throw new Error("the indexer pool is closed");
      const slot = children.findIndex((c) => !c?.busy);
      if (slot >= 0) {
        const child = (children[slot] ??= spawn(slot));
        child.busy = true;
        return [slot, child];
      }
      await new Promise<void>((r) => waiting.push(r));
    }
  }

  function release(slot: number, child: Child, rss: number) {
    child.busy = false;
    stats.lastRss = rss;
    stats.peakRss = Math.max(stats.peakRss, rss);
    if (child.photos >= maxPhotos || rss > maxRss) {
      // Replaced before the next photo: a fresh process gives back whatever the models and the heap kept.
      if (children[slot] === child) children[slot] = null;
      child.proc.kill();
    }
    wakeOne();
  }

  return {
    stats,
    /** Faces and objects of one preview; its face crops are written to `${crops}<i>.webp`. */
    async index(preview: string, crops: string): Promise<Detection> {
      const [slot, child] = await acquire();
      let rss = 0;
      try {
        await child.ready;
        const id = nextId++;
        const answer = await new Promise<IndexAnswer>((resolve, reject) => {
          const timer = setTimeout(() => {
            reject(new Error(`indexing took longer than ${Math.round(timeoutMs / 1000)} s`));
            child.proc.kill(9);
          }, timeoutMs);
          child.pending = { id, resolve, reject, timer };
          child.proc.send({ id, preview, crops } satisfies IndexRequest);
        });
        child.photos += 1;
        stats.photos += 1;
        rss = answer.rss;
        if (!answer.ok) throw new PhotoUnreadableError(answer.error);
        return answer.detection;
      } finally {
        release(slot, child, rss);
      }
    },
    /** Stops every child (the job ended, or the worker is stopping). */
    close() {
      closed = true;
      for (const c of children) c?.proc.kill();
      children.fill(null);
      for (const w of waiting.splice(0)) w();
    },
    /** The children's process ids (the busy check leaves their own CPU time out). */
    pids: () => children.flatMap((c) => (c ? [c.proc.pid] : [])),
  };
}

export type IndexerPool = ReturnType<typeof createIndexerPool>;
