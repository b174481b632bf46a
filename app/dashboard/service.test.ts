import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandNotFoundError, type Runner } from "../../hw/run";
import { createSmartReader } from "../../hw/smart";
import { createSystemSampler, type BlockDevice, type MountedFilesystem } from "../../hw/system";
import { smartFixture } from "../../hw/test-fixtures";
import { openDb } from "../platform/db/client";
import type { User } from "../platform/db/schema";
import { DB_BACKUP_JOB } from "./backups";
import { dashboardJobs } from "./jobs";
import type { JobPayloads } from "../jobs";
import { createSettingsRepo } from "../settings/repo";
import { createJobRepo } from "../platform/queue/repo";
import { createJobQueue } from "../platform/queue/queue";
import { AppError } from "../platform/errors";
import { createJobRunner } from "../platform/queue/runner";
import { createDashboardRepo } from "./repo";
import { createDiskHealth, directDiskChecks, queuedDiskChecks, SMART_REFRESH_JOB, SMART_SELF_TEST_JOB } from "./disk-health";
import { systemdPower, type PowerControl } from "./power";
import { createDashboardService } from "./service";
import { fakeRunner } from "../../hw/testing";
import { systemClock } from "../platform/clock";

const scanOf = (...devices: [string, string][]) =>
  JSON.stringify({
    smartctl: { exit_status: 0 },
    devices: devices.map(([name, type]) => ({ name, info_name: name, type, protocol: type === "nvme" ? "NVMe" : "ATA" })),
  });

/** A fake smartctl: `--scan-open` lists `scan`, `-x <dev>` answers from `reports[dev]` (fixture text). */
function fakeSmartctl(scan: string, reports: Record<string, () => string>) {
  return fakeRunner((argv) => {
    if (argv.includes("--scan-open")) return { stdout: scan };
    const dev = argv[argv.length - 1]!;
    const text = reports[dev]?.();
    if (argv.includes("-t")) return { stdout: JSON.stringify({ smartctl: { exit_status: 0 } }) };
    if (!text)
      return {
        code: 2,
        stdout: JSON.stringify({
          smartctl: { messages: [{ string: `Smartctl open device: ${dev} failed: No such device`, severity: "error" }], exit_status: 2 },
        }),
      };
    return { code: JSON.parse(text).smartctl?.exit_status ?? 0, stdout: text };
  });
}

function addAdmin(db: ReturnType<typeof openDb>): User {
  db.$client.run("insert into users (id, username, display_name, role, webauthn_user_id, created_at) values ('u1', 'admin', 'Admin', 'admin', 'w1', 0)");
  return { id: "u1" } as User;
}

const noVcgencmd: Runner = async () => {
  throw new CommandNotFoundError("vcgencmd", "ENOENT");
};

function setup(
  opts: {
    run?: Runner;
    power?: PowerControl;
    thresholds?: Record<string, number>;
    now?: () => Date;
    blockDevices?: BlockDevice[];
    filesystems?: MountedFilesystem[];
    filesystemsFn?: () => MountedFilesystem[];
    smartInWorker?: boolean;
    processUsage?: () => { cpuMicros: number; rssBytes: number };
    alertWebhook?: string;
  } = {},
) {
  const dataDir = mkdtempSync(join(tmpdir(), "dash-"));
  const db = openDb(join(dataDir, "db.sqlite"), { log: () => {} });
  const repo = createDashboardRepo(db);
  const now = opts.now ?? systemClock;
  const jobs = createJobQueue<JobPayloads>({ repo: createJobRepo(db), now });
  const users: User[] = [];
  const smart = createSmartReader({ run: opts.run ?? fakeSmartctl(scanOf(), {}).run });
  const blockDevices = async () => opts.blockDevices ?? [];
  const health = createDiskHealth({ repo, smart, blockDevices, now, thresholds: opts.thresholds });
  const service = createDashboardService({
    repo,
    disks: opts.smartInWorker ? queuedDiskChecks({ health, jobs, now }) : directDiskChecks(health, now),
    liveSampler: createSystemSampler({ run: noVcgencmd }),
    // On the test's clock: a sample stamped with the real date would be pruned as older than the test's "now".
    minuteSampler: createSystemSampler({ run: noVcgencmd, now: opts.now && (() => opts.now!().getTime()) }),
    power: opts.power ?? systemdPower({ appliance: false }),
    jobs,
    dataDir,
    filesystems: async () => opts.filesystemsFn?.() ?? opts.filesystems ?? [],
    alertWebhook: () => opts.alertWebhook ?? null,
    listUsers: () => users,
    setQuota: () => {},
    usedBytes: () => 0,
    thresholds: opts.thresholds,
    now,
    processUsage: opts.processUsage,
  });
  return { db, repo, jobs, service, dataDir, smart, blockDevices };
}

describe("disks and alerts", () => {
  test("a failing USB disk and an NVMe with media errors: stored, alerted, health red", async () => {
    const fake = fakeSmartctl(scanOf(["/dev/sdc", "usbjmicron"], ["/dev/nvme0", "nvme"]), {
      "/dev/sdc": () => smartFixture("smart-fail2.json"),
      "/dev/nvme0": () => smartFixture("smart-nvme-failed.json"),
    });
    const { service, repo } = setup({ run: fake.run });
    await service.checkDisks();
    expect(fake.calls).toContainEqual(["smartctl", "-x", "--json=c", "-n", "standby", "-d", "usbjmicron", "/dev/sdc"]);
    expect(repo.disks().map((d) => [d.device, d.subject])).toEqual([
      ["/dev/nvme0", "disk:S466NX0M776250H"],
      ["/dev/sdc", "disk:MSK423Y20S3HBC"],
    ]);
    const open = repo
      .openAlerts()
      .map((a) => `${a.severity}:${a.code}:${a.subject}`)
      .sort();
    expect(open).toEqual([
      "critical:smart-failing:disk:MSK423Y20S3HBC",
      "warning:bad-sectors:disk:MSK423Y20S3HBC",
      "warning:nvme-media-errors:disk:S466NX0M776250H",
    ]);
    const overview = await service.overview();
    expect(overview.health.level).toBe("red");
    expect(overview.disks.map((d) => [d.device, d.status])).toEqual([
      ["/dev/nvme0", "warning"],
      ["/dev/sdc", "failing"],
    ]);
    expect(overview.banner).toHaveLength(3);
    expect(overview.banner[0]).toMatchObject({ severity: "critical", code: "smart-failing" });
  });

  test("alerts are not duplicated by repeated checks and clear when the condition is gone", async () => {
    let text = smartFixture("smart-nvme-failed.json");
    const fake = fakeSmartctl(scanOf(["/dev/nvme0", "nvme"]), { "/dev/nvme0": () => text });
    const { service, repo } = setup({ run: fake.run });
    await service.checkDisks();
    await service.checkDisks();
    expect(repo.openAlerts()).toHaveLength(1);
    text = smartFixture("smart-nvme.json");
    await service.checkDisks();
    expect(repo.openAlerts()).toEqual([]);
    expect(service.alerts.list().map((a) => [a.code, a.clearedAt !== null])).toEqual([["nvme-media-errors", true]]);
  });

  test("rising reallocated sectors raise an event alert that stays until acknowledged", async () => {
    const healthy = smartFixture("smart-ata.json");
    const worse = JSON.parse(healthy);
    worse.ata_smart_attributes.table.find((a: { id: number }) => a.id === 5).raw = { value: 12, string: "12" };
    let text = healthy;
    const fake = fakeSmartctl(scanOf(["/dev/sdb", "sat"]), { "/dev/sdb": () => text });
    const { service, repo, db } = setup({ run: fake.run });
    await service.checkDisks();
    expect(repo.openAlerts()).toEqual([]);

    text = JSON.stringify(worse);
    await service.checkDisks();
    const rising = repo.openAlerts().find((a) => a.code === "sectors-rising");
    expect(rising?.message).toContain("reallocated sectors 0 → 12");

    // Same count at the next check: nothing rises any more, but the event stays until someone has seen it.
    await service.checkDisks();
    expect(
      repo
        .openAlerts()
        .map((a) => a.code)
        .sort(),
    ).toEqual(["reallocated-sectors", "sectors-rising"]);
    const admin = addAdmin(db);
    service.alerts.acknowledge(rising!.id, admin);
    await service.alerts.check();
    expect(repo.openAlerts().map((a) => a.code)).toEqual(["reallocated-sectors"]);
  });

  test("acknowledged alerts leave the banner and stay acknowledged while unchanged", async () => {
    const { service, repo, jobs, db } = setup({ thresholds: { hddWarnC: 50, hddCriticalC: 60 } });
    const admin = addAdmin(db);
    const job = jobs.enqueue("media.process", { userId: "u1", sha256: "ab" });
    jobs.claimNextJob(["media.process"]);
    jobs.fail({ ...job, attempts: 1 }, new AppError(422, "bad jpeg"));
    await service.alerts.check();
    const [alert] = repo.openAlerts();
    expect(alert).toMatchObject({
      code: "jobs-failed",
      subject: "jobs:media.process",
      severity: "warning",
      message: "1 media.process job failed; last error: bad jpeg.",
    });
    expect(service.alerts.banner()).toHaveLength(1);
    service.alerts.acknowledge(alert!.id, admin);
    expect(service.alerts.banner()).toEqual([]);
    expect(repo.alertById(alert!.id)?.acknowledgedBy).toBe(admin.id);
    // Still failing at the next check: stays acknowledged.
    await service.alerts.check();
    expect(service.alerts.banner()).toEqual([]);
    expect(() => service.alerts.acknowledge(999, admin)).toThrow("does not exist");
  });

  test("an acknowledged alert that gets worse comes back on the banner", async () => {
    let temperature = 52;
    const hot = () => {
      const json = JSON.parse(smartFixture("smart-ata.json"));
      json.temperature.current = temperature;
      return JSON.stringify(json);
    };
    const fake = fakeSmartctl(scanOf(["/dev/sdb", "sat"]), { "/dev/sdb": hot });
    const { service, db } = setup({ run: fake.run });
    const admin = addAdmin(db);
    await service.checkDisks();
    const [alert] = service.alerts.banner();
    expect(alert).toMatchObject({ code: "disk-temperature", severity: "warning" });
    service.alerts.acknowledge(alert!.id, admin);
    await service.checkDisks();
    expect(service.alerts.banner()).toEqual([]);
    temperature = 61;
    await service.checkDisks();
    expect(service.alerts.banner()).toMatchObject([{ id: alert!.id, severity: "critical", acknowledgedAt: null }]);
  });

  test("a disk that falls asleep keeps its last reading", async () => {
    let asleep = false;
    const standby = JSON.stringify({ smartctl: { messages: [{ string: "Device is in STANDBY mode, exit(2)", severity: "information" }], exit_status: 2 } });
    const fake = fakeSmartctl(scanOf(["/dev/sdc", "usbjmicron"]), { "/dev/sdc": () => (asleep ? standby : smartFixture("smart-fail2.json")) });
    const { service, repo } = setup({ run: fake.run });
    await service.checkDisks();
    asleep = true;
    await service.checkDisks();
    expect(repo.disk("/dev/sdc")?.report).toMatchObject({ available: true, health: "failed" });
    expect(repo.openAlerts().map((a) => a.code)).toContain("smart-failing");
  });

  test("no smartctl, and a VM whose disk has no SMART: clear not-available states, no throw", async () => {
    const vda: BlockDevice = { path: "/dev/vda", sizeBytes: 256e9, removable: false, model: null };
    const missing = setup({
      run: async () => {
        throw new CommandNotFoundError("smartctl", "ENOENT");
      },
      blockDevices: [vda],
    });
    await missing.service.checkDisks();
    const offline = await missing.service.overview();
    expect(offline.diskCheck).toMatchObject({ pending: false, unavailableReason: "smartctl is not installed (package smartmontools)" });
    expect(offline.disks).toMatchObject([{ device: "/dev/vda", status: "unavailable", reason: "smartctl is not installed (package smartmontools)" }]);
    expect(offline.health.level).toBe("green");

    // A VM: --scan-open lists nothing (scan-open-virtio.json); the virtio disk from /sys/block gets smartctl's reason.
    const virtio = fakeRunner((argv) =>
      argv.includes("--scan-open") ? { stdout: smartFixture("scan-open-virtio.json") } : { code: 1, stdout: smartFixture("virtio-no-smart.json") },
    );
    const vm = setup({ run: virtio.run, blockDevices: [vda] });
    await vm.service.checkDisks();
    const [disk] = (await vm.service.overview()).disks;
    expect(disk).toMatchObject({ device: "/dev/vda", status: "unavailable", report: { capacityBytes: 256e9 } });
    expect(disk?.reason).toContain("no SMART");
    expect(virtio.calls).toEqual([
      ["smartctl", "--scan-open", "--json=c"],
      ["smartctl", "-x", "--json=c", "-n", "standby", "/dev/vda"],
    ]);
  });

  test("self-tests go to the disk with its smartctl type; unknown devices are refused", async () => {
    const fake = fakeSmartctl(scanOf(["/dev/sdc", "usbjmicron"]), { "/dev/sdc": () => smartFixture("smart-fail2.json") });
    const { service } = setup({ run: fake.run });
    await service.checkDisks();
    expect(await service.health.startSelfTest("/dev/sdc", "short")).toBe("The short self-test started.");
    expect(fake.calls).toContainEqual(["smartctl", "-t", "short", "--json=c", "-d", "usbjmicron", "/dev/sdc"]);
    expect(service.health.startSelfTest("/dev/sda", "short")).rejects.toThrow("does not exist");
  });
});

describe("SMART through the root worker (the image: the web process cannot open disks)", () => {
  /** The root storage worker: only the smart.* kinds (as declared, payloads checked), the same SMART reader and block devices as the machine. */
  const rootWorker = (t: ReturnType<typeof setup>) => {
    const handlers = dashboardJobs.handlers({
      now: systemClock,
      db: t.db,
      dataDir: t.dataDir,
      settings: createSettingsRepo(t.db),
      smart: t.smart,
      blockDevices: t.blockDevices,
    });
    return createJobRunner({
      queue: t.jobs,
      handlers: { [SMART_REFRESH_JOB]: handlers[SMART_REFRESH_JOB], [SMART_SELF_TEST_JOB]: handlers[SMART_SELF_TEST_JOB] },
      log: () => {},
    });
  };

  test("the web queues one check, the worker reads the disks, the dashboard shows what it stored", async () => {
    const fake = fakeSmartctl(scanOf(["/dev/sdc", "usbjmicron"]), { "/dev/sdc": () => smartFixture("smart-fail2.json") });
    const vda: BlockDevice = { path: "/dev/vda", sizeBytes: 8e9, removable: false, model: null };
    const t = setup({ run: fake.run, smartInWorker: true, blockDevices: [vda] });
    expect((await t.service.overview()).diskCheck).toBeNull();
    await t.service.checkDisks();
    await t.service.checkDisks(); // a second click while the first waits adds nothing
    expect(fake.calls).toEqual([]); // the web process never ran smartctl
    expect(t.jobs.recentOfKind(SMART_REFRESH_JOB)).toMatchObject([{ status: "queued", payload: {} }]);
    expect((await t.service.overview()).diskCheck).toMatchObject({ at: null, pending: true });

    expect(await rootWorker(t).runOnce()).toBe(true);
    const overview = await t.service.overview();
    expect(overview.diskCheck).toMatchObject({ pending: false, unavailableReason: null });
    expect(overview.diskCheck?.at).toBeInstanceOf(Date);
    expect(overview.disks.map((d) => d.device)).toEqual(["/dev/sdc", "/dev/vda"]);
    expect(t.repo.disk("/dev/sdc")?.report).toMatchObject({ available: true, health: "failed" });
    await t.service.alerts.check(); // the web's minute check turns the stored reading into alerts
    expect(t.repo.openAlerts().map((a) => a.code)).toContain("smart-failing");

    // "Read SMART now" and a self-test are jobs too, for that disk only.
    await t.service.checkDisk("/dev/sdc");
    expect(t.jobs.recentOfKind(SMART_REFRESH_JOB)[0]).toMatchObject({ status: "queued", payload: { device: "/dev/sdc" } });
    expect(await t.service.health.startSelfTest("/dev/sdc", "short")).toBe("The short self-test was requested; it starts within a few seconds.");
    expect(t.service.health.startSelfTest("/dev/sdc", "short")).rejects.toThrow("already requested");
    expect(t.service.health.startSelfTest("/dev/vda", "short")).rejects.toThrow("SMART is not available on /dev/vda");
    const worker = rootWorker(t);
    while (await worker.runOnce());
    expect(fake.calls).toContainEqual(["smartctl", "-x", "--json=c", "-d", "usbjmicron", "/dev/sdc"]); // woken: no -n standby
    expect(fake.calls).toContainEqual(["smartctl", "-t", "short", "--json=c", "-d", "usbjmicron", "/dev/sdc"]);
    expect(t.jobs.recentOfKind(SMART_SELF_TEST_JOB)).toMatchObject([{ status: "done" }]);
  });

  test("a check nobody takes for five minutes says the storage worker is not running", async () => {
    let t0 = new Date("2026-11-27T12:00:00Z");
    const t = setup({ smartInWorker: true, now: () => t0 });
    await t.service.checkDisks();
    expect((await t.service.overview()).diskCheck).toMatchObject({ pending: true, stalledSince: null });
    t0 = new Date("2026-11-27T12:05:01Z");
    expect((await t.service.overview()).diskCheck?.stalledSince).toEqual(new Date("2026-11-27T12:00:00Z"));
    await rootWorker(t).runOnce(); // the worker comes back
    expect((await t.service.overview()).diskCheck).toMatchObject({ pending: false, stalledSince: null });
  });

  test("no smartctl on the box: the check fails once (no retries) and the dashboard says why", async () => {
    const vda: BlockDevice = { path: "/dev/vda", sizeBytes: 8e9, removable: false, model: null };
    const t = setup({
      run: async () => {
        throw new CommandNotFoundError("smartctl", "ENOENT");
      },
      smartInWorker: true,
      blockDevices: [vda],
    });
    await t.service.checkDisks();
    await rootWorker(t).runOnce();
    expect(t.jobs.recentOfKind(SMART_REFRESH_JOB)).toMatchObject([{ status: "failed", attempts: 1 }]);
    const overview = await t.service.overview();
    expect(overview.diskCheck).toMatchObject({ pending: false, unavailableReason: "smartctl is not installed (package smartmontools)" });
    expect(overview.disks).toMatchObject([{ device: "/dev/vda", status: "unavailable", reason: "smartctl is not installed (package smartmontools)" }]);
  });

  test("hostile or stale payloads fail permanently without running smartctl on them", async () => {
    const fake = fakeSmartctl(scanOf(), {});
    const t = setup({ run: fake.run, smartInWorker: true });
    t.jobs.enqueue(SMART_REFRESH_JOB, { device: "/dev/sdz" }); // a disk that was unplugged since
    t.jobs.enqueue(SMART_SELF_TEST_JOB, { device: "-s on", kind: "short" });
    t.jobs.enqueue(SMART_SELF_TEST_JOB, { device: "/dev/sda", kind: "forever" as "long" }); // as an old or hand-written row could hold
    const worker = rootWorker(t);
    while (await worker.runOnce());
    expect([...t.jobs.recentOfKind(SMART_REFRESH_JOB), ...t.jobs.recentOfKind(SMART_SELF_TEST_JOB)].map((j) => [j.status, j.attempts, j.error])).toEqual([
      ["failed", 1, "This disk does not exist or you cannot see it."],
      ["failed", 1, "The smart.self-test job's payload is not valid (/kind: Expected union value)."],
      ["failed", 1, "This disk does not exist or you cannot see it."],
    ]);
    expect(fake.calls).toEqual([]);
  });
});

describe("alert webhook", () => {
  /** A real HTTP receiver on loopback, like an ntfy server; `down` makes it answer 503. */
  function receiver() {
    const got: { title: string | null; priority: string | null; body: string }[] = [];
    let down = false;
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        if (down) return new Response("busy", { status: 503 });
        got.push({ title: req.headers.get("title"), priority: req.headers.get("priority"), body: await req.text() });
        return new Response("ok");
      },
    });
    return { url: `http://127.0.0.1:${server.port}/nas-alerts`, got, setDown: (d: boolean) => (down = d), stop: () => server.stop(true) };
  }

  test("new warnings go out once; a receiver that is down gets them later; acknowledged ones are not sent; worse ones again", async () => {
    const hook = receiver();
    try {
      const fs = (mount: string, usedPercent: number): MountedFilesystem => ({
        device: "/dev/sda1",
        mount,
        type: "vfat",
        totalBytes: 1e9,
        usedBytes: usedPercent * 1e7,
        freeBytes: (100 - usedPercent) * 1e7,
      });
      let filesystems = [fs("/boot/firmware", 95), fs("/srv/usb", 95)];
      const { service, db, repo } = setup({ alertWebhook: hook.url, filesystemsFn: () => filesystems });
      const admin = addAdmin(db);

      hook.setDown(true);
      await service.alerts.check();
      await service.alerts.deliver();
      expect(hook.got).toEqual([]);
      expect(service.alerts.webhook().lastDelivery).toMatchObject({ ok: false, detail: expect.stringContaining("HTTP 503") });
      service.alerts.acknowledge(repo.openAlerts().find((a) => a.subject === "fs:/srv/usb")!.id, admin); // seen on the page meanwhile

      hook.setDown(false);
      await service.alerts.check(); // the next minute's check
      await service.alerts.deliver();
      expect(hook.got).toEqual([{ title: "nas: warning", priority: "high", body: expect.stringContaining("Boot partition (/boot/firmware) is 95 % full") }]);
      await service.alerts.check();
      await service.alerts.deliver();
      expect(hook.got).toHaveLength(1); // sent once, not every minute

      filesystems = [fs("/boot/firmware", 99), fs("/srv/usb", 95)]; // the boot partition gets worse: critical
      await service.alerts.check();
      await service.alerts.deliver();
      expect(hook.got.map((g) => g.priority)).toEqual(["high", "urgent"]);

      expect(await service.alerts.sendTest()).toMatchObject({ ok: true });
      expect(hook.got.at(-1)?.body).toContain("test alert");
    } finally {
      hook.stop();
    }
  });
});

describe("storage", () => {
  test("a full boot partition alerts; the filesystem holding the data dir is the data disk, not listed twice", async () => {
    const fs = (device: string, mount: string, usedPercent: number): MountedFilesystem => ({
      device,
      mount,
      type: "ext4",
      totalBytes: 1e9,
      usedBytes: usedPercent * 1e7,
      freeBytes: (100 - usedPercent) * 1e7,
    });
    const { service, repo } = setup({ filesystems: [fs("/dev/vda", "/", 20), fs("/dev/mmcblk0p1", "/boot/firmware", 95)] });
    const overview = await service.overview();
    expect(overview.otherFilesystems).toEqual([
      { mount: "/boot/firmware", label: "Boot partition", totalBytes: 1e9, usedBytes: 95e7, freeBytes: 5e7, percent: 95 },
    ]);
    expect(overview.storage.label).toBe("Data");
    await service.alerts.check();
    expect(repo.openAlerts()).toMatchObject([
      {
        code: "storage-full",
        subject: "fs:/boot/firmware",
        severity: "warning",
        message: "Boot partition (/boot/firmware) is 95 % full, 0.1 GB free: old logs or updates may need removing.",
      },
    ]);
  });
});

describe("samples", () => {
  test("one row a minute, older than a day pruned, series per range", async () => {
    let t = new Date("2026-11-27T12:00:30Z");
    const { service, repo } = setup({ now: () => t });
    repo.insertSample({ at: new Date("2026-11-26T11:00:00Z"), cpuPercent: 1, memPercent: 1, cpuTempC: null, rxBytesPerSec: null, txBytesPerSec: null });
    repo.insertSample({ at: new Date("2026-11-27T11:30:00Z"), cpuPercent: 2, memPercent: 2, cpuTempC: 40, rxBytesPerSec: 5, txBytesPerSec: 6 });
    await service.recordMinute();
    const day = service.samples.series("day");
    expect(day).toHaveLength(2);
    expect(day[0]).toEqual({ at: new Date("2026-11-27T11:30:00Z").getTime(), cpu: 2, mem: 2, temp: 40, rx: 5, tx: 6 });
    expect(day[1]!.at % 60_000).toBe(0);
    expect(day[1]!.mem).toBeGreaterThan(0);
    expect(service.samples.series("hour")).toHaveLength(2);
    t = new Date("2026-11-27T12:45:00Z");
    expect(service.samples.series("hour")).toHaveLength(1);
  });

  test("each minute gets its row however late its job starts: a sample is stamped with the minute it was due", async () => {
    let t = new Date("2026-11-27T12:01:00.100Z"); // due at 12:00:59.5, taken 0.6 s later
    const { service } = setup({ now: () => t });
    await service.recordMinute(new Date("2026-11-27T12:00:59.500Z"));
    t = new Date("2026-11-27T12:01:59.600Z"); // the next one, a minute later, taken at once
    await service.recordMinute(new Date("2026-11-27T12:01:59.500Z"));
    expect(service.samples.series("hour").map((p) => new Date(p.at).toISOString())).toEqual(["2026-11-27T12:00:00.000Z", "2026-11-27T12:01:00.000Z"]);
  });

  test("the server's own CPU share is measured between minute samples (open tabs' polling included)", async () => {
    let t = new Date("2026-11-27T12:00:00Z");
    let cpuMicros = 5_000_000;
    const { service } = setup({ now: () => t, processUsage: () => ({ cpuMicros, rssBytes: 56e6 }) });
    await service.recordMinute();
    expect((await service.overview()).self).toEqual({ rssBytes: 56e6, cpuPercentLastMinute: null }); // nothing to compare with yet
    t = new Date("2026-11-27T12:01:00Z");
    cpuMicros += 84_000; // 84 ms of CPU in 60 s
    await service.recordMinute();
    expect((await service.overview()).self.cpuPercentLastMinute).toBe(0.14);
  });
});

describe("power", () => {
  test("disabled unless on the appliance with systemd, with the reason", () => {
    expect(systemdPower({ appliance: false }).availability()).toMatchObject({
      available: false,
      reason: expect.stringContaining("only on the NAS appliance itself"),
    });
    expect(systemdPower({ appliance: true, systemdBooted: () => false }).availability()).toMatchObject({
      available: false,
      reason: expect.stringContaining("systemd"),
    });
    expect(systemdPower({ appliance: true, systemdBooted: () => true }).availability()).toEqual({ available: true });
  });

  test("runs systemctl through the runner, and reports its failure", async () => {
    const ok = fakeRunner(() => ({}));
    const power = systemdPower({ appliance: true, systemdBooted: () => true, run: ok.run });
    expect(await power.run("reboot")).toEqual({ ok: true, message: "Rebooting now…" });
    expect(ok.calls).toEqual([["systemctl", "reboot", "--no-wall"]]);
    const denied = fakeRunner(() => ({ code: 1, stderr: "Access denied\n" }));
    const power2 = systemdPower({ appliance: true, systemdBooted: () => true, run: denied.run });
    expect(await power2.run("poweroff")).toEqual({ ok: false, message: "systemctl poweroff failed: Access denied" });
  });

  test("the service refuses when power is not available", async () => {
    const fake = fakeRunner(() => ({}));
    const { service } = setup({ power: systemdPower({ appliance: false, run: fake.run }) });
    expect(service.power.run("reboot")).rejects.toThrow("only on the NAS appliance itself");
    expect(fake.calls).toEqual([]);
  });
});

describe("backups", () => {
  test("run-now queues one db.backup job; the worker's backup opens and passes integrity_check", async () => {
    const { service, jobs, db, dataDir } = setup();
    addAdmin(db); // a box in its setup wizard is not backed up
    const job = service.backups.runNow();
    expect(job.kind).toBe(DB_BACKUP_JOB);
    expect(service.backups.runNow().id).toBe(job.id); // already queued: not twice
    const { [DB_BACKUP_JOB]: backup } = dashboardJobs.handlers({ now: systemClock, db, dataDir, settings: createSettingsRepo(db) });
    const runner = createJobRunner({ queue: jobs, handlers: { [DB_BACKUP_JOB]: backup }, log: () => {} });
    expect(await runner.runOnce()).toBe(true);
    const { files, lastJob } = service.backups.list();
    expect(lastJob?.status).toBe("done");
    expect(files).toHaveLength(1);
    const copy = new Database(files[0]!.path, { readonly: true });
    expect(copy.query("pragma integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
    expect(copy.query("select count(*) as n from system_samples").get()).toEqual({ n: 0 });
    copy.close();
  });
});
