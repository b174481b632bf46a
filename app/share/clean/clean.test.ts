// Every container's cleaner on files that carry a place in every spot a tool writes one (test/support/located.ts):
// exiftool and ffprobe find no place in what a link would send, and the picture or recording still decodes (the
// same pixels where nothing was re-encoded). Then the cleaners on damaged and mutated files: they end, and they
// only ever answer with a cleaned file or a refusal.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodes, type LocatedCase, locatedCorpus, placesIn } from "../../../test/support/located";
import type { DriveFile } from "../../platform/db/schema";
import { sniffMime } from "../../drive/upload";
import { AppError } from "../../platform/errors";
import { cleanContent, planFor } from ".";
import { cleanJpeg } from "./jpeg";
import { CleanFile, PartialClean, Source } from "./spliced";

const dir = mkdtempSync(join(tmpdir(), "nas-clean-"));
const cases: LocatedCase[] = await locatedCorpus(dir);
const before = new Map<string, string[]>();
const after = new Map<string, string[]>();
const served = new Map<string, { body: string | CleanFile } | AppError>();
/** The file row as an upload makes it: the type sniffed from the content (else the name). */
const fileOf = async (c: LocatedCase, path = c.path) =>
  ({ name: c.name, mime: await sniffMime(readFileSync(path).subarray(0, 4100), c.name), sha256: "0".repeat(64), size: 0 }) as unknown as DriveFile;

beforeAll(async () => {
  mkdirSync(join(dir, "out"));
  for (const [k, v] of await placesIn(cases.map((c) => c.path))) before.set(k, v);
  const outs: string[] = [];
  for (const c of cases) {
    try {
      const r = await cleanContent(await fileOf(c), c.path);
      served.set(c.name, r);
      if (r.body instanceof CleanFile) {
        const out = join(dir, "out", c.name);
        writeFileSync(out, await r.body.bytes());
        outs.push(out);
      }
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      served.set(c.name, e);
    }
  }
  for (const [k, v] of await placesIn(outs)) after.set(k, v);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("what a link sends of a located file", () => {
  test(`the corpus: every container, every place a tool writes (${cases.length} files)`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(36);
    // The check can fail: it finds the place in every located original.
    for (const c of cases.filter((c) => c.located)) expect({ name: c.name, found: before.get(c.path)!.length > 0 }).toEqual({ name: c.name, found: true });
  });

  test.each(cases.map((c) => [c.name, c.expect, c.why, c] as const))(
    "%s: %s (%s)",
    async (_name, _expect, _why, c) => {
      const r = served.get(c.name)!;
      if (c.expect === "refused") {
        expect(r).toBeInstanceOf(AppError);
        expect((r as AppError).status).toBe(403);
        expect((r as AppError).message).toContain("could not be proven free of its location");
        return;
      }
      expect({ name: c.name, error: r instanceof AppError ? r.message : undefined }).toEqual({ name: c.name, error: undefined });
      const { body } = r as { body: string | CleanFile };
      if (c.expect === "stored") {
        expect(body).toBe(c.path);
        return;
      }
      expect(body).toBeInstanceOf(CleanFile);
      const out = join(dir, "out", c.name);
      expect({ name: c.name, places: after.get(out) }).toEqual({ name: c.name, places: [] });
      expect({ name: c.name, decodes: await decodes(out, c.decode, dir) }).toEqual({ name: c.name, decodes: true });
      // Any range of the cleaned file is that range of the whole cleaned file.
      const clean = body as CleanFile;
      const whole = readFileSync(out);
      expect(whole.length).toBe(clean.size);
      for (const [a, b] of [
        [0, 1],
        [0, 100],
        [7, clean.size - 3],
        [Math.floor(clean.size / 2), clean.size],
        [clean.size - 1, clean.size],
      ] as const) {
        const part = clean.slice(a, b);
        expect(Buffer.from(await new Response(part).arrayBuffer()).equals(whole.subarray(a, b))).toBe(true);
      }
    },
    60_000,
  );
});

describe("damaged and mutated files", () => {
  test("a JPEG cut inside its Exif segment is sent as far as it is clean: its start marker, nothing of the segment", async () => {
    const cut = join(dir, "cut.jpg");
    writeFileSync(cut, readFileSync(join(dir, "camera.jpg")).subarray(0, 30));
    const src = await Source.open(cut);
    try {
      const e = await cleanJpeg(src).catch((e) => e);
      expect(e).toBeInstanceOf(PartialClean);
      expect(await new CleanFile(cut, (e as PartialClean).kept.parts).bytes()).toEqual(Buffer.from([0xff, 0xd8]));
    } finally {
      await src.close();
    }
  });

  test("every cleaner ends on 600 truncated and corrupted files, answering only a cleaned file or a refusal", async () => {
    let seed = 1;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const path = join(dir, "mutant");
    let outcomes = { cleaned: 0, refused: 0 };
    for (const c of cases.filter((c) => c.expect !== "stored")) {
      const original = readFileSync(c.path).subarray(0, 256 * 1024);
      for (let n = 0; n < 16; n++) {
        const bytes = Buffer.from(original.subarray(0, n % 2 ? Math.floor(random() * original.length) : original.length));
        for (let k = 0; k < 1 + (n % 5); k++) if (bytes.length) bytes[Math.floor(random() * Math.min(bytes.length, 4096))] = Math.floor(random() * 256);
        writeFileSync(path, bytes);
        try {
          const r = await cleanContent(await fileOf(c, path), path);
          if (r.body instanceof CleanFile) expect((await r.body.bytes()).length).toBe(r.body.size);
          outcomes.cleaned++;
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
          outcomes.refused++;
        }
      }
    }
    expect(outcomes.cleaned + outcomes.refused).toBeGreaterThanOrEqual(500);
    expect(outcomes.cleaned).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
    outcomes = { cleaned: 0, refused: 0 };
  }, 60_000);

  test("a zero-byte file and one of a few bytes: planned by content, never an exception", async () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0xff, 0xd8), Uint8Array.of(0x89, 0x50)]) {
      const path = join(dir, "tiny.jpg");
      writeFileSync(path, bytes);
      const r = await cleanContent({ name: "tiny.jpg", mime: "image/jpeg", sha256: "0".repeat(64), size: bytes.length } as DriveFile, path).catch((e) => e);
      expect(r instanceof AppError || r.body instanceof CleanFile).toBe(true);
    }
    expect(planFor(new Uint8Array(0), { name: "a.txt", mime: "text/plain" })).toEqual({ stored: true });
    expect(planFor(new Uint8Array(0), { name: "a.jpg", mime: "image/jpeg" })).toEqual({ refused: "this format has no cleaner here" });
  });
});
