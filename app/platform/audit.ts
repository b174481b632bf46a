import { and, desc, eq, gte, inArray, like, lt, type SQL } from "drizzle-orm";
import type { Db } from "./db/client";
import { auditLog } from "./db/schema";
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
