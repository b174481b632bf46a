import { systemClock } from "./platform/clock";
import { afterEach, expect, test } from "bun:test";
import { fakeRunner } from "../hw/testing";
import { createStorageRepo } from "./storage/repo";
import { JOB_KINDS, webHandlers, workerHandlers, type WorkerContext } from "./jobs";
import { SOFTWARE_ENCODER } from "./media/video";
import { LANES } from "./platform/queue/kinds";
import { createSettingsRepo } from "./settings/repo";
import { createTestApp, type TestApp } from "../test/support/app";

let t: TestApp | undefined;
afterEach(() => t?.cleanup());

test("every job kind has exactly one handler, in exactly one lane, run by the process of that lane", () => {
  t = createTestApp();
  const { db, dataDir, config, services } = t;
  const ctx: WorkerContext = {
    db,
    dataDir,
    tlsDir: config.tlsDir,
    now: systemClock,
    run: fakeRunner(() => ({})).run,
    queue: services.jobs,
    settings: createSettingsRepo(db),
    storageRepo: createStorageRepo(db),
    includeLoop: false,
    peoplePauseAbove: config.peoplePauseAbove,
    media: { run: fakeRunner(() => ({})).run, encoder: () => SOFTWARE_ENCODER, softwareEncoder: SOFTWARE_ENCODER },
    drive: async () => ({ drive: services.drive, uploads: services.tus }),
  };
  const worker = Object.keys(workerHandlers(ctx));
  const web = Object.keys(webHandlers(services));

  expect([...worker, ...web].sort()).toEqual(Object.keys(JOB_KINDS).sort());
  expect(new Set([...worker, ...web]).size).toBe(worker.length + web.length);
  for (const kind of worker) expect([kind, JOB_KINDS[kind as keyof typeof JOB_KINDS].lane]).not.toEqual([kind, "web"]);
  for (const kind of web) expect([kind, JOB_KINDS[kind as keyof typeof JOB_KINDS].lane]).toEqual([kind, "web"]);
  for (const [kind, spec] of Object.entries(JOB_KINDS)) {
    expect(LANES).toContain(spec.lane);
    // Periodic kinds are queued with `{}` or their scheduled payload: a root kind in the web lane could never run.
    if (spec.lane === "web") expect([kind, spec.root ?? false]).toEqual([kind, false]);
  }
  for (const h of [...Object.values(workerHandlers(ctx)), ...Object.values(webHandlers(services))]) expect(typeof h).toBe("function");
});
