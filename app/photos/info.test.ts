// Issue 21 #8: the info panel's Drive path stops where the viewer's sight stops. A person a folder was shared with
// sees the path from that folder down (the access policy's visibleAncestors), never the owner's folders above it.
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { FIXTURES, mediaTestApp } from "../../test/support/media";

let t: ReturnType<typeof mediaTestApp> | undefined;
afterEach(() => t?.cleanup());

test("a recipient of a share of `Day2` sees `Day2/day2.jpg`; the owner sees `Trip/Day2/day2.jpg`", async () => {
  t = mediaTestApp();
  const { drive, share } = t.services;
  const alice = t.createAdmin("alice");
  const bob = t.createUser("bob");
  const trip = drive.mkdir(alice, undefined, "Trip");
  const day2 = drive.mkdir(alice, trip.id, "Day2");
  const photo = await drive.upload(
    alice,
    { parentId: day2.id, name: "day2.jpg", conflict: "fail" },
    Bun.file(join(FIXTURES, "gps/DSCN0010.jpg")).stream() as never,
  );
  await t.drain();
  share.shareWithUser(alice, { folderId: day2.id, username: "bob", access: "read" });

  const owner = await t.request(`/photos/api/info/${photo.id}`, { headers: t.signIn(alice) });
  expect(owner.status).toBe(200);
  expect(await owner.text()).toContain("Trip/Day2/day2.jpg");

  const recipient = await t.request(`/photos/api/info/${photo.id}`, { headers: t.signIn(bob) });
  expect(recipient.status).toBe(200);
  const html = await recipient.text();
  expect(html).toContain("Day2/day2.jpg");
  expect(html).not.toContain("Trip");
  // Someone the folder is not shared with learns nothing.
  expect((await t.request(`/photos/api/info/${photo.id}`, { headers: t.signIn(t.createUser("eve")) })).status).toBe(404);
});
