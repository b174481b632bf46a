// Runs in the imaging process (app/media/imaging.ts), never in the worker itself: one photo → derivatives, metadata
// and place. sharp, exifr and the city table live only there, so their memory goes when that process ends.
import { rmSync } from "node:fs";
import type { Runner } from "../../hw/run";
import type { DerivativePaths } from "../platform/paths";
import type { Media } from "../platform/db/schema";
import { placeOf } from "./geocode";
import {
  largestEmbeddedJpeg,
  MediaFileError,
  PREVIEW_SIZE,
  perceptualHash,
  pixelSize,
  thumbnailsOfHeic,
  thumbnailsOfImage,
  thumbnailsOfRawPreview,
  thumbnailsOfSalvage,
  type ImageResult,
} from "./image";
import { readPhotoMetadata } from "./metadata";
import { isHeic } from "./model";
import { createVideoTools } from "./video";

export type PhotoFacts = Partial<Omit<Media, "userId" | "sha256" | "kind" | "updatedAt" | "version">>;
export type PhotoRequest = { input: string; out: DerivativePaths; mtime: number; name: string; raw: boolean };

const isJpeg = async (path: string) => {
  const head = new Uint8Array(await Bun.file(path).slice(0, 3).arrayBuffer());
  return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
};

/** Every place column, so a reprocessed row never keeps an older place. */
export async function placeFacts(latitude: number | null, longitude: number | null): Promise<PhotoFacts> {
  const place = latitude === null || longitude === null ? null : await placeOf(latitude, longitude);
  return {
    locality: place?.locality ?? null,
    city: place?.city ?? null,
    region: place?.region ?? null,
    country: place?.country ?? null,
    placeNames: place?.names ?? null,
  };
}

export const imageFacts = (r: ImageResult): PhotoFacts => ({ width: r.width, height: r.height, thumbhash: r.thumbhash, phash: r.phash, damaged: r.damaged });

export function createPhotoTools(run: Runner) {
  const video = createVideoTools({ run });

  /**
   * A JPEG libvips refuses even tolerantly (many corrupt restart intervals) may still show in other viewers:
   * ffmpeg's decoder salvages what it can, marked damaged. Anything else keeps libvips' reason.
   */
  async function imageThumbnails(input: string, out: DerivativePaths, orientation: number | null): Promise<ImageResult> {
    try {
      return await thumbnailsOfImage(input, out);
    } catch (e) {
      if (!(e instanceof MediaFileError) || /too large/.test(e.message) || !(await isJpeg(input))) throw e;
      const salvaged = `${out.preview}.salvage.png`;
      try {
        await video.salvageJpeg(input, salvaged, PREVIEW_SIZE);
        const { width, height } = await pixelSize(input);
        const turned = (orientation ?? 1) >= 5;
        return await thumbnailsOfSalvage(salvaged, turned ? { width: height, height: width } : { width, height }, orientation, out);
      } catch {
        throw e;
      } finally {
        rmSync(salvaged, { force: true });
      }
    }
  }

  return {
    async photo(req: PhotoRequest): Promise<PhotoFacts> {
      const { input, out, raw } = req;
      const meta = await readPhotoMetadata(input, new Date(req.mtime), req.name);
      const base: PhotoFacts = { ...meta, ...(await placeFacts(meta.latitude, meta.longitude)) };
      if (raw) {
        const embedded = await largestEmbeddedJpeg(Buffer.from(await Bun.file(input).arrayBuffer()));
        if (!embedded) return { ...base, status: "no-preview", error: "This RAW file has no embedded preview." };
        return { ...base, ...imageFacts(await thumbnailsOfRawPreview(embedded, meta.orientation, out)) };
      }
      const result = (await isHeic(input)) ? await thumbnailsOfHeic(input, out) : await imageThumbnails(input, out, meta.orientation);
      return { ...base, ...imageFacts(result) };
    },
    /** A stored preview's perceptual hash (MediaFileError when it cannot be decoded). */
    async phash(input: string): Promise<string> {
      try {
        return await perceptualHash(input, { failOn: "none" });
      } catch (e) {
        throw new MediaFileError(`The preview could not be decoded: ${(e as Error).message.split("\n")[0]}`);
      }
    },
    /** A video's poster frame (a JPEG ffmpeg wrote) → the thumbnails; the place of a video's own coordinates. */
    async still(input: string, out: DerivativePaths, latitude: number | null, longitude: number | null): Promise<PhotoFacts> {
      return { ...imageFacts(await thumbnailsOfImage(input, out)), ...(await placeFacts(latitude, longitude)) };
    },
  };
}
