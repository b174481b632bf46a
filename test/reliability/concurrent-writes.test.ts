// Issue 21 #5: "database is locked". Writes from the web process, the admin CLI and the worker at once, on one
// database: every one succeeds (each write transaction takes the write lock up front and waits for it), and
// `nas import` imports every file in one run while the worker ingests an import folder and processes photos.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { SOAK, startBox, type Box } from "../support/processes";

let box: Box | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await box?.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const WRITES = SOAK ? 10_000 : 1_500;
const IMPORTS = SOAK ? 1_000 : 200;
const DROPPED = SOAK ? 300 : 60;

/** A small photo with content of its own (the worker makes thumbnails of it: writes of the worker's). */
const photo = (i: number) =>
  sharp({ create: { width: 24, height: 16, channels: 3, background: { r: i % 256, g: (i >> 8) % 256, b: (i * 7) % 256 } } })
    .jpeg()
    .toBuffer();

test(`${WRITES} writes over HTTP, \`nas import\` of ${IMPORTS} files and the worker ingesting ${DROPPED} at once: no write fails`, async () => {
  box = await startBox({ worker: false });
  const source = mkdtempSync(join(tmpdir(), "nas-import-"));
  dirs.push(source);
  for (let i = 0; i < IMPORTS; i++) {
    mkdirSync(join(source, `d${i % 10}`), { recursive: true });
    writeFileSync(join(source, `d${i % 10}`, i % 3 ? `f${i}.txt` : `p${i}.jpg`), i % 3 ? `import ${i}\n` : await photo(i));
  }
  // The worker's own writes: an import folder with files old enough to take, and the photos it then processes.
  const dropped = join(box.dataDir, "users", box.ada.id, "import", "camera");
  mkdirSync(dropped, { recursive: true });
  for (let i = 0; i < DROPPED; i++) {
    const path = join(dropped, `w${i}.jpg`);
    writeFileSync(path, await photo(100_000 + i));
    utimesSync(path, new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));
  }

  const failures: string[] = [];
  const check = async (what: string, res: Promise<Response>) => {
    const r = await res;
    if (r.status >= 300) failures.push(`${what} → ${r.status} ${(await r.text()).slice(0, 200)}`);
    return r;
  };
  const api = box.api.bind(box);
  const json = (method: string, body: unknown) => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  let done = 0;
  /** One client: a folder, a file in it, a rename, a star, trash and restore: six writes a round. */
  async function client(n: number) {
    for (let round = 0; done < WRITES; round++) {
      const folder = await check("mkdir", api("/api/v1/folders", json("POST", { name: `c${n}-${round}` })));
      if (folder.status !== 201) return;
      const { item } = (await folder.json()) as { item: { id: string } };
      const up = await check("upload", api(`/api/v1/upload?name=f.txt&parentId=${item.id}`, { method: "POST", body: `client ${n} round ${round}` }));
      const file = up.status === 201 ? ((await up.json()) as { item: { id: string } }).item.id : null;
      await check("rename", api(`/api/v1/files/${item.id}`, json("PATCH", { name: `c${n}-${round}-renamed` })));
      if (file) await check("star", api(`/api/v1/files/${file}/star`, json("POST", { starred: true })));
      await check("trash", api("/api/v1/trash", json("POST", { ids: [item.id] })));
      await check("restore", api("/api/v1/restore", json("POST", { ids: [item.id] })));
      done += 6;
    }
  }
  box.startWorker();
  const [imported] = await Promise.all([box.cli(["import", source, "--user", "ada"]), ...Array.from({ length: 8 }, (_, n) => client(n))]);

  expect(failures.slice(0, 10)).toEqual([]);
  expect(done).toBeGreaterThanOrEqual(WRITES);
  expect(imported.err).not.toContain("not imported");
  expect(imported.out).toContain(`Imported ${IMPORTS} files for ada; 0 already stored; 0 failed.`);
  expect(imported.code).toBe(0);
  // The worker took every dropped file (its folder empties) without one being skipped.
  for (let i = 0; i < 600 && existsSync(dropped) && readdirSync(dropped).length; i++) await Bun.sleep(100);
  expect(readdirSync(dropped)).toEqual([]);
  const logs = box.logs.join("");
  expect(logs).not.toContain("database is locked");
  expect(logs).not.toContain("skipped a file");
}, 600_000);
