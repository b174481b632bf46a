// Rebuilds app/media/data/olympus-lens-types.json: Olympus' LensType codes (maker note Equipment 0x201, "make model
// sub-model" in hexadecimal as ExifTool keys them: "0 05 00") → the lens's name, from ExifTool's own table, so the
// pipeline names the lens of Olympus cameras that write no LensModel string (the E-1 and other Four Thirds bodies).
//   bun scripts/olympus-lens-types.ts /usr/share/perl5/Image/ExifTool/Olympus.pm   (Debian: libimage-exiftool-perl)
const source = process.argv[2];
if (!source) throw new Error("usage: bun scripts/olympus-lens-types.ts <Olympus.pm>");
const text = await Bun.file(source).text();
const start = text.indexOf("my %olympusLensTypes = (");
const end = text.indexOf("\n);", start);
if (start < 0 || end < 0) throw new Error("no %olympusLensTypes table in that file");
const table: Record<string, string> = {};
for (const m of text.slice(start, end).matchAll(/^\s*'([0-9a-f]{1,2} [0-9a-f]{2} [0-9a-f]{2})' => '((?:[^'\\]|\\.)*)',/gm))
  if (m[1] !== "0 00 00") table[m[1]!] = m[2]!.replace(/\\(.)/g, "$1"); // "0 00 00" is "None"
await Bun.write(new URL("../app/media/data/olympus-lens-types.json", import.meta.url), `${JSON.stringify(table, null, 0)}\n`);
console.log(`${Object.keys(table).length} lens types`);
