/**
 * What the backup lane does with a target: test the connection, back up (init the repository first time), apply
 * the retention, check a slice of the data, list the snapshots, and handle locks. Every step records its outcome on
 * the target's row, which is what the Backups page shows (the job only carries it out).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import { dirname, join } from "node:path";
import type { Runner } from "../../hw/run";
import type { Clock } from "../platform/clock";
import type { Db } from "../platform/db/client";
import type { BackupProgress, BackupSummary, BackupTarget, BackupTest } from "../platform/db/schema";
import { dataPaths } from "../platform/paths";
import type { BackupRepo } from "./repo";
import { createRestic, type Restic, ResticFailure } from "./restic";
import { stageTree } from "./stage";
import { generatePassword } from "./targets";

export type BackupContext = {
  db: Db;
  dataDir: string;
  repo: BackupRepo;
  now: Clock;
  run: Runner;
  /** The box's time zone (a setting): the nightly hour is local. */
  timeZone: () => string;
  /** restic itself and extra environment (tests: restic under faketime). */
  restic?: readonly string[];
  resticEnv?: Record<string, string>;
  /** A backup that makes no progress this long is stopped (a dead link); default 10 minutes. */
  stallMs?: number;
  /** The name restic writes into its locks: the machine's host name. */
  hostname?: () => string;
};

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** The monthly check: each reads one twelfth of the data, so a year reads all of it. */
export const CHECK_EVERY_MS = 30 * DAY;
export const CHECK_SLICES = 12;
/** No success for this long is an alert. */
export const OVERDUE_MS = 3 * DAY;

export const resticFor = (ctx: BackupContext, target: Pick<BackupTarget, "id" | "kind" | "port">, env?: Record<string, string>) =>
  createRestic({ dataDir: ctx.dataDir, run: ctx.run, restic: ctx.restic, env: { ...ctx.resticEnv, ...env } }, target);

/** restic's --time: the box's clock, in UTC (restic reads it in its own zone, which it is given as UTC). */
const resticTime = (at: Date) => at.toISOString().slice(0, 19).replace("T", " ");

function describe(e: unknown): string {
  if (e instanceof ResticFailure) return e.detail ? `${e.message} (${e.detail})` : e.message;
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------------------------
// Locks

type LockInfo = { id: string; hostname: string; pid: number; time: string; exclusive: boolean };

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "restic";
  } catch {
    return false;
  }
};

/**
 * After restic said the repository is locked: a lock of this box whose restic is gone (a run killed mid-way) is
 * removed with `restic unlock`; a lock of another machine is left alone and reported, since only that machine knows
 * whether it still works. Returns true when the way is clear again.
 */
export async function clearStaleLocks(ctx: BackupContext, target: BackupTarget, restic: Restic): Promise<boolean> {
  const ids = (await restic.restic(["list", "locks", "--no-lock"], { timeoutMs: 10 * 60_000 })).split("\n").filter((l) => /^[0-9a-f]{64}$/.test(l.trim()));
  const locks: LockInfo[] = [];
  for (const id of ids) {
    try {
      const lock = JSON.parse(await restic.restic(["cat", "lock", id.trim(), "--no-lock"], { timeoutMs: 10 * 60_000 })) as Omit<LockInfo, "id">;
      locks.push({ id: id.trim(), ...lock });
    } catch {
      // A lock that vanished meanwhile (its run ended) or cannot be read is none of our business.
    }
  }
  const me = (ctx.hostname ?? osHostname)();
  const others = locks.filter((l) => l.hostname !== me);
  const oursAlive = locks.filter((l) => l.hostname === me && alive(l.pid));
  if (others.length) {
    const first = others[0]!;
    ctx.repo.updateTarget(target.id, {
      lockNote: `Locked by ${first.hostname} (process ${first.pid}) since ${first.time.slice(0, 19).replace("T", " ")} UTC${others.length > 1 ? ` and ${others.length - 1} more` : ""}. Left alone: if that machine crashed, run “restic unlock” there.`,
    });
    return false;
  }
  if (oursAlive.length) return false;
  if (locks.length) await restic.restic(["unlock"], { timeoutMs: 10 * 60_000 });
  ctx.repo.updateTarget(target.id, { lockNote: null });
  return true;
}

/** Runs `step`; when the repository is locked, clears this box's stale locks once and tries again. */
async function unlocked<T>(ctx: BackupContext, target: BackupTarget, restic: Restic, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (!(e instanceof ResticFailure && e.reason === "locked")) throw e;
    if (!(await clearStaleLocks(ctx, target, restic))) throw e;
    return await step();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Test connection

/** The box's SSH key for SFTP targets, made on first use. */
export async function ensureSshKey(ctx: Pick<BackupContext, "dataDir" | "run">): Promise<string> {
  const key = dataPaths(ctx.dataDir).backup.sshKey;
  if (!existsSync(key)) {
    mkdirSync(dirname(key), { recursive: true, mode: 0o700 });
    const r = await ctx.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "nasd-backup", "-f", key]);
    if (r.code !== 0) throw new Error(`ssh-keygen failed: ${r.stderr.trim()}`);
  }
  return readFileSync(`${key}.pub`, "utf8").trim();
}

function localCheck(target: BackupTarget): string | null {
  const path = target.location;
  let dir = path;
  while (!existsSync(dir)) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (!statSync(dir).isDirectory()) return `${dir} is not a folder.`;
  const probe = join(dir, `.nasd-write-test-${process.pid}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe);
  } catch {
    return `This box cannot write to ${dir} (is the disk mounted, and writable?).`;
  }
  if (existsSync(path) && readdirSync(path).length > 0 && !existsSync(join(path, "config")))
    return `${path} holds other files: choose an empty or a new folder for the backup.`;
  return null;
}

/**
 * Reaches the target and looks for a repository: with the password when there is one (it must open it), else with a
 * throwaway one (a wrong-password answer then means "a repository is there"). SFTP's host key is kept on first
 * contact and shown.
 */
export async function testTarget(ctx: BackupContext, target: BackupTarget): Promise<BackupTest> {
  const at = ctx.now().getTime();
  const result = (ok: boolean, message: string, repository: BackupTest["repository"], hostKey?: string): BackupTest => ({
    at,
    ok,
    message,
    repository,
    hostKey,
  });
  let test: BackupTest;
  try {
    if (target.kind === "local") {
      const problem = localCheck(target);
      if (problem) return save(ctx, target, result(false, problem, "unknown"));
    }
    if (target.kind === "sftp") await ensureSshKey(ctx);
    const restic = resticFor(ctx, target);
    const hasPassword = existsSync(restic.files.password);
    let probe: string | null = null;
    if (!hasPassword) {
      probe = join(restic.files.dir, "probe-password");
      writeFileSync(probe, generatePassword(), { mode: 0o600 });
    }
    try {
      await resticFor(ctx, target, probe ? { RESTIC_PASSWORD_FILE: probe } : {}).restic(["cat", "config", "--no-lock"], { timeoutMs: 2 * 60_000 });
      test = result(true, "Connected: the password opens the repository here.", "opened");
    } catch (e) {
      if (!(e instanceof ResticFailure)) throw e;
      if (e.reason === "no-repository") test = result(true, "Connected: no backup is here yet, so a new encrypted repository will be made.", "none");
      else if (e.reason === "wrong-password" && probe)
        test = result(true, "Connected: a restic repository is already here. Give its password to keep adding to it.", "exists");
      else test = result(false, describe(e), e.reason === "wrong-password" ? "exists" : "unknown");
    } finally {
      if (probe) rmSync(probe, { force: true });
    }
    if (target.kind === "sftp" && existsSync(restic.files.knownHosts)) {
      const fp = await ctx.run(["ssh-keygen", "-l", "-f", restic.files.knownHosts]);
      test.hostKey = fp.stdout.trim().split("\n")[0];
    }
    if (target.kind === "local" && test.ok && sameDiskAsData(ctx.dataDir, target.location))
      test.message += " Note: this folder is on the same disk as the box's data; it protects against mistakes, not against that disk failing.";
  } catch (e) {
    test = result(false, describe(e), "unknown");
  }
  return save(ctx, target, test);
}

function sameDiskAsData(dataDir: string, path: string): boolean {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return statSync(dir).dev === statSync(dataDir).dev;
}

function save(ctx: BackupContext, target: BackupTarget, test: BackupTest): BackupTest {
  ctx.repo.updateTarget(target.id, { test });
  return test;
}

// ---------------------------------------------------------------------------------------------------------------
// Backup

/**
 * The local hour `hour` (in `timeZone`) next after `after`: when a nightly backup is due. Steps of 15 minutes cover
 * zones whose offset is not whole hours.
 */
export function nextNightly(after: Date, hour: number, timeZone: string): Date {
  const fmt = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const step = 15 * 60_000;
  let t = Math.floor(after.getTime() / step) * step + step;
  for (let i = 0; i < 4 * 48; i++, t += step) {
    const [h, m] = fmt.format(new Date(t)).split(":").map(Number) as [number, number];
    if (h === hour && m === 0) return new Date(t);
  }
  return new Date(after.getTime() + DAY);
}

/** When the target's next backup is due: nightly after the last run, sooner (1 h, 2 h, 4 h…) after a failed one. */
export function nextRun(target: BackupTarget, timeZone: string): Date | null {
  if (target.state !== "active") return null;
  const last = target.lastRunAt ?? null;
  if (!last) return target.kitConfirmedAt ?? new Date(target.createdAt);
  const nightly = nextNightly(target.lastSuccessAt ?? last, target.hour, timeZone);
  if (target.failures > 0) return new Date(Math.min(nightly.getTime(), last.getTime() + Math.min(2 ** (target.failures - 1) * HOUR, DAY)));
  return nightly;
}

export const dueTargets = (ctx: BackupContext) =>
  ctx.repo.activeTargets().filter((t) => (nextRun(t, ctx.timeZone())?.getTime() ?? Infinity) <= ctx.now().getTime());

/** restic's --json summary in our words. */
function summaryOf(m: Record<string, unknown>): BackupSummary {
  const n = (k: string) => Number(m[k] ?? 0);
  return {
    filesNew: n("files_new"),
    filesChanged: n("files_changed"),
    filesUnmodified: n("files_unmodified"),
    dataAdded: n("data_added"),
    totalFiles: n("total_files_processed"),
    totalBytes: n("total_bytes_processed"),
    durationSeconds: Math.round(n("total_duration")),
    snapshotId: String(m.snapshot_id ?? ""),
  };
}

type StepReport = { progress: (percent: number) => void; signal?: AbortSignal; log?: (m: string) => void };

/**
 * One backup of one target, start to end: the tree, `restic backup` (after `init` on a new repository), the
 * retention when a day has passed since the last, the snapshot list and the size. Never throws for a failure of the
 * backup itself: that is the target's status (an alert after a failure, or after three days without a success).
 */
export async function backupTarget(ctx: BackupContext, target: BackupTarget, report: StepReport): Promise<{ ok: boolean; error?: string }> {
  const startedAt = ctx.now();
  const restic = resticFor(ctx, target);
  let running: BackupProgress = { step: "preparing", startedAt: startedAt.getTime(), percent: 0 };
  let lastWrite = 0;
  const show = (patch: Partial<BackupProgress>, force = false) => {
    running = { ...running, ...patch };
    report.progress(running.percent);
    if (!force && Date.now() - lastWrite < 2000) return;
    lastWrite = Date.now();
    ctx.repo.updateTarget(target.id, { running });
  };
  show({}, true);
  try {
    if (!target.lastSuccessAt && target.test?.repository !== "opened") {
      try {
        await restic.restic(["init"], { timeoutMs: 10 * 60_000, signal: report.signal });
      } catch (e) {
        // A repository made by an earlier, interrupted first run is the one we want.
        if (!(e instanceof ResticFailure && /already (exists|initialized)|config file already exists/i.test(e.detail))) throw e;
      }
    }
    const staged = stageTree({ db: ctx.db, dataDir: ctx.dataDir, includeMedia: target.includeMedia });
    show({ step: "backing up", percent: 5, totalFiles: staged.files, totalBytes: staged.bytes }, true);
    let summary: BackupSummary | null = null;
    await unlocked(ctx, target, restic, () =>
      restic.restic(["backup", "--json", "--tag", "nasd", "--time", resticTime(startedAt), ...staged.paths], {
        cwd: dataPaths(ctx.dataDir).backup.tree,
        lowPriority: target.lowPriority,
        limitUploadKiB: target.limitUploadKiB,
        stallMs: ctx.stallMs ?? 10 * 60_000,
        signal: report.signal,
        onJson(m) {
          if (m.message_type === "status")
            show({
              percent: 5 + 85 * Number(m.percent_done ?? 0),
              filesDone: Number(m.files_done ?? 0),
              totalFiles: Number(m.total_files ?? staged.files),
              bytesDone: Number(m.bytes_done ?? 0),
              totalBytes: Number(m.total_bytes ?? staged.bytes),
            });
          else if (m.message_type === "summary") summary = summaryOf(m);
        },
      }),
    );
    ctx.repo.updateTarget(target.id, { lastRunAt: ctx.now(), lastSuccessAt: ctx.now(), lastError: null, failures: 0, lastSummary: summary, lockNote: null });
    report.log?.(`backed up to ${target.name}`);
    const fresh = ctx.repo.target(target.id)!;
    let pruned = false;
    // The first day's retention starts counting at the first success: a new repository has nothing to forget.
    if (!fresh.lastForgetAt) ctx.repo.updateTarget(target.id, { lastForgetAt: ctx.now() });
    else if (ctx.now().getTime() - fresh.lastForgetAt.getTime() > 20 * HOUR) {
      show({ step: "pruning", percent: 92 }, true);
      await applyRetention(ctx, fresh, restic, report.signal);
      pruned = true;
    }
    // After retention (nightly) the size is read from restic; a run that only added a snapshot adds what it added
    // (before compression) instead of starting restic once more (each start derives the key: half a second here,
    // more on a Pi).
    const added = (summary as BackupSummary | null)?.dataAdded;
    await refreshListing(ctx, fresh, restic, report.signal, pruned || added === undefined || fresh.repoBytes === null ? undefined : fresh.repoBytes + added);
    return { ok: true };
  } catch (e) {
    if (report.signal?.aborted) throw e; // the worker stops: the job goes back to the queue, nothing to record
    const error = describe(e);
    const current = ctx.repo.target(target.id);
    ctx.repo.updateTarget(target.id, { lastRunAt: ctx.now(), lastError: error, failures: (current?.failures ?? 0) + 1 });
    report.log?.(`backup to ${target.name} failed: ${error}`);
    return { ok: false, error };
  } finally {
    ctx.repo.updateTarget(target.id, { running: null });
  }
}

/** restic forget --prune with the target's retention; a host box that keeps everything (append-only) is noted, not failed. */
export async function applyRetention(ctx: BackupContext, target: BackupTarget, restic: Restic, signal?: AbortSignal) {
  const keep = [
    "--keep-within",
    "24h",
    "--keep-daily",
    String(target.keepDaily),
    "--keep-weekly",
    String(target.keepWeekly),
    // Monthly "forever" is a century of months: restic 0.14 has no "unlimited" for it.
    "--keep-monthly",
    String(target.keepMonthly ?? 1200),
  ];
  try {
    await unlocked(ctx, target, restic, () =>
      restic.restic(["forget", "--tag", "nasd", ...keep, "--prune"], { timeoutMs: DAY, signal, lowPriority: target.lowPriority }),
    );
    ctx.repo.updateTarget(target.id, { lastForgetAt: ctx.now(), forgetNote: null });
  } catch (e) {
    if (!(e instanceof ResticFailure && e.reason === "refused")) throw e;
    ctx.repo.updateTarget(target.id, {
      lastForgetAt: ctx.now(),
      forgetNote: "The target keeps every snapshot (append-only): old ones are not removed. The host's admin can allow pruning for a day.",
    });
  }
}

/** The snapshot list and the repository's size, as restic sees them now (the size only when not given). */
export async function refreshListing(ctx: BackupContext, target: BackupTarget, restic: Restic, signal?: AbortSignal, knownBytes?: number) {
  const list = JSON.parse(await restic.restic(["snapshots", "--json", "--no-lock"], { timeoutMs: 10 * 60_000, signal })) as {
    id: string;
    time: string;
    hostname: string;
  }[];
  ctx.repo.replaceSnapshots(
    target.id,
    list.map((s) => ({ id: s.id, time: new Date(s.time), hostname: s.hostname })),
  );
  if (knownBytes !== undefined) return ctx.repo.updateTarget(target.id, { snapshotCount: list.length, repoBytes: knownBytes });
  const stats = JSON.parse(await restic.restic(["stats", "--json", "--mode", "raw-data", "--no-lock"], { timeoutMs: 60 * 60_000, signal })) as {
    total_size?: number;
  };
  ctx.repo.updateTarget(target.id, { snapshotCount: list.length, repoBytes: stats.total_size ?? null });
}

/**
 * The monthly check: restic's structure check plus one twelfth of the data read back and verified, a different
 * twelfth each month. Damage is recorded (and becomes an alert); the repository is never changed by it.
 */
export async function checkTarget(ctx: BackupContext, target: BackupTarget, report: StepReport): Promise<{ ok: boolean }> {
  const restic = resticFor(ctx, target);
  const slice = (target.checkSlice % CHECK_SLICES) + 1;
  ctx.repo.updateTarget(target.id, { running: { step: "checking", startedAt: ctx.now().getTime(), percent: 0 } });
  try {
    await unlocked(ctx, target, restic, () =>
      restic.restic(["check", `--read-data-subset=${slice}/${CHECK_SLICES}`], {
        timeoutMs: DAY,
        signal: report.signal,
        lowPriority: target.lowPriority,
        onLine(line) {
          const m = /(\d+(?:\.\d+)?)%/.exec(line);
          if (m) report.progress(Number(m[1]));
        },
      }),
    );
    ctx.repo.updateTarget(target.id, {
      checkedAt: ctx.now(),
      checkOk: true,
      checkSlice: slice,
      checkDetail: `No errors: the repository's structure and data slice ${slice} of ${CHECK_SLICES} were read back and verified.`,
    });
    return { ok: true };
  } catch (e) {
    if (report.signal?.aborted) throw e;
    const damaged = e instanceof ResticFailure && (e.reason === "damaged" || e.reason === "failed");
    ctx.repo.updateTarget(target.id, {
      checkedAt: ctx.now(),
      checkOk: damaged ? false : null,
      checkSlice: damaged ? slice : target.checkSlice,
      checkDetail: damaged ? `The check of slice ${slice} of ${CHECK_SLICES} found damage: ${describe(e)}` : `The check could not run: ${describe(e)}`,
    });
    return { ok: false };
  } finally {
    ctx.repo.updateTarget(target.id, { running: null });
  }
}

export const checkDue = (ctx: BackupContext) =>
  ctx.repo.activeTargets().filter((t) => t.lastSuccessAt && (!t.checkedAt || ctx.now().getTime() - t.checkedAt.getTime() >= CHECK_EVERY_MS));
