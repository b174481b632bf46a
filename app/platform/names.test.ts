// Issue 21 #7: one name rule for everything a person names. Each way of naming something refuses the same
// characters: bidi overrides and isolates, C0 and C1 controls, NUL; names that become a path segment also "/", ".", "..".
import { afterEach, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../test/support/app";

let t: TestApp;
afterEach(() => t?.cleanup());

const HOSTILE = ["photos\u202egpj.exe", "a\u2066b", "next\u0085line", "bell\u0007", "nul\u0000", "   "];
/** Names that become a path segment (a Drive item, an album's folder in a zip) also refuse these. */
const NOT_A_SEGMENT = ["..", ".", "a/b"];

test("albums, app tokens, passkeys, display names, the device name and Drive all refuse the same names, with a 400 that says why", () => {
  t = createTestApp();
  const { photos, auth, settings, drive } = t.services;
  const alice = t.createAdmin("alice");
  const album = photos.createAlbum(alice, "Trip");
  const namers: Record<string, (name: string) => unknown> = {
    "album (new)": (n) => photos.createAlbum(alice, n),
    "album (rename)": (n) => photos.renameAlbum(alice, album.id, n),
    "app token": (n) => auth.tokens.create(alice.id, n),
    "display name (new user)": (n) => auth.users.add({ username: `u${Math.random().toString(36).slice(2, 8)}`, displayName: n }, alice.id),
    "device name": (n) => settings.update({ deviceName: n }),
    "passkey (rename)": (n) => auth.passkeys.rename(alice.id, "no-such-passkey", n),
    "Drive folder": (n) => drive.mkdir(alice, undefined, n),
  };
  const accepted: string[] = [];
  for (const [what, name] of Object.entries(namers)) {
    for (const hostile of HOSTILE) {
      try {
        name(hostile);
        accepted.push(`${what}: ${JSON.stringify(hostile)}`);
      } catch (e) {
        expect([what, hostile, (e as { status?: number }).status]).toEqual([what, hostile, 400]);
      }
    }
  }
  // A Drive name is a path segment; an album's is not ("Summer 2019/2020" is fine: a zip makes its own safe folder name).
  for (const hostile of NOT_A_SEGMENT) expect(() => drive.mkdir(alice, undefined, hostile)).toThrow(/reserved|cannot contain “\/”/);
  expect(photos.createAlbum(alice, "Summer 2019/2020").name).toBe("Summer 2019/2020");
  expect(accepted).toEqual([]);
  // Ordinary names of every script still pass, kept as typed.
  expect(photos.createAlbum(alice, "Été 2024 — 東京").name).toBe("Été 2024 — 東京");
  expect(auth.tokens.create(alice.id, "Pixel 8 (camera)").id).toBeString();
});
