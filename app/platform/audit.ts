import { and, desc, eq, gte, inArray, like, lt, type SQL } from "drizzle-orm";
import type { Db } from "./db/client";
import { auditLog, type AuditEntry } from "./db/schema";
import type { Clock } from "./clock";

export type AuditRecord = { userId?: string | null; ip?: string | null; action: string; objectId?: string | null; ok: boolean; detail?: string | null };
export type AuditFilter = { userId?: string; action?: string; actions?: string[]; from?: Date; to?: Date; before?: number; limit?: number };

export function createAuditRepo(db: Db, now: Clock) {
  return {
    record: (r: AuditRecord, at = now()) =>
      db
        .insert(auditLog)
        .values({ at, userId: r.userId ?? null, ip: r.ip ?? null, action: r.action, objectId: r.objectId ?? null, ok: r.ok, detail: r.detail ?? null })
        .run(),
    list: (f: AuditFilter = {}) => {
      const where: SQL[] = [];
      if (f.userId) where.push(eq(auditLog.userId, f.userId));
      if (f.action) where.push(like(auditLog.action, `%${f.action.replace(/[%_]/g, "")}%`));
      if (f.actions) where.push(inArray(auditLog.action, f.actions));
      if (f.from) where.push(gte(auditLog.at, f.from));
      if (f.to) where.push(lt(auditLog.at, f.to));
      if (f.before) where.push(lt(auditLog.id, f.before));
      return db
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(desc(auditLog.id))
        .limit(Math.min(f.limit ?? 100, 500))
        .all();
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;

/** The kinds of action the audit log's filter offers. */
export const AUDIT_KINDS = ["files", "sign-in", "accounts", "settings", "system"] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];
export const isAuditKind = (v: unknown): v is AuditKind => AUDIT_KINDS.includes(v as AuditKind);

/**
 * How an action reads in the audit log: what the person did, its kind, and (when the row's detail names what it was
 * about, e.g. "'IMG_0042.jpg' to Photos/2024", app/drive/audit.ts) the same with "{}" where that goes.
 */
export type AuditWords = {
  kind: AuditKind;
  did: string;
  about?: string;
  /**
   * The feature records this change itself, as a named event in its own words (`share.create`: "made a share link to
   * the file 'beach.jpg'"): the request's row would say it a second time, so it is written only for a refusal.
   */
  recordedByFeature?: true;
};
/**
 * A route's words, declared beside it (`{ audit: … }`); a route for every method (tus) words each method that changes
 * something (only those are recorded: app/platform/http/security.ts).
 */
export type RouteAuditWords = AuditWords | Partial<Record<"POST" | "PUT" | "PATCH" | "DELETE", AuditWords>>;
/** Actions a feature records by name (`auth.login`, `share.create`…), worded where it records them. */
export type AuditEvents = Record<string, AuditWords>;
export const AUDIT_DETAIL = "x-audit";

type Route = { method: string; path: string; hooks?: { detail?: Record<string, unknown> } };
export type AuditSaid = { words: string; kind: AuditKind | null; detailUsed: boolean };

const isWords = (w: RouteAuditWords): w is AuditWords => typeof (w as AuditWords).did === "string";
/** Rows keep the route as Elysia names it; a parameter renamed since still finds its route ("/x/:id" ~ "/x/:name"). */
const paramsAnonymous = (action: string) => action.replace(/\/:[^/]+/g, "/:");

/**
 * The audit log in words: every route's declared words (its method and path are what the security plugin records)
 * and the named events of the features. Read from the route table on first use, once it is complete.
 */
export function auditVocabulary(routes: () => readonly Route[], events: AuditEvents[]) {
  let table: { exact: Map<string, AuditWords>; anonymous: Map<string, AuditWords> } | null = null;
  const build = () => {
    const exact = new Map<string, AuditWords>();
    for (const r of routes()) {
      const said = r.hooks?.detail?.[AUDIT_DETAIL] as RouteAuditWords | undefined;
      if (!said) continue;
      if (isWords(said)) exact.set(`${r.method} ${r.path}`, said);
      else for (const [method, words] of Object.entries(said)) if (words) exact.set(`${method} ${r.path}`, words);
    }
    for (const table of events) for (const [action, words] of Object.entries(table)) exact.set(action, words);
    return { exact, anonymous: new Map([...exact].map(([action, words]) => [paramsAnonymous(action), words])) };
  };
  const lookup = (action: string) => {
    table ??= build();
    return (
      table.exact.get(action) ??
      table.anonymous.get(paramsAnonymous(action)) ??
      // A named event with a suffix: "cli.user.add" reads as "cli", "settings.ssh.on" as "settings.ssh".
      [...table.exact].find(([a]) => action.startsWith(`${a}.`))?.[1]
    );
  };
  return {
    /**
     * What happened, in words; an action nobody has worded reads as itself ("did POST /x"). With the row's detail, words
     * that have a place for it name the object ("uploaded 'IMG_0042.jpg' to Photos/2024"); `detailUsed` says so.
     */
    describe(action: string, detail?: string | null): AuditSaid {
      const found = lookup(action);
      if (!found) return { words: `did ${action}`, kind: null, detailUsed: false };
      if (detail && found.about) return { words: found.about.replace("{}", detail), kind: found.kind, detailUsed: true };
      return { words: found.did, kind: found.kind, detailUsed: false };
    },
    /** Every worded action of a kind, as rows record them (the log's filter). */
    actionsOfKind(kind: AuditKind): string[] {
      table ??= build();
      return [...table.exact].filter(([, w]) => w.kind === kind).map(([a]) => a);
    },
  };
}
export type AuditVocabulary = ReturnType<typeof auditVocabulary>;

export type AuditGroup = { entry: AuditEntry; count: number; first: Date };

/** Consecutive rows (newest first) of the same person, action, object and result become one entry with a count. */
export function groupAudit(entries: AuditEntry[]): AuditGroup[] {
  const out: AuditGroup[] = [];
  for (const e of entries) {
    const last = out[out.length - 1];
    if (
      last &&
      last.entry.userId === e.userId &&
      last.entry.action === e.action &&
      last.entry.objectId === e.objectId &&
      last.entry.ok === e.ok &&
      last.entry.detail === e.detail && // two imports into one account are two actions, not steps of one
      e.objectId !== null
    ) {
      last.count++;
      last.first = e.at;
    } else {
      out.push({ entry: e, count: 1, first: e.at });
    }
  }
  return out;
}
