/**
 * What goes wrong with backups, each on real restic and a real target: nothing lost, a clear status, nothing secret
 * shown. (The drill of every target kind is drill.test.ts; the host's protocol is host.test.ts.)
 */
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { backupBox, type BackupBox, folderTarget, passwordOf, someBytes, startHostBox, tcpProxy } from "../../test/support/backup";
import { postForm } from "../../test/support/app";
import { dataPaths } from "../platform/paths";
import { writeSupportBundle } from "../update/support";
import { resticFor } from "./run";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});
const box = (...args: Parameters<typeof backupBox>) => {
  const b = backupBox(...args);
  cleanups.push(b.cleanup);
  return b;
};
const DAY = 86_400_000;

/** The restic process working for this box (its working directory is the box's tree), once it runs. */
async function resticOf(b: BackupBox): Promise<number> {
  const tree = dataPaths(b.dataDir).backup.tree;
  for (let i = 0; i < 400; i++) {
    for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "restic" && readlinkSync(`/proc/${pid}/cwd`) === tree) return Number(pid);
      } catch {} // gone meanwhile
    }
    await Bun.sleep(25);
  }
  throw new Error("restic never started");
}

const lockCount = async (b: BackupBox, targetId: string) =>
  (
    await resticFor(
      { ...b, repo: b.repo, run: (await import("../../hw/run")).runCommand, timeZone: () => "UTC", db: b.db, dataDir: b.dataDir, now: () => new Date() },
      b.repo.target(targetId)!,
    ).restic(["list", "locks", "--no-lock"])
  )
    .split("\n")
    .filter(Boolean).length;

const options = { keepDaily: 1, keepWeekly: 0, keepMonthly: 0 };

describe("passwords", () => {
  test("a wrong password: the test says so, the wizard stops, a backup fails with a clear status and an alert", async () => {
    const a = box();
    a.createAdmin("alice");
    const target = folderTarget();
    const id = await a.addTarget(target);
    const other = box();
    other.createAdmin("carol");
    const t = other.backup.create(target);
    await other.drain();
    expect(other.backup.target(t.id).test).toMatchObject({ ok: true, repository: "exists" });
    expect(() => other.backup.generatePassword(t.id)).toThrow(/give its password/);
    other.backup.usePassword(t.id, "not the password");
    await other.drain();
    expect(other.backup.target(t.id).test).toMatchObject({ ok: false, repository: "exists", message: expect.stringContaining("does not open") });
    other.backup.kit(t.id);
    expect(() => other.backup.confirm(t.id, { ...options, includeMedia: false, hour: 2, limitUploadKiB: null, lowPriority: false }, true)).toThrow(
      /Test the connection/,
    );
    // The right password opens it: the second box may add to the same repository.
    other.backup.usePassword(t.id, passwordOf(a, id));
    await other.drain();
    expect(other.backup.target(t.id).test).toMatchObject({ ok: true, repository: "opened" });

    // A password file that no longer matches (a restore from an old kit gone wrong): the run fails, said plainly.
    Bun.write(join(dataPaths(a.dataDir).backup.target(id), "password"), "something else");
    a.backup.runNow(id);
    await a.drain();
    expect(a.backup.target(id)).toMatchObject({ failures: 1, lastError: expect.stringContaining("The password does not open this repository") });
    expect(a.backup.alerts()).toContainEqual(expect.objectContaining({ code: "backup-failed", severity: "warning" }));
  }, 120_000);

  test("the password never appears in restic's arguments, logs, the audit log, job rows, pages or the support bundle", async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    const b = box({ log: capture });
    const admin = b.createAdmin("alice");
    await b.put(admin, "big.bin", someBytes(800_000));
    const h = b.signIn(admin);
    const spies = [spyOn(console, "log").mockImplementation(capture), spyOn(console, "error").mockImplementation(capture)];
    cleanups.push(() => spies.forEach((s) => s.mockRestore()));
    // The wizard through the web pages, as the admin's browser does it.
    const input = folderTarget();
    const created = await b.request("/dashboard/backups/targets", postForm(h, { kind: "local", name: "USB", path: input.path! }));
    const id = created.headers.get("location")!.split("/")[4]!;
    await b.drain();
    await b.request(`/dashboard/backups/targets/${id}/password/generate`, postForm(h));
    const password = passwordOf(b, id);
    const kit = await b.request(`/dashboard/backups/targets/${id}/kit`, { headers: h });
    expect(kit.headers.get("cache-control")).toBe("no-store");
    expect(await kit.text()).toContain(password);
    const confirmed = await b.request(
      `/dashboard/backups/targets/${id}/confirm`,
      postForm(h, { hour: "2", keepDaily: "31", keepWeekly: "52", keepMonthly: "", limitUploadKiB: "200", lowPriority: "on", kitSaved: "on" }),
    );
    expect(confirmed.status).toBe(303);
    // While restic runs (slowed to 200 KiB/s), its command line and environment hold no password.
    const run = b.drain();
    const pid = await resticOf(b);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    expect(cmdline).toContain("backup");
    expect(cmdline.join(" ")).not.toContain(password);
    expect(environ).not.toContain(password);
    expect(environ).toContain(`RESTIC_PASSWORD_FILE=${join(dataPaths(b.dataDir).backup.target(id), "password")}`);
    await run;
    expect(b.backup.target(id).lastError).toBeNull();

    // A failing run too (its error is stored and logged).
    Bun.write(join(dataPaths(b.dataDir).backup.target(id), "repository"), "/nonexistent/nowhere\n");
    b.backup.runNow(id);
    await b.drain();
    const pages = await Promise.all(
      ["/dashboard/backups", `/dashboard/backups/targets/${id}/setup`, "/dashboard/alerts"].map(async (p) => (await b.request(p, { headers: h })).text()),
    );
    await writeSupportBundle(
      {
        db: b.db,
        dataDir: b.dataDir,
        tlsDir: b.config.tlsDir,
        run: async () => ({ code: 0, signal: null, stdout: lines.join("\n"), stderr: "", timedOut: false, truncated: false, durationMs: 0 }),
        now: () => new Date(),
      },
      "nas-support-20260101T000000Z.tar.gz",
    );
    const bundle = gunzipSync(readFileSync(join(dataPaths(b.dataDir).support, "nas-support-20260101T000000Z.tar.gz"))).toString("latin1");
    const audit = JSON.stringify(b.db.$client.query("select * from audit_log").all());
    const jobs = JSON.stringify(b.db.$client.query("select * from jobs").all());
    const targets = JSON.stringify(b.db.$client.query("select * from backup_targets").all());
    for (const [where, text] of Object.entries({ logs: lines.join("\n"), audit, jobs, targets, pages: pages.join(""), bundle }))
      expect([where, text.includes(password)]).toEqual([where, false]);
    expect(audit).toContain("/dashboard/backups/targets/:id/confirm");
    // The bundle does carry the logs (the failed run's line among them): what it lacks is the password.
    expect(bundle).toContain("backup to USB failed");
  }, 120_000);
});

describe("a target that fails", () => {
  test("fills up mid-backup: a clear status at once, the repository stays valid, the next run completes", async () => {
    const host = await startHostBox({ quotaBytes: 1_500_000 });
    cleanups.push(host.stop);
    const b = box();
    const alice = b.createAdmin("alice");
    await b.put(alice, "a.bin", someBytes(500_000));
    const { code, guest } = host.pair("full", 1_500_000);
    const id = await b.addTarget({ kind: "rest", pairing: code });
    expect(b.backup.target(id).snapshotCount).toBe(1);
    await b.put(alice, "video.mp4", someBytes(4_000_000));
    const started = Date.now();
    b.backup.runNow(id);
    await b.drain();
    // restic alone would retry for a minute; a full target is said at once.
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(b.backup.target(id)).toMatchObject({ failures: 1, snapshotCount: 1, lastError: expect.stringContaining("full") });
    expect(b.backup.alerts()).toContainEqual(expect.objectContaining({ code: "backup-failed", message: expect.stringContaining("full") }));
    b.backup.checkNow(id);
    await b.drain();
    expect(b.backup.target(id)).toMatchObject({ checkOk: true });
    host.repo.updateGuest(guest, { quotaBytes: 20_000_000 });
    b.backup.runNow(id);
    await b.drain();
    expect(b.backup.target(id)).toMatchObject({ failures: 0, lastError: null, snapshotCount: 2 });
    expect(b.backup.alerts().filter((a) => a.code === "backup-failed")).toEqual([]);
  }, 120_000);

  test("a connection cut mid-backup: the run stops with a clear status, the next one completes, the repository checks clean", async () => {
    const host = await startHostBox();
    cleanups.push(host.stop);
    const proxy = await tcpProxy(host.port);
    cleanups.push(proxy.stop);
    const b = box({ tuning: { stallMs: 3000 } });
    const alice = b.createAdmin("alice");
    const id = await b.addTarget({ kind: "rest", pairing: host.pair("cut", 1e9, proxy.port).code });
    await b.put(alice, "video.mp4", someBytes(3_000_000));
    b.backup.setOptions(id, { ...b.backup.target(id), limitUploadKiB: 300 });
    b.backup.runNow(id);
    const run = b.drain();
    await resticOf(b);
    await Bun.sleep(2500);
    proxy.cut();
    await run;
    expect(b.backup.target(id)).toMatchObject({ failures: 1, snapshotCount: 1, lastError: expect.stringMatching(/stopped answering|could not be reached/) });
    proxy.restore();
    b.backup.setOptions(id, { ...b.backup.target(id), limitUploadKiB: null });
    b.backup.runNow(id);
    await b.drain();
    expect(b.backup.target(id)).toMatchObject({ failures: 0, lastError: null, snapshotCount: 2 });
    b.backup.checkNow(id);
    await b.drain();
    expect(b.backup.target(id)).toMatchObject({ checkOk: true });
  }, 120_000);

  test("a host box that refuses to delete: append-only holds, retention is noted, nothing fails", async () => {
    const host = await startHostBox();
    cleanups.push(host.stop);
    // Both runs in the past, a year apart: restic (Go) reads the real clock, which libfaketime does not move, and
    // under `make test-unit-next-year` snapshots dated by a box a year ahead of it were all kept (nothing to refuse).
    let now = Date.now() - 800 * DAY;
    const b = box({ now: () => new Date(now) });
    const alice = b.createAdmin("alice");
    await b.put(alice, "a.bin", someBytes(10_000));
    const { code, guest } = host.pair("family");
    const id = await b.addTarget({ kind: "rest", pairing: code }, { options });
    now = Date.now() - 400 * DAY;
    await b.put(alice, "b.bin", someBytes(10_000));
    b.backup.runNow(id);
    await b.drain();
    expect(b.backup.target(id)).toMatchObject({ failures: 0, snapshotCount: 2, forgetNote: expect.stringContaining("append-only") });
    expect(host.files(guest, "snapshots").length).toBe(2);
    // The host's admin allows pruning for a day: the next retention removes the old snapshot.
    host.repo.updateGuest(guest, { pruneUntil: new Date(Date.now() + DAY) });
    b.repo.updateTarget(id, { lastForgetAt: new Date(now - 2 * DAY) });
    b.backup.runNow(id);
    await b.drain();
    expect(b.backup.target(id)).toMatchObject({ failures: 0, forgetNote: null, snapshotCount: 2 });
    expect(b.backup.snapshots(id).every((s) => s.time.getTime() > now - DAY)).toBe(true);
  }, 120_000);
});

describe("locks, damage and clocks", () => {
  test("a stale lock of a crashed run on this box is removed; a lock of another machine is left alone and reported", async () => {
    let me = hostname();
    const b = box({ tuning: { hostname: () => me } });
    const alice = b.createAdmin("alice");
    const id = await b.addTarget(folderTarget());
    await b.put(alice, "video.mp4", someBytes(2_000_000));
    b.backup.setOptions(id, { ...b.backup.target(id), limitUploadKiB: 100 });
    b.backup.runNow(id);
    const run = b.drain();
    const pid = await resticOf(b);
    // Killed once it holds its lock (restic takes it after opening the repository, later on a busy machine).
    for (let i = 0; i < 200 && (await lockCount(b, id)) === 0; i++) await Bun.sleep(100);
    process.kill(pid, "SIGKILL");
    await run;
    expect(await lockCount(b, id)).toBe(1);

    // Seen from another machine's point of view, the lock is not ours: the check leaves it and says so.
    me = "another-box";
    b.backup.checkNow(id);
    await b.drain();
    expect(b.backup.target(id).lockNote).toMatch(/^Locked by .* \(process \d+\) since .* Left alone/);
    expect(b.backup.alerts()).toContainEqual(expect.objectContaining({ code: "backup-locked" }));
    expect(await lockCount(b, id)).toBe(1);

    // On this box, its restic dead: removed, and the check runs.
    me = hostname();
    b.backup.checkNow(id);
    await b.drain();
    expect(b.backup.target(id)).toMatchObject({ lockNote: null, checkOk: true });
    expect(await lockCount(b, id)).toBe(0);
  }, 120_000);

  test("a tampered pack file: the monthly check reads its slice, finds it and alerts", async () => {
    const b = box();
    const alice = b.createAdmin("alice");
    await b.put(alice, "photo.jpg", someBytes(400_000));
    const target = folderTarget();
    const id = await b.addTarget(target);
    const packs = readdirSync(join(target.path!, "data"), { recursive: true })
      .map(String)
      .filter((p) => /\/[0-9a-f]{64}$/.test(p));
    const sizes = packs.map((p) => ({ p, size: Bun.file(join(target.path!, "data", p)).size })).sort((x, y) => y.size - x.size);
    const biggest = sizes[0]!.p;
    const fd = openSync(join(target.path!, "data", biggest), "r+");
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 1000);
    byte[0] = byte[0]! ^ 0x55;
    writeSync(fd, byte, 0, 1, 1000);
    closeSync(fd);
    // The next check reads the twelfth its pack falls in (restic groups packs by their first byte).
    const slice = (Number.parseInt(biggest.split("/").at(-1)!.slice(0, 2), 16) % 12) + 1;
    b.repo.updateTarget(id, { checkSlice: slice - 1 });
    b.backup.checkNow(id);
    await b.drain();
    expect(b.backup.target(id)).toMatchObject({ checkOk: false, checkSlice: slice, checkDetail: expect.stringContaining(`slice ${slice} of 12 found damage`) });
    expect(b.backup.alerts()).toContainEqual(expect.objectContaining({ code: "backup-check-failed", severity: "critical" }));
    // And through the dashboard's own minute check: a banner alert (and the webhook's job).
    await b.services.dashboard.alerts.check({} as never);
    expect(b.services.dashboard.alerts.banner().map((a) => a.code)).toContain("backup-check-failed");
  }, 120_000);

  test("the box's clock far off: backups run, the page says so, and retention never eats the real snapshots", async () => {
    let now = Date.now() + 3 * 365 * DAY;
    const b = box({ now: () => new Date(now) });
    const alice = b.createAdmin("alice");
    await b.put(alice, "a.bin", someBytes(10_000));
    const id = await b.addTarget(folderTarget(), { options });
    expect(b.backup.target(id)).toMatchObject({ failures: 0, snapshotCount: 1 });
    // NTP fixes the clock.
    now = Date.now();
    expect(b.backup.target(id).clockWarning).toMatch(/in the future: the box's clock was wrong/);
    await b.put(alice, "b.bin", someBytes(10_000));
    b.repo.updateTarget(id, { lastForgetAt: new Date(now - 2 * DAY) });
    b.backup.runNow(id);
    await b.drain();
    // Keeping one a day and the last 24 hours: the real snapshot of today is kept, however far the wrong one is.
    const kept = b.backup.snapshots(id);
    expect(b.backup.target(id)).toMatchObject({ failures: 0, lastError: null });
    expect(kept.some((s) => Math.abs(s.time.getTime() - now) < DAY)).toBe(true);
    expect(existsSync(dataPaths(b.dataDir).backup.tree)).toBe(true);
  }, 120_000);
});

describe("status and alerts", () => {
  test("no success for three days is a critical alert; a success clears it", async () => {
    let now = Date.now();
    const b = box({ now: () => new Date(now) });
    b.createAdmin("alice");
    const target = folderTarget();
    const id = await b.addTarget(target);
    expect(b.backup.alerts()).toEqual([]);
    Bun.write(join(dataPaths(b.dataDir).backup.target(id), "repository"), "/nonexistent/nowhere\n");
    now += 4 * DAY;
    b.backup.runNow(id);
    await b.drain();
    expect(b.backup.alerts().map((a) => [a.code, a.severity])).toEqual([
      ["backup-failed", "warning"],
      ["backup-overdue", "critical"],
    ]);
    Bun.write(join(dataPaths(b.dataDir).backup.target(id), "repository"), `${target.path}\n`);
    b.backup.runNow(id);
    await b.drain();
    expect(b.backup.alerts()).toEqual([]);
  }, 120_000);
});
