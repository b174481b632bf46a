/**
 * Dashboard → Backups (the web process): the wizard's steps, each target's honest status, browsing snapshots and
 * asking for restores, the scrub's progress and findings, and the boxes this box hosts. Everything that runs restic
 * is a job of the backup lane (jobs.ts); this side only reads the tables and queues.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Alert } from "../../hw/alerts";
import type { Clock } from "../platform/clock";
import type { BackupTarget, Job, User } from "../platform/db/schema";
import { AppError, notFound } from "../platform/errors";
import { dataPaths } from "../platform/paths";
import { isPending, type JobQueue } from "../platform/queue/queue";
import { hashToken, newGuestId, newToken, type BackupHost } from "./host";
import type { BackupJobPayloads } from "./jobs";
import { buildKit, type Kit } from "./kit";
import { TREE } from "./layout";
import { readIncoming, snapshotReader, type RestoreItem } from "./restore";
import type { BackupRepo } from "./repo";
import { targetFiles } from "./restic";
import { nextRun, OVERDUE_MS } from "./run";
import { describeFinding } from "./scrub";
import {
  generatePassword,
  type Pairing,
  pairingCode,
  parseTarget,
  readCert,
  readPassword,
  readRepository,
  removeTargetSecrets,
  setPassword,
  type TargetInput,
  writeTargetSecrets,
} from "./targets";

const DAY = 24 * 3600_000;

export type TargetOptions = {
  includeMedia: boolean;
  hour: number;
  limitUploadKiB: number | null;
  lowPriority: boolean;
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number | null;
};

/** What the form sent, as text: checked and turned into options, or a 400 with the field's problem. */
export function parseOptions(form: Record<string, string | undefined>): TargetOptions {
  const int = (name: string, label: string, min: number, max: number, empty: number | null): number | null => {
    const raw = (form[name] ?? "").trim();
    if (raw === "") {
      if (empty === null && name !== "keepMonthly" && name !== "limitUploadKiB") throw new AppError(400, `${label}: give a number.`);
      return empty;
    }
    if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new AppError(400, `${label}: a whole number from ${min} to ${max}.`);
    return Number(raw);
  };
  return {
    includeMedia: form.includeMedia === "on",
    lowPriority: form.lowPriority === "on",
    hour: int("hour", "Start hour", 0, 23, 2)!,
    limitUploadKiB: int("limitUploadKiB", "Upload limit (KiB/s)", 1, 10_000_000, null),
    keepDaily: int("keepDaily", "Daily backups to keep", 1, 3650, 31)!,
    keepWeekly: int("keepWeekly", "Weekly backups to keep", 0, 520, 52)!,
    keepMonthly: int("keepMonthly", "Monthly backups to keep", 0, 1200, null),
  };
}

export type TargetView = BackupTarget & { nextRun: Date | null; job: Job | null; clockWarning: string | null };

type BackupServiceDeps = {
  repo: BackupRepo;
  jobs: JobQueue<BackupJobPayloads>;
  dataDir: string;
  now: Clock;
  timeZone: () => string;
  deviceName: () => string;
  /** The box-to-box host (web process): the guests' usage; null when this box hosts nobody's backups (no port). */
  host: BackupHost | null;
  /** Where guests reach this box: the address a pairing code carries (e.g. https://nas.example.org:8000). */
  hostAddress: () => string | null;
  /** Stores the address and restarts the listener with a certificate for it. */
  setHostAddress: (address: string) => Promise<void>;
  hostCertificate: () => Promise<string | null>;
};

/** What every part of the service shares: its dependencies, a target by id (404 when there is none), its latest jobs. */
function serviceParts(deps: BackupServiceDeps) {
  const { repo, jobs } = deps;

  const target = (id: string) => {
    const t = repo.target(id);
    if (!t || t.state === "restore") throw notFound("This backup target");
    return t;
  };
  /** The latest job of a kind for this target (payload targetId), if any. */
  const jobFor = (kind: keyof BackupJobPayloads & string, targetId: string) =>
    jobs.recentOfKind(kind, 20).find((j) => (j.payload as { targetId?: string }).targetId === targetId) ?? null;
  const queueOnce = <K extends keyof BackupJobPayloads & string>(kind: K, payload: BackupJobPayloads[K], targetId: string) => {
    const last = jobFor(kind, targetId);
    if (last && isPending(last)) return last;
    return (jobs.enqueue as (kind: K, payload: BackupJobPayloads[K]) => Job)(kind, payload);
  };
  return { deps, target, jobFor, queueOnce };
}
type ServiceParts = ReturnType<typeof serviceParts>;

export function createBackupService(deps: BackupServiceDeps) {
  const parts = serviceParts(deps);
  const { repo, jobs, now } = deps;
  const { target, jobFor } = parts;

  function view(t: BackupTarget): TargetView {
    const newest = repo.snapshots(t.id)[0];
    const clockWarning =
      newest && newest.time.getTime() > now().getTime() + DAY
        ? `The newest snapshot is dated ${newest.time.toISOString().slice(0, 10)}, in the future: the box's clock was wrong when it was made (check the time settings).`
        : null;
    return { ...t, nextRun: nextRun(t, deps.timeZone()), job: jobFor("backup.run", t.id) ?? jobFor("backup.check", t.id), clockWarning };
  }

  return {
    targets: () => repo.targets().map(view),
    target: (id: string) => view(target(id)),
    ...wizardSteps(parts),
    ...targetControls(parts),
    ...snapshotRestores(parts),

    // --- the scrub --------------------------------------------------------------------------------------------
    scrub: () => ({ state: repo.scrubState(), findings: repo.findings().map((f) => describeFinding(repo, f)), job: jobs.lastOfKind("scrub.run") ?? null }),
    scrubNow() {
      const last = jobs.lastOfKind("scrub.run");
      if (last && isPending(last)) return last;
      return jobs.enqueue("scrub.run", { full: true });
    },

    ...hosting(parts),
    /** The alerts the dashboard raises from the backup feature's state (its minute check). */
    alerts: () => backupAlerts(repo, now()),
    ...boxRestores(parts),
    /** The box's SSH public key (for SFTP targets), once made. */
    sshKey(): string | null {
      const f = `${dataPaths(deps.dataDir).backup.sshKey}.pub`;
      return existsSync(f) ? readFileSync(f, "utf8").trim() : null;
    },
  };
}

/** The wizard: the target, its connection test, its password, the emergency kit, then what, when and how long. */
function wizardSteps({ deps, target, jobFor, queueOnce }: ServiceParts) {
  const { repo, jobs, now } = deps;

  function kitFor(t: BackupTarget): Kit {
    const password = readPassword(deps.dataDir, t.id);
    if (!password) throw new AppError(409, "Set the repository's password first.");
    const envFile = targetFiles(deps.dataDir, t.id).env;
    const env = existsSync(envFile) ? readFileSync(envFile, "utf8").split("\n").filter(Boolean) : [];
    return buildKit({
      boxName: deps.deviceName(),
      targetName: t.name,
      kind: t.kind,
      location: t.location,
      repository: readRepository(deps.dataDir, t.id),
      password,
      certificate: readCert(deps.dataDir, t.id),
      environment: env,
      madeAt: now(),
      exampleUser: "alice",
    });
  }

  return {
    /** Step 1: the target as the admin described it; its connection is tested at once. */
    create(input: TargetInput): BackupTarget {
      const parsed = parseTarget(input);
      const id = `t${randomBytes(8).toString("hex")}`;
      writeTargetSecrets(deps.dataDir, id, parsed.secrets);
      const row = repo.insertTarget({
        id,
        name: parsed.name,
        kind: parsed.kind,
        location: parsed.location,
        port: parsed.port,
        state: "setup",
        createdAt: now(),
      });
      jobs.enqueue("backup.test", { targetId: id });
      return row;
    },
    test: (id: string) => queueOnce("backup.test", { targetId: target(id).id }, id),
    testJob: (id: string) => jobFor("backup.test", id),
    hasPassword: (id: string) => readPassword(deps.dataDir, target(id).id) !== null,
    /** Step 2 for a new repository: a strong password, made here and shown in the kit. */
    generatePassword(id: string) {
      const t = target(id);
      if (t.test?.repository === "exists" || t.test?.repository === "opened")
        throw new AppError(409, "A repository is already there: give its password instead of making a new one.");
      if (t.kitConfirmedAt) throw new AppError(409, "This target's password is in its emergency kit already and cannot change.");
      setPassword(deps.dataDir, id, generatePassword());
      repo.updateTarget(id, { passwordSetAt: now(), kitShownAt: null });
    },
    /** Step 2 for an existing repository: its password, checked by a new test. */
    usePassword(id: string, password: string) {
      const t = target(id);
      if (t.kitConfirmedAt) throw new AppError(409, "This target's password is in its emergency kit already and cannot change.");
      setPassword(deps.dataDir, id, password);
      repo.updateTarget(id, { passwordSetAt: now(), kitShownAt: null });
      jobs.enqueue("backup.test", { targetId: id });
    },
    /** Step 3: the emergency kit; opening it (page or download) is recorded, and confirming needs it. */
    kit(id: string): Kit {
      const t = target(id);
      const kit = kitFor(t);
      if (!t.kitShownAt) repo.updateTarget(id, { kitShownAt: now() });
      return kit;
    },
    /** Step 4: what, when, how long; confirmed with the kit saved, the target becomes active and backs up now. */
    confirm(id: string, options: TargetOptions, kitSaved: boolean) {
      const t = target(id);
      if (!t.test?.ok) throw new AppError(409, "Test the connection first: the last test did not reach the target.");
      if (!t.passwordSetAt || !readPassword(deps.dataDir, id)) throw new AppError(409, "Set the repository's password first.");
      if (t.test.repository === "exists") throw new AppError(409, "The password does not open the repository that is there: give its password.");
      if (!t.kitShownAt) throw new AppError(409, "Open the emergency kit (print it or download it) before the first backup.");
      if (!kitSaved) throw new AppError(400, "Tick “I have printed or saved the emergency kit” first: without it nobody can restore this backup.");
      repo.updateTarget(id, { ...options, state: "active", kitConfirmedAt: now() });
      return jobs.enqueue("backup.run", { targetId: id });
    },
    setOptions(id: string, options: TargetOptions) {
      target(id);
      repo.updateTarget(id, options);
    },
  };
}

/** A target once set up: back up or check now, pause and resume, forget. */
function targetControls({ deps, target, queueOnce }: ServiceParts) {
  const { repo } = deps;
  return {
    runNow(id: string) {
      if (target(id).state !== "active") throw new AppError(409, "Finish setting this target up first.");
      return queueOnce("backup.run", { targetId: id }, id);
    },
    checkNow(id: string) {
      if (!target(id).lastSuccessAt) throw new AppError(409, "There is nothing to check before the first backup.");
      return queueOnce("backup.check", { targetId: id }, id);
    },
    pause: (id: string) => repo.updateTarget(target(id).id, { state: "paused" }),
    resume(id: string) {
      if (!target(id).kitConfirmedAt) throw new AppError(409, "Finish setting this target up first.");
      repo.updateTarget(id, { state: "active" });
    },
    /** Forgets the target on this box (its settings and keys); the repository itself is left where it is. */
    remove(id: string, confirm: string) {
      const t = target(id);
      if (confirm.trim() !== t.name) throw new AppError(400, `Type the target's name (${t.name}) to remove it.`);
      repo.deleteTarget(id);
      removeTargetSecrets(deps.dataDir, id);
    },
  };
}

/** Restoring: a snapshot's database fetched for browsing, its files and albums restored into Drive. */
function snapshotRestores({ deps, target }: ServiceParts) {
  const { repo, jobs } = deps;
  return {
    snapshots: (id: string) => repo.snapshots(target(id).id),
    /** Whether the snapshot's database is here for browsing; if not, it is fetched (a job) and the page polls. */
    openSnapshot(id: string, snapshotId: string): { ready: boolean; job: Job | null } {
      target(id);
      if (!repo.snapshot(id, snapshotId)) throw notFound("This snapshot");
      if (existsSync(dataPaths(deps.dataDir).backup.snapshotDb(id, snapshotId))) return { ready: true, job: null };
      const last = jobs.recentOfKind("backup.open", 10).find((j) => (j.payload as { snapshotId: string }).snapshotId === snapshotId) ?? null;
      if (last && (isPending(last) || last.status === "failed")) return { ready: false, job: last };
      return { ready: false, job: jobs.enqueue("backup.open", { targetId: id, snapshotId }) };
    },
    /** Retry after a failed fetch. */
    reopenSnapshot: (id: string, snapshotId: string) => jobs.enqueue("backup.open", { targetId: target(id).id, snapshotId }),
    browse<T>(id: string, snapshotId: string, read: (reader: ReturnType<typeof snapshotReader>) => T): T {
      target(id);
      const file = dataPaths(deps.dataDir).backup.snapshotDb(id, snapshotId);
      if (!existsSync(file)) throw new AppError(409, "This snapshot is not open yet.");
      const reader = snapshotReader(file);
      try {
        return read(reader);
      } finally {
        reader.close();
      }
    },
    restore(admin: User, id: string, snapshotId: string, item: RestoreItem) {
      target(id);
      if (!repo.snapshot(id, snapshotId)) throw notFound("This snapshot");
      return jobs.enqueue("backup.restore", { targetId: id, snapshotId, item, requestedBy: admin.id });
    },
    restores: () => jobs.recentOfKind("backup.restore", 10),
  };
}

/** Keeping other boxes' backups: the address guests use, guests with their pairing codes, quotas and pruning. */
function hosting({ deps }: ServiceParts) {
  const { repo, now } = deps;

  function guest(id: string) {
    const g = repo.guest(id);
    if (!g) throw notFound("This box");
    return g;
  }

  async function pairingFor(guestId: string, token: string) {
    const url = deps.hostAddress();
    if (!url) throw new AppError(409, "Set the address other boxes reach this one by first.");
    const pairing: Pairing = { url, guest: guestId, token, cert: await deps.hostCertificate() };
    return pairingCode(pairing);
  }

  return {
    hosting: () => ({
      enabled: deps.host !== null,
      address: deps.hostAddress(),
      guests: repo.guests().map((g) => ({ ...g, usedBytes: deps.host?.usedBytes(g) ?? 0 })),
    }),
    async setHostAddress(raw: string) {
      let url: URL;
      try {
        url = new URL(raw.trim());
      } catch {
        throw new AppError(400, "The address must look like https://nas.example.org:8000.");
      }
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new AppError(400, "The address must be an http(s) address.");
      await deps.setHostAddress(url.origin);
    },
    /** A new guest box: its quota and a pairing code, shown once (only the token's hash is kept). */
    async addGuest(name: string, quotaGb: string): Promise<string> {
      if (!deps.host) throw new AppError(409, "This box does not host backups (BACKUP_HOST_PORT is not set).");
      const clean = name.trim().slice(0, 60);
      if (!clean || /[\u0000-\u001f\u007f]/.test(clean)) throw new AppError(400, "Give the other box a name (who it belongs to).");
      const quotaBytes = parseQuota(quotaGb);
      const id = newGuestId();
      const token = newToken();
      repo.insertGuest({ id, name: clean, tokenHash: hashToken(token), quotaBytes, createdAt: now(), lastSeenAt: null, pruneUntil: null });
      return pairingFor(id, token);
    },
    /** A new pairing code for a guest (the old one stops working), e.g. after the host's address changed. */
    async repair(guestId: string): Promise<string> {
      guest(guestId);
      const token = newToken();
      repo.updateGuest(guestId, { tokenHash: hashToken(token) });
      return pairingFor(guestId, token);
    },
    setGuestQuota: (guestId: string, quotaGb: string) => repo.updateGuest(guest(guestId).id, { quotaBytes: parseQuota(quotaGb) }),
    /** For a day the guest may delete old snapshots (its `forget --prune`); append-only again after. */
    allowPrune: (guestId: string) => repo.updateGuest(guest(guestId).id, { pruneUntil: new Date(now().getTime() + DAY) }),
    removeGuest(guestId: string, confirm: string) {
      const g = guest(guestId);
      if (confirm.trim() !== g.name) throw new AppError(400, `Type the box's name (${g.name}) to delete its backups from this box.`);
      repo.deleteGuest(guestId);
      deps.host?.forget(guestId);
    },
  };
}

/** The setup wizard's whole-box restore: started from the emergency kit, followed, retried, handed to the wizard. */
function boxRestores({ deps }: ServiceParts) {
  const { repo, jobs, now } = deps;

  function boxRestore(id: string) {
    const t = repo.target(id);
    if (t?.state !== "restore") throw notFound("This restore");
    const job = jobs.recentOfKind("backup.restore-box", 5).find((j) => (j.payload as { targetId: string }).targetId === id) ?? null;
    return { target: t, job, incoming: job?.status === "done" ? readIncoming(deps.dataDir) : null };
  }

  return {
    /** Where the backup is and its password (from the emergency kit): the restore starts at once. */
    startBoxRestore(input: TargetInput, password: string): BackupTarget {
      const parsed = parseTarget(input);
      for (const old of repo.targetsInState("restore")) {
        repo.deleteTarget(old.id);
        removeTargetSecrets(deps.dataDir, old.id);
      }
      const id = `r${randomBytes(8).toString("hex")}`;
      writeTargetSecrets(deps.dataDir, id, parsed.secrets);
      setPassword(deps.dataDir, id, password);
      const row = repo.insertTarget({
        id,
        name: parsed.name,
        kind: parsed.kind,
        location: parsed.location,
        port: parsed.port,
        state: "restore",
        createdAt: now(),
      });
      jobs.enqueue("backup.restore-box", { targetId: id });
      return row;
    },
    boxRestore,
    retryBoxRestore(id: string) {
      const { job } = boxRestore(id);
      if (job && isPending(job)) return job;
      return jobs.enqueue("backup.restore-box", { targetId: id });
    },
    /** The restored database, for the wizard to check and stage; the restore source's own files go (it lives on in the backup's targets). */
    finishBoxRestore(id: string): string {
      const { incoming } = boxRestore(id);
      if (!incoming) throw new AppError(409, "The restore is not finished yet.");
      removeTargetSecrets(deps.dataDir, id);
      return join(dataPaths(deps.dataDir).backup.incoming, TREE.databaseFile);
    },
  };
}

function parseQuota(raw: string): number {
  const v = raw.trim();
  if (!/^\d{1,6}(\.\d{1,3})?$/.test(v) || Number(v) <= 0) throw new AppError(400, "The quota is a number of GB, e.g. 500.");
  return Math.round(Number(v) * 1e9);
}

/** Backup failed, overdue, check found damage, a foreign lock, damaged files the scrub found: as dashboard alerts. */
export function backupAlerts(repo: BackupRepo, now: Date): Alert[] {
  const out: Alert[] = [];
  for (const t of repo.activeTargets()) {
    const subject = `backup:${t.id}`;
    if (t.lastError && t.failures > 0)
      out.push({ severity: "warning", code: "backup-failed", subject, message: `The backup to “${t.name}” failed: ${t.lastError}` });
    const since = t.lastSuccessAt ?? t.kitConfirmedAt ?? t.createdAt;
    if (now.getTime() - since.getTime() > OVERDUE_MS)
      out.push({
        severity: "critical",
        code: "backup-overdue",
        subject: `${subject}:overdue`,
        message: t.lastSuccessAt
          ? `No backup to “${t.name}” has succeeded for ${Math.floor((now.getTime() - since.getTime()) / DAY)} days.`
          : `The first backup to “${t.name}” has not succeeded yet (set up ${Math.floor((now.getTime() - since.getTime()) / DAY)} days ago).`,
      });
    if (t.checkOk === false)
      out.push({
        severity: "critical",
        code: "backup-check-failed",
        subject: `${subject}:check`,
        message: `The check of the backup “${t.name}” found damage: ${t.checkDetail ?? ""}`,
      });
    if (t.lockNote)
      out.push({
        severity: "warning",
        code: "backup-locked",
        subject: `${subject}:lock`,
        message: `The backup “${t.name}” is locked by another machine. ${t.lockNote}`,
      });
  }
  const repaired = repo.findings().filter((f) => f.state === "repaired" && f.repairedAt && now.getTime() - f.repairedAt.getTime() < 7 * DAY);
  if (repaired.length)
    out.push({
      severity: "warning",
      code: "scrub-repaired",
      subject: "scrub:repaired",
      message: `The scrub found ${repaired.length === 1 ? "a damaged file" : `${repaired.length} damaged files`} this week and repaired ${repaired.length === 1 ? "it" : "them"} (from ${repaired[0]!.repairedFrom}). A disk that corrupts data may be failing: check its SMART on the Overview.`,
    });
  const open = repo.openFindings();
  if (open.length) {
    const first = describeFinding(repo, open[0]!);
    out.push({
      severity: "critical",
      code: "scrub-damaged",
      subject: "scrub",
      message: `${open.length === 1 ? "A stored file is" : `${open.length} stored files are`} damaged on the disk and not repaired yet (e.g. ${first.owner}'s “${first.names[0] ?? first.sha256.slice(0, 12)}”${first.state === "unrepairable" ? ": no good copy was found" : ""}).`,
    });
  }
  return out;
}

export type BackupService = ReturnType<typeof createBackupService>;
