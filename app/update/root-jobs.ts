/**
 * The root side of updates, factory reset and reboots: run by the root storage worker (nasd-storage-worker.service,
 * NAS_WORKER_KINDS), never by the sandboxed web process, which only queues these jobs (jobs.ts) and reads their
 * results (files.ts). RAUC does the checking and writing; this turns its answers into sentences.
 */
import { chmodSync, chownSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCommand, type Runner } from "../../hw/run";
import { writeFileDurably } from "../../hw/files";
import { summarize, type RaucStatus, type UpdateStatus } from "../../provision/update-status";
import { type BundleInfo, stagedBundle, stagedInfo, writeResult } from "./files";
import type { JobHandler } from "../platform/queue/queue";
import { AppError } from "../platform/errors";
import type { Db } from "../platform/db/client";
import type { UpdateJobPayloads } from "./jobs";
import { writeSupportBundle } from "./support";
import { dataPaths } from "../platform/paths";
import type { Clock } from "../platform/clock";

export type UpdateJobDeps = {
  dataDir: string;
  run?: Runner;
  /** RAUC's keyring and system.conf (the box's compatible); tests point these at temp files. */
  keyring?: string;
  systemConf?: string;
  osRelease?: string;
  /** The state partition (preinit mounts it at /mnt/state): the factory-reset marker goes there. */
  stateDir?: string;
  /** When this boot started: a reboot asked for before it has already happened. */
  bootTime?: () => Date;
};

export type SlotsFile = { readAt: string; status: UpdateStatus } | { readAt: string; unavailable: string };

const KEYRING = "/etc/rauc/keyring.pem";
const SYSTEM_CONF = "/etc/rauc/system.conf";

export function boxCompatible(systemConf = SYSTEM_CONF): string | null {
  try {
    return (
      readFileSync(systemConf, "utf8")
        .match(/^compatible=(.+)$/m)?.[1]
        ?.trim() ?? null
    );
  } catch {
    return null;
  }
}

export function imageVersion(osRelease = "/usr/lib/os-release"): string {
  try {
    return (
      readFileSync(osRelease, "utf8")
        .match(/^IMAGE_VERSION=(.*)$/m)?.[1]
        ?.trim() || "unknown"
    );
  } catch {
    return "unknown";
  }
}

/** RAUC's last meaningful line, without its log prefixes. */
function raucReason(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^rauc-(Message|Debug|Info)/.test(l) && !/^\d{1,3}%/.test(l));
  return (lines.filter((l) => /fail|error|invalid|mismatch|refus|not /i.test(l)).pop() ?? lines.pop() ?? "no output").slice(0, 300);
}

/** RAUC's refusals as an owner can act on them. */
export function explainRaucFailure(output: string): string {
  const reason = raucReason(output);
  if (/compatible/i.test(output)) return `This bundle is for another board: ${reason}`;
  if (/bundle format|exceeds bundle size|squashfs|too small|verity|hash/i.test(output))
    return `The file is not a complete update bundle (damaged, truncated or not a bundle): ${reason}. Nothing was installed.`;
  if (/signature|verify error|certificate/i.test(output)) return `The bundle is not signed with this box's update key (${reason}). Nothing was installed.`;
  return `RAUC refused the bundle: ${reason}. Nothing was installed.`;
}

/** `update.inspect`: the signature (against the keyring), the version and the board of a staged bundle. */
export function updateInspectHandler(deps: UpdateJobDeps): JobHandler<"update.inspect", UpdateJobPayloads> {
  const run = deps.run ?? runCommand;
  return async (job) => {
    const { bundleId } = job.payload;
    const path = stagedBundle(deps.dataDir, bundleId);
    if (!existsSync(path)) throw new AppError(410, "The uploaded bundle is gone; upload it again.");
    // From now on only root may change it: what was checked is what gets installed.
    if (process.getuid?.() === 0) {
      chownSync(path, 0, 0);
      chmodSync(path, 0o644);
    }
    const checkedAt = new Date().toISOString();
    const result = await run(["rauc", "info", "--output-format=json", `--keyring=${deps.keyring ?? KEYRING}`, path], { timeoutMs: 120_000 });
    let info: BundleInfo;
    if (result.code !== 0) {
      info = { ok: false, reason: explainRaucFailure(`${result.stderr}\n${result.stdout}`), checkedAt };
    } else {
      const manifest = JSON.parse(result.stdout) as { compatible?: string; version?: string };
      const signer = result.stderr.match(/Verified (?:inline|detached) signature by '([^']*)'/)?.[1] ?? "the update key";
      const box = boxCompatible(deps.systemConf);
      const compatible = manifest.compatible ?? "";
      const version = manifest.version ?? "unknown";
      info =
        box && compatible !== box
          ? {
              ok: false,
              reason: `This bundle is for another board (${compatible}; this box is ${box}). Nothing was installed.`,
              version,
              compatible,
              checkedAt,
            }
          : { ok: true, version, compatible, signer, checkedAt };
    }
    writeResult(deps.dataDir, stagedInfo(deps.dataDir, bundleId), info);
  };
}

/** Last percentage in RAUC's progress output (`  40% Copying image to rootfs.1`). */
export function lastPercent(text: string): number | null {
  const all = [...text.matchAll(/(?:^|\s)(\d{1,3})%/g)];
  const last = all.at(-1);
  return last ? Math.min(100, Number(last[1])) : null;
}

/** `update.install`: RAUC writes the other slot and makes it the one to boot next; progress goes to the job row. */
export function updateInstallHandler(deps: UpdateJobDeps): JobHandler<"update.install", UpdateJobPayloads> {
  const run = deps.run ?? runCommand;
  return async (job, ctx) => {
    const { bundleId } = job.payload;
    const path = stagedBundle(deps.dataDir, bundleId);
    if (!existsSync(path)) throw new AppError(410, "The uploaded bundle is gone; upload it again.");
    let seen = "";
    ctx.progress(1);
    const result = await run(["rauc", "install", path], {
      timeoutMs: 60 * 60_000,
      signal: ctx.signal,
      onStdout: (text) => {
        seen = (seen + text).slice(-400);
        const percent = lastPercent(seen);
        if (percent !== null) ctx.progress(Math.max(1, Math.min(99, percent)));
      },
    });
    await refreshSlots(deps, run);
    if (result.code !== 0) throw new AppError(422, explainRaucFailure(`${result.stderr}\n${result.stdout}`));
    ctx.progress(100);
  };
}

async function refreshSlots(deps: UpdateJobDeps, run: Runner) {
  const readAt = new Date().toISOString();
  let value: SlotsFile;
  try {
    const result = await run(["rauc", "status", "--detailed", "--output-format=json"], { timeoutMs: 60_000 });
    value =
      result.code === 0
        ? { readAt, status: summarize(JSON.parse(result.stdout) as RaucStatus, imageVersion(deps.osRelease)) }
        : { readAt, unavailable: raucReason(result.stderr || result.stdout) };
  } catch (e) {
    value = { readAt, unavailable: e instanceof Error ? e.message : String(e) };
  }
  writeResult(deps.dataDir, dataPaths(deps.dataDir).updateSlots, value);
}

/** `update.status`: both slots, their versions, which is booted and good, and whether the last update rolled back. */
export function updateStatusHandler(deps: UpdateJobDeps): JobHandler<"update.status", UpdateJobPayloads> {
  const run = deps.run ?? runCommand;
  return async () => refreshSlots(deps, run);
}

/** When this boot started (/proc/stat's btime). */
function procBootTime(): Date {
  const btime = readFileSync("/proc/stat", "utf8").match(/^btime (\d+)$/m)?.[1];
  return new Date(Number(btime) * 1000);
}

/** A reboot requested before the current boot already happened: running it again would loop. */
const alreadyRebooted = (deps: UpdateJobDeps, requestedAt: string) => new Date(requestedAt) < (deps.bootTime ?? procBootTime)();

async function reboot(run: Runner) {
  // The Pi firmware boots the new slot once only when asked with the tryboot flag (as `nas update` does).
  const argv = existsSync("/usr/lib/nas/rauc-bootloader-tryboot") ? ["systemctl", "reboot", "0 tryboot"] : ["systemctl", "reboot"];
  const result = await run(argv, { timeoutMs: 60_000 });
  if (result.code !== 0) throw new AppError(409, `The reboot was refused: ${(result.stderr || result.stdout).trim().slice(0, 300)}`);
}

/** `update.reboot`: into the slot RAUC just wrote. */
export function updateRebootHandler(deps: UpdateJobDeps): JobHandler<"update.reboot", UpdateJobPayloads> {
  const run = deps.run ?? runCommand;
  return async (job) => {
    if (alreadyRebooted(deps, job.payload.requestedAt)) return;
    await reboot(run);
  };
}

export const FACTORY_RESET_MARKER = "factory-reset";

/**
 * `system.factory-reset`: leaves the mode on the state partition, where preinit finds it at the next boot before
 * /etc and /var are mounted (os/rootfs-overlay/usr/lib/nas/factory-reset), then reboots.
 */
export function factoryResetHandler(deps: UpdateJobDeps): JobHandler<"system.factory-reset", UpdateJobPayloads> {
  const run = deps.run ?? runCommand;
  return async (job) => {
    const { mode, requestedAt } = job.payload;
    if (alreadyRebooted(deps, requestedAt)) return;
    const stateDir = deps.stateDir ?? "/mnt/state";
    if (!existsSync(join(stateDir, "etc"))) throw new AppError(409, `The state partition is not mounted at ${stateDir}: the box cannot reset itself.`);
    writeFileDurably(join(stateDir, FACTORY_RESET_MARKER), `${mode}\n`, 0o600);
    await reboot(run);
  };
}

/** `support.bundle`: the archive the admin downloads (app/update/support.ts says what is in it and what never is). */
export function supportBundleHandler(deps: UpdateJobDeps & { db: Db; tlsDir: string; now: Clock }): JobHandler<"support.bundle", UpdateJobPayloads> {
  const run = deps.run ?? runCommand;
  return async (job) => {
    await writeSupportBundle({ db: deps.db, dataDir: deps.dataDir, tlsDir: deps.tlsDir, run, osRelease: deps.osRelease, now: deps.now }, job.payload.name);
  };
}
