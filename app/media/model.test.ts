import { expect, test } from "bun:test";
import { heavyAlone } from "./model";

/** A task the test finishes by hand, recording when it starts. */
function task(name: string, log: string[]) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    finish,
    work: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
  };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("heavy work waits for the photos in progress, holds new ones back, and runs one at a time", async () => {
  const gate = heavyAlone();
  const log: string[] = [];
  const [p1, p2, v, h, p3] = ["photo1", "photo2", "video", "heic", "photo3"].map((n) => task(n, log));
  const runs = [gate.light(p1!.work), gate.light(p2!.work), gate.heavy(v!.work), gate.heavy(h!.work)];
  await settle();
  runs.push(gate.light(p3!.work));
  await settle();
  expect(log).toEqual(["start photo1", "start photo2"]); // two photos side by side; the video waits for both
  p1!.finish();
  await settle();
  expect(log).toEqual(["start photo1", "start photo2", "end photo1"]);
  p2!.finish();
  await settle();
  expect(log.slice(-2)).toEqual(["end photo2", "start video"]); // photo3 is held back, the HEIC queued behind
  v!.finish();
  await settle();
  expect(log.slice(-2)).toEqual(["end video", "start heic"]);
  h!.finish();
  await settle();
  expect(log.slice(-2)).toEqual(["end heic", "start photo3"]);
  p3!.finish();
  expect(await Promise.all(runs)).toEqual(["photo1", "photo2", "video", "heic", "photo3"]);
});

test("a failed heavy task lets the others go on", async () => {
  const gate = heavyAlone();
  const failing = gate.heavy(() => Promise.reject(new Error("ffmpeg died")));
  const next = gate.heavy(async () => "next");
  const photo = gate.light(async () => "photo");
  await expect(failing).rejects.toThrow("ffmpeg died");
  expect(await Promise.all([next, photo])).toEqual(["next", "photo"]);
});
