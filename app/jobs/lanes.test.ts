import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../platform/db/client";

import { SOFTWARE_ENCODER } from "../media/video";
import { createStorageRepo } from "../storage/repo";
import { JOB_KINDS } from "./kinds";
import { createLanes, LANE_KINDS } from "./lanes";
import { fakeRunner } from "../../hw/testing";
import { systemClock } from "../platform/clock";

test("every job kind has exactly one handler, in exactly one lane", () => {
  const dir = mkdtempSync(join(tmpdir(), "nas-lanes-"));
  const db = openDb(join(dir, "db.sqlite"), { log: () => {} });
  try {
    const lanes = createLanes({
      db,
      dataDir: dir,
      storageRepo: createStorageRepo(db),
      includeLoop: false,
      tlsDir: join(dir, "tls"),
      media: { run: fakeRunner(() => ({})).run, encoder: () => SOFTWARE_ENCODER, softwareEncoder: SOFTWARE_ENCODER },
      now: systemClock,
    });
    const handled = Object.values(lanes).flatMap((lane) => Object.keys(lane));
    expect(handled.sort()).toEqual([...JOB_KINDS].sort());
    for (const [lane, kinds] of Object.entries(LANE_KINDS)) expect(Object.keys(lanes[lane as keyof typeof lanes]).sort()).toEqual([...kinds].sort());
    for (const lane of Object.values(lanes)) for (const h of Object.values(lane)) expect(typeof h).toBe("function");
  } finally {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
