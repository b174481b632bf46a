/**
 * The backup feature's job kinds (app/platform/queue/README.md), all in the `backup` lane: hours of restic never
 * hold up anything else. The kinds that reach a target are `network`: on the image the sandboxed worker has no
 * network and leaves them to the backup worker (nasd-backup-worker.service); the scrub reads the data disk only.
 */
import { writeFileSync } from "node:fs";
import { Type } from "@sinclair/typebox";
import type { Runner } from "../../hw/run";
import type { Clock } from "../platform/clock";
import type { Db } from "../platform/db/client";
import { AppError } from "../platform/errors";
import { defineJobs, lazy, type PayloadsOf } from "../platform/queue/kinds";
import type { JobQueue } from "../platform/queue/queue";
type P = BackupJobPayloads;
import type { DriveService } from "../drive/service";
import type { TusUploads } from "../drive/tus";

const HOUR = 3600_000;
const id = Type.String({ pattern: "^[A-Za-z0-9]{1,64}$" });

export const backupJobKinds = {
  /** "Test connection": reach the target, look for a repository, try the password. */
  "backup.test": { lane: "backup", network: true, payload: Type.Object({ targetId: id }) },
  /** Every target whose nightly time has come (hourly look), or one target now ("Back up now"). */
  "backup.run": { lane: "backup", network: true, payload: Type.Object({ targetId: Type.Optional(id) }), every: HOUR },
  /** The monthly check of each target (a daily look), or one now. */
  "backup.check": { lane: "backup", network: true, payload: Type.Object({ targetId: Type.Optional(id) }), every: 24 * HOUR },
  /** Fetches a snapshot's database, so its folders and albums can be browsed. */
  "backup.open": { lane: "backup", network: true, payload: Type.Object({ targetId: id, snapshotId: Type.String({ pattern: "^[0-9a-f]{64}$" }) }) },
  /** A file, folder or album as it was, into its owner's Drive under Restored/<date>/. */
  "backup.restore": {
    lane: "backup",
    network: true,
    payload: Type.Object({
      targetId: id,
      snapshotId: Type.String({ pattern: "^[0-9a-f]{64}$" }),
      item: Type.Object({
        kind: Type.Union([Type.Literal("file"), Type.Literal("folder"), Type.Literal("album")]),
        id: Type.String({ minLength: 1, maxLength: 64 }),
      }),
      requestedBy: Type.String({ minLength: 1, maxLength: 64 }),
    }),
  },
  /** The setup wizard's "Restore from a backup": the latest snapshot of a target becomes this box. */
  "backup.restore-box": { lane: "backup", network: true, payload: Type.Object({ targetId: id }) },
  /** A blob the scrub found damaged, from the newest backup that holds it. */
  "backup.repair": {
    lane: "backup",
    network: true,
    payload: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 128 }), sha256: Type.String({ pattern: "^[0-9a-f]{64}$" }) }),
  },
  /** The scrub's hourly share of its weekly pass, or a whole pass now (`full`). */
  "scrub.run": { lane: "backup", payload: Type.Object({ full: Type.Optional(Type.Boolean()) }), every: HOUR },
} as const;

export type BackupJobPayloads = PayloadsOf<typeof backupJobKinds>;

/** Test seams: restic under another clock, a shorter stall, another host name, the scrub's rate. */
export type BackupTuning = { restic?: string[]; resticEnv?: Record<string, string>; stallMs?: number; hostname?: () => string; scrubRate?: number | null };

type Deps = {
  db: Db;
  dataDir: string;
  now: Clock;
  run: Runner;
  queue: JobQueue<BackupJobPayloads>;
  settings: { get: <T>(key: string) => T | undefined };
  /** The second-disk copy's target (app/storage), which the scrub repairs from. */
  storageRepo: { diskCopy: () => { targetPath: string } | undefined };
  drive: () => Promise<{ drive: DriveService; uploads: TusUploads }>;
  backupTuning?: BackupTuning;
};

export const backupJobs = defineJobs(backupJobKinds, (deps: Deps) => {
  const context = lazyContext(deps);
  return {
    "backup.test": lazy<"backup.test", P>(async () => {
      const { testTarget } = await import("./run");
      return async (job) => {
        const ctx = await context();
        await testTarget(ctx, targetOf(ctx, job.payload.targetId));
      };
    }),
    "backup.run": lazy<"backup.run", P>(async () => {
      const { backupTarget, dueTargets } = await import("./run");
      return async (job, jc) => {
        const ctx = await context();
        ctx.repo.clearRunning();
        const targets = job.payload.targetId ? [targetOf(ctx, job.payload.targetId)] : dueTargets(ctx);
        for (const [i, target] of targets.entries()) {
          if (target.state !== "active") continue;
          await backupTarget(ctx, target, {
            progress: (p) => jc.progress((100 * i + p) / targets.length),
            signal: jc.signal,
            log: jc.log,
          });
        }
      };
    }),
    "backup.check": lazy<"backup.check", P>(async () => {
      const { checkDue, checkTarget } = await import("./run");
      return async (job, jc) => {
        const ctx = await context();
        const targets = job.payload.targetId ? [targetOf(ctx, job.payload.targetId)] : checkDue(ctx);
        for (const target of targets) await checkTarget(ctx, target, { progress: jc.progress, signal: jc.signal });
      };
    }),
    "backup.open": lazy<"backup.open", P>(async () => {
      const { openSnapshot } = await import("./restore");
      return async (job, jc) => {
        await openSnapshot(await context(), job.payload.targetId, job.payload.snapshotId, jc.signal);
      };
    }),
    "backup.restore": lazy<"backup.restore", P>(async () => {
      const { restoreIntoDrive } = await import("./restore");
      return async (job, jc) => {
        const ctx = await context();
        const { drive } = await deps.drive();
        const done = await restoreIntoDrive({ ...ctx, drive, userById: (userId) => ctx.repo.user(userId) }, { id: job.id, ...job.payload }, jc.signal);
        jc.log(`restored ${done.restored} files into ${done.owner}'s Drive, ${done.folder.join("/")}`);
      };
    }),
    "backup.restore-box": lazy<"backup.restore-box", P>(async () => {
      const { incomingStateFile, restoreBox } = await import("./restore");
      return async (job, jc) => {
        const ctx = await context();
        const state = await restoreBox(ctx, job.payload.targetId, { progress: jc.progress, signal: jc.signal });
        writeFileSync(incomingStateFile(deps.dataDir), JSON.stringify(state), { mode: 0o600 });
      };
    }),
    "backup.repair": lazy<"backup.repair", P>(async () => {
      const [{ repairFromBackup }, blobs] = await Promise.all([import("./restore"), blobStore(deps)]);
      return async (job, jc) => {
        const ctx = await context();
        const { userId, sha256 } = job.payload;
        const from = await repairFromBackup(ctx, { userId, sha256 }, (source) => blobs.repair(userId, sha256, source), jc.signal);
        if (from) ctx.repo.updateFinding(userId, sha256, { state: "repaired", repairedFrom: from, repairedAt: deps.now() });
        else
          ctx.repo.updateFinding(userId, sha256, {
            state: "unrepairable",
            detail: "No backup holds this content any more, and the second disk does not either.",
          });
      };
    }),
    "scrub.run": lazy<"scrub.run", P>(async () => {
      const [{ scrub }, { DISK_COPY_DIR }, blobs] = await Promise.all([import("./scrub"), import("../storage/copy"), blobStore(deps)]);
      const { join } = await import("node:path");
      return async (job, jc) => {
        const ctx = await context();
        const report = await scrub(
          {
            repo: ctx.repo,
            dataDir: deps.dataDir,
            now: deps.now,
            blobs,
            rate: deps.backupTuning?.scrubRate,
            secondCopy: () => {
              const copy = deps.storageRepo.diskCopy();
              return copy ? join(copy.targetPath, DISK_COPY_DIR) : null;
            },
            repairFromBackup: (userId, sha256) => {
              if (ctx.repo.activeTargets().length === 0) return false;
              deps.queue.enqueue("backup.repair", { userId, sha256 });
              return true;
            },
          },
          { full: job.payload.full, progress: jc.progress, signal: jc.signal },
        );
        if (report.checked) jc.log(`checked ${report.checked} stored files (${report.bytes} bytes), ${report.damaged} damaged`);
      };
    }),
  };
});

/** The context every step works over, built on the first job (the repo and the clock of this worker). */
function lazyContext(deps: Deps) {
  let built: Promise<import("./run").BackupContext> | undefined;
  return () =>
    (built ??= (async () => {
      const { createBackupRepo } = await import("./repo");
      const t = deps.backupTuning ?? {};
      return {
        db: deps.db,
        dataDir: deps.dataDir,
        repo: createBackupRepo(deps.db),
        now: deps.now,
        run: deps.run,
        timeZone: () => deps.settings.get<string>("timeZone") ?? "UTC",
        restic: t.restic,
        resticEnv: t.resticEnv,
        stallMs: t.stallMs,
        hostname: t.hostname,
      };
    })());
}

async function blobStore(deps: Deps) {
  const { createFileObjects } = await import("../platform/objects");
  return createFileObjects({ dataDir: deps.dataDir });
}

function targetOf(ctx: import("./run").BackupContext, targetId: string) {
  const target = ctx.repo.target(targetId);
  if (!target) throw new AppError(404, "This backup target does not exist any more.");
  return target;
}
