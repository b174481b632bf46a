import { expect, test } from "bun:test";
import { AUDIT_DETAIL, auditVocabulary } from "./audit";

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
