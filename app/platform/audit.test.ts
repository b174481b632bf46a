import { expect, test } from "bun:test";
import { AUDIT_DETAIL, auditVocabulary, groupAudit } from "./audit";

const route = (method: string, path: string, words?: unknown) => ({ method, path, hooks: { detail: words ? { [AUDIT_DETAIL]: words } : {} } });
const routes = [
  route("POST", "/things/:id/paint", { kind: "files", did: "painted a thing", about: "painted {}" }),
  route("ALL", "/uploads/:id", { PATCH: { kind: "files", did: "uploaded a file" }, DELETE: { kind: "files", did: "cancelled an upload" } }),
  route("GET", "/things"),
];
const words = auditVocabulary(() => routes, [{ cli: { kind: "system", did: "used the admin command line" } }]);

test("a row reads as its route's declared words, with what it was about when the words have a place for it", () => {
  expect(words.describe("POST /things/:id/paint")).toEqual({ words: "painted a thing", kind: "files", detailUsed: false });
  expect(words.describe("POST /things/:id/paint", "'<b>'")).toEqual({ words: "painted '<b>'", kind: "files", detailUsed: true });
  expect(words.describe("PATCH /uploads/:id", "'a.jpg'")).toEqual({ words: "uploaded a file", kind: "files", detailUsed: false });
  expect(words.describe("DELETE /uploads/:id").words).toBe("cancelled an upload");
});

test("older rows still read: a parameter renamed since, a named event with a suffix; the unknown reads as itself", () => {
  expect(words.describe("POST /things/:thing/paint").words).toBe("painted a thing");
  expect(words.describe("cli.user.add")).toEqual({ words: "used the admin command line", kind: "system", detailUsed: false });
  expect(words.describe("POST /gone")).toEqual({ words: "did POST /gone", kind: null, detailUsed: false });
  expect(words.describe("clipboard")).toEqual({ words: "did clipboard", kind: null, detailUsed: false });
});

test("the filter by kind lists every action of that kind as rows record it", () => {
  expect(words.actionsOfKind("files").sort()).toEqual(["DELETE /uploads/:id", "PATCH /uploads/:id", "POST /things/:id/paint"]);
  expect(words.actionsOfKind("system")).toEqual(["cli"]);
  expect(words.actionsOfKind("settings")).toEqual([]);
});

test("repeated steps of one action become one line; the same action with other details stays two", () => {
  const row = (id: number, detail: string | null) =>
    ({ id, userId: "u1", action: "cli.import", objectId: "u2", ok: true, detail, at: new Date(1_700_000_000_000 - id * 1000) }) as Parameters<
      typeof groupAudit
    >[0][number];
  expect(groupAudit([row(1, "a"), row(2, "a"), row(3, "a")]).map((g) => g.count)).toEqual([3]);
  expect(groupAudit([row(1, "0 files for eve"), row(2, "2 files for eve")]).map((g) => [g.entry.detail, g.count])).toEqual([
    ["0 files for eve", 1],
    ["2 files for eve", 1],
  ]);
});
