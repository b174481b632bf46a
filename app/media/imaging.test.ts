// The worker's side of the imaging process (imaging.ts): `release` lets an idle process go before heavy work and
// never one that owes an answer; the next photo starts a new process.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { dataPaths } from "../platform/paths";
import { FIXTURES } from "../../test/support/media";
import { createImagingClient } from "./imaging";

const dir = mkdtempSync(join(tmpdir(), "nas-imaging-"));
const imaging = createImagingClient();
afterAll(() => {
  imaging.stop();
  rmSync(dir, { recursive: true, force: true });
});
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
function request(n: number) {
  const out = dataPaths(dir).derivatives("u1", String(n).repeat(64));
  mkdirSync(dirname(out.thumb), { recursive: true });
  return { input: join(FIXTURES, "gps/DSCN0010.jpg"), out, mtime: 0, name: "DSCN0010.jpg", raw: false };
}

test("release spares a process that owes an answer and ends an idle one; the next photo starts another", async () => {
  const working = imaging.photo(request(1));
  const first = imaging.pid()!;
  imaging.release(); // owes the photo: kept
  expect(await working).toMatchObject({ width: 640, height: 480, damaged: false });
  expect(imaging.pid()).toBe(first);
  imaging.release(); // idle now: let go
  expect(imaging.pid()).toBeUndefined();
  for (let i = 0; i < 100 && alive(first); i++) await Bun.sleep(50);
  expect(alive(first)).toBe(false);
  expect(await imaging.photo(request(2))).toMatchObject({ width: 640, height: 480 });
  expect(imaging.pid()).not.toBe(first);
}, 60_000);

test("a photo not answered in time ends the imaging process with an error the queue retries (not the file's fault)", async () => {
  // 1 ms: no process answers that fast (it has not even loaded sharp), so the limit is what ends it.
  const hasty = createImagingClient({ timeoutMs: 1 });
  const late = hasty.photo(request(3));
  const stuck = hasty.pid()!;
  const error = await late.then(
    () => null,
    (e: Error) => e,
  );
  expect(error?.message).toBe("the photo took longer than 0 s");
  expect(error?.constructor.name).toBe("Error"); // not the file's fault: the queue retries it
  for (let i = 0; i < 100 && alive(stuck); i++) await Bun.sleep(50);
  expect(alive(stuck)).toBe(false);
  expect(hasty.pid()).toBeUndefined();
}, 60_000);
