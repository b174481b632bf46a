// `bun test/support/write-burst.ts <db> <tag>`: writes bursts of audit rows through the app's own database code
// (openDb: WAL, synchronous=FULL; writeTransaction: BEGIN IMMEDIATE) and prints each burst's ids once it is committed:
// what it printed is what it acknowledged. Killed with -9 by test/reliability/power-loss.test.ts.
import { openDb, writeTransaction } from "../../app/platform/db/client";
import { createAuditRepo } from "../../app/platform/audit";
import { systemClock } from "../../app/platform/clock";

const [path, tag] = process.argv.slice(2);
const db = openDb(path!, { log: () => {} });
const audit = createAuditRepo(db, systemClock);
for (let burst = 0; ; burst++) {
  const ids = Array.from({ length: 1 + (burst % 20) }, (_, i) => `${tag}-${burst}-${i}`);
  writeTransaction(db, () => {
    for (const id of ids) audit.record({ action: "reliability.burst", objectId: id, ok: true, detail: "x".repeat(200) });
  });
  process.stdout.write(`${ids.join("\n")}\n`);
}
