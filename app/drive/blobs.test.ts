import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createBlobStore } from "./blobs";
import { AppError } from "../platform/errors";
import { systemClock } from "../platform/clock";

// The object store under Drive has its own contract test (app/platform/objects.test.ts); here is what Drive adds.
const dirs: string[] = [];
const tempData = () => {
  const d = mkdtempSync(join(tmpdir(), "drive-storage-"));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function* chunks(text: string) {
  yield new TextEncoder().encode(text);
}

test("removeBlob removes the content and its cached preview together", async () => {
  const s = createBlobStore({ dataDir: tempData(), now: systemClock });
  const staged = await s.objects.stage("u1", chunks("a picture"), { maxBytes: 100, tooLarge: () => new AppError(413, "quota") });
  s.objects.commit("u1", staged);
  const preview = s.previewPath("u1", staged.sha256);
  mkdirSync(dirname(preview), { recursive: true });
  writeFileSync(preview, "webp");
  s.removeBlob("u1", staged.sha256);
  expect(s.objects.head("u1", staged.sha256)).toBeNull();
  expect(existsSync(preview)).toBe(false);
});

test("pendingImports finds regular files in a user's import folder, not the recent ones", () => {
  const root = tempData();
  const s = createBlobStore({ dataDir: root, now: systemClock });
  mkdirSync(join(root, "users/u1/import/Trip"), { recursive: true });
  writeFileSync(join(root, "users/u1/import/Trip/a.jpg"), "x");
  // Written "now" by the process's clock (under faketime the kernel's file times are a year behind it).
  const now = systemClock();
  utimesSync(join(root, "users/u1/import/Trip/a.jpg"), now, now);
  expect(s.pendingImports(0).map((f) => [f.userId, f.parts])).toEqual([["u1", ["Trip", "a.jpg"]]]);
  expect(s.pendingImports(3_600_000)).toEqual([]);
});
