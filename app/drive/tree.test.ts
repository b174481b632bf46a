// A folder's children a page at a time (WebDAV's listings): keyset pages give what one listing gives, in its order.
import { afterEach, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../test/support/app";
import type { AppError } from "../platform/errors";

let t: TestApp;
afterEach(() => t?.cleanup());

async function* bytes(s: string) {
  yield new TextEncoder().encode(s);
}

test("childPages: every live child once, folders first and by name as list orders them, `size` at a time; refused before a page is read", async () => {
  t = createTestApp();
  const { drive } = t.services;
  const alice = t.createAdmin("alice");
  const bob = t.createUser("bob");
  const folder = drive.mkdir(alice, undefined, "Many");
  // Names that sort differently by case, accents and digits; a trashed one that must not appear.
  const names = ["b", "B", "a10", "a9", "Ä", "é", "z", ...Array.from({ length: 30 }, (_, i) => `file-${i}`)];
  for (const n of names) await drive.upload(alice, { parentId: folder.id, name: `${n}.txt`, conflict: "fail" }, bytes(n));
  for (const n of ["Sub B", "sub a", "Sub C"]) drive.mkdir(alice, folder.id, n);
  const trashed = await drive.upload(alice, { parentId: folder.id, name: "a0.txt", conflict: "fail" }, bytes("x"));
  drive.moveToTrash(alice, [trashed.id]);

  const pages = [...drive.childPages(alice, folder.id, 7)];
  expect(pages.map((p) => p.length).every((n) => n >= 1 && n <= 7)).toBe(true);
  const paged = pages.flat().map((i) => i.name);
  const listed = drive.list(alice, folder.id, { sort: "name", desc: false, offset: 0, limit: 1000 }).items.map((i) => i.name);
  expect(paged).toEqual(listed);
  expect(paged).toHaveLength(names.length + 3);
  expect(paged.slice(0, 3)).toEqual(["Sub B", "Sub C", "sub a"]);
  expect(paged).not.toContain("a0.txt");

  let status = 0;
  try {
    drive.childPages(bob, folder.id, 7);
  } catch (e) {
    status = (e as AppError).status;
  }
  expect(status).toBe(404);
});
