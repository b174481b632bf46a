#!/usr/bin/env bun
/**
 * qemu test of the flashed image (make image-test). Boots out/nas-x86_64.img the way a box does — UEFI firmware
 * (OVMF) → GRUB → kernel → squashfs root — on a disk larger than the image, under TCG, with user networking
 * forwarded to 127.0.0.1 only and no route out of the guest, and checks it from outside as a person on the LAN, the
 * owner in Chromium and an admin over SSH would.
 *
 * One story on one disk, split by concern over a shared harness (os/tests/image/): each concern checks one thing
 * and leaves the box to the next, in this order (see each file's header):
 *   boot       power cut during first-boot provisioning, then https, read-only root, storage units, health check
 *   https      the CA over http, TLS to nas.local verified against it, name constraints, wizard and redirects
 *   dashboard  the wizard with a passkey and the admin dashboard in Chromium; SSH turned on with the test's key
 *   disks      the grown data partition and SMART read off the disk; a second disk with the image left untouched
 *   backup     the box backed up with restic to a blank disk; a file restored into Drive and with the kit's command
 *   update     refused bundles, a power cut while RAUC writes slot B, N → N+1 from the dashboard
 *   media      an iPhone HEVC MOV through the box's own ffmpeg
 *   memory     the box in 1 GB (make image-memory): photos, HEIC and a 1080p video ingested under a read load
 *   rollback   a broken N+2 fails its health check three times and the box returns to N+1 by itself
 *   support    a support bundle without secrets
 *   reset      factory reset keeping the files
 *
 * Usage: bun os/tests/image.e2e.ts [concern…]   (after make image-debian; KEEP=1 keeps the work directory)
 * With no names every concern runs; with names, those run together with the concerns they need, in this order
 * (e.g. `media` runs boot, https, dashboard, media).
 */
import { spawnSync } from "bun";
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boot } from "./image/boot";
import { dashboard } from "./image/dashboard";
import { disks } from "./image/disks";
import { backup } from "./image/backup";
import { type Concern, image, imageRun, OVMF_VARS, results } from "./image/harness";
import { https } from "./image/https";
import { media } from "./image/media";
import { memory } from "./image/memory";
import { reset } from "./image/reset";
import { rollback } from "./image/rollback";
import { support } from "./image/support";
import { update } from "./image/update";

const concerns: Concern[] = [boot, https, dashboard, disks, backup, update, media, memory, rollback, support, reset];

/**
 * The named concerns and everything they need, in the test's order; with none named, all but `memory` (it wants the
 * box in 1 GB and a long ingest: `make image-memory`).
 */
function select(names: string[]): Concern[] {
  if (names.length === 0) return concerns.filter((c) => c.name !== "memory");
  const wanted = new Set<string>();
  const add = (name: string) => {
    const concern = concerns.find((c) => c.name === name);
    if (!concern) throw new Error(`unknown concern "${name}" (one of: ${concerns.map((c) => c.name).join(", ")})`);
    wanted.add(name);
    for (const need of concern.needs) add(need);
  };
  for (const name of names) add(name);
  return concerns.filter((c) => wanted.has(c.name));
}

async function main() {
  const chosen = select(process.argv.slice(2));
  if (!existsSync(image)) throw new Error(`${image} is missing: run make image-debian first`);
  const work = mkdtempSync(join(tmpdir(), "nas-image-test-"));
  const sshKey = join(work, "id_ed25519");
  const run = imageRun(work, join(work, "disk.img"), sshKey);
  process.on("exit", run.stopAll);
  process.on("SIGINT", () => process.exit(130));
  console.log(`concerns: ${chosen.map((c) => c.name).join(", ")}`);
  try {
    for (const concern of chosen) concern.prepare?.(run);
    spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "image-test", "-f", sshKey]);
    copyFileSync(OVMF_VARS, join(work, "OVMF_VARS.fd"));
    for (const concern of chosen) {
      console.log(`-- ${concern.name}`);
      await concern.run(run);
    }
    const xzBytes = existsSync(`${image}.xz`) ? statSync(`${image}.xz`).size : NaN;
    console.log(`image: ${(statSync(image).size / 1024 ** 2).toFixed(0)} MiB raw, ${(xzBytes / 1024 ** 2).toFixed(1)} MiB .img.xz (target ≤ 200)`);
    const boots = [
      run.firstBootSeconds && `first boot ${run.firstBootSeconds.toFixed(1)} s`,
      run.secondBootSeconds && `second boot ${run.secondBootSeconds.toFixed(1)} s`,
    ];
    console.log(`boot to HTTPS 200 under TCG: ${boots.filter(Boolean).join(", ")} (target ≤ 60)`);
    for (const line of run.timings) console.log(line);
  } catch (error) {
    results.failed++;
    console.error(error);
  } finally {
    run.stopAll();
    if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
  console.log(`image-test: ${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed === 0 && results.passed > 0 ? 0 : 1);
}

await main();
