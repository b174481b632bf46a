// Worker entry: claims jobs from the shared database and runs them, one at a time, until SIGTERM.
import { join } from "node:path";
import { loadConfig } from "./config";
import { openDb } from "./db/client";
import { dbBackupHandler, DB_BACKUP_JOB, scheduleDbBackup } from "./jobs/backup";
import { createJobRepo } from "./jobs/repo";
import { createJobQueue, createJobRunner, type JobHandlers } from "./jobs/service";

const config = loadConfig(process.argv.slice(2));
const db = openDb(join(config.dataDir, "db.sqlite"));
// Only the queue: the worker does not load the web features (passkeys, templates), which keeps it small.
const queue = createJobQueue({ repo: createJobRepo(db) });
const handlers: JobHandlers = {
  [DB_BACKUP_JOB]: dbBackupHandler({ db, dataDir: config.dataDir }),
};
const runner = createJobRunner({ queue, handlers });

scheduleDbBackup(queue, new Date());
const backups = setInterval(() => scheduleDbBackup(queue, new Date()), 3600_000);

let signals = 0;
async function shutdown(signal: string) {
  signals += 1;
  if (signals > 1) {
    // Asked twice: stop the running job now; it goes back to the queue for the next start.
    console.log(`${signal} again: interrupting the current job`);
    runner.abortCurrent();
    return;
  }
  console.log(`${signal}: finishing the current job, then exiting`);
  clearInterval(backups);
  await runner.stop();
  db.$client.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

console.log(`nasd worker started (data: ${config.dataDir}; handles ${runner.kinds.join(", ")})`);
await runner.run();
