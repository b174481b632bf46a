// A size-limited filesystem for the full-disk tests: a tmpfs of `mib` MiB mounted on a new temp folder (as root, like
// CI). When mounting is impossible (not root, no mount namespace) it says so and why: the test is then skipped loudly.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type SmallDisk = { dir: string; unmount: () => void };

export function mountSmallDisk(mib: number): SmallDisk | { unavailable: string } {
  if (process.getuid?.() !== 0) return { unavailable: "mounting a size-limited filesystem needs root (CI runs as root)" };
  const dir = mkdtempSync(join(tmpdir(), "nas-small-disk-"));
  const r = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${mib}m,mode=0700`, "tmpfs", dir], { stderr: "pipe" });
  if (r.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `mount -t tmpfs failed: ${r.stderr.toString().trim()}` };
  }
  return {
    dir,
    unmount: () => {
      Bun.spawnSync(["umount", "-l", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `path` until the filesystem refuses (ENOSPC): the disk is then full to the byte. */
export async function fillDisk(path: string) {
  const chunk = new Uint8Array(64 * 1024).fill(7);
  const file = await import("node:fs").then((fs) => fs.openSync(path, "a"));
  const fs = await import("node:fs");
  try {
    for (;;) fs.writeSync(file, chunk);
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOSPC") throw e;
    // The last blocks: smaller writes until not even one byte fits.
    for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
      try {
        for (;;) fs.writeSync(file, chunk.subarray(0, size));
      } catch {}
    }
  } finally {
    fs.closeSync(file);
  }
}
