import type { MediaKind } from "./repo";

/** Bump when the pipeline's output changes: `nas media reprocess` (or the dashboard button) redoes older rows. */
export const MEDIA_PIPELINE_VERSION = 2;

const RAW_EXT = /\.(dng|cr2|cr3|nef|nrw|arw|orf|rw2|raf|pef|srw)$/i;

/** Which part of the pipeline a stored file goes through; undefined: not media (documents, SVG…). */
export function mediaKindOf(mime: string | null, name: string): MediaKind | undefined {
  const m = (mime ?? "").toLowerCase();
  // file-type reports most RAW formats as TIFF or as image/x-<vendor>-<raw>: the extension decides.
  if (RAW_EXT.test(name) || /^image\/x-(adobe-dng|canon-cr[23]|nikon-nef|sony-arw|olympus-orf|panasonic-rw2|fujifilm-raf)$/.test(m)) return "raw";
  if (m.startsWith("image/") && !m.includes("svg")) return "image";
  if (m.startsWith("video/")) return "video";
  return undefined;
}

/** Image types browsers show as they are: the lightbox zooms into the original; others get a full-resolution JPEG. */
export const BROWSER_IMAGES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"]);

/** What the worker found out about hardware video encoding at its start (shared through the settings table). */
export type EncoderChoice = { encoder: string; label: string; reason: string; checkedAt: string };
export const ENCODER_SETTING = "media.encoder";

/**
 * A place name as search compares it: lower case, without accents or punctuation ("Reykjavík" → "reykjavik",
 * "Hell's Kitchen" → "hell s kitchen"). The worker stores names folded (geocode.ts); Photos folds what people type.
 */
export const foldPlaceName = (s: string) =>
  s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

/**
 * Photos side by side, heavy work alone: `heavy` work (a video, a HEIC decode) runs one at a time, waits for the
 * `light` work in progress to finish and holds new light work back until it is done. On a 1 GB box a transcode or a
 * HEIC decode (≈ 200 MB each) beside two photo decodes is what would not fit; the cores are busy either way.
 */
export function heavyAlone() {
  let light = 0;
  let heavyPending = 0;
  let heavyTail: Promise<unknown> = Promise.resolve();
  const idle: (() => void)[] = [];
  return {
    async light<T>(work: () => Promise<T>): Promise<T> {
      while (heavyPending > 0) await heavyTail;
      light++;
      try {
        return await work();
      } finally {
        if (--light === 0) for (const wake of idle.splice(0)) wake();
      }
    },
    heavy<T>(work: () => Promise<T>): Promise<T> {
      heavyPending++;
      const run = heavyTail
        .then(async () => {
          while (light > 0) await new Promise<void>((resolve) => idle.push(resolve));
          return work();
        })
        .finally(() => heavyPending--);
      heavyTail = run.catch(() => undefined);
      return run;
    },
  };
}

/** Runs the work it is given one at a time, in order (each starts when the previous one settled). */
export function oneAtATime() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** HEIF brands whose pixels are HEVC (the prebuilt sharp cannot decode those; AVIF it can). */
const HEVC_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]);
export async function isHeic(path: string) {
  const head = new Uint8Array(await Bun.file(path).slice(0, 12).arrayBuffer());
  return new TextDecoder().decode(head.subarray(4, 8)) === "ftyp" && HEVC_BRANDS.has(new TextDecoder().decode(head.subarray(8, 12)));
}
