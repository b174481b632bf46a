/**
 * Factory reset, keeping the files: a file uploaded to Drive, then the typed confirmation; the box reboots by itself
 * into the setup wizard with a new CA, and after the last power-off the host finds the Drive file and the backups
 * still on the data partition and the old database moved aside (read with debugfs, no mount).
 */
import { Database } from "bun:sqlite";
import { spawnSync } from "bun";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appToken, dashboardApi, fetchCa, tusUpload } from "./clients";
import { type Concern, check, copyDataPartition, type Partition, partitions, powerOff, waitForExit, waitForHttps } from "./harness";

/** After a factory reset (keep files), read off the data partition without mounting it (debugfs). */
function filesOnDataPartition(work: string, disk: string, data: Partition | undefined, sha256: string) {
  const result = { blob: false, backups: 0, asideDb: false, liveDbHasAdmin: true };
  if (!data) return result;
  const part = copyDataPartition(work, disk, data, "data-part-reset.ext4");
  const ls = (dir: string) =>
    spawnSync(["debugfs", "-R", `ls -p ${dir}`, part], { stderr: "ignore" })
      .stdout.toString()
      .split("\n")
      .map((l) => l.split("/")[5] ?? "")
      .filter((n) => n && n !== "." && n !== "..");
  for (const user of ls("/nasd/users")) if (ls(`/nasd/users/${user}/blobs/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}`).includes(sha256)) result.blob = true;
  result.backups = ls("/nasd/backups").filter((n) => n.endsWith(".sqlite")).length;
  result.asideDb = ls("/nasd").some((n) => n.startsWith("factory-reset-") && ls(`/nasd/${n}`).includes("db.sqlite"));
  const live = join(work, "live-db.sqlite");
  spawnSync(["debugfs", "-R", `dump /nasd/db.sqlite ${live}`, part], { stderr: "ignore" });
  if (existsSync(live) && statSync(live).size > 0) {
    const db = new Database(live);
    try {
      result.liveDbHasAdmin = (db.query<{ n: number }, []>("select count(*) as n from users where role = 'admin'").get()?.n ?? 0) > 0;
    } catch {
      result.liveDbHasAdmin = false; // not even migrated yet: certainly no admin
    } finally {
      db.close();
    }
  } else result.liveDbHasAdmin = false;
  rmSync(part, { force: true });
  return result;
}

export const reset: Concern = {
  name: "reset",
  needs: ["boot", "https", "dashboard"],
  async run(run) {
    const back = run.running("reset");
    const api = dashboardApi(back, appToken(run, back));
    const keepMe = join(run.work, "keep-me.txt");
    writeFileSync(keepMe, `a file the factory reset must keep ${Date.now()}\n`);
    const kept = await tusUpload(api, "/api/v1/uploads", keepMe, "keep-me.txt");
    const resetStarted = performance.now();
    const reset = await api("/dashboard/system/reset", { method: "POST", body: new URLSearchParams({ mode: "keep-files", confirm: "reset" }) });
    const resetRebooted = await waitForExit(back, 240_000);
    check(
      "factory reset (keep my files) with the typed confirmation: the box reboots by itself",
      kept.ok && reset.status === 200 && resetRebooted,
      `${kept.detail} ${reset.status}`,
    );
    if (!resetRebooted) throw new Error("the box did not reboot for the factory reset");
    const fresh = await run.powerOn("reset");
    const freshSeconds = await waitForHttps(fresh);
    const freshHealth =
      freshSeconds === null
        ? null
        : await fetch(`https://127.0.0.1:${fresh.https}/healthz`, { tls: { rejectUnauthorized: false } }).then(
            (r) => r.json() as Promise<{ setupDone?: boolean }>,
          );
    const freshCa = freshSeconds === null ? null : await fetchCa(fresh);
    check(
      "after the factory reset: the setup wizard is back, with a new certificate authority",
      freshHealth?.setupDone === false && freshCa !== null && freshCa.sha256 !== run.ca!.sha256,
      `${freshSeconds?.toFixed(1)} s, ${JSON.stringify(freshHealth)}`,
    );
    run.timings.push(`factory reset (keep files): ${((performance.now() - resetStarted) / 1000).toFixed(0)} s from the request to the wizard answering`);
    check("final: clean power-off", await powerOff(fresh));
    run.box = null;
    const keptOnDisk = filesOnDataPartition(
      run.work,
      run.disk,
      partitions(run.disk).find((p) => p.name === "nasd-data"),
      createHash("sha256").update(readFileSync(keepMe)).digest("hex"),
    );
    check(
      "after the factory reset: the Drive file and the backups are still on the data disk, the old database moved aside",
      keptOnDisk.blob && keptOnDisk.backups > 0 && keptOnDisk.asideDb && !keptOnDisk.liveDbHasAdmin,
      JSON.stringify(keptOnDisk),
    );
  },
};
