// The two pieces every cleaner shares: a bounded reader over a stored file, and the cleaned file as a list of parts
// (ranges of the original, bytes written here, runs of zeros) that is sliced for Range requests and streamed for
// zips without ever being written to disk or held whole in memory.
import { open, type FileHandle } from "node:fs/promises";

/** The file's structure does not add up (or uses what no cleaner here can prove clean): a link must not send it. */
export class NotCleanable extends Error {}

/** Thrown by a cleaner that reads the whole file and stopped early, with what it had proven clean up to there. */
export class PartialClean extends NotCleanable {
  constructor(
    readonly kept: Splice,
    why: string,
  ) {
    super(why);
  }
}

/**
 * Reads a stored file by offset through one open handle and a window of up to 1 MiB, so walking thousands of
 * small headers costs few system calls. Every read is clamped to the file: asking past the end returns fewer bytes
 * (or none), never bytes from elsewhere; `need` turns a short read into NotCleanable.
 */
export class Source {
  private window = new Uint8Array(0);
  private windowAt = 0;
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<Source> {
    const handle = await open(path, "r");
    try {
      return new Source(handle, (await handle.stat()).size);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  close = () => this.handle.close();

  /** Up to `n` bytes at `at` (fewer at the end of the file). */
  async read(at: number, n: number): Promise<Uint8Array> {
    const end = Math.min(this.size, at + n);
    if (at < 0 || at >= end) return new Uint8Array(0);
    if (at >= this.windowAt && end <= this.windowAt + this.window.length) return this.window.subarray(at - this.windowAt, end - this.windowAt);
    const want = Math.max(end - at, Math.min(1 << 20, this.size - at));
    const buf = new Uint8Array(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(buf, got, want - got, at + got);
      if (bytesRead === 0) break; // the file shrank under us: the caller sees a short read
      got += bytesRead;
    }
    this.window = buf.subarray(0, got);
    this.windowAt = at;
    return this.window.subarray(0, Math.min(got, end - at));
  }

  /** Exactly `n` bytes at `at`, else NotCleanable(why). */
  async need(at: number, n: number, why: string): Promise<Uint8Array> {
    const b = await this.read(at, n);
    if (b.length !== n) throw new NotCleanable(why);
    return b;
  }
}

type Part = { from: number; to: number } | { bytes: Uint8Array } | { zeros: number };
const lengthOf = (p: Part) => ("bytes" in p ? p.bytes.length : "zeros" in p ? p.zeros : p.to - p.from);

/** Builds a cleaned file in order: ranges of the original (adjacent ones merged), new bytes, zeros. */
export class Splice {
  readonly parts: Part[] = [];
  copy(from: number, to: number) {
    if (to <= from) return;
    const last = this.parts.at(-1);
    if (last && "to" in last && last.to === from) last.to = to;
    else this.parts.push({ from, to });
  }
  bytes(bytes: Uint8Array) {
    if (bytes.length) this.parts.push({ bytes });
  }
  zeros(n: number) {
    if (n > 0) this.parts.push({ zeros: n });
  }
}

/** A range of the original to be replaced in place (same length): by these bytes, or by zeros. */
export type Patch = { at: number; bytes?: Uint8Array; length: number };

/** The original with patches applied (for containers cleaned in place: same size, every offset unchanged). */
export function patched(size: number, patches: Patch[]): Splice {
  const out = new Splice();
  let at = 0;
  for (const p of [...patches].sort((a, b) => a.at - b.at)) {
    if (p.at < at || p.at + p.length > size) throw new NotCleanable("overlapping or out-of-file patches"); // a bug, never sent
    out.copy(at, p.at);
    if (p.bytes) out.bytes(p.bytes.subarray(0, p.length));
    out.zeros(p.length - (p.bytes?.length ?? 0));
    at = p.at + p.length;
  }
  out.copy(at, size);
  return out;
}

const ZEROS = new Uint8Array(64 * 1024);

/** What a link serves: the parts of a Splice over the stored file. Served in ranges (`serveFile`) and streamed (zips). */
export class CleanFile {
  readonly size: number;
  private readonly starts: number[] = [];
  constructor(
    private readonly path: string,
    private readonly parts: Part[],
  ) {
    let n = 0;
    for (const p of parts) {
      this.starts.push(n);
      n += lengthOf(p);
    }
    this.size = n;
  }

  /** Bytes [start, end): a file slice when they are one range of the original, else a stream pulled part by part. */
  slice(start = 0, end = this.size): Blob | ReadableStream<Uint8Array> {
    end = Math.min(end, this.size);
    // The last part starting at or before `start` (binary search: a video's splice can have thousands of parts).
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    const file = Bun.file(this.path);
    const first = this.parts[lo];
    if (first && "to" in first && end - this.starts[lo]! <= first.to - first.from) {
      const skip = first.from - this.starts[lo]!;
      return file.slice(start + skip, end + skip);
    }
    const { parts, starts } = this;
    async function* chunks() {
      for (let i = lo; i < parts.length && starts[i]! < end; i++) {
        const p = parts[i]!;
        const a = Math.max(start, starts[i]!) - starts[i]!;
        const b = Math.min(end, starts[i]! + lengthOf(p)) - starts[i]!;
        if ("bytes" in p) yield p.bytes.subarray(a, b);
        else if ("zeros" in p) for (let n = a; n < b; n += ZEROS.length) yield ZEROS.subarray(0, Math.min(ZEROS.length, b - n));
        else {
          const reader = file
            .slice(p.from + a, p.from + b)
            .stream()
            .getReader();
          try {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              yield value as Uint8Array;
            }
          } finally {
            reader.releaseLock();
          }
        }
      }
    }
    // Pulled a chunk at a time: a slow client never makes the server read ahead of it.
    const it = chunks();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await it.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await it.return(undefined);
      },
    });
  }

  /** Nothing was changed: the parts are the whole original, in one range. */
  get unchanged(): boolean {
    const [only] = this.parts;
    return this.parts.length === 1 && !!only && "to" in only && only.from === 0 && this.size === Bun.file(this.path).size;
  }

  /** The whole file, as a stream (for a zip entry). */
  stream(): ReadableStream<Uint8Array> {
    const whole = this.slice(0, this.size);
    return whole instanceof Blob ? whole.stream() : whole;
  }

  /** The whole file in memory (tests; small files). */
  async bytes(): Promise<Buffer> {
    return Buffer.from(await new Response(this.slice(0, this.size)).arrayBuffer());
  }
}
