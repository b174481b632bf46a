/**
 * Reading SMART and keeping the last reading of every disk in `disk_health`. Who reads depends on the machine:
 * on a developer's machine the web process runs smartctl itself (`directDiskChecks`); on the image the web
 * process is sandboxed and cannot open disks, so it queues `smart.*` jobs (jobs.ts) that the root storage worker
 * runs with the same code (`queuedDiskChecks` + `smartJobHandlers`). Pages only ever read the stored rows.
 */
import { countersOf, diskSubject, evaluateAlerts, type Alert, type AlertThresholds } from "../../hw/alerts";
import { createSmartReader, type ScanResult, type SelfTestKind, type SmartReader } from "../../hw/smart";
import type { ScannedDevice } from "../../hw/smart-parse";
import { listBlockDevices, type BlockDevice } from "../../hw/system";
import type { Db } from "../platform/db/client";
import type { Job } from "../platform/db/schema";
import { isPending, type JobHandler, type JobQueue } from "../platform/queue/queue";
import type { DashboardJobPayloads } from "./jobs";
import { createDashboardRepo, type AlertRow, type DashboardRepo, type DiskHealthRow } from "./repo";
import { AppError, notFound } from "../platform/errors";
import type { Clock } from "../platform/clock";

export const SMART_REFRESH_JOB = "smart.refresh";
export const SMART_SELF_TEST_JOB = "smart.self-test";

export const alertKey = (a: { code: string; subject: string }) => `${a.code}\u0000${a.subject}`;

/** Opens alerts that were raised by a reading (an event such as rising sectors), or refreshes the open ones. */
export function raiseAlerts(repo: DashboardRepo, alerts: Alert[], at: Date) {
  const open = new Map(repo.openAlerts().map((a: AlertRow) => [alertKey(a), a]));
  for (const a of alerts) {
    const existing = open.get(alertKey(a));
    if (existing) repo.refreshAlert(existing.id, a, at, true);
    else repo.insertAlert(a, at);
  }
}

/** The stored row of a disk the last check found; 404 for any other name (never passed on to smartctl). */
export function knownDiskRow(repo: DashboardRepo, device: string): DiskHealthRow {
  const row = repo.disk(device);
  if (!row) throw notFound("This disk");
  return row;
}

/** The SMART work itself: runs smartctl through `smart` and stores what it finds. */
export function createDiskHealth(deps: {
  repo: DashboardRepo;
  smart: SmartReader;
  /** Whole disks of the machine, so disks smartctl does not list (virtio, SD cards) still appear with a reason. */
  blockDevices: () => Promise<BlockDevice[]>;
  now: Clock;
  thresholds?: Partial<AlertThresholds>;
}) {
  const { repo, smart } = deps;
  const { now } = deps;

  /** Reads one device and stores the result; rising counters are compared with the previous reading of the same disk. */
  async function readAndStore(device: string | ScannedDevice, wake: boolean, identity?: BlockDevice): Promise<Alert[]> {
    const name = typeof device === "string" ? device : device.name;
    let report = await smart.readSmartReport(device, { wake });
    if (!report.available && identity) {
      report = { ...report, model: report.model ?? identity.model, capacityBytes: report.capacityBytes ?? identity.sizeBytes };
    }
    const previousRow = repo.disk(name);
    // A sleeping disk keeps its last real reading; the alert rules should not forget a failing disk because it spun down.
    if (!report.available && report.code === "asleep" && previousRow?.report.available) return [];
    const subject = report.available ? diskSubject(report) : `disk:${name}`;
    const previous = report.available ? repo.countersFor(subject) : null;
    const row: DiskHealthRow = { device: name, subject, report, counters: report.available ? countersOf(report) : null, checkedAt: now() };
    repo.saveDisk(row);
    return report.available ? evaluateAlerts({ disks: [{ report, previous }], thresholds: deps.thresholds }).filter((a) => a.code === "sectors-rising") : [];
  }

  /** How smartctl reached the disk last time (its -d type), so a USB bridge is addressed the same way again. */
  const addressOf = (row: DiskHealthRow): string | ScannedDevice =>
    row.report.available
      ? { name: row.device, infoName: row.device, type: row.report.device.type, protocol: row.report.device.protocol, openError: null }
      : row.device;

  const knownDisk = (device: string) => knownDiskRow(repo, device);

  return {
    knownDisk,
    /**
     * Every disk smartctl lists plus every other whole disk of the machine, without waking sleeping disks.
     * A scan that fails for a passing reason (a timeout) keeps the last readings.
     */
    async refreshAll(): Promise<ScanResult> {
      const scan = await smart.scanDevices();
      if (!scan.available && scan.code !== "not-installed") return scan;
      const scanned = scan.available ? scan.devices : [];
      const covered = (path: string) => scanned.some((d) => d.name === path || path.startsWith(`${d.name}n`));
      const others = (await deps.blockDevices()).filter((b) => !covered(b.path));
      const rising: Alert[] = [];
      for (const device of scanned) rising.push(...(await readAndStore(device, false)));
      for (const block of others) await readAndStore(block.path, false, block);
      repo.forgetDisksExcept([...scanned.map((d) => d.name), ...others.map((b) => b.path)]);
      raiseAlerts(repo, rising, now());
      return scan;
    },
    /** One known disk, waking it if needed: the admin asked for it. */
    async refreshOne(device: string) {
      const row = knownDisk(device);
      raiseAlerts(repo, await readAndStore(addressOf(row), true), now());
    },
    /** Checks that the disk can run a test now; returns what smartctl needs to address it. */
    selfTestTarget(device: string): ScannedDevice {
      const row = knownDisk(device);
      if (!row.report.available) throw new AppError(409, `SMART is not available on ${row.device}: ${row.report.reason}`);
      if (row.report.selfTest?.inProgress) throw new AppError(409, "A self-test is already running on this disk.");
      return addressOf(row) as ScannedDevice;
    },
    async startSelfTest(device: string, kind: SelfTestKind): Promise<string> {
      const target = this.selfTestTarget(device);
      const result = await smart.startSelfTest(target, kind);
      if (!result.started) throw new AppError(409, `The disk refused the self-test: ${result.reason}`);
      await readAndStore(target, true);
      return `The ${kind} self-test started.`;
    },
  };
}

export type DiskHealth = ReturnType<typeof createDiskHealth>;

/** When the disks were last checked; `pending` while a check is queued or running. */
export type DiskCheckState = {
  at: Date | null;
  pending: boolean;
  /** Set when a queued check has waited over 5 minutes (when it was queued): the root worker is not running. */
  stalledSince: Date | null;
  unavailableReason: string | null;
};

/** What the dashboard asks of SMART; it never reads disks any other way. */
export interface DiskChecks {
  refreshAll(): Promise<void>;
  /** Reads one disk again (waking it). Queued: returns at once, the page shows the new reading when it is stored. */
  refreshOne(device: string): Promise<void>;
  startSelfTest(device: string, kind: SelfTestKind): Promise<string>;
  state(): DiskCheckState | null;
  /** A reading or self-test of this disk is queued or running (always false when read directly). */
  pendingFor(device: string): boolean;
}

/** The web process reads SMART itself (a developer's machine, or any host where the server may open disks). */
export function directDiskChecks(health: DiskHealth, now: Clock): DiskChecks {
  let last: { at: Date; scan: ScanResult } | null = null;
  return {
    async refreshAll() {
      last = { at: now(), scan: await health.refreshAll() };
    },
    refreshOne: (device) => health.refreshOne(device),
    startSelfTest: (device, kind) => health.startSelfTest(device, kind),
    state: () => (last ? { at: last.at, pending: false, stalledSince: null, unavailableReason: last.scan.available ? null : last.scan.reason } : null),
    pendingFor: () => false,
  };
}

/** The web process only queues `smart.*` jobs; the root storage worker runs them (the image). */
export function queuedDiskChecks(deps: { health: DiskHealth; jobs: JobQueue<DashboardJobPayloads>; now: Clock }): DiskChecks {
  const { health, jobs } = deps;
  const { now } = deps;
  const STALLED_MS = 5 * 60_000;
  const stalled = (newestFirst: Job[]) => {
    const oldestQueued = newestFirst.filter((j) => j.status === "queued").at(-1)?.createdAt;
    return oldestQueued && now().getTime() - oldestQueued.getTime() > STALLED_MS ? oldestQueued : null;
  };
  const deviceOf = (job: Job) => (job.payload as { device?: string }).device ?? null;
  /** A second click while the same check waits adds nothing. */
  const pending = (kind: string, device: string | null) => jobs.recentOfKind(kind).some((j) => isPending(j) && deviceOf(j) === device);
  return {
    async refreshAll() {
      if (!pending(SMART_REFRESH_JOB, null)) jobs.enqueue(SMART_REFRESH_JOB, {});
    },
    async refreshOne(device) {
      const row = health.knownDisk(device);
      if (!pending(SMART_REFRESH_JOB, row.device)) jobs.enqueue(SMART_REFRESH_JOB, { device: row.device });
    },
    async startSelfTest(device, kind) {
      const target = health.selfTestTarget(device);
      if (pending(SMART_SELF_TEST_JOB, target.name)) throw new AppError(409, "A self-test for this disk was already requested.");
      jobs.enqueue(SMART_SELF_TEST_JOB, { device: target.name, kind });
      return `The ${kind} self-test was requested; it starts within a few seconds.`;
    },
    pendingFor: (device) => pending(SMART_REFRESH_JOB, device) || pending(SMART_SELF_TEST_JOB, device),
    state() {
      const full = jobs.recentOfKind(SMART_REFRESH_JOB).filter((j) => deviceOf(j) === null);
      if (full.length === 0) return null;
      const finished = full.find((j) => !isPending(j));
      return {
        at: finished?.finishedAt ?? null,
        pending: full.some(isPending),
        stalledSince: stalled(full),
        unavailableReason: finished?.status === "failed" ? (finished.error ?? "").replace(/^SMART is not available: /, "") : null,
      };
    },
  };
}

/**
 * What the root storage worker runs (the image; a developer's machine calls the same DiskHealth directly):
 * `smart.refresh` (`{}` = every disk without waking them, `{ device }` = that disk, woken) and `smart.self-test`
 * (`{ device, kind }`: starts the test and stores a fresh reading). A disk that is gone or refuses throws an
 * AppError, which fails the job at once.
 */
export function smartJobHandlers(deps: { db: Db; now: Clock; smart?: SmartReader; blockDevices?: () => Promise<BlockDevice[]> }) {
  const health = createDiskHealth({
    repo: createDashboardRepo(deps.db),
    now: deps.now,
    smart: deps.smart ?? createSmartReader(),
    blockDevices: deps.blockDevices ?? (() => listBlockDevices()),
  });
  const refresh: JobHandler<"smart.refresh", DashboardJobPayloads> = async (job) => {
    const { device } = job.payload;
    if (device) return await health.refreshOne(device);
    const scan = await health.refreshAll();
    if (!scan.available) {
      // Not installed will not fix itself; a timeout might.
      const message = `SMART is not available: ${scan.reason}`;
      throw scan.code === "not-installed" ? new AppError(409, message) : new Error(message);
    }
  };
  const selfTest: JobHandler<"smart.self-test", DashboardJobPayloads> = async (job, ctx) => {
    ctx.log(await health.startSelfTest(job.payload.device, job.payload.kind));
  };
  return { refresh, selfTest };
}
