// Suite part 1: crash consistency. The real web and worker processes take concurrent uploads (plain, resumable and WebDAV,
// 0 B up to several MB, some cut off and resumed), and one of them is killed with -9 at a random moment, round after
// round. Afterwards: every acknowledged upload is there with its SHA-256, nothing partial is visible, temp files are
// swept, the database passes integrity_check, and every photo's media job ran to done exactly once.
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { SOAK, startBox, type Box } from "../support/processes";

let box: Box | undefined;
afterEach(async () => {
  await box?.stop();
  box = undefined;
});

const ROUNDS = SOAK ? 20 : 3;
const UPLOADS_PER_ROUND = SOAK ? 10 : 6;
const MAX_BYTES = SOAK ? 50 * 1024 * 1024 : 4 * 1024 * 1024;

/** An acknowledged upload; a WebDAV PUT is acknowledged by its 201 alone, so it is found by its (unique) name. */
type Acked = { id: string | null; sha256: string; size: number; name: string };
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const sizeFor = (i: number) => (i % 5 === 0 ? 0 : Math.floor(Math.random() ** 3 * MAX_BYTES));

/** One plain upload; the acknowledgement (201 and the file's id) or null when the process died under it. */
async function plain(b: Box, name: string, body: Uint8Array): Promise<Acked | null> {
  try {
    const res = await b.api(`/api/v1/upload?name=${encodeURIComponent(name)}`, { method: "POST", body });
    if (res.status !== 201) return null;
    return { id: ((await res.json()) as { item: { id: string } }).item.id, sha256: sha(body), size: body.byteLength, name };
  } catch {
    return null;
  }
}

/** One WebDAV PUT from ada's phone; acknowledged by its 201, null when the process died under it. */
async function webdav(b: Box, name: string, body: Uint8Array): Promise<Acked | null> {
  try {
    const res = await b.dav(encodeURIComponent(name), { method: "PUT", body });
    return res.status === 201 ? { id: null, sha256: sha(body), size: body.byteLength, name } : null;
  } catch {
    return null;
  }
}

/** A tus upload sent in two halves with a pause between (a dropped connection); resumable after a crash. */
function resumable(name: string, body: Uint8Array) {
  let location: string | null = null;
  const tus = { "tus-resumable": "1.0.0" };
  return {
    async send(b: Box, pauseMs: number): Promise<Acked | null> {
      try {
        if (!location) {
          const created = await b.api("/api/v1/uploads", {
            method: "POST",
            headers: { ...tus, "upload-length": String(body.byteLength), "upload-metadata": `filename ${btoa(name)}` },
          });
          if (created.status !== 201) return null;
          location = created.headers.get("location")!;
        }
        for (let step = 0; step < 2; step++) {
          const head = await b.api(location, { method: "HEAD", headers: tus });
          if (head.status !== 200) return null;
          const offset = Number(head.headers.get("upload-offset"));
          const end = step === 0 ? Math.max(offset, Math.floor(body.byteLength / 2)) : body.byteLength;
          if (end === offset && step === 0) continue;
          const res = await b.api(location, {
            method: "PATCH",
            headers: { ...tus, "upload-offset": String(offset), "content-type": "application/offset+octet-stream" },
            body: body.subarray(offset, end),
          });
          if (res.status !== 204) return null;
          const id = res.headers.get("x-drive-file-id");
          if (id) return { id, sha256: sha(body), size: body.byteLength, name };
          await Bun.sleep(pauseMs);
        }
        return null;
      } catch {
        return null;
      }
    },
  };
}

const photo = (i: number) =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 } } })
    .jpeg()
    .toBuffer();

test(`${ROUNDS} rounds of concurrent uploads with kill -9 of the web or the worker: nothing acknowledged is lost`, async () => {
  box = await startBox();
  const b = box;
  const acked: Acked[] = [];
  const unfinished: ReturnType<typeof resumable>[] = [];
  let photos = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const bodies = await Promise.all(
      Array.from({ length: UPLOADS_PER_ROUND }, async (_, i) => (i % 3 === 0 ? new Uint8Array(await photo(round * 100 + i)) : new Uint8Array(randomBytes(sizeFor(i))))),
    );
    photos += bodies.filter((_, i) => i % 3 === 0).length;
    const tusUploads = bodies.map((body, i) => (i % 2 ? resumable(`r${round}-${i}.${i % 3 === 0 ? "jpg" : "bin"}`, body) : null));
    const ext = (i: number) => (i % 3 === 0 ? "jpg" : "bin");
    const work = bodies.map((body, i) =>
      tusUploads[i]
        ? tusUploads[i]!.send(b, 50 + Math.random() * 300)
        : i % 4 === 2
          ? webdav(b, `d${round}-${i}.${ext(i)}`, body)
          : plain(b, `p${round}-${i}.${ext(i)}`, body),
    );
    // A random moment into the round, one of the two processes dies without a word.
    await Bun.sleep(50 + Math.random() * 600);
    const victim = round % 2 === 0 ? "web" : "worker";
    await b.kill(victim);
    const results = await Promise.all(work);
    for (const [i, r] of results.entries()) {
      if (r) acked.push(r);
      else if (tusUploads[i]) unfinished.push(tusUploads[i]!);
    }
    if (victim === "web") await b.startWeb();
    else b.startWorker();
    // Interrupted resumable uploads carry on where they stopped.
    for (const up of unfinished.splice(0)) {
      const r = await up.send(b, 0);
      if (r) acked.push(r);
    }
  }

  // Let the worker finish every photo, then stop both and look at what is on disk.
  const db = new Database(join(b.dataDir, "db.sqlite"), { readonly: true });
  const pending = () => db.query<{ n: number }, []>("SELECT count(*) AS n FROM jobs WHERE kind = 'media.process' AND status IN ('queued','running')").get()!.n;
  for (let i = 0; i < 1200 && pending() > 0; i++) await Bun.sleep(100);
  expect(pending()).toBe(0);
  db.close();
  await b.halt();
  // A last start of the web process sweeps what the kills left, as the box does at boot.
  await b.startWeb();
  await b.kill("web");

  const check = new Database(join(b.dataDir, "db.sqlite"));
  expect(check.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
  const all = check
    .query<{ id: string; name: string; sha256: string; size: number; user_id: string }, []>(
      "SELECT id, name, sha256, size, user_id FROM files WHERE kind = 'file'",
    )
    .all();
  const rows = new Map(all.map((r) => [r.id, r]));
  const byName = new Map(all.map((r) => [r.name, r]));
  expect(acked.length).toBeGreaterThan(ROUNDS * 2);
  expect(acked.filter((a) => a.id === null).length).toBeGreaterThan(0);
  for (const a of acked) {
    const row = a.id ? rows.get(a.id) : byName.get(a.name);
    expect([a.name, row?.sha256, row?.size]).toEqual([a.name, a.sha256, a.size]);
  }
  // Nothing partial is visible: every file row's content is whole and hashes to its address.
  for (const row of rows.values()) {
    const path = join(b.dataDir, "users", row.user_id, "blobs", row.sha256.slice(0, 2), row.sha256.slice(2, 4), row.sha256);
    const bytes = readFileSync(path);
    expect([row.id, bytes.byteLength, sha(bytes)]).toEqual([row.id, row.size, row.sha256]);
  }
  // Temp files swept.
  const tmp = join(b.dataDir, "users", b.ada.id, "tmp");
  expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
  // Every photo's media job ran to done exactly once (one job and one row per content, none failed).
  const jobs = check.query<{ payload: string; status: string }, []>("SELECT payload, status FROM jobs WHERE kind = 'media.process'").all();
  const perContent = new Map<string, string[]>();
  for (const j of jobs) {
    const key = (JSON.parse(j.payload) as { sha256: string }).sha256;
    perContent.set(key, [...(perContent.get(key) ?? []), j.status]);
  }
  for (const [key, statuses] of perContent) expect([key, statuses]).toEqual([key, ["done"]]);
  const media = check.query<{ status: string; n: number }, []>("SELECT status, count(*) AS n FROM media GROUP BY status").all();
  expect(media.filter((m) => m.status !== "done")).toEqual([]);
  check.close();
  console.log(`crash rounds: ${ROUNDS} survived, ${acked.length} acknowledged uploads, 0 lost, ${perContent.size} media jobs done once (${photos} photos sent)`);
}, 900_000);
