import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES } from "../../test/support/media";
import { backupBox, folderTarget, someBytes } from "../../test/support/backup";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

test("a file, a folder and an album come back as they were, into Restored/<date>/, through Drive's own commit path", async () => {
  const b = backupBox();
  cleanups.push(b.cleanup);
  const alice = b.createAdmin("alice");
  const photo = readFileSync(join(FIXTURES, "gps/DSCN0010.jpg"));
  const beach = await b.put(alice, "Photos/2021/Beach <script>.jpg", photo);
  const other = await b.put(alice, "Photos/2021/Nested/other.jpg", readFileSync(join(FIXTURES, "gps/DSCN0021.jpg")));
  const notes = await b.put(alice, "Notes/a [1].txt", someBytes(5000));
  const album = b.services.photos.createAlbum(alice, "Summer", [beach.id, other.id]);
  const targetId = await b.addTarget(folderTarget());
  const [snapshot] = b.backup.snapshots(targetId);

  // Later: the photos are deleted for good, the album too, and a new file takes the note's name.
  b.services.drive.moveToTrash(alice, [beach.id, other.id]);
  b.services.drive.emptyTrash(alice);
  b.services.photos.deleteAlbum(alice, album.id);
  b.services.drive.moveToTrash(alice, [notes.id]);
  await b.put(alice, "Notes/a [1].txt", someBytes(10));

  // Browsing the snapshot: its database is fetched first (a job), then read.
  expect(b.backup.openSnapshot(targetId, snapshot!.id).ready).toBe(false);
  await b.drain();
  expect(b.backup.openSnapshot(targetId, snapshot!.id).ready).toBe(true);
  const seen = b.backup.browse(targetId, snapshot!.id, (r) => {
    const root = r.folder(alice.id)!;
    const photos = r.folder(alice.id, root.items.find((i) => i.name === "Photos")!.id)!;
    return {
      people: r.people().map((p) => p.username),
      root: root.items.map((i) => i.name),
      photos: photos.items.map((i) => i.name),
      albums: r.albums(alice.id),
    };
  });
  expect(seen).toEqual({ people: ["alice"], root: ["Notes", "Photos"], photos: ["2021"], albums: [{ id: album.id, name: "Summer", count: 2 }] });

  const mediaJobsBefore = b.services.jobs.recentOfKind("media.process", 100).length;
  const folder2021 = b.backup.browse(
    targetId,
    snapshot!.id,
    (r) => r.folder(alice.id, r.folder(alice.id, r.folder(alice.id)!.items.find((i) => i.name === "Photos")!.id)!.items[0]!.id)!,
  );
  b.backup.restore(alice, targetId, snapshot!.id, { kind: "folder", id: folder2021.folder.id });
  b.backup.restore(alice, targetId, snapshot!.id, { kind: "file", id: notes.id });
  b.backup.restore(alice, targetId, snapshot!.id, { kind: "album", id: album.id });
  b.backup.restore(alice, targetId, snapshot!.id, { kind: "file", id: notes.id });
  await b.drain();
  const restores = b.backup.restores();
  expect(restores.map((j) => j.status)).toEqual(["done", "done", "done", "done"]);

  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "UTC", year: "numeric", month: "2-digit", day: "2-digit" }).format(snapshot!.time);
  const list = (path: string[]) => {
    const folder = b.services.drive.mkdirs(alice, undefined, path);
    return b.services.drive.list(alice, folder.id, { sort: "name", desc: false, offset: 0, limit: 100 }).items.map((i) => i.name);
  };
  expect(list(["Restored", day])).toEqual(["2021", "Summer", "a [1] (1).txt", "a [1].txt"]);
  expect(list(["Restored", day, "2021"])).toEqual(["Nested", "Beach <script>.jpg"]);
  expect(list(["Restored", day, "2021", "Nested"])).toEqual(["other.jpg"]);
  expect(list(["Restored", day, "Summer"])).toEqual(["Beach <script>.jpg", "other.jpg"]);
  // The note that took the old name is untouched.
  expect(list(["Notes"])).toEqual(["a [1].txt"]);
  expect(
    b.services.drive.list(alice, b.services.drive.mkdirs(alice, undefined, ["Notes"]).id, { sort: "name", desc: false, offset: 0, limit: 10 }).items[0]!.size,
  ).toBe(10);

  // Same content as backed up, stored once (the album's copies are the same blobs), and the media pipeline was told.
  const restored = b.db.$client
    .query<{ name: string; sha256: string }, []>(
      "select name, sha256 from files where kind = 'file' and trashed_at is null and name in ('Beach <script>.jpg', 'other.jpg')",
    )
    .all();
  expect(restored.length).toBe(4);
  expect(new Set(restored.map((r) => r.sha256))).toEqual(new Set([beach.sha256!, other.sha256!]));
  for (const r of restored)
    expect(
      new Bun.CryptoHasher("sha256")
        .update(
          await b.services.drive
            .content(alice, b.db.$client.query<{ id: string }, [string]>("select id from files where sha256 = ? limit 1").get(r.sha256)!.id)
            .body.arrayBuffer(),
        )
        .digest("hex"),
    ).toBe(r.sha256);
  expect(b.services.jobs.recentOfKind("media.process", 100).length).toBe(mediaJobsBefore + 2);
}, 120_000);

test("a restore that cannot happen says why: a snapshot that is gone, an item not in it, over the quota", async () => {
  const b = backupBox();
  cleanups.push(b.cleanup);
  const alice = b.createAdmin("alice");
  const big = await b.put(alice, "big.bin", someBytes(200_000));
  const targetId = await b.addTarget(folderTarget());
  const [snapshot] = b.backup.snapshots(targetId);
  expect(() => b.backup.restore(alice, targetId, "0".repeat(64), { kind: "file", id: big.id })).toThrow(/does not exist/);
  b.backup.restore(alice, targetId, snapshot!.id, { kind: "folder", id: big.id });
  b.services.drive.moveToTrash(alice, [big.id]);
  b.services.drive.emptyTrash(alice);
  b.services.auth.users.setQuota(alice.id, "0.0001");
  b.backup.restore(alice, targetId, snapshot!.id, { kind: "file", id: big.id });
  await b.drain();
  const [overQuota, wrongKind] = b.backup.restores();
  expect(wrongKind).toMatchObject({ status: "failed", error: "This folder is not in the snapshot." });
  expect(overQuota!.status).toBe("failed");
  expect(overQuota!.error).toMatch(/quota/);
  // Nothing half-restored: no Restored folder with a file in it, no temp files left.
  expect(b.db.$client.query<{ n: number }, []>("select count(*) as n from files where kind = 'file' and trashed_at is null").get()!.n).toBe(0);
}, 120_000);
