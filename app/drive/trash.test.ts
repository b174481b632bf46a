// The trash: an item restored to a folder where its name was taken meanwhile comes back under a free name.
import { afterEach, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

async function* bytes(s: string) {
  yield new TextEncoder().encode(s);
}

test("restoring beside a live namesake: a free name, the old content, nothing else changed (it was a 500)", async () => {
  t = createTestApp();
  const { drive } = t.services;
  const alice = t.createAdmin("alice");
  const old = await drive.upload(alice, { name: "notes.txt", conflict: "fail" }, bytes("old"));
  drive.moveToTrash(alice, [old.id]);
  await drive.upload(alice, { name: "notes.txt", conflict: "fail" }, bytes("new"));
  const [restored] = drive.restore(alice, [old.id]);
  expect(restored!.name).toBe("notes (1).txt");
  expect(restored!.trashedAt).toBeNull();
  const names = drive.list(alice, undefined, { sort: "name", desc: false, offset: 0, limit: 10 }).items.map((i) => [i.name, i.size]);
  expect(names).toEqual([
    ["notes (1).txt", 3],
    ["notes.txt", 3],
  ]);
  expect(drive.trash(alice)).toEqual([]);
});
