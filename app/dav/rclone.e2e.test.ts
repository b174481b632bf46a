// Debian's rclone with `vendor = nextcloud` against a real server: sync up,
// `check --download` clean, sync down into an empty folder with the same bytes and times, `about` shows the quota.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { openDb } from "../platform/db/client";
import { runClient, startDavServer, type DavServer } from "../../test/support/dav";

let server: DavServer;
let work: string;
let env: Record<string, string>;
const rclone = (...args: string[]) => runClient(["rclone", "--config", "/dev/null", ...args], { env, timeoutMs: 180_000 });

beforeAll(async () => {
  server = await startDavServer();
  work = mkdtempSync(join(tmpdir(), "rclone-"));
  const obscured = (await runClient(["rclone", "obscure", server.password])).output.trim();
  env = {
    RCLONE_CONFIG_NAS_TYPE: "webdav",
    RCLONE_CONFIG_NAS_URL: `${server.origin}/remote.php/dav/files/${server.username}/`,
    RCLONE_CONFIG_NAS_VENDOR: "nextcloud",
    RCLONE_CONFIG_NAS_USER: server.username,
    RCLONE_CONFIG_NAS_PASS: obscured,
  };
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

function tree(dir: string): Map<string, { sha256: string; mtime: number }> {
  const out = new Map<string, { sha256: string; mtime: number }>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else
        out.set(relative(dir, p), {
          sha256: new Bun.CryptoHasher("sha256").update(readFileSync(p)).digest("hex"),
          mtime: Math.floor(statSync(p).mtimeMs / 1000),
        });
    }
  };
  walk(dir);
  return out;
}

test("rclone (nextcloud vendor): sync up and down, check --download, about", async () => {
  const src = join(work, "src");
  const names = ["a.txt", "Ünïcödé ☃.txt", "sub/deeper/x.bin", "sub/space name.jpg", "sub/100%.txt", "sub/#hash.txt"];
  for (let i = 0; i < 40; i++) names.push(`many/file-${i}.bin`);
  const old = new Date("2020-05-17T10:20:30Z");
  for (const n of names) {
    mkdirSync(join(src, n, ".."), { recursive: true });
    writeFileSync(join(src, n), randomBytes(100 + Math.floor(Math.random() * 50_000)));
    utimesSync(join(src, n), old, old);
  }
  // rclone 1.60 (Debian 12) sends even this one as a single streamed PUT; nextcloudcmd covers chunked uploads.
  writeFileSync(join(src, "big.bin"), randomBytes(9 * 1024 * 1024 + 123));
  utimesSync(join(src, "big.bin"), old, old);

  const up = await rclone("sync", src, "nas:backup");
  if (up.code !== 0) console.error(up.output);
  expect(up.output).not.toContain("ERROR");
  expect(up.code).toBe(0);
  const check = await rclone("check", "--download", src, "nas:backup");
  expect(check.output).toContain("0 differences found");
  expect(check.code).toBe(0);

  const down = join(work, "down");
  mkdirSync(down);
  const back = await rclone("sync", "nas:backup", down);
  expect(back.code).toBe(0);
  const want = tree(src);
  const got = tree(down);
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [name, w] of want) {
    expect(got.get(name)?.sha256).toBe(w.sha256);
    // The modification time went up with X-OC-Mtime and came back from getlastmodified.
    expect(got.get(name)?.mtime).toBe(w.mtime);
  }
  // Every file is a Drive file: rows, an audit row per upload.
  const db = openDb(join(server.dataDir, "db.sqlite"), { log: () => {} });
  const files = db.$client.query("SELECT count(*) AS n FROM files WHERE kind = 'file' AND trashed_at IS NULL").get() as { n: number };
  const audits = db.$client.query("SELECT count(*) AS n FROM audit_log WHERE action LIKE 'PUT /remote.php/dav/files/%' AND ok = 1").get() as { n: number };
  db.$client.query("UPDATE users SET quota_bytes = 5000000000 WHERE username = ?").run(server.username);
  db.$client.close();
  expect(files.n).toBe(want.size);
  expect(audits.n).toBeGreaterThanOrEqual(want.size - 1);

  const about = await rclone("about", "nas:", "--json");
  const info = JSON.parse(about.output.slice(about.output.indexOf("{"))) as { total: number; used: number; free: number };
  expect(info.used).toBeGreaterThan(9 * 1024 * 1024);
  expect(info.total).toBeLessThanOrEqual(5_000_000_000);
  expect(info.free).toBeLessThanOrEqual(5_000_000_000 - info.used);
}, 300_000);
