// Debian's nextcloudcmd (the Nextcloud desktop client's sync engine) against a real server: 520 files and one of
// 210 MB (so it uses chunked uploads) up, then down into an empty folder, then a second round with renames, deletes
// and edits on both sides and one file edited on both (the client keeps the server's and a conflicted copy of its
// own), and both folders end up with the same bytes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes, createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { runClient, startDavServer, type DavServer } from "../../test/support/dav";

let server: DavServer;
let work: string;
beforeAll(async () => {
  server = await startDavServer();
  work = mkdtempSync(join(tmpdir(), "nextcloudcmd-"));
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** One sync run of a local folder with /sync on the server, as the desktop client does it. */
async function sync(local: string) {
  const run = await runClient(["nextcloudcmd", "--non-interactive", "-u", server.username, "-p", server.password, "--path", "/sync", local, server.origin], {
    env: { QT_QPA_PLATFORM: "offscreen" },
    timeoutMs: 240_000,
  });
  if (run.code !== 0) console.error(run.output.slice(-5000));
  expect(run.code).toBe(0);
  return run.output;
}

/** path → SHA-256 of every file, leaving out the client's own database and logs. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith(".sync_") || e.name === ".nextcloudsync.log") continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}

const dav = (path: string, init: RequestInit = {}) =>
  fetch(`${server.origin}/remote.php/dav/files/${server.username}/sync/${path}`, { ...init, headers: { authorization: server.auth, ...init.headers } });

test("nextcloudcmd: 520 files and a 210 MB one up, down, and a second round of changes on both sides", async () => {
  const a = join(work, "a");
  const b = join(work, "b");
  mkdirSync(a);
  mkdirSync(b);
  for (let i = 0; i < 520; i++) {
    const dir = join(a, `album-${i % 13}`, i % 2 ? "raw" : "");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `IMG_${String(i).padStart(4, "0")}.jpg`), randomBytes(1000 + ((i * 7919) % 20_000)));
  }
  writeFileSync(join(a, "Ünïcödé ☃ name.txt"), "unicode\n");
  const big = randomBytes(1 << 20);
  const bigParts = Array.from({ length: 210 }, (_, i) => (i % 2 ? big : big.reverse()));
  writeFileSync(join(a, "video.mov"), Buffer.concat(bigParts));
  expect(await (await fetch(`${server.origin}/dav/sync`, { method: "MKCOL", headers: { authorization: server.auth } })).status).toBe(201);

  const first = await sync(a);
  expect(first).toContain("/remote.php/dav/uploads/"); // the large file went through chunked upload v2
  await sync(b);
  expect(snapshot(b)).toEqual(snapshot(a));

  // Second round. In A: a rename, a delete, an edit, a new file. On the server (another device): the same kinds.
  renameSync(join(a, "album-0", "IMG_0000.jpg"), join(a, "album-0", "renamed-locally.jpg"));
  rmSync(join(a, "album-1", "raw", "IMG_0001.jpg"));
  writeFileSync(join(a, "album-2", "IMG_0002.jpg"), "edited locally");
  writeFileSync(join(a, "new-local.txt"), "new here");
  const moved = await dav("album-3/raw/IMG_0003.jpg", {
    method: "MOVE",
    headers: { destination: `${server.origin}/remote.php/dav/files/${server.username}/sync/album-3/raw/renamed-on-server.jpg` },
  });
  expect(moved.status).toBe(201);
  expect((await dav("album-4/IMG_0004.jpg", { method: "DELETE" })).status).toBe(204);
  expect((await dav("album-5/raw/IMG_0005.jpg", { method: "PUT", body: "edited on the server" })).status).toBe(204);
  expect((await dav("new-on-server.txt", { method: "PUT", body: "new there" })).status).toBe(201);
  // The same file changed on both sides: a conflict.
  writeFileSync(join(a, "album-6", "IMG_0006.jpg"), "conflict: local side");
  expect((await dav("album-6/IMG_0006.jpg", { method: "PUT", body: "conflict: server side" })).status).toBe(204);

  await sync(a);
  await sync(b);
  const inA = snapshot(a);
  const inB = snapshot(b);
  // The client keeps the server's version under the name and its own as "… (conflicted copy …)", which stays local.
  const conflicted = [...inA.keys()].filter((n) => n.includes("conflicted copy"));
  expect(conflicted).toHaveLength(1);
  expect(readFileSync(join(a, conflicted[0]!), "utf8")).toBe("conflict: local side");
  inA.delete(conflicted[0]!);
  expect(inB).toEqual(inA);
  expect(readFileSync(join(b, "album-6", "IMG_0006.jpg"), "utf8")).toBe("conflict: server side");
  expect(readFileSync(join(b, "album-2", "IMG_0002.jpg"), "utf8")).toBe("edited locally");
  expect(readFileSync(join(a, "album-5", "raw", "IMG_0005.jpg"), "utf8")).toBe("edited on the server");
  expect(existsSync(join(b, "album-0", "renamed-locally.jpg"))).toBe(true);
  expect(existsSync(join(a, "album-3", "raw", "renamed-on-server.jpg"))).toBe(true);
  expect(existsSync(join(a, "album-4", "IMG_0004.jpg"))).toBe(false);
  expect(existsSync(join(b, "album-1", "raw", "IMG_0001.jpg"))).toBe(false);
  expect(inA.size).toBe(522 + 2 - 2);
}, 600_000);
