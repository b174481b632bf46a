import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { dataPaths } from "../platform/paths";
import { backupBox, type BackupBox, folderTarget, someBytes } from "../../test/support/backup";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
const box = (...args: Parameters<typeof backupBox>) => {
  const b = backupBox(...args);
  cleanups.push(b.cleanup);
  return b;
};

async function filled(b: BackupBox) {
  const alice = b.createAdmin("alice");
  const bob = b.createUser("bob");
  const photo = someBytes(300_000);
  await b.put(alice, "Photos/2021/beach.jpg", photo);
  await b.put(alice, "Photos/2021/copy of beach.jpg", photo);
  await b.put(alice, "Documents/taxes [2024] *final*.pdf", someBytes(50_000));
  await b.put(bob, "Music/song.mp3", someBytes(120_000));
  return { alice, bob, photo };
}

describe("a USB or second disk", () => {
  test("the wizard: test, password, kit, confirm; the first backup runs and its status is honest", async () => {
    const b = box();
    const { alice } = await filled(b);
    const input = folderTarget();
    const target = b.backup.create(input);
    expect(() => b.backup.confirm(target.id, b.backup.target(target.id) as never, true)).toThrow(/Test the connection first/);
    await b.drain();
    expect(b.backup.target(target.id).test).toMatchObject({ ok: true, repository: "none" });
    expect(() => b.backup.kit(target.id)).toThrow(/password first/);
    b.backup.generatePassword(target.id);
    const options = { includeMedia: false, hour: 3, limitUploadKiB: null, lowPriority: true, keepDaily: 7, keepWeekly: 4, keepMonthly: 12 };
    expect(() => b.backup.confirm(target.id, options, true)).toThrow(/emergency kit/);
    const kit = b.backup.kit(target.id);
    expect(kit.password).toMatch(/^([0-9a-hjkmnp-tv-z]{5}-){5}[0-9a-hjkmnp-tv-z]{5}$/);
    expect(() => b.backup.confirm(target.id, options, false)).toThrow(/I have printed or saved/);
    b.backup.confirm(target.id, options, true);
    expect(() => b.backup.generatePassword(target.id)).toThrow(/cannot change/);
    await b.drain();

    const status = b.backup.target(target.id);
    expect(status).toMatchObject({ state: "active", lastError: null, failures: 0, snapshotCount: 1, hour: 3, running: null });
    expect(status.lastSuccessAt).toBeInstanceOf(Date);
    expect(status.repoBytes).toBeGreaterThan(400_000);
    expect(status.lastSummary).toMatchObject({ filesNew: expect.any(Number), filesChanged: 0 });
    expect(status.nextRun!.getTime()).toBeGreaterThan(Date.now());
    expect(existsSync(join(input.path!, "config"))).toBe(true);
    // The repository is encrypted: no file name and no content in the clear.
    const raw = readFileSync(join(input.path!, "config"));
    expect(raw.includes(Buffer.from("restic"))).toBe(false);

    // The tree restic read: files by name, links to the stored content (no second copy on the disk).
    const tree = dataPaths(b.dataDir).backup.tree;
    const linked = join(tree, "files/alice/Documents/taxes [2024] *final*.pdf");
    expect(existsSync(linked)).toBe(true);
    const blob = b.db.$client.query<{ sha256: string }, []>("select sha256 from files where name like 'taxes%'").get()!;
    expect(Bun.file(linked).size).toBe(50_000);
    expect(statSync(linked).ino).toBe(statSync(dataPaths(b.dataDir).blob(alice.id, blob.sha256)).ino);

    // An incremental run after a change: one new file, the rest unchanged.
    await b.put(alice, "Photos/2021/new.jpg", someBytes(80_000));
    b.backup.runNow(target.id);
    await b.drain();
    const second = b.backup.target(target.id);
    expect(second.snapshotCount).toBe(2);
    expect(b.repo.snapshots(target.id).length).toBe(2);
    // No retention ran: the size grows by what restic added (its own figure comes with the nightly retention).
    expect(second.repoBytes).toBe(status.repoBytes! + second.lastSummary!.dataAdded);
    expect(second.lastSummary!.filesNew).toBe(1);
    expect(second.lastSummary!.filesUnmodified).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
