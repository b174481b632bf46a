// Large streams to and from disk in constant memory: what an upload of 5 GB may cost the web process is two buffers.
// Used by the object store's write path (app/platform/objects.ts) and WebDAV's chunked uploads (app/dav/chunks.ts).
import { closeSync, fdatasync, fsync, openSync, read, write } from "node:fs";

/** The size of each write (and read): large enough that the disk sees few, big requests. */
export const STREAM_BUFFER = 1 << 20;

/**
 * Above this resident size a long stream asks for a full garbage collection. The request's chunks (64 KiB each,
 * allocated by the server) are garbage once copied, but the collector runs when the JS heap grows, not when the
 * native memory behind those chunks does: a 5 GB sync peaked at 141 MB without this and at ~115 MB with it
 * (bench/dav.ts). A collection costs ~15 ms; when one leaves the process above the limit (a large heap of its own),
 * the next waits for RSS_GROWTH more, so a collection never runs on every buffer.
 */
const RSS_SOFT_LIMIT = 112 * 1024 * 1024;
const RSS_GROWTH = 16 * 1024 * 1024;
let collectAbove = RSS_SOFT_LIMIT;
function collectIfGrown() {
  if (process.memoryUsage.rss() <= collectAbove) return;
  Bun.gc(true);
  collectAbove = Math.max(RSS_SOFT_LIMIT, process.memoryUsage.rss() + RSS_GROWTH);
}

/**
 * Buffers are kept for the next stream instead of being left to the collector: a sync of thousands of small files
 * would otherwise allocate (and zero) 2 MiB per file, 20 GB for 10,000 files, and the heap grew by tens of megabytes
 * between collections. At most POOLED are kept (as many as uploads usually run side by side); more are made when needed.
 */
const POOLED = 8;
const pool: Uint8Array[] = [];
const takeBuffer = () => pool.pop() ?? new Uint8Array(STREAM_BUFFER);
const giveBack = (buffer: Uint8Array) => {
  if (pool.length < POOLED) pool.push(buffer);
};

/** Writes all of `chunk` at the file's position (tests inject one that throws ENOSPC). */
export type WriteFn = (fd: number, chunk: Uint8Array) => void | Promise<void>;

const writeSome = (fd: number, buf: Uint8Array, offset: number) =>
  new Promise<number>((res, rej) => write(fd, buf, offset, buf.byteLength - offset, null, (e, n) => (e ? rej(e) : res(n))));
/** Writes on the thread pool, so receiving and hashing the next chunk overlaps the disk write. */
export const writeAll: WriteFn = async (fd, chunk) => {
  let off = 0;
  while (off < chunk.byteLength) off += await writeSome(fd, chunk, off);
};
export const fsyncFd = (fd: number) => new Promise<void>((res, rej) => fsync(fd, (e) => (e ? rej(e) : res())));

/**
 * While a long stream is written, its data goes to disk every WRITEBACK_EVERY bytes (an fdatasync on the thread
 * pool, one at a time), instead of all at the caller's final fsync: the kernel otherwise holds gigabytes of dirty
 * pages (up to a tenth of RAM) and the final fsync of a 1 GiB upload waited 0.4–0.5 s for all of it, after the last
 * byte had arrived. Now the disk works while the network does, and the final fsync has at most this much left.
 */
const WRITEBACK_EVERY = 64 * STREAM_BUFFER;

/**
 * Writes `source` into the open file `fd`, calling `seen` with each chunk first (to hash it, count it, refuse it by
 * throwing). Each chunk is copied once into the buffer being filled while the other one is written (one write in
 * flight: the disk is never idle); nothing is allocated per chunk, so however large the stream, the heap is left as
 * it was found (keeping the chunks and joining them grew it by a hundred megabytes of garbage per gigabyte). The
 * copy also makes it safe for a source to reuse its buffers.
 */
export async function writeStream(fd: number, source: AsyncIterable<Uint8Array>, seen: (chunk: Uint8Array) => void, writeFn: WriteFn = writeAll) {
  const buffers = [takeBuffer(), takeBuffer()];
  let current = 0;
  let filled = 0;
  let inflight: Promise<void> | null = null;
  let writeback: Promise<void> | null = null;
  // Linux reports a writeback error to one fsync of the file only: an error seen here is the stream's.
  let writebackError: NodeJS.ErrnoException | null = null;
  let unsynced = 0;
  let flushes = 0;
  const flush = async () => {
    if (!filled) return;
    if (++flushes % 16 === 0) collectIfGrown();
    // The other buffer is free again only once its write is done.
    if (inflight) await inflight;
    unsynced += filled;
    if (writebackError) throw writebackError;
    if (unsynced >= WRITEBACK_EVERY && !writeback) {
      unsynced = 0;
      // Not awaited: it runs beside the next writes.
      writeback = new Promise<void>((res) =>
        fdatasync(fd, (e) => {
          writebackError ??= e;
          writeback = null;
          res();
        }),
      );
    }
    inflight = Promise.resolve(writeFn(fd, buffers[current]!.subarray(0, filled)));
    inflight.catch(() => {}); // observed by the next flush or the final await
    current ^= 1;
    filled = 0;
  };
  try {
    for await (const chunk of source) {
      seen(chunk);
      for (let at = 0; at < chunk.byteLength; ) {
        const n = Math.min(STREAM_BUFFER - filled, chunk.byteLength - at);
        buffers[current]!.set(n === chunk.byteLength ? chunk : chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === STREAM_BUFFER) await flush();
      }
    }
    await flush();
    if (inflight) await inflight;
    if (writeback) await writeback;
    if (writebackError) throw writebackError;
  } catch (e) {
    // No write or writeback may still be running on `fd` (or on a buffer given back) when the caller closes it.
    await (inflight as Promise<void> | null)?.catch(() => {});
    if (writeback) await writeback;
    throw e;
  } finally {
    buffers.forEach(giveBack);
  }
}

const readSome = (fd: number, buf: Uint8Array) => new Promise<number>((res, rej) => read(fd, buf, 0, buf.byteLength, null, (e, n) => (e ? rej(e) : res(n))));

/**
 * The bytes of `paths`, one file after the other, read into one reused buffer: each chunk yielded is valid until the
 * next is asked for (`writeStream` copies it before it asks), so reading gigabytes allocates nothing.
 */
export async function* readFiles(paths: string[]): AsyncGenerator<Uint8Array> {
  const buffer = takeBuffer();
  try {
    for (const path of paths) {
      const fd = openSync(path, "r");
      try {
        for (let n = await readSome(fd, buffer); n > 0; n = await readSome(fd, buffer)) yield buffer.subarray(0, n);
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    giveBack(buffer);
  }
}
