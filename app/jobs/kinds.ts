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
};
export const JOB_KINDS = Object.keys(kinds) as JobKind[];
