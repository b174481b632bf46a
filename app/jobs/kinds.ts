/**
 * Every kind of job and its payload (Immich's JobItem style): `enqueue` only accepts these, and each worker lane
 * is a handler map typed by them, so no kind can be queued without something that runs it (see lanes.ts).
 */
export type JobPayloads = {
  "db.backup": { keepDays?: number };
  "storage.disk-copy": Record<string, never>;
  "storage.move": { device: string; confirm: string };
  "smart.refresh": { device?: string };
  "smart.self-test": { device: string; kind: "short" | "long" };
  /** Thumbnails, metadata, place and playable video for one stored content (a blob) of a user. */
  "media.process": { userId: string; sha256: string };
  /** Root (app/jobs/update.ts): check a staged bundle's signature, version and board with `rauc info`. */
  "update.inspect": { bundleId: string };
  /** Root: `rauc install` of a checked bundle into the other slot, with progress. */
  "update.install": { bundleId: string };
  /** Root: `rauc status` → both slots for the dashboard. */
  "update.status": Record<string, never>;
  /** Root: reboot into the new slot (skipped when the box has rebooted since `requestedAt`). */
  "update.reboot": { requestedAt: string };
  /** Root: leave the reset marker for the next boot, then reboot (os/rootfs-overlay/usr/lib/nas/factory-reset). */
  "system.factory-reset": { mode: "keep-files" | "erase-all"; requestedAt: string };
  /** Root: logs, versions, SMART and failed jobs without secrets, into <data>/support/<name>. */
  "support.bundle": { name: string };
};
export type JobKind = keyof JobPayloads;
/** The same map as a union: `{ kind: "media.process"; payload: { userId; sha256 } } | …`. */
export type JobItem = { [K in JobKind]: { kind: K; payload: JobPayloads[K] } }[JobKind];

/** Every kind at run time; the `Record<JobKind, …>` type makes leaving one out a compile error. */
const kinds: Record<JobKind, true> = {
  "db.backup": true,
  "storage.disk-copy": true,
  "storage.move": true,
  "smart.refresh": true,
  "smart.self-test": true,
  "media.process": true,
  "update.inspect": true,
  "update.install": true,
  "update.status": true,
  "update.reboot": true,
  "system.factory-reset": true,
  "support.bundle": true,
};

/** Kinds only root can run: the root storage worker (NAS_WORKER_KINDS on the image) takes them, the nasd worker leaves them. */
export const ROOT_KINDS: readonly JobKind[] = [
  "storage.move",
  "smart.refresh",
  "smart.self-test",
  "update.inspect",
  "update.install",
  "update.status",
  "update.reboot",
  "system.factory-reset",
  "support.bundle",
];
export const JOB_KINDS = Object.keys(kinds) as JobKind[];
