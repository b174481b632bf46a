// Test fixture for Sharing: an owner with a shared folder (photos with GPS, a subfolder, a trashed file) beside a
// private sibling folder, and links of every kind to them. Real SQLite, real files, real argon2id hashes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestApp, type TestApp } from "./app";
import type { DriveFile, User } from "../../app/platform/db/schema";

export const GPS_PHOTO = readFileSync(join(import.meta.dir, "../fixtures/photos/gps/DSCN0010.jpg"));
export const OTHER_PHOTO = readFileSync(join(import.meta.dir, "../fixtures/photos/gps/DSCN0021.jpg"));
export const PASSWORD = "correct horse";

async function* bytes(b: Uint8Array | string) {
  yield typeof b === "string" ? new TextEncoder().encode(b) : b;
}

export type ShareFixture = Awaited<ReturnType<typeof shareFixture>>;

export async function shareFixture() {
  let clock = Date.now();
  const t: TestApp = createTestApp({ deps: { now: () => new Date(clock) } });
  const { drive, share, photos } = t.services;
  const alice = t.createAdmin("alice");
  const bob = t.createUser("bob");
  const carol = t.createUser("carol");
  const dave = t.createUser("dave");
  t.createUser("eve");
  const put = (user: User, parentId: string, name: string, content: Uint8Array | string) =>
    drive.upload(user, { parentId, name, conflict: "fail" }, bytes(content));
  const holiday = drive.mkdir(alice, undefined, "Holiday");
  const sub = drive.mkdir(alice, holiday.id, "Day 2");
  const photo = await put(alice, holiday.id, "beach.jpg", GPS_PHOTO);
  const note = await put(alice, holiday.id, "notes.txt", "sun and sea");
  const inSub = await put(alice, sub.id, "hike.txt", "up the hill");
  const trashed = await put(alice, holiday.id, "deleted.txt", "gone");
  drive.moveToTrash(alice, [trashed.id]);
  const privateFolder = drive.mkdir(alice, undefined, "Private");
  const secret = await put(alice, privateFolder.id, "secret.txt", "the owner's other files");
  const bobsFile = await put(bob, drive.rootOf(bob).id, "bob.txt", "bob's");
  // Albums: "Trip" holds the Holiday photo; "Other" a photo outside Holiday (the sibling album).
  const privatePhoto = await put(alice, drive.rootOf(alice).id, "private.jpg", OTHER_PHOTO);
  const trip = photos.createAlbum(alice, "Trip", [photo.id]);
  const otherAlbum = photos.createAlbum(alice, "Other", [privatePhoto.id]);

  const open = await share.create(alice, { fileId: holiday.id });
  const locked = await share.create(alice, { fileId: holiday.id, password: PASSWORD });
  const expired = await share.create(alice, { fileId: holiday.id, expiresAt: new Date(clock + 60_000) });
  const revoked = await share.create(alice, { fileId: holiday.id });
  share.revoke(alice, revoked.link.id);
  const sibling = await share.create(alice, { fileId: privateFolder.id });
  const viewOnly = await share.create(alice, { fileId: holiday.id, allowDownload: false });
  const withMetadata = await share.create(alice, { fileId: holiday.id, allowMetadata: true });
  const fileLink = await share.create(alice, { fileId: photo.id });
  const albumLocked = await share.create(alice, { albumId: trip.id, password: PASSWORD });
  const siblingAlbum = await share.create(alice, { albumId: otherAlbum.id });
  const dropBox = await share.create(alice, { fileId: holiday.id, allowUpload: true });
  // Trip is shared with the same two people: carol may view it, dave may also add his own photos.
  share.shareAlbumWithUser(alice, { albumId: trip.id, username: "carol", access: "view" });
  share.shareAlbumWithUser(alice, { albumId: trip.id, username: "dave", access: "contribute" });
  // Holiday is also shared with two people on the box: carol may read it, dave may also write into it.
  share.shareWithUser(alice, { folderId: holiday.id, username: "carol", access: "read" });
  share.shareWithUser(alice, { folderId: holiday.id, username: "dave", access: "write" });
  clock += 120_000; // the expiring link is now past its date

  return {
    t,
    alice,
    bob,
    carol,
    dave,
    items: { holiday, sub, photo, note, inSub, trashed, privateFolder, secret, bobsFile, privatePhoto } as Record<string, DriveFile>,
    albums: { trip, other: otherAlbum },
    links: { open, locked, expired, revoked, sibling, viewOnly, withMetadata, fileLink, albumLocked, siblingAlbum, dropBox },
    tick: (ms: number) => (clock += ms),
  };
}
