// The indexing job over a real library: fixture photos uploaded to Drive, processed by the real media pipeline,
// indexed by a real indexer child (Human on wasm). One library, shared by the tests of this file (indexing is the slow part).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { mediaTestApp } from "../../test/support/media";
import { PEOPLE_FIXTURES } from "../../test/support/faces";
import { systemClock } from "../platform/clock";
import type { JobContext } from "../platform/queue/queue";
import { createPeopleIndexing } from "./indexing";
import { ENABLED_SETTING, MODEL_VERSION } from "./model";
import { faceCrop } from "./paths";
import { createIndexerPool } from "./pool";

const t = mediaTestApp();
const alice = t.createUser("alice");
const ctx = (): JobContext => ({ progress: () => {}, log: () => {}, signal: new AbortController().signal });
const indexing = createPeopleIndexing({ db: t.db, dataDir: t.dataDir, now: systemClock, settings: { get: <T,>(k: string) => (k === ENABLED_SETTING ? (true as T) : undefined) }, pool: () => createIndexerPool({ size: 1 }) });
const sha: Record<string, string> = {};

beforeAll(async () => {
  for (const name of ["party-1", "party-2", "grace-hopper", "dog", "car"]) {
    const file = await t.upload(alice, join(PEOPLE_FIXTURES, `${name}.jpg`));
    sha[name] = file.sha256!;
  }
  await t.drain();
  await indexing.handler({ id: "j1", kind: "people.index", payload: {} } as never, ctx());
}, 120_000);
afterAll(() => t.cleanup());

test("every processed photo is indexed once by the current models, with faces, crops and objects", () => {
  const p = indexing.repo.progress(MODEL_VERSION);
  expect(p).toEqual({ total: 5, indexed: 5, failed: 0 });
  const party = indexing.repo.facesOf(alice.id, sha["party-1"]!);
  expect(party.length).toBeGreaterThanOrEqual(3);
  for (let i = 0; i < party.length; i++) expect(existsSync(faceCrop(t.dataDir, alice.id, sha["party-1"]!, i))).toBe(true);
  expect(indexing.repo.facesOf(alice.id, sha["grace-hopper"]!)).toHaveLength(1);
  expect(indexing.repo.facesOf(alice.id, sha.dog!)).toHaveLength(0);
  const labels = t.db.$client.query("SELECT sha256, label, max(score) AS s FROM photo_objects WHERE user_id = ? GROUP BY sha256, label").all(alice.id) as { sha256: string; label: string; s: number }[];
  console.log(labels.map((l) => `${Object.keys(sha).find((k) => sha[k] === l.sha256)} ${l.label} ${l.s}`).join("\n"));
});
