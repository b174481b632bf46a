import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { type Db, writeTransaction } from "../platform/db/client";
import {
  backupGuests,
  backupSnapshots,
  backupTargets,
  blobs,
  files,
  scrubFindings,
  scrubState,
  users,
  type BackupGuest,
  type BackupSnapshot,
  type BackupTarget,
  type ScrubFinding,
  type ScrubState,
} from "../platform/db/schema";

export type NewTarget = Pick<BackupTarget, "id" | "name" | "kind" | "location" | "port" | "state" | "createdAt">;
export type TargetPatch = Partial<Omit<BackupTarget, "id" | "createdAt">>;

/** Every query of the backup feature: targets and their snapshots, hosted guests, the scrub's state and findings. */
export function createBackupRepo(db: Db) {
  return {
    insertTarget: (row: NewTarget) => db.insert(backupTargets).values(row).returning().get(),
    target: (id: string): BackupTarget | undefined => db.select().from(backupTargets).where(eq(backupTargets.id, id)).get(),
    /** Every target but the setup wizard's restore sources, oldest first. */
    targets: (): BackupTarget[] => db.select().from(backupTargets).where(sql`${backupTargets.state} != 'restore'`).orderBy(asc(backupTargets.createdAt)).all(),
    targetsInState: (state: BackupTarget["state"]): BackupTarget[] => db.select().from(backupTargets).where(eq(backupTargets.state, state)).all(),
    activeTargets: (): BackupTarget[] => db.select().from(backupTargets).where(eq(backupTargets.state, "active")).orderBy(asc(backupTargets.createdAt)).all(),
    updateTarget: (id: string, patch: TargetPatch) => db.update(backupTargets).set(patch).where(eq(backupTargets.id, id)).run(),
    deleteTarget: (id: string) => db.delete(backupTargets).where(eq(backupTargets.id, id)).run(),
    /** A run that died with its worker left its progress behind: nothing runs while a new job starts. */
    clearRunning: () => db.update(backupTargets).set({ running: null }).where(sql`${backupTargets.running} is not null`).run(),

    snapshots: (targetId: string): BackupSnapshot[] =>
      db.select().from(backupSnapshots).where(eq(backupSnapshots.targetId, targetId)).orderBy(desc(backupSnapshots.time)).all(),
    snapshot: (targetId: string, id: string) =>
      db
        .select()
        .from(backupSnapshots)
        .where(and(eq(backupSnapshots.targetId, targetId), eq(backupSnapshots.id, id)))
        .get(),
    /** The list as restic gave it replaces the stored one (forget removes some, a backup adds one). */
    replaceSnapshots: (targetId: string, list: Omit<BackupSnapshot, "targetId">[]) =>
      writeTransaction(db, () => {
        db.delete(backupSnapshots).where(eq(backupSnapshots.targetId, targetId)).run();
        if (list.length)
          db.insert(backupSnapshots)
            .values(list.map((s) => ({ ...s, targetId })))
            .run();
      }),

    insertGuest: (row: BackupGuest) => db.insert(backupGuests).values(row).run(),
    guest: (id: string): BackupGuest | undefined => db.select().from(backupGuests).where(eq(backupGuests.id, id)).get(),
    guests: (): BackupGuest[] => db.select().from(backupGuests).orderBy(asc(backupGuests.createdAt)).all(),
    updateGuest: (id: string, patch: Partial<Omit<BackupGuest, "id">>) => db.update(backupGuests).set(patch).where(eq(backupGuests.id, id)).run(),
    deleteGuest: (id: string) => db.delete(backupGuests).where(eq(backupGuests.id, id)).run(),

    scrubState: (): ScrubState => db.select().from(scrubState).where(eq(scrubState.id, 1)).get() ?? { ...EMPTY_SCRUB },
    saveScrubState: (row: Omit<ScrubState, "id">) =>
      db
        .insert(scrubState)
        .values({ ...row, id: 1 })
        .onConflictDoUpdate({ target: scrubState.id, set: row })
        .run(),
    /** The next blobs after the cursor, in (owner, SHA-256) order: the scrub's walk. */
    blobsAfter: (cursor: { userId: string; sha256: string } | null, limit: number) =>
      db
        .select({ userId: blobs.userId, sha256: blobs.sha256, size: blobs.size })
        .from(blobs)
        .where(cursor ? sql`(${blobs.userId}, ${blobs.sha256}) > (${cursor.userId}, ${cursor.sha256})` : undefined)
        .orderBy(asc(blobs.userId), asc(blobs.sha256))
        .limit(limit)
        .all(),
    storedBytes: () =>
      db
        .select({ n: sql<number>`coalesce(sum(${blobs.size}), 0)` })
        .from(blobs)
        .get()?.n ?? 0,
    blobExists: (userId: string, sha256: string) =>
      !!db
        .select({ n: blobs.size })
        .from(blobs)
        .where(and(eq(blobs.userId, userId), eq(blobs.sha256, sha256)))
        .get(),

    recordFinding: (row: ScrubFinding) =>
      db
        .insert(scrubFindings)
        .values(row)
        .onConflictDoUpdate({ target: [scrubFindings.userId, scrubFindings.sha256], set: row })
        .run(),
    finding: (userId: string, sha256: string) =>
      db
        .select()
        .from(scrubFindings)
        .where(and(eq(scrubFindings.userId, userId), eq(scrubFindings.sha256, sha256)))
        .get(),
    updateFinding: (userId: string, sha256: string, patch: Partial<ScrubFinding>) =>
      db
        .update(scrubFindings)
        .set(patch)
        .where(and(eq(scrubFindings.userId, userId), eq(scrubFindings.sha256, sha256)))
        .run(),
    findings: (): ScrubFinding[] => db.select().from(scrubFindings).orderBy(desc(scrubFindings.foundAt)).limit(200).all(),
    openFindings: (): ScrubFinding[] =>
      db
        .select()
        .from(scrubFindings)
        .where(inArray(scrubFindings.state, ["open", "unrepairable"]))
        .all(),
    /** The names a content has in its owner's Drive (trashed ones too), and the owner's name: what a finding reports. */
    user: (id: string) => db.select().from(users).where(eq(users.id, id)).get(),
    namesOf: (userId: string, sha256: string) => ({
      owner: db.select({ username: users.username }).from(users).where(eq(users.id, userId)).get()?.username ?? userId,
      names: db
        .select({ id: files.id, name: files.name, trashed: sql<boolean>`${files.trashedAt} is not null` })
        .from(files)
        .where(and(eq(files.userId, userId), eq(files.sha256, sha256)))
        .limit(20)
        .all(),
    }),
  };
}

const EMPTY_SCRUB: ScrubState = {
  id: 1,
  passStartedAt: null,
  cursorUser: null,
  cursorSha256: null,
  bytesDone: 0,
  blobsDone: 0,
  totalBytes: 0,
  lastPassAt: null,
  lastPassBlobs: null,
  lastPassBytes: null,
  lastPassSeconds: null,
};

export type BackupRepo = ReturnType<typeof createBackupRepo>;
