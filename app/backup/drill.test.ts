/**
 * The restore drill, on each tested kind of target (a folder, Debian's sshd on loopback, a second box's REST host
 * on loopback): a box is backed up, an empty box is restored from the backup as its setup wizard does it, and every
 * stored file's SHA-256, every account and passkey come back. Then the scrub finds a byte flipped in a blob and
 * repairs it from that backup (and, on the folder target, from the second-disk copy first).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { closeSync, cpSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupBox, type BackupBox, folderTarget, passwordOf, someBytes, startHostBox, startSshd } from "../../test/support/backup";
import { dataPaths } from "../platform/paths";
import { applyPendingRestore, stageRestore } from "../setup/restore";
import { createStorageRepo } from "../storage/repo";
import type { TargetInput } from "./targets";

const stops: (() => void)[] = [];
afterAll(() => {
  for (const s of stops.splice(0)) s();
});

/** A box with two people, nested folders, a shared content, a passkey, settings. */
async function oldBox() {
  const a = backupBox();
  stops.push(a.cleanup);
  const alice = a.createAdmin("alice");
  const bob = a.createUser("bob");
  const same = someBytes(64_000);
  await a.put(alice, "Photos/2023/July/IMG_0001.jpg", someBytes(250_000));
  await a.put(alice, "Photos/2023/July/IMG_0002.jpg", same);
  await a.put(alice, "Documents/é ü ñ — 日本.txt", same);
  await a.put(bob, "Mixtapes/track 01.mp3", someBytes(180_000));
  a.db.$client.run(
    "insert into passkeys (id, user_id, public_key, counter, transports, device_type, backed_up, name, created_at) values ('cred-1', ?, x'0102', 7, '[]', 'multiDevice', 1, 'phone', 1)",
    [alice.id],
  );
  a.services.settings.update({ deviceName: "Family box", timeZone: "Europe/Berlin" });
  return a;
}

const rows = (b: BackupBox, sql: string) => b.db.$client.query(sql).all();

/** The empty box's wizard: the target and the password from the emergency kit; then the restart onto the restored database. */
async function restoreInto(input: TargetInput, password: string, authorize?: (key: string) => void) {
  const dataDir = mkdtempSync(join(tmpdir(), "nas-drill-"));
  let fresh = backupBox({ dataDir });
  const target = fresh.backup.startBoxRestore(input, password);
  await fresh.drain();
  if (authorize) {
    // SFTP: the new box has a new key; the first try is refused and the page shows the key to authorize. A try the
    // loaded machine's sshd cut short is a transient failure the box retries after a backoff: retried here sooner.
    for (let i = 1; i <= 5 && fresh.backup.boxRestore(target.id).job?.status === "queued"; i++) {
      const later = Date.now() + i * 3600_000;
      fresh.setClock(() => new Date(later));
      await fresh.drain();
    }
    expect(fresh.backup.boxRestore(target.id).job).toMatchObject({ status: "failed", error: expect.stringContaining("refused this box's SSH key") });
    authorize(fresh.backup.sshKey()!);
    fresh.backup.retryBoxRestore(target.id);
    await fresh.drain();
  }
  const { job, incoming } = fresh.backup.boxRestore(target.id);
  expect(job?.error ?? null).toBeNull();
  expect(incoming).toMatchObject({ admins: ["alice"] });
  const staged = stageRestore(dataDir, fresh.backup.finishBoxRestore(target.id));
  expect(staged).toMatchObject({ ok: true, admins: ["alice"] });
  // The restart: the processes close the database, swap the staged one in, open it again.
  fresh.db.$client.close();
  expect(applyPendingRestore(dataDir, () => {})).toBe(true);
  fresh = backupBox({ dataDir });
  stops.push(fresh.cleanup);
  return fresh;
}

async function drill(input: () => TargetInput, opts: { secondDisk?: boolean; authorize?: (key: string) => void } = {}) {
  const a = await oldBox();
  const targetId = await a.addTarget(input(), { authorize: opts.authorize });
  expect(a.backup.target(targetId)).toMatchObject({ lastError: null, snapshotCount: 1 });

  const b = await restoreInto(input(), passwordOf(a, targetId), opts.authorize);
  // Every account, passkey, file row and setting, and every stored file's SHA-256.
  for (const sql of [
    "select id, username, role from users order by id",
    "select id, user_id, counter, name from passkeys order by id",
    "select id, user_id, parent_id, name, sha256, size from files where trashed_at is null order by id",
    "select key, value from settings where key in ('deviceName', 'timeZone') order by key",
    "select id, name, kind, location, state from backup_targets order by id",
  ])
    expect(rows(b, sql)).toEqual(rows(a, sql));
  const intact = await b.blobsIntact();
  expect(Object.keys(intact).length).toBe(3);
  expect(Object.values(intact).every(Boolean)).toBe(true);
  expect(await b.blobsIntact()).toEqual(await a.blobsIntact());
  expect(Bun.file(dataPaths(b.dataDir).secret).size).toBe(Bun.file(dataPaths(a.dataDir).secret).size);
  // The restored box keeps backing up to the same target with the same password.
  expect(passwordOf(b, targetId)).toBe(passwordOf(a, targetId));

  // Scrub and repair on the restored box: a byte flipped in a stored photo.
  const blob = b.db.$client.query<{ user_id: string; sha256: string }, []>("select user_id, sha256 from files where name = 'IMG_0001.jpg'").get()!;
  const path = dataPaths(b.dataDir).blob(blob.user_id, blob.sha256);
  if (opts.secondDisk) {
    // A second-disk copy made before the damage: the first source the scrub repairs from.
    const copy = mkdtempSync(join(tmpdir(), "nas-second-disk-"));
    stops.push(() => rmSync(copy, { recursive: true, force: true }));
    cpSync(b.dataDir, join(copy, "nasd-copy"), { recursive: true });
    createStorageRepo(b.db).setDiskCopyTarget(copy, false);
  }
  flipByte(path, 1000);
  b.services.jobs.enqueue("scrub.run", { full: true });
  await b.drain();
  const [finding] = b.repo.findings();
  expect(finding).toMatchObject({ userId: blob.user_id, sha256: blob.sha256, problem: "damaged", state: "repaired" });
  expect(finding!.repairedFrom).toEqual(opts.secondDisk ? "the second-disk copy" : expect.stringContaining("the backup"));
  expect(Object.values(await b.blobsIntact()).every(Boolean)).toBe(true);
  expect(b.repo.scrubState()).toMatchObject({ passStartedAt: null, lastPassBlobs: 3 });
  return { a, b, targetId };
}

function flipByte(path: string, at: number) {
  const fd = openSync(path, "r+");
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, at);
  byte[0] = byte[0]! ^ 0xff;
  writeSync(fd, byte, 0, 1, at);
  closeSync(fd);
}

describe("restore drill, then scrub and repair", () => {
  test("a USB or second disk (repaired from the second-disk copy)", async () => {
    const target = folderTarget();
    await drill(() => target, { secondDisk: true });
  }, 180_000);

  test("an SFTP server (Debian's sshd on loopback)", async () => {
    const sshd = await startSshd();
    stops.push(sshd.stop);
    await drill(() => sshd.input(), { authorize: sshd.authorize });
  }, 180_000);

  test("another nasd box (its REST host on loopback): the guest adds, the host keeps", async () => {
    const host = await startHostBox();
    stops.push(host.stop);
    const { code, guest } = host.pair("family");
    const { a } = await drill(() => ({ kind: "rest", name: "Grandma's box", pairing: code }));
    // The host holds only encrypted files under the guest's id, and none of the guest's names.
    const files = host.files(guest, "data");
    expect(files.length).toBeGreaterThan(0);
    for (const f of host.files(guest, "snapshots")) expect(f).toMatch(/^[0-9a-f]{64}$/);
    const all = Bun.spawnSync(["grep", "-r", "-l", "IMG_0001", dataPaths(host.box.dataDir).backup.guest(guest)]);
    expect(all.stdout.toString()).toBe("");
    void a;
  }, 180_000);
});
