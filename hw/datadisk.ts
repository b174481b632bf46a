/**
 * Storage setup: list the attached disks, format one as the data disk (GPT, one ext4 partition labelled
 * `nas-data`), mount it by label, and move the data directory onto it in two phases:
 *
 *   1. `copyDataToDisk` (a worker job, while the box keeps running): format if needed, mount, copy every file with
 *      verification into `<disk>/<name>.partial`, then state `copied`.
 *   2. `applyStorageAtBoot` (root, at boot, before the nasd services start, so nothing writes): copy again what
 *      changed since phase 1, verify every file by sha256, rename `.partial` to its final name, state `active`,
 *      then bind-mount it over the data directory. Later boots only mount.
 *
 * The state file (`nas-storage.json` beside the data directory, on the original partition) is written atomically
 * and is the only switch. Until it says `active`, the old directory is the data and is only ever read; after it,
 * the old copy stays where it was (hidden under the bind mount) until the admin removes it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Runner } from "./run";
import { copyTree, fsyncPath, removeExtras, verifyTree, writeFileDurably, type CopyProgress } from "./files";

export const DATA_LABEL = "nas-data";
/** Linux filesystem data (GPT partition type). */
const LINUX_FS_GUID = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
/** Mount points that make a disk the system's own: never offered, never formatted. */
const SYSTEM_MOUNTS = ["/", "/boot", "/boot/efi", "/boot/firmware", "/efi", "/usr", "/var", "/data", "[SWAP]"];

export class StorageError extends Error {
  override readonly name = "StorageError";
}

export type Partition = {
  name: string;
  path: string;
  sizeBytes: number;
  label: string | null;
  partLabel: string | null;
  fsType: string | null;
  uuid: string | null;
  mountpoints: string[];
};

export type Disk = {
  name: string;
  path: string;
  sizeBytes: number;
  model: string | null;
  serial: string | null;
  removable: boolean;
  /** "disk" normally; "loop" only when loop devices are asked for (tests). */
  type: string;
  /** A filesystem directly on the disk, without a partition table. */
  label: string | null;
  fsType: string | null;
  mountpoints: string[];
  partitions: Partition[];
  /** Why this disk must not be formatted (it holds the running system or the current data), or null. */
  systemReason: string | null;
  /** It already carries our `nas-data` filesystem. */
  isDataDisk: boolean;
};

type LsblkNode = {
  name: string;
  path: string;
  type: string;
  size: number | string | null;
  model?: string | null;
  serial?: string | null;
  label?: string | null;
  partlabel?: string | null;
  fstype?: string | null;
  uuid?: string | null;
  mountpoints?: (string | null)[];
  mountpoint?: string | null;
  rm?: boolean | string;
  ro?: boolean | string;
  children?: LsblkNode[];
};

export const LSBLK_ARGS = ["lsblk", "--json", "--bytes", "--output", "NAME,PATH,TYPE,SIZE,MODEL,SERIAL,LABEL,PARTLABEL,FSTYPE,UUID,MOUNTPOINTS,RM,RO"] as const;

const mountsOf = (n: LsblkNode) => [...(n.mountpoints ?? []), n.mountpoint ?? null].filter((m): m is string => typeof m === "string" && m !== "");
const bool = (v: boolean | string | undefined) => v === true || v === "1";
const trimmed = (s: string | null | undefined) => (s ? s.trim() || null : null);

/** Parses `lsblk --json` (tree form) into whole disks with their partitions; `extraSystemMounts` adds e.g. the data dir's mount. */
export function parseLsblk(json: string, opts: { includeLoop?: boolean; extraSystemMounts?: string[] } = {}): Disk[] {
  const parsed = JSON.parse(json) as { blockdevices?: LsblkNode[] };
  const system = new Set([...SYSTEM_MOUNTS, ...(opts.extraSystemMounts ?? [])]);
  const disks: Disk[] = [];
  for (const n of parsed.blockdevices ?? []) {
    const wanted = n.type === "disk" || (opts.includeLoop && n.type === "loop");
    const size = Number(n.size ?? 0);
    if (!wanted || size <= 0 || bool(n.ro) || n.name.startsWith("zram")) continue;
    const partitions: Partition[] = (n.children ?? [])
      .filter((c) => c.type === "part")
      .map((c) => ({
        name: c.name,
        path: c.path,
        sizeBytes: Number(c.size ?? 0),
        label: trimmed(c.label),
        partLabel: trimmed(c.partlabel),
        fsType: trimmed(c.fstype),
        uuid: trimmed(c.uuid),
        mountpoints: mountsOf(c),
      }));
    // Mounts anywhere below the disk count (LVM, crypt and raid children of partitions too).
    const allMounts: string[] = [];
    const collect = (x: LsblkNode) => {
      allMounts.push(...mountsOf(x));
      for (const c of x.children ?? []) collect(c);
    };
    collect(n);
    const hit = allMounts.find((m) => system.has(m));
    disks.push({
      name: n.name,
      path: n.path,
      sizeBytes: size,
      model: trimmed(n.model),
      serial: trimmed(n.serial),
      removable: bool(n.rm),
      type: n.type,
      label: trimmed(n.label),
      fsType: trimmed(n.fstype),
      mountpoints: mountsOf(n),
      partitions,
      systemReason: hit ? `it holds the running system or the data (${hit === "[SWAP]" ? "swap" : `mounted at ${hit}`})` : null,
      isDataDisk: partitions.some((p) => p.label === DATA_LABEL) || n.label === DATA_LABEL,
    });
  }
  return disks;
}

export async function listDisks(run: Runner, opts: { includeLoop?: boolean; extraSystemMounts?: string[]; devices?: string[] } = {}): Promise<Disk[]> {
  const res = await run([...LSBLK_ARGS, ...(opts.devices ?? [])], { timeoutMs: 10_000 });
  if (res.code !== 0) throw new StorageError(`lsblk failed: ${res.stderr.trim() || `exit ${res.code}`}`);
  const disks = parseLsblk(res.stdout, opts);
  // Without udev (a container, early boot) lsblk knows no labels or UUIDs: ask the filesystems themselves.
  const unknown = disks.flatMap((d) => d.partitions).filter((p) => p.fsType === null || p.uuid === null);
  if (unknown.length) {
    const probe = await run(["blkid", "--probe", "--output", "export", ...unknown.map((p) => p.path)], { timeoutMs: 10_000 });
    const found = parseBlkidExport(probe.stdout);
    for (const p of unknown) {
      const tags = found.get(p.path);
      if (!tags) continue;
      p.fsType ??= tags.TYPE ?? null;
      p.uuid ??= tags.UUID ?? null;
      p.label ??= tags.LABEL ?? null;
      p.partLabel ??= tags.PART_ENTRY_NAME ?? null;
    }
    for (const d of disks) d.isDataDisk ||= d.partitions.some((p) => p.label === DATA_LABEL);
  }
  return disks;
}

/** `blkid --output export`: blocks of KEY=value lines, one block per device, separated by blank lines. */
export function parseBlkidExport(text: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const block of text.split(/\n\s*\n/)) {
    const tags: Record<string, string> = {};
    for (const line of block.split("\n")) {
      const i = line.indexOf("=");
      if (i > 0) tags[line.slice(0, i)] = line.slice(i + 1);
    }
    if (tags.DEVNAME) out.set(tags.DEVNAME, tags);
  }
  return out;
}

/** What the admin must type to format a disk: its model when it has one, else its kernel name. Case and spaces around are forgiven. */
export function confirmationFor(disk: Pick<Disk, "name" | "model">): string {
  return disk.model ?? disk.name;
}
export function confirmationMatches(disk: Pick<Disk, "name" | "model">, typed: string): boolean {
  const t = typed.trim().toLowerCase();
  return t !== "" && (t === disk.name.toLowerCase() || t === (disk.model ?? "").trim().toLowerCase() || t === `/dev/${disk.name}`.toLowerCase());
}

/** Throws unless `disk` may be formatted with this confirmation. */
export function assertFormattable(disk: Disk, typed: string) {
  if (disk.systemReason) throw new StorageError(`${disk.path} cannot be used for data: ${disk.systemReason}.`);
  const mounted = [...disk.mountpoints, ...disk.partitions.flatMap((p) => p.mountpoints)];
  if (mounted.length) throw new StorageError(`${disk.path} is in use (mounted at ${mounted.join(", ")}); unmount it first.`);
  if (!confirmationMatches(disk, typed)) throw new StorageError(`The confirmation does not match: type "${confirmationFor(disk)}" to format ${disk.path}.`);
}

async function must(run: Runner, argv: string[], opts: { timeoutMs?: number; stdin?: string } = {}) {
  const res = await run(argv, { timeoutMs: opts.timeoutMs ?? 60_000, stdin: opts.stdin });
  if (res.code !== 0)
    throw new StorageError(`${argv[0]} failed: ${(res.stderr || res.stdout).trim().slice(-500) || `exit ${res.code}`}${res.timedOut ? " (timed out)" : ""}`);
  return res;
}

/** The first partition's device path, once the kernel has created it (no udev needed: devtmpfs makes the node). */
async function waitForPartition(run: Runner, disk: Disk, sleep: (ms: number) => Promise<void>): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const [fresh] = await listDisks(run, { includeLoop: true, devices: [disk.path] });
    const part = fresh?.partitions[0];
    if (part && existsSync(part.path)) return part.path;
    if (i === 0) await run(["partx", "--add", disk.path], { timeoutMs: 10_000 });
    await sleep(100);
  }
  throw new StorageError(`the new partition of ${disk.path} did not appear`);
}

/**
 * Wipes `disk`, writes a GPT with one Linux partition named `nas-data` and makes an ext4 filesystem labelled
 * `nas-data` on it. Returns the partition and its filesystem UUID. The caller checked `assertFormattable`.
 */
export async function formatDataDisk(run: Runner, disk: Disk, sleep = (ms: number) => Bun.sleep(ms)): Promise<{ partition: string; uuid: string }> {
  if (disk.systemReason) throw new StorageError(`${disk.path} cannot be used for data: ${disk.systemReason}.`);
  await must(run, ["wipefs", "--all", "--force", disk.path]);
  await must(run, ["sfdisk", "--quiet", "--wipe", "always", disk.path], { stdin: `label: gpt\ntype=${LINUX_FS_GUID}, name="${DATA_LABEL}"\n` });
  const partition = await waitForPartition(run, disk, sleep);
  // -m 1: 1 % reserved for root is plenty on a data disk; lazy init keeps formatting a big disk to seconds.
  await must(run, ["mkfs.ext4", "-F", "-q", "-L", DATA_LABEL, "-m", "1", "-E", "lazy_itable_init=1,lazy_journal_init=1", partition], {
    timeoutMs: 30 * 60_000,
  });
  const uuid = (await must(run, ["blkid", "--match-tag", "UUID", "--output", "value", partition])).stdout.trim();
  if (!uuid) throw new StorageError(`no filesystem UUID on ${partition} after mkfs`);
  return { partition, uuid };
}

/** Where `mountpoint` is mounted from, or null. */
export async function mountedSource(run: Runner, mountpoint: string): Promise<string | null> {
  const res = await run(["findmnt", "--noheadings", "--output", "SOURCE", "--mountpoint", mountpoint], { timeoutMs: 10_000 });
  return res.code === 0 ? res.stdout.trim().split("\n")[0] || null : null;
}

/** Mounts the filesystem with this UUID at `mountpoint` (label for people, UUID so a second `nas-data` disk cannot be mistaken for it). */
export async function mountDataFs(run: Runner, uuid: string, mountpoint: string) {
  mkdirSync(mountpoint, { recursive: true });
  const res = await run(["findmnt", "--noheadings", "--output", "UUID", "--mountpoint", mountpoint], { timeoutMs: 10_000 });
  if (res.code === 0 && res.stdout.trim()) {
    if (res.stdout.trim() === uuid) return;
    throw new StorageError(`${mountpoint} already has another filesystem mounted`);
  }
  await must(run, ["mount", "-t", "ext4", "-o", "noatime", `UUID=${uuid}`, mountpoint]);
}

// ---------------------------------------------------------------------------------------------------------
// The state file: the boot side's mount configuration and the move's progress in one atomic JSON file.

export type StorageState = {
  version: 1;
  /** copying: phase 1 running or interrupted · copied: waiting for the switch at the next boot · active: data is on the disk. */
  state: "copying" | "copied" | "active";
  label: typeof DATA_LABEL;
  uuid: string;
  /** Where the boot side mounts the disk (on the original data partition, so it exists before the disk is mounted). */
  mountpoint: string;
  /** The data directory the services use; the boot side bind-mounts `<mountpoint>/<dirName>` over it. */
  dataDir: string;
  dirName: string;
  device: { path: string; model: string | null; serial: string | null; sizeBytes: number };
  updatedAt: string;
  message: string;
  progress?: CopyProgress;
};

/** `nas-storage.json` beside the data directory: `/data/nas-storage.json` for `/data/nasd` on the image. */
export const storageStatePath = (dataDir: string) => join(dirname(dataDir), "nas-storage.json");
export const dataDiskMountpoint = (dataDir: string) => join(dirname(dataDir), "data-disk");

export function readStorageState(path: string): StorageState | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as StorageState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/** The file on disk is always the old or the new state, whole. */
export function writeStorageState(path: string, state: StorageState) {
  writeFileDurably(path, `${JSON.stringify(state, null, 2)}\n`);
}

export type MoveDeps = {
  run: Runner;
  dataDir: string;
  statePath?: string;
  mountpoint?: string;
  includeLoop?: boolean;
  now?: () => Date;
  onProgress?: (p: CopyProgress) => void;
  afterFile?: (rel: string, index: number) => void;
  signal?: AbortSignal;
  log?: (m: string) => void;
};

const stamp = (deps: MoveDeps) => (deps.now?.() ?? new Date()).toISOString();

/**
 * Phase 1 (worker job). Checks the disk and the confirmation, formats it (unless an interrupted run already did),
 * mounts it and copies the data dir with verification. Safe to run again after a crash: it resumes.
 */
export async function copyDataToDisk(deps: MoveDeps, request: { device: string; confirm: string }): Promise<StorageState> {
  const statePath = deps.statePath ?? storageStatePath(deps.dataDir);
  const mountpoint = deps.mountpoint ?? dataDiskMountpoint(deps.dataDir);
  const log = deps.log ?? (() => {});
  const dirName = basename(deps.dataDir);
  let state = readStorageState(statePath);
  if (state?.state === "active") throw new StorageError("The data is already on a data disk.");

  const disks = await listDisks(deps.run, { includeLoop: deps.includeLoop, extraSystemMounts: [deps.dataDir, dirname(deps.dataDir)] });
  const disk = disks.find((d) => d.path === request.device || d.name === request.device);
  if (!disk) throw new StorageError(`${request.device} is not attached.`);
  const resumable = state && state.device.path === disk.path && disk.partitions.some((p) => p.uuid === state!.uuid && p.label === DATA_LABEL);
  if (resumable) {
    if (disk.systemReason) throw new StorageError(`${disk.path} cannot be used for data: ${disk.systemReason}.`);
    if (!confirmationMatches(disk, request.confirm)) throw new StorageError(`The confirmation does not match: type "${confirmationFor(disk)}".`);
    log(`resuming the copy onto ${disk.path}`);
  } else {
    assertFormattable(disk, request.confirm);
    log(`formatting ${disk.path}`);
    const { uuid } = await formatDataDisk(deps.run, disk);
    state = {
      version: 1,
      state: "copying",
      label: DATA_LABEL,
      uuid,
      mountpoint,
      dataDir: deps.dataDir,
      dirName,
      device: { path: disk.path, model: disk.model, serial: disk.serial, sizeBytes: disk.sizeBytes },
      updatedAt: stamp(deps),
      message: "Copying the data to the new disk.",
    };
    writeStorageState(statePath, state);
  }
  const current = state!;
  await mountDataFs(deps.run, current.uuid, current.mountpoint);
  const target = join(current.mountpoint, `${dirName}.partial`);
  writeStorageState(statePath, { ...current, state: "copying", updatedAt: stamp(deps), message: "Copying the data to the new disk." });
  const copied = copyTree(deps.dataDir, target, { onProgress: deps.onProgress, afterFile: deps.afterFile, signal: deps.signal });
  const checked = verifyTree(deps.dataDir, target, { deep: true, skipChanged: true });
  log(`copied ${copied.copied} files (${copied.bytesCopied} bytes), ${copied.skipped} already there; ${checked} verified`);
  const done: StorageState = {
    ...current,
    state: "copied",
    updatedAt: stamp(deps),
    progress: { files: copied.files, totalFiles: copied.files, bytes: copied.totalBytes, totalBytes: copied.totalBytes },
    message: `${checked} files copied and verified. Restart the box to switch to the new disk; files changed until then are copied again at the restart.`,
  };
  writeStorageState(statePath, done);
  return done;
}

export type BootOutcome =
  | { action: "none"; message: string }
  | { action: "mounted"; dataSource: string; message: string }
  | { action: "kept-old"; message: string };

/**
 * At boot, as root, before the nasd services start. Never throws for a missing or failing disk while the old data
 * is still the current one: it keeps the old data and says why. Throws only when the data is on the disk
 * (`active`) and the disk cannot be mounted, since starting on the stale old copy would lose the newer data.
 */
export async function applyStorageAtBoot(deps: MoveDeps): Promise<BootOutcome> {
  const statePath = deps.statePath ?? storageStatePath(deps.dataDir);
  const state = readStorageState(statePath);
  if (!state) return { action: "none", message: "no data disk configured" };
  if (state.state === "copying") return { action: "kept-old", message: "the copy to the data disk has not finished; the worker resumes it" };
  const final = join(state.mountpoint, state.dirName);
  const partial = `${final}.partial`;

  if (state.state === "copied") {
    try {
      await mountDataFs(deps.run, state.uuid, state.mountpoint);
      // A crash after the rename below but before the state write finds the final name: finish from there.
      const target = existsSync(partial) ? partial : final;
      const copied = copyTree(state.dataDir, target, { onProgress: deps.onProgress, afterFile: deps.afterFile, signal: deps.signal });
      // Deleted since phase 1 (a stale -wal next to a newer database would be the dangerous one).
      removeExtras(state.dataDir, target);
      verifyTree(state.dataDir, target, { deep: true });
      if (target === partial) {
        renameSync(partial, final);
        fsyncPath(state.mountpoint);
      }
      writeStorageState(statePath, {
        ...state,
        state: "active",
        updatedAt: stamp(deps),
        message: `Data moved to the disk (${copied.copied} files updated at the switch, every file verified). The old copy is still at ${state.dataDir} on the first disk.`,
      });
    } catch (e) {
      return { action: "kept-old", message: `the switch to the data disk failed, the old data stays in use: ${(e as Error).message}` };
    }
  } else {
    await mountDataFs(deps.run, state.uuid, state.mountpoint);
    if (!existsSync(final)) throw new StorageError(`${final} is missing on the data disk`);
  }
  if ((await mountedSource(deps.run, state.dataDir)) === null) {
    mkdirSync(state.dataDir, { recursive: true });
    await must(deps.run, ["mount", "--bind", final, state.dataDir]);
  }
  return { action: "mounted", dataSource: final, message: `data directory ${state.dataDir} is ${final} on the data disk` };
}
