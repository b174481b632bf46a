// Test helpers for People: where the fixture photos are, and a poster (a false-positive check no package has).
import { join } from "node:path";
import sharp from "sharp";

export const PEOPLE_FIXTURES = join(import.meta.dir, "../fixtures/people");
/** A poster: big letters, stripes and circles on a flat background, no face (a false-positive check). */
export async function writePoster(path: string) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="768">
    <rect width="1024" height="768" fill="#f4e3c1"/>
    <rect x="0" y="520" width="1024" height="60" fill="#c0392b"/><rect x="0" y="600" width="1024" height="30" fill="#2c3e50"/>
    <circle cx="760" cy="260" r="150" fill="#e67e22"/><circle cx="700" cy="220" r="28" fill="#2c3e50"/><circle cx="820" cy="220" r="28" fill="#2c3e50"/>
    <text x="60" y="200" font-family="sans-serif" font-size="120" font-weight="bold" fill="#2c3e50">SUMMER</text>
    <text x="60" y="330" font-family="sans-serif" font-size="90" fill="#c0392b">FESTIVAL 2024</text>
    <text x="60" y="700" font-family="sans-serif" font-size="40" fill="#2c3e50">Live music · Food · Fireworks</text></svg>`;
  await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toFile(path);
  return path;
}
