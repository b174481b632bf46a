// `bun app/media/heic.ts <input.heic> <thumb.webp> <preview.jpg>`: the HEIC derivatives in a process of their own,
// which prints {"width","height","thumbhash"}. libheif's WebAssembly heap grows by ≈ 200 MB for a 12 MP photo and
// never shrinks; here it goes back to the system when the process ends, and a hostile file cannot take the worker down.
import { MediaFileError, thumbnailsOfHeic } from "./image";
import { terminal } from "../platform/log";

if (import.meta.main) {
  const [input, thumb, preview] = process.argv.slice(2);
  if (!input || !thumb || !preview) {
    terminal.err("usage: heic.ts <input.heic> <thumb.webp> <preview.jpg>");
    process.exit(2);
  }
  try {
    terminal.out(JSON.stringify(await thumbnailsOfHeic(input, { thumb, preview })));
  } catch (e) {
    terminal.err((e as Error).message);
    // 3: the file's fault (a permanent error state); 1: anything else (retried).
    process.exit(e instanceof MediaFileError ? 3 : 1);
  }
}
