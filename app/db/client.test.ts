import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "./client";

test("several processes opening a fresh database at once all start (first boot: web, worker, CLI)", async () => {
  const script = `import { openDb } from ${JSON.stringify(join(import.meta.dir, "client.ts"))};
    openDb(process.env.FRESH_DB!, { log: () => {} }).$client.close();`;
  for (let round = 0; round < 3; round++) {
    const dir = mkdtempSync(join(tmpdir(), "nas-db-race-"));
    try {
      const path = join(dir, "db.sqlite");
      const procs = [0, 1, 2, 3].map(() => Bun.spawn(["bun", "-e", script], { env: { ...process.env, FRESH_DB: path }, stdout: "ignore", stderr: "pipe" }));
      const results = await Promise.all(procs.map(async (p) => ({ code: await p.exited, stderr: await new Response(p.stderr).text() })));
      for (const r of results) expect(r).toEqual({ code: 0, stderr: "" });
      const db = openDb(path, { log: () => {} });
      const tables = db.$client.query<{ name: string }, []>("select name from sqlite_master where type = 'table'").all().map((t) => t.name);
      db.$client.close();
      expect(tables).toContain("users");
      expect(tables).toContain("jobs");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
