// The real server process on a temp data dir, as `make run` starts it: what it leaves on disk and what the admin
// CLI beside it prints (README, "Security" #11 and #12).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "./platform/config";
import { openDb } from "./platform/db/client";
import { createServices } from "./services";
import { startServer, type TestServer } from "../test/support/browser";

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startServer();
  const db = openDb(join(server.dataDir, "db.sqlite"), { log: () => {} });
  const { auth } = createServices({ db, config: loadConfig([], { DATA_DIR: server.dataDir }) });
  token = auth.tokens.create(auth.users.add({ username: "ada", displayName: "Ada", role: "admin" }, null).user.id, "test").token;
  db.$client.close();
});
afterAll(() => server?.stop());

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

test("#11 the data dir is private to the service: 0700 folders, 0600 database and tus partial files", async () => {
  const r = await fetch(`${server.origin}/api/v1/uploads`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "tus-resumable": "1.0.0",
      "upload-length": "10",
      "upload-metadata": `filename ${btoa("half.bin")}`,
      "content-type": "application/offset+octet-stream",
    },
    body: "01234",
  });
  expect(r.status).toBe(201);
  expect(mode(server.dataDir)).toBe("700");
  for (const f of ["db.sqlite", "db.sqlite-wal", "db.sqlite-shm"]) expect([f, mode(join(server.dataDir, f))]).toEqual([f, "600"]);
  const uploads = join(server.dataDir, "uploads");
  expect(mode(uploads)).toBe("700");
  const partial = readdirSync(uploads);
  expect(partial.length).toBe(2); // the bytes and tus's metadata
  for (const f of partial) expect([f, mode(join(uploads, f))]).toEqual([f, "600"]);
});

test("#12 the admin CLI prints links for the origin the server serves, not its own default port", async () => {
  const env: Record<string, string> = { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", DATA_DIR: server.dataDir };
  const proc = Bun.spawn(["bun", "app/cli.ts", "invite"], { cwd: join(import.meta.dir, ".."), env, stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(code).toBe(0);
  expect(out).toContain(`${server.origin}/register?invite=`);
  expect(out).not.toContain("localhost:8080");
});

test("#3/#8 the development server answers a broken address with the app's 400, never Bun's page with paths", async () => {
  const res = await fetch(`${server.origin}/static/%E0%A4%A`);
  const body = await res.text();
  expect(res.status).toBe(400);
  expect(body).toContain("malformed");
  expect(body).not.toContain(join(import.meta.dir, ".."));
});

test("the web process runs its own job lane: the minute samples the worker queues are taken here", async () => {
  const db = openDb(join(server.dataDir, "db.sqlite"), { log: () => {} });
  try {
    const { jobs } = createServices({ db, config: loadConfig([], { DATA_DIR: server.dataDir }) });
    const samples = () => db.$client.query<{ n: number }, []>("select count(*) as n from system_samples").get()!.n;
    const sampled = async () => {
      const job = jobs.enqueue("dashboard.sample");
      for (let i = 0; i < 800 && jobs.byId(job.id)?.status !== "done"; i++) await Bun.sleep(25);
      expect(jobs.byId(job.id)?.status).toBe("done");
    };
    await sampled(); // the first in a process takes the baseline only
    expect(samples()).toBe(0);
    await sampled();
    expect(samples()).toBe(1);
  } finally {
    db.$client.close();
  }
}, 30_000); // the web lane looks for due jobs every 5 s
