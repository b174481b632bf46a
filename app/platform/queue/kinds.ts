/**
 * How a feature declares its job kinds (README.md in this folder): each kind has a lane, a payload schema (plain
 * TypeBox, compiled once here) and a handler; periodic kinds also say how often the worker queues them. The queue
 * itself knows no kind: features declare theirs in `<feature>/jobs.ts`, app/jobs.ts puts them together.
 */
import type { Static, TObject } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { AppError } from "../errors";
import type { HandlerOf, JobHandler, JobHandlers } from "./queue";

/**
 * Each worker lane runs its jobs one at a time (the media lane may run a few side by side), and lanes run beside
 * each other, so an hours-long disk copy never holds up a backup and a batch of photos never holds up a SMART check.
 * `backup` runs offsite backups, restores and the scrub: hours of restic never hold up anything else.
 * `web` is the web process's own lane: the kinds that need what only it has (the network on the image).
 */
export const LANES = ["long", "system", "update", "media", "people", "housekeeping", "backup", "web"] as const;
export type Lane = (typeof LANES)[number];

export type JobKindSpec = {
  lane: Lane;
  /** Checked once, before the handler runs: a payload that does not match fails its job at once (400). */
  payload: TObject;
  /** Only a worker running as root takes it (the root storage worker on the image, NAS_WORKER_KINDS). */
  root?: boolean;
  /**
   * It reaches other machines (an SFTP server, another box, S3): a worker without a network (NAS_WORKER_OFFLINE=1,
   * the image's sandboxed worker) leaves it to one that has it (the image's backup worker, NAS_WORKER_KINDS).
   */
  network?: boolean;
  /** Periodic work: the worker queues one this many ms after the last one of its kind (scheduler.ts). */
  every?: number;
  /** Periodic work that is also due each time the worker starts (after a boot), however recent its last run. */
  atStart?: true;
};

export type PayloadsOf<S extends Record<string, JobKindSpec>> = { [K in keyof S]: Static<S[K]["payload"]> };
/** The kinds of `S` that are periodic. */
export type PeriodicKindsOf<S extends Record<string, JobKindSpec>> = { [K in keyof S]: S[K]["every"] extends number ? K : never }[keyof S];

/** A feature's kinds, their handlers over the context the feature asks for, and what its periodic runs carry. */
export type JobGroup<S extends Record<string, JobKindSpec> = Record<string, JobKindSpec>, C = never> = {
  kinds: S;
  /** The handlers of every kind of the group, each checking its payload first. */
  handlers: (ctx: C) => JobHandlers<keyof S & string, PayloadsOf<S>>;
  /**
   * The payload of a periodic run, read when it is due; null skips this time (e.g. the nightly copy is off). A
   * periodic kind without an entry runs with `{}`. Called by the worker's scheduler with the worker's context.
   */
  scheduled?: (ctx: C) => { [K in PeriodicKindsOf<S>]?: () => PayloadsOf<S>[K] | null };
};

const checks = new WeakMap<TObject, TypeCheck<TObject>>();
const compiled = (schema: TObject) => {
  let check = checks.get(schema);
  if (!check) checks.set(schema, (check = TypeCompiler.Compile(schema)));
  return check;
};

/** Wraps a handler so that it only ever sees a payload that matches the kind's schema. */
function checked(kind: string, schema: TObject, handler: HandlerOf<string, object>): HandlerOf<string, object> {
  const check = compiled(schema);
  return (job, ctx) => {
    if (!check.Check(job.payload)) {
      const first = check.Errors(job.payload).First();
      const where = first?.path ? `${first.path}: ` : "";
      throw new AppError(400, `The ${kind} job's payload is not valid (${where}${first?.message ?? "does not match its schema"}).`);
    }
    return handler(job, ctx);
  };
}

/**
 * Declares a feature's job kinds. `handlers` builds every handler from the context the feature names (the composition
 * root passes it); a kind without a handler, or a handler without a kind, does not compile.
 */
export function defineJobs<const S extends Record<string, JobKindSpec>, C>(
  kinds: S,
  handlers: (ctx: C) => JobHandlers<keyof S & string, PayloadsOf<S>>,
  scheduled?: JobGroup<S, C>["scheduled"],
): JobGroup<S, C> {
  for (const spec of Object.values(kinds)) compiled(spec.payload);
  return {
    kinds,
    handlers(ctx) {
      const raw = handlers(ctx) as unknown as Record<string, HandlerOf<string, object>>;
      const wrapped = Object.entries(raw).map(([kind, handler]) => [kind, checked(kind, kinds[kind]!.payload, handler)]);
      return Object.fromEntries(wrapped) as unknown as JobHandlers<keyof S & string, PayloadsOf<S>>;
    },
    scheduled,
  };
}

/**
 * A handler whose module loads on its first job: an idle worker keeps no disk, SMART or media code (sharp, exifr,
 * the city index) in memory, and a worker that never runs a kind never loads it at all.
 */
export function lazy<K extends string, P extends Record<K, object>>(load: () => Promise<JobHandler<K, P>>): JobHandler<K, P> {
  let handler: Promise<JobHandler<K, P>> | undefined;
  return async (job, ctx) => (await (handler ??= load()))(job, ctx);
}
