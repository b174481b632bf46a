/** The scrub on its own (no backup target): its pace, resuming, what it reports, and repairs from the second disk. */
import { afterEach, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupBox, type BackupBox, someBytes } from "../../test/support/backup";
import { createFileObjects } from "../platform/objects";
import { dataPaths } from "../platform/paths";
import { scrub, type ScrubDeps, WEEK } from "./scrub";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function scrubbing(b: BackupBox, over: Partial<ScrubDeps> = {}) {
  const asked: string[] = [];
  const deps: ScrubDeps = {
    repo: b.repo,
    dataDir: b.dataDir,
    now: () => new Date(),
    blobs: createFileObjects({ dataDir: b.dataDir }),
    secondCopy: () => null,
    repairFromBackup: (userId, sha256) => {
      asked.push(`${userId}/${sha256}`);
      return false;
    },
    rate: null,
    ...over,
  };
  return { deps, asked };
}

async function boxWith(n: number) {
  const b = backupBox();
  cleanups.push(b.cleanup);
  const alice = b.createAdmin("alice");
  const files = [];
  for (let i = 0; i < n; i++) files.push(await b.put(alice, `Photos/${i}.jpg`, someBytes(10_000)));
  return { b, alice, files };
}

test("a pass goes at the week's pace, resumes where it stopped, and records itself when done", async () => {
  const { b } = await boxWith(12);
  let now = new Date("2026-03-01T00:00:00Z").getTime();
  const { deps } = scrubbing(b, { now: () => new Date(now) });
  // The first hour of the week: nothing is due yet.
  expect(await scrub(deps)).toMatchObject({ checked: 0 });
  const total = b.repo.scrubState().totalBytes;
  expect(total).toBe(12 * 10_000);
  // Half the week later, half the bytes are due.
  now += WEEK / 2;
  expect(await scrub(deps)).toMatchObject({ checked: 6, passDone: false });
  const state = b.repo.scrubState();
  expect(state.passStartedAt).not.toBeNull();
  expect(state.bytesDone).toBe(6 * 10_000);
  // The rest of the week: the other six, then the pass ends and is recorded.
  now += WEEK / 2;
  expect(await scrub(deps)).toMatchObject({ checked: 6, passDone: true });
  expect(b.repo.scrubState()).toMatchObject({ passStartedAt: null, lastPassBlobs: 12, lastPassBytes: total });
  // The next pass begins a week after this one began: now, with nothing due yet.
  expect(await scrub(deps)).toMatchObject({ checked: 0, passDone: false });
  expect(b.repo.scrubState()).toMatchObject({ passStartedAt: new Date(now), bytesDone: 0, lastPassBlobs: 12 });
});

test("interrupted mid-pass (the worker stops), the next run goes on from the saved cursor", async () => {
  const { b } = await boxWith(5);
  const abort = new AbortController();
  const { deps } = scrubbing(b);
  let reads = 0;
  const counting = { ...deps.blobs, localPath: (u: string, s: string) => (++reads === 3 && abort.abort(), deps.blobs.localPath(u, s)) };
  await expect(scrub({ ...deps, blobs: counting }, { full: true, signal: abort.signal })).rejects.toThrow(/interrupted/);
  // Nothing was saved for the batch in flight: the resumed run checks all five, once.
  const resumed = await scrub(deps, { full: true });
  expect(resumed).toMatchObject({ checked: 5, damaged: 0, passDone: true });
});

test("a damaged and a missing file: reported with their names and owner, repaired from a good second-disk copy only", async () => {
  const { b, alice, files } = await boxWith(3);
  // The second-disk copy (made before bob stored anything) holds alice's files, one of them already bad there too.
  const copy = mkdtempSync(join(tmpdir(), "nas-copy-"));
  cleanups.push(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(b.dataDir, copy, { recursive: true });
  const bob = b.createUser("bob");
  const bobs = await b.put(bob, "Music/a.mp3", someBytes(5000));
  const path = (userId: string, sha: string) => dataPaths(b.dataDir).blob(userId, sha);
  writeFileSync(join(copy, "users", alice.id, "blobs", files[2]!.sha256!.slice(0, 2), files[2]!.sha256!.slice(2, 4), files[2]!.sha256!), "bad copy too");
  writeFileSync(path(alice.id, files[0]!.sha256!), "rot");
  unlinkSync(path(alice.id, files[1]!.sha256!));
  writeFileSync(path(alice.id, files[2]!.sha256!), "rot as well");
  writeFileSync(path(bob.id, bobs.sha256!), "rot");
  const { deps, asked } = scrubbing(b, { secondCopy: () => copy });
  const report = await scrub(deps, { full: true });
  expect(report).toMatchObject({ checked: 4, damaged: 4, passDone: true });
  const byName = Object.fromEntries(b.backup.scrub().findings.map((f) => [f.names[0], [f.owner, f.problem, f.state, f.repairedFrom]]));
  expect(byName).toEqual({
    "0.jpg": ["alice", "damaged", "repaired", "the second-disk copy"],
    "1.jpg": ["alice", "missing", "repaired", "the second-disk copy"],
    "2.jpg": ["alice", "damaged", "unrepairable", null],
    "a.mp3": ["bob", "damaged", "unrepairable", null],
  });
  // No backup was there to ask: the two left are said to be beyond repair, and the dashboard shows it.
  expect(asked.length).toBe(2);
  expect(Object.values(await b.blobsIntact()).filter(Boolean).length).toBe(2);
  const alerts = b.backup.alerts();
  expect(alerts.map((a) => a.code).sort()).toEqual(["scrub-damaged", "scrub-repaired"]);
  expect(alerts.find((a) => a.code === "scrub-damaged")!.message).toMatch(/2 stored files are damaged/);
});

test("content purged while the pass runs is not a finding", async () => {
  const { b, alice, files } = await boxWith(2);
  b.services.drive.moveToTrash(alice, [files[0]!.id]);
  b.services.drive.emptyTrash(alice);
  const { deps } = scrubbing(b);
  expect(await scrub(deps, { full: true })).toMatchObject({ checked: 1, damaged: 0 });
  expect(b.repo.findings()).toEqual([]);
});
