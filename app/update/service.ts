/**
 * Dashboard → System: updates (upload or channel → RAUC's check → install with progress → reboot), the slots,
 * factory reset and support bundles. The web process never runs anything as root: it stages files in the data dir
 * and queues jobs the root storage worker runs (jobs.ts, root-jobs.ts), then reads their results.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, openSync, readdirSync, readSync, closeSync, renameSync, rmSync, statfsSync } from "node:fs";
import { basename, join } from "node:path";
import type { Runner } from "../../hw/run";
import type { Job } from "../platform/db/schema";
import { AppError } from "../platform/errors";
import type { JobQueue } from "../platform/queue/queue";
import type { SettingsRepo } from "../settings/repo";
import type { UpdateJobPayloads } from "./jobs";
import type { SlotsFile } from "./root-jobs";
import { checkChannel, downloadBundle, parseChannelUrl, type ChannelCheck } from "./channel";
import { type BundleInfo, isStagedId, readJson, stagedBundle, stagedInfo, stagedMeta, type StagedMeta, writeResult } from "./files";
import { listSupportBundles, SUPPORT_NAME, supportName } from "./support";
import { dataPaths } from "../platform/paths";
import type { Clock } from "../platform/clock";

/** A bundle never exceeds a root slot (1 GiB); anything much larger is not one. */
export const MAX_BUNDLE_BYTES = 1536 * 1024 * 1024;
/** Left free on the data disk after a bundle is stored: the box keeps working while it waits. */
export const FREE_SPACE_RESERVE = 256 * 1024 * 1024;
export const RESET_PHRASES = { "keep-files": "reset", "erase-all": "erase everything" } as const;
export type ResetMode = keyof typeof RESET_PHRASES;

export type StagedView = StagedMeta & { info: BundleInfo | null };
export type InstallView = { bundleId: string; status: Job["status"]; progress: number; error: string | null; version: string | null };
export type ChannelSettings = {
  url: string | null;
  autoDownload: boolean;
  lastCheck: ChannelCheck | { state: "error"; message: string; checkedAt: string } | null;
};
export type UpdatePageState = {
  box: { compatible: string | null; version: string };
  slots: SlotsFile | null;
  staged: StagedView | null;
  install: InstallView | null;
  rebootRequested: boolean;
  channel: ChannelSettings;
  support: { files: { name: string; size: number; madeAt: Date }[]; pending: boolean; error: string | null };
  reset: { pending: ResetMode | null };
};

export type UpdateServiceDeps = {
  dataDir: string;
  jobs: JobQueue<UpdateJobPayloads>;
  settings: SettingsRepo;
  /** This box's RAUC compatible and IMAGE_VERSION (null / "development" outside the image). */
  compatible: () => string | null;
  version: () => string;
  /** openssl for the channel's signature; the keyring RAUC trusts. */
  run: Runner;
  keyring: string;
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** Bytes free for new files in the data dir (tests pass a number). */
  freeBytes?: () => number;
  now: Clock;
};

const BUNDLE_MAGIC = "hsqs"; // RAUC bundles are squashfs images (plain and verity alike)

/**
 * The one staged bundle under <data>/update/staged: what it is, whether it is being installed, and how an upload or a
 * channel download becomes it (refused before a byte is stored when it cannot be a bundle or cannot fit).
 */
function bundleStaging(deps: UpdateServiceDeps) {
  const { dataDir, jobs } = deps;
  const paths = dataPaths(dataDir);
  const { now } = deps;
  const freeBytes =
    deps.freeBytes ??
    (() => {
      mkdirSync(dataDir, { recursive: true });
      const s = statfsSync(dataDir);
      return Number(s.bavail) * Number(s.bsize);
    });

  function staged(): StagedView | null {
    const dir = paths.updateStaged;
    if (!existsSync(dir)) return null;
    const id = readdirSync(dir)
      .map((n) => n.match(/^([0-9a-f]{32})\.json$/)?.[1])
      .find((m): m is string => !!m && existsSync(stagedBundle(dataDir, m)));
    if (!id) return null;
    const meta = readJson<StagedMeta>(stagedMeta(dataDir, id));
    const info = readJson<BundleInfo>(stagedInfo(dataDir, id));
    // The box now runs the staged version: the bundle did its work and its space goes back to the owner.
    if (info?.ok && info.version === deps.version()) {
      discardStaged();
      return null;
    }
    return meta ? { ...meta, info } : null;
  }

  function install(): InstallView | null {
    const job = jobs.lastOfKind("update.install");
    if (!job) return null;
    const bundleId = String((job.payload as { bundleId?: unknown }).bundleId ?? "");
    if (!isStagedId(bundleId) || !existsSync(stagedBundle(dataDir, bundleId))) return null;
    const info = isStagedId(bundleId) ? readJson<BundleInfo>(stagedInfo(dataDir, bundleId)) : null;
    return { bundleId, status: job.status, progress: job.progress, error: job.error, version: info?.version ?? null };
  }

  /** Refuses what cannot be a bundle or cannot fit before a byte is stored. */
  function checkUpload(name: string, length: number) {
    if (!deps.compatible())
      throw new AppError(409, "This server is not the appliance image (it has no RAUC configuration): update bundles are installed on the box itself.");
    const display = basename(name.replace(/\\/g, "/"));
    if (!display || /[\u0000-\u001f\u007f]/.test(display) || display.length > 200) throw new AppError(400, "Give the bundle a plain file name.");
    if (!display.endsWith(".raucb")) throw new AppError(400, `"${display}" is not an update bundle: bundles end in .raucb (nas-<board>-<version>.raucb).`);
    if (!Number.isFinite(length) || length <= 0) throw new AppError(400, "The upload is empty.");
    if (length > MAX_BUNDLE_BYTES) throw new AppError(413, "This file is larger than any update bundle can be (1.5 GiB).");
    if (length + FREE_SPACE_RESERVE > freeBytes())
      throw new AppError(507, "There is not enough free space on the data disk for this bundle. Free some space and try again.");
    if (installing()) throw new AppError(409, "An update is being installed; upload the next one when it has finished.");
    return display;
  }

  /** Makes a finished upload or download the one staged bundle (others are dropped) and asks root to check it. */
  function stage(file: string, name: string, source: StagedMeta["source"]): StagedMeta {
    const head = Buffer.alloc(4);
    const fd = openSync(file, "r");
    const read = readSync(fd, head, 0, 4, 0);
    closeSync(fd);
    if (read < 4 || head.toString("latin1") !== BUNDLE_MAGIC) {
      rmSync(file, { force: true });
      throw new AppError(400, `"${name}" is not an update bundle (it is not a RAUC bundle). Nothing was stored.`);
    }
    if (installing()) {
      rmSync(file, { force: true });
      throw new AppError(409, "An update is being installed; upload the next one when it has finished.");
    }
    discardStaged();
    const id = randomBytes(16).toString("hex");
    mkdirSync(paths.updateStaged, { recursive: true });
    renameSync(file, stagedBundle(dataDir, id));
    const { size } = Bun.file(stagedBundle(dataDir, id));
    const meta: StagedMeta = { id, name, size, source, stagedAt: now().toISOString() };
    writeResult(dataDir, stagedMeta(dataDir, id), meta);
    jobs.enqueue("update.inspect", { bundleId: id });
    return meta;
  }

  function discardStaged() {
    const dir = paths.updateStaged;
    if (existsSync(dir)) for (const n of readdirSync(dir)) rmSync(join(dir, n), { force: true });
  }

  const installing = () => {
    const i = install();
    return i !== null && (i.status === "queued" || i.status === "running");
  };

  return { staged, install, checkUpload, stage, discardStaged, installing, freeBytes };
}

export function createUpdateService(deps: UpdateServiceDeps) {
  const { dataDir, jobs, settings } = deps;
  const paths = dataPaths(dataDir);
  const { now } = deps;
  const { staged, install, checkUpload, stage, discardStaged, installing, freeBytes } = bundleStaging(deps);

  function channel(): ChannelSettings {
    return {
      url: settings.get<string>("updateChannel") || null,
      autoDownload: settings.get<boolean>("updateAutoDownload") === true,
      lastCheck: ((c) => (c && typeof c === "object" ? c : null))(settings.get<ChannelSettings["lastCheck"] | "none">("updateChannelCheck")),
    };
  }

  const box = () => ({ compatible: deps.compatible(), version: deps.version() });

  return {
    checkUpload,
    stage,

    state(): UpdatePageState {
      const reboot = jobs.lastOfKind("update.reboot");
      const support = jobs.lastOfKind("support.bundle");
      const reset = jobs.lastOfKind("system.factory-reset");
      return {
        box: box(),
        slots: readJson<SlotsFile>(paths.updateSlots),
        staged: staged(),
        install: install(),
        rebootRequested: !!reboot && (reboot.status === "queued" || reboot.status === "running"),
        channel: channel(),
        support: {
          files: listSupportBundles(dataDir),
          pending: !!support && (support.status === "queued" || support.status === "running"),
          error: support?.status === "failed" ? support.error : null,
        },
        reset: { pending: reset && (reset.status === "queued" || reset.status === "running") ? (reset.payload as { mode: ResetMode }).mode : null },
      };
    },

    startInstall(bundleId: string) {
      const s = staged();
      if (!s || s.id !== bundleId) throw new AppError(404, "This bundle is no longer staged; upload it again.");
      if (!s.info) throw new AppError(409, "The bundle is still being checked; wait a moment.");
      if (!s.info.ok) throw new AppError(400, s.info.reason);
      if (installing()) throw new AppError(409, "An update is already being installed.");
      jobs.enqueue("update.install", { bundleId });
    },

    reboot() {
      const i = install();
      if (i?.status !== "done") throw new AppError(409, "Install an update first: there is nothing new to reboot into.");
      jobs.enqueue("update.reboot", { requestedAt: now().toISOString() });
    },

    refreshSlots: () => jobs.enqueue("update.status", {}),

    discard() {
      if (installing()) throw new AppError(409, "The bundle is being installed.");
      discardStaged();
    },

    setChannel(url: string, autoDownload: boolean) {
      const text = url.trim();
      settings.set("updateChannel", text ? parseChannelUrl(text) : "");
      settings.set("updateAutoDownload", !!text && autoDownload);
      settings.set("updateChannelCheck", "none");
    },

    /** Asks the channel; with `download` (the button, or the opt-in automatic check) fetches a newer bundle and stages it. */
    async checkChannel(opts: { download: boolean }): Promise<ChannelCheck> {
      const url = channel().url;
      if (!url) throw new AppError(400, "Set an update channel first.");
      const { compatible, version } = box();
      if (!compatible) throw new AppError(409, "This box has no RAUC configuration (not the appliance image): it cannot take updates.");
      let result: ChannelCheck;
      try {
        result = await checkChannel({ run: deps.run, keyring: deps.keyring, fetch: deps.fetch, now }, url, { compatible, version });
      } catch (e) {
        if (e instanceof AppError) settings.set("updateChannelCheck", { state: "error", message: e.message, checkedAt: now().toISOString() });
        throw e;
      }
      settings.set("updateChannelCheck", result);
      if (opts.download && result.state === "newer") {
        const already = staged();
        if (!(already?.source === "channel" && already.name === basename(new URL(result.entry.url).pathname))) {
          const name = basename(new URL(result.entry.url).pathname) || `nas-${result.entry.version}.raucb`;
          mkdirSync(paths.update, { recursive: true });
          const tmp = join(paths.update, `download-${randomBytes(8).toString("hex")}.part`);
          await downloadBundle({ fetch: deps.fetch }, result.entry, tmp, Math.min(MAX_BUNDLE_BYTES, freeBytes() - FREE_SPACE_RESERVE));
          stage(tmp, name.endsWith(".raucb") ? name : `${name}.raucb`, "channel");
        }
      }
      return result;
    },

    /**
     * The opt-in automatic check (the `update.channel-check` job, every 6 hours): downloads, never installs. Off
     * unless the admin asked for it, and never while an update is being installed.
     */
    async autoCheck(): Promise<void> {
      if (!channel().autoDownload || installing()) return;
      await this.checkChannel({ download: true });
    },

    requestSupportBundle(): string {
      const name = supportName(now());
      jobs.enqueue("support.bundle", { name });
      return name;
    },

    supportFile(name: string): string {
      if (!SUPPORT_NAME.test(name) || !listSupportBundles(dataDir).some((f) => f.name === name)) throw new AppError(404, "This support bundle does not exist.");
      return join(paths.support, name);
    },

    requestFactoryReset(mode: ResetMode, typed: string) {
      const phrase = RESET_PHRASES[mode];
      if (typed.trim().toLowerCase() !== phrase) throw new AppError(400, `Type "${phrase}" to confirm.`);
      if (installing()) throw new AppError(409, "An update is being installed; wait until it has finished.");
      jobs.enqueue("system.factory-reset", { mode, requestedAt: now().toISOString() });
    },
  };
}

export type UpdateService = ReturnType<typeof createUpdateService>;
