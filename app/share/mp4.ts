// Phone videos carry where they were taken: Apple's `com.apple.quicktime.location.ISO6709` in moov/meta, Android's
// `©xyz` in moov/udta, XMP in a top-level `uuid` box. A link that must not share locations serves the file with
// those boxes turned into `free` boxes of the same size (payload zeroed): every other byte, and so every sample
// offset, stays where it was, the result needs no copy on disk, and a Range request maps 1:1 onto the original.

type Patch = { offset: number; bytes: Uint8Array };

/** Boxes that hold metadata (and nothing a player needs), at the top level, in moov and in each trak. */
const METADATA = new Set(["udta", "meta", "uuid"]);
const CONTAINERS = new Set(["moov", "trak"]);
const MAX_MOOV = 64 * 1024 * 1024;

/** An ISO-BMFF file whose boxes do not add up: it cannot be cleaned, so a link must not send it as it is. */
export class DamagedMp4Error extends Error {}

/**
 * The patches that blank an ISO-BMFF (MP4, MOV, 3GP) file's metadata boxes; null when the file is not one (it does
 * not start with `ftyp`). Throws DamagedMp4Error when it starts like one but its boxes do not add up.
 */
export async function mp4MetadataPatches(path: string): Promise<Patch[] | null> {
  const file = Bun.file(path);
  const size = file.size;
  const read = async (at: number, n: number) => new Uint8Array(await file.slice(at, Math.min(size, at + n)).arrayBuffer());
  const patches: Patch[] = [];
  let at = 0;
  const head = await read(0, 16);
  if (head.length < 8 || String.fromCharCode(...head.subarray(4, 8)) !== "ftyp") return null;
  const damaged = () => new DamagedMp4Error("This video's MP4 structure is damaged, so its location cannot be removed.");
  while (at < size) {
    const bytes = await read(at, 16);
    const box = header(bytes, 0, size - at);
    if (!box) throw damaged();
    if (METADATA.has(box.type)) patches.push(blank(bytes.subarray(0, box.headerSize), at, box.size));
    else if (box.type === "moov") {
      if (box.size > MAX_MOOV) throw damaged();
      const moov = await read(at, box.size);
      if (!walk(moov, box.headerSize, box.size, at, patches)) throw damaged();
    }
    at += box.size;
  }
  return patches;
}

/** Box children of a container in `buf` from `from` to `to`; metadata boxes blanked, moov/trak entered. */
function walk(buf: Uint8Array, from: number, to: number, base: number, patches: Patch[]): boolean {
  let at = from;
  while (at < to) {
    const box = header(buf, at, to - at);
    if (!box) return false;
    if (METADATA.has(box.type)) patches.push(blank(buf.subarray(at, at + box.headerSize), base + at, box.size));
    else if (CONTAINERS.has(box.type) && !walk(buf, at + box.headerSize, at + box.size, base, patches)) return false;
    at += box.size;
  }
  return at === to;
}

function header(buf: Uint8Array, at: number, room: number): { type: string; size: number; headerSize: number } | null {
  if (room < 8 || buf.length < at + 8) return null;
  const view = new DataView(buf.buffer, buf.byteOffset + at);
  let size = view.getUint32(0);
  const type = String.fromCharCode(buf[at + 4]!, buf[at + 5]!, buf[at + 6]!, buf[at + 7]!);
  let headerSize = 8;
  if (size === 1) {
    if (buf.length < at + 16) return null;
    size = Number(view.getBigUint64(8));
    headerSize = 16;
  } else if (size === 0) size = room; // to the end
  if (size < headerSize || size > room) return null;
  return { type, size, headerSize };
}

/** The same box as `free` with a zeroed payload: its header keeps the size (32- or 64-bit form). */
function blank(head: Uint8Array, offset: number, size: number): Patch {
  const bytes = new Uint8Array(size);
  bytes.set(head);
  bytes.set([0x66, 0x72, 0x65, 0x65], 4); // "free"
  return { offset, bytes };
}

/** A file served with some byte ranges replaced: sliced lazily, the unpatched parts straight from disk. */
export class PatchedFile {
  readonly size: number;
  constructor(
    private readonly path: string,
    private readonly patches: Patch[],
  ) {
    this.size = Bun.file(path).size;
  }

  /** Bytes [start, end): a file slice when no patch is inside it, else a stream mixing file and patch bytes. */
  slice(start = 0, end = this.size): Blob | ReadableStream<Uint8Array> {
    const touching = this.patches.filter((p) => p.offset < end && p.offset + p.bytes.length > start).sort((a, b) => a.offset - b.offset);
    const file = Bun.file(this.path);
    if (!touching.length) return file.slice(start, end);
    // Each part: patch bytes, or a file range [a, b) read as it is pulled.
    const parts: (Uint8Array | [number, number])[] = [];
    let at = start;
    for (const p of touching) {
      const from = Math.max(at, p.offset);
      if (from > at) {
        parts.push([at, from]);
      }
      const to = Math.min(end, p.offset + p.bytes.length);
      parts.push(p.bytes.subarray(from - p.offset, to - p.offset));
      at = to;
    }
    if (at < end) parts.push([at, end]);
    async function* chunks() {
      for (const part of parts) {
        if (part instanceof Uint8Array) {
          yield part;
          continue;
        }
        const reader = file.slice(part[0], part[1]).stream().getReader();
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

  /** The whole file, as a stream (for a zip entry). */
  stream(): ReadableStream<Uint8Array> {
    const whole = this.slice(0, this.size);
    return whole instanceof Blob ? whole.stream() : whole;
  }
}
