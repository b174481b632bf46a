// `bun app/media/preview.ts <image> <out.webp>`: one preview-sized WebP (a damaged image shows what decodes), in its own process so a
// damaged or hostile image can crash or exhaust sharp without touching the web server.
import { writeAtomically } from "../../hw/files";
import sharp from "sharp";
import { terminal } from "../platform/log";

export const PREVIEW_SIZE = 960;

export async function writePreview(input: string, output: string) {
  await writeAtomically(
    output,
    (tmp) =>
      sharp(input, { limitInputPixels: 100_000_000, failOn: "none" })
        .rotate()
        .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: "inside", withoutEnlargement: true })
        .webp({ quality: 80 })
        .toFile(tmp),
    // The web process may make the same preview for two requests at once: each writes its own temp file.
    `${output}.${process.pid}.tmp`,
  );
}

if (import.meta.main) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    terminal.err("usage: preview.ts <image> <out.webp>");
    process.exit(2);
  }
  try {
    await writePreview(input, output);
  } catch (e) {
    terminal.err((e as Error).message);
    process.exit(1);
  }
}
