// What a link serves without the owner's places: JPEG metadata segments removed, MP4/MOV metadata boxes blanked,
// other photos with a location withheld.
import { Readable } from "node:stream";
import type { DriveFile } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import { stripJpegMetadata } from "./jpeg";
import { DamagedMp4Error, mp4MetadataPatches, PatchedFile } from "./mp4";

export const VIDEO = /^video\//;
export const JPEG = /^image\/jpe?g$/;

/**
 * A video as a link may serve it without its location: MP4/MOV/3GP (what phones record, and where they put the
 * place) with the metadata boxes blanked (mp4.ts). Null for other containers (MPEG-TS, AVI, WebM, MKV), which have
 * no standard place tag: they are sent as recorded, and watched through the pipeline's MP4 once it exists.
 */
async function cleanVideo(path: string): Promise<PatchedFile | null> {
  try {
    const patches = await mp4MetadataPatches(path);
    return patches ? new PatchedFile(path, patches) : null;
  } catch (e) {
    if (e instanceof DamagedMp4Error) throw new AppError(415, e.message);
    throw e;
  }
}

/** Photos other than JPEG cannot be cleaned here: when they carry a location and the owner did not allow it, they are withheld. */
async function hasLocation(file: DriveFile, path: string) {
  if (!file.mime?.startsWith("image/") || JPEG.test(file.mime)) return false;
  const { default: exifr } = await import("exifr");
  const gps = await exifr.gps(path).catch(() => undefined);
  return !!gps && (gps.latitude !== undefined || gps.longitude !== undefined);
}

/** The bytes of one file as a link serves them without metadata: cleaned, as recorded, or refused. */
export async function cleanContent(file: DriveFile, path: string): Promise<{ file: DriveFile; body: string | Blob | PatchedFile }> {
  if (VIDEO.test(file.mime ?? "")) {
    const clean = await cleanVideo(path);
    return clean ? { file: { ...file, sha256: `${file.sha256}-clean` }, body: clean } : { file, body: path };
  }
  if (JPEG.test(file.mime ?? "")) {
    const clean = stripJpegMetadata(await Bun.file(path).bytes());
    if (!clean) throw new AppError(415, "This photo could not be cleaned of its metadata, so it is not shared.");
    return {
      file: { ...file, size: clean.length, sha256: `${file.sha256}-clean` },
      body: new Blob([clean as Uint8Array<ArrayBuffer>], { type: file.mime! }),
    };
  }
  if (await hasLocation(file, path))
    throw new AppError(403, "This photo carries its location and the owner did not share locations: only its preview is shown.");
  return { file, body: path };
}

type ZipEntry = { path: string; kind: "folder" | "file"; file: DriveFile; blobPath: string | null };

/** Zip entries without metadata: JPEGs cleaned as they stream, MP4s patched, located non-JPEG photos and damaged MP4s left out. */
export async function cleanZipEntries<E extends ZipEntry>(entries: E[]) {
  const out: (E & { open?: () => Readable })[] = [];
  for (const e of entries) {
    if (e.kind === "file" && e.blobPath && JPEG.test(e.file.mime ?? "")) {
      const path = e.blobPath;
      out.push({
        ...e,
        open: () =>
          Readable.from(
            (async function* () {
              const clean = stripJpegMetadata(await Bun.file(path).bytes());
              if (!clean) throw new Error("a JPEG could not be cleaned of its metadata");
              yield Buffer.from(clean);
            })(),
          ),
      });
    } else if (e.kind === "file" && e.blobPath && VIDEO.test(e.file.mime ?? "")) {
      // A damaged MP4 (its location cannot be removed) is left out, like a located photo.
      const clean = await cleanVideo(e.blobPath).catch(() => undefined);
      if (clean) out.push({ ...e, open: () => Readable.fromWeb(clean.stream() as unknown as import("node:stream/web").ReadableStream) });
      else if (clean === null) out.push(e);
    } else if (!(e.kind === "file" && e.blobPath && (await hasLocation(e.file, e.blobPath)))) out.push(e);
  }
  return out;
}
