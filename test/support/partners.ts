// Partner sharing's tests (app/access/policy.test.ts, app/photos/partners.test.ts): a real app and media pipeline over
// real fixtures. ann has a photo taken on 22 October 2008 (Arezzo), one of May 2008 (Canon), a video of September
// 2008, an archived photo and one in the trash; bob has his own photo; carol is on the box and nobody's partner.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../../hw/run";
import { FIXTURES, mediaTestApp } from "./media";

/** A 1-second H.264 clip whose container says it was made on 10 September 2008. */
async function clip(dir: string) {
  const out = join(dir, "clip.mp4");
  const args = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast"];
  const made = await runCommand(["ffmpeg", "-hide_banner", "-v", "error", "-y", ...args, "-metadata", "creation_time=2008-09-10T10:00:00Z", out], {
    timeoutMs: 60_000,
  });
  if (made.code !== 0) throw new Error(made.stderr);
  return out;
}

export async function partnerFixture() {
  const t = mediaTestApp();
  const work = mkdtempSync(join(tmpdir(), "partner-"));
  const ann = t.createUser("ann");
  const bob = t.createUser("bob");
  const carol = t.createUser("carol");
  const arezzo = await t.upload(ann, join(FIXTURES, "gps/DSCN0021.jpg"));
  const canon = await t.upload(ann, join(FIXTURES, "cameras/Canon_40D.jpg"));
  const video = await t.upload(ann, await clip(work));
  const archived = await t.upload(ann, join(FIXTURES, "cameras/Nikon_D70.jpg"));
  const trashed = await t.upload(ann, join(FIXTURES, "cameras/Pentax_K10D.jpg"));
  const bobs = await t.upload(bob, join(FIXTURES, "phone/jolla.jpg"));
  await t.drain();
  const { photos, drive } = t.services;
  photos.setArchived(ann, [archived.id], true);
  drive.moveToTrash(ann, [trashed.id]);
  return {
    t,
    ann,
    bob,
    carol,
    items: { arezzo, canon, video, archived, trashed, bobs },
    cleanup() {
      t.cleanup();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
export type PartnerFixture = Awaited<ReturnType<typeof partnerFixture>>;
