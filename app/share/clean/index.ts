// What leaves the box without its owner's places: a link that does not include metadata, and a shared album's
// photos for everyone but the person who added them. The rule: what cannot be proven clean is not sent.
//
// A file is recognised by its bytes (never its name), and each container has one cleaner here that keeps only what
// the picture or recording needs (a whitelist) and drops or zeroes the rest:
//   JPEG (jpeg.ts), PNG (png.ts), WebP and WAV (riff.ts), GIF (gif.ts), MP4/MOV/3GP/M4A/HEIC/AVIF (bmff.ts),
//   Matroska/WebM (matroska.ts), MP3 and FLAC (audio.ts); a TIFF is sent as stored only when proven plain (tiff.ts).
// Other photos, videos and recordings (camera RAW, AVI, MPEG-TS, Ogg, anything whose name or sniffed type says
// media but whose bytes no cleaner knows) are refused: a link sends their preview, or the pipeline's cleaned MP4 to
// watch. Files that are not media (documents, text, archives) are sent as stored: they are what their owner wrote,
// and no device adds a place to them unseen (a zip or PDF holding located photos keeps them: see app/share/README.md).
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { mediaKindOf } from "../../media/model";
import type { DriveFile } from "../../platform/db/schema";
import { AppError } from "../../platform/errors";
import { cleanFlac, cleanMp3 } from "./audio";
import { cleanBmff, isBmff } from "./bmff";
import { cleanGif, isGif } from "./gif";
import { cleanJpeg } from "./jpeg";
import { cleanMatroska, isMatroska } from "./matroska";
import { cleanPng, isPng } from "./png";
import { cleanRiff, riffForm } from "./riff";
import { CleanFile, NotCleanable, PartialClean, Source, type Splice } from "./spliced";
import { isTiff, provePlainTiff } from "./tiff";

export { CleanFile } from "./spliced";

/** Bump when a cleaner's output changes: the ETag of a cleaned file carries it, so no cache keeps an older cleaning. */
export const CLEANER_VERSION = 2;

type Cleaner = (src: Source) => Promise<Splice>;
/**
 * What to do with a file, from its first bytes: a cleaner (`streams`: it reads the whole file, so a zip runs it when
 * it reaches the entry, and a damaged file is sent as far as it was proven clean), as stored, or refused (why).
 */
type Plan = { clean: Cleaner; streams: boolean } | { stored: true } | { refused: string };

const REFUSED_FORMAT = "this format has no cleaner here";
const text = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

export function planFor(head: Uint8Array, file: Pick<DriveFile, "mime" | "name">): Plan {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { clean: cleanJpeg, streams: true };
  if (isGif(head)) return { clean: cleanGif, streams: true };
  if (isPng(head)) return { clean: cleanPng, streams: false };
  const form = riffForm(head);
  if (form === "WEBP" || form === "WAVE") return { clean: cleanRiff, streams: false };
  if (isMatroska(head)) return { clean: cleanMatroska, streams: false };
  if (isBmff(head)) return { clean: cleanBmff, streams: false };
  if (text(head, 0, 4) === "fLaC") return { clean: cleanFlac, streams: false };
  const mime = (file.mime ?? "").toLowerCase();
  if (mime === "audio/mpeg" && (text(head, 0, 3) === "ID3" || (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0))) return { clean: cleanMp3, streams: false };
  if (isTiff(head)) return { clean: provePlainTiff, streams: false };
  // BMP and ICO have no place for metadata: what they hold is the picture.
  if (text(head, 0, 2) === "BM" || (head[0] === 0 && head[1] === 0 && head[2] === 1 && head[3] === 0)) return { stored: true };
  // Media without a cleaner, by content (Ogg, FLV, MPEG-TS) or by the type sniffed at upload (AVI, MPEG, ASF, RAW…).
  const ts = head[0] === 0x47 && head.length > 188 ? head[188] === 0x47 : false;
  if (form || ts || ["OggS", "FLV\x01"].includes(text(head, 0, 4)) || mediaKindOf(mime, file.name) || mime.startsWith("audio/"))
    return { refused: REFUSED_FORMAT };
  return { stored: true };
}

/**
 * Cleanings by blob path, size and modification time (blobs are content-addressed, so this only guards against a
 * path reused for other bytes), so that a player's many Range requests parse the file once.
 */
const cache = new Map<string, Promise<CleanFile>>();
const CACHE_SIZE = 256;

async function cleaned(path: string, clean: Cleaner, streams: boolean): Promise<CleanFile> {
  const { size, mtimeMs } = await stat(path);
  const key = `${path}\0${size}\0${mtimeMs}\0${CLEANER_VERSION}`;
  let entry = cache.get(key);
  if (entry) {
    cache.delete(key); // most recently used last
    cache.set(key, entry);
    return entry;
  }
  entry = (async () => {
    const src = await Source.open(path);
    try {
      return new CleanFile(path, (await clean(src)).parts);
    } catch (e) {
      // A cleaner that reads the whole file stops at the first byte it cannot account for: what it kept is clean.
      if (streams && e instanceof PartialClean) return new CleanFile(path, e.kept.parts);
      throw e;
    } finally {
      await src.close();
    }
  })();
  cache.set(key, entry);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  entry.catch(() => cache.delete(key)); // only a finished cleaning is remembered (a refusal is recomputed: it is cheap)
  return entry;
}

async function headOf(path: string) {
  const src = await Source.open(path);
  try {
    return (await src.read(0, 256)).slice(); // enough for every signature above (MPEG-TS: a sync byte at 0 and 188)
  } finally {
    await src.close();
  }
}

const refusal = (reason: string) =>
  new AppError(403, `This file could not be proven free of its location (${reason}), so this link does not send it: its preview is shown where there is one.`);

/**
 * The bytes of one file without its places: cleaned (a CleanFile: a new size and ETag), as stored, or refused
 * (403 with the reason). Range requests slice the CleanFile, so a range is always a range of the cleaned file.
 */
export async function cleanContent(file: DriveFile, path: string): Promise<{ file: DriveFile; body: string | CleanFile }> {
  const plan = planFor(await headOf(path), file);
  if ("stored" in plan) return { file, body: path };
  if ("refused" in plan) throw refusal(plan.refused);
  try {
    const clean = await cleaned(path, plan.clean, plan.streams);
    if (clean.unchanged) return { file, body: path }; // proven clean as it is (a plain TIFF): the stored file and its ETag
    return { file: { ...file, size: clean.size, sha256: `${file.sha256}-clean${CLEANER_VERSION}` }, body: clean };
  } catch (e) {
    if (e instanceof NotCleanable) throw refusal(e.message);
    throw e;
  }
}

type ZipEntry = { kind: "folder" | "file"; file: DriveFile; body: Blob | null };

/**
 * Zip entries without places: each file as `cleanContent` serves it (the same bytes), refused ones left out, those
 * `asStored` names as they are. A
 * cleaner that reads the whole file (JPEG, GIF) runs when the zip reaches its entry, so a folder of thousands of
 * photos starts streaming at once; the others read a few headers and are decided before the zip starts.
 */
export async function cleanZipEntries<E extends ZipEntry>(entries: E[], localPath: (file: DriveFile) => string, asStored: (e: E) => boolean = () => false) {
  const out: (E & { open?: () => Readable })[] = [];
  const { Readable } = await import("node:stream");
  const stream = (clean: CleanFile) => Readable.fromWeb(clean.stream() as unknown as import("node:stream/web").ReadableStream);
  for (const e of entries) {
    if (e.kind !== "file" || !e.body || asStored(e)) {
      out.push(e);
      continue;
    }
    const local = localPath(e.file);
    const plan = planFor(await headOf(local), e.file);
    if ("stored" in plan) out.push(e);
    else if ("refused" in plan) continue;
    else if (plan.streams) {
      const { clean } = plan;
      out.push({
        ...e,
        open: () =>
          Readable.from(
            (async function* () {
              yield* stream(await cleaned(local, clean, true));
            })(),
          ),
      });
    } else {
      const clean = await cleaned(local, plan.clean, false).catch((err) => {
        if (err instanceof NotCleanable) return undefined;
        throw err;
      });
      if (clean) out.push({ ...e, open: () => stream(clean) });
    }
  }
  return out;
}
