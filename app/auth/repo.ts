import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { dataVersionReader, writeTransaction, type Db } from "../platform/db/client";
import { appTokens, challenges, invites, passkeys, recoveryCodes, sessions, users, type Session, type User } from "../platform/db/schema";

type SessionUserRow = {
  user_id: string;
  s_created: number;
  last_seen_at: number;
  ip: string | null;
  user_agent: string | null;
  username: string;
  display_name: string;
  role: "admin" | "user";
  quota_bytes: number | null;
  webauthn_user_id: string;
  u_created: number;
  disabled_at: number | null;
};

/**
 * Sessions with their users. Every request resolves its session: the rows are kept in memory, cleared on each
 * write to sessions or users (`invalidate`); another process's commit changes data_version, which clears them too.
 */
function sessionQueries(db: Db) {
  // Runs on every request: a raw prepared statement, mapped by hand (drizzle's nested mapping costs more than the query).
  const sessionWithUserQ = db.$client.prepare<SessionUserRow, [string]>(
    `select s.user_id, s.created_at as s_created, s.last_seen_at, s.ip, s.user_agent,
            u.username, u.display_name, u.role, u.quota_bytes, u.webauthn_user_id, u.created_at as u_created, u.disabled_at
     from sessions s join users u on u.id = s.user_id where s.id_hash = ?`,
  );
  const sessionCache = new Map<string, { session: Session; user: User }>();
  const dataVersion = dataVersionReader(db);
  let cachedVersion = -1;
  const invalidate = () => sessionCache.clear();
  const loadSessionWithUser = (idHash: string): { session: Session; user: User } | undefined => {
    const r = sessionWithUserQ.get(idHash);
    if (!r) return undefined;
    return {
      session: { idHash, userId: r.user_id, createdAt: new Date(r.s_created), lastSeenAt: new Date(r.last_seen_at), ip: r.ip, userAgent: r.user_agent },
      user: {
        id: r.user_id,
        username: r.username,
        displayName: r.display_name,
        role: r.role,
        quotaBytes: r.quota_bytes,
        webauthnUserId: r.webauthn_user_id,
        createdAt: new Date(r.u_created),
        disabledAt: r.disabled_at === null ? null : new Date(r.disabled_at),
      },
    };
  };
  return {
    invalidate,
    insertSession: (s: typeof sessions.$inferInsert) => db.insert(sessions).values(s).run(),
    sessionWithUser: (idHash: string) => {
      const version = dataVersion();
      if (version !== cachedVersion || sessionCache.size > 10_000) {
        invalidate();
        cachedVersion = version;
      }
      let row = sessionCache.get(idHash);
      if (!row) {
        row = loadSessionWithUser(idHash);
        if (row) sessionCache.set(idHash, row);
      }
      return row;
    },
    deleteSessionOf: (userId: string, idHash: string) => {
      invalidate();
      return db
        .delete(sessions)
        .where(and(eq(sessions.idHash, idHash), eq(sessions.userId, userId)))
        .returning()
        .all().length;
    },
    touchSession: (idHash: string, at: Date) => {
      invalidate();
      return db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.idHash, idHash)).run();
    },
    deleteSession: (idHash: string) => {
      invalidate();
      return db.delete(sessions).where(eq(sessions.idHash, idHash)).run();
    },
    deleteSessionsOf: (userId: string) => {
      invalidate();
      return db.delete(sessions).where(eq(sessions.userId, userId)).run();
    },
    sessionsOf: (userId: string) => db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(sessions.lastSeenAt).all(),
    deleteExpiredSessions: (idleBefore: Date, createdBefore: Date) => {
      invalidate();
      return db
        .delete(sessions)
        .where(or(lt(sessions.lastSeenAt, idleBefore), lt(sessions.createdAt, createdBefore)))
        .run();
    },
  };
}

function userQueries(db: Db, invalidate: () => void) {
  const adminQ = db.select({ id: users.id }).from(users).where(eq(users.role, "admin")).limit(1).prepare();
  return {
    adminExists: () => adminQ.all().length > 0,
    userById: (id: string) => db.select().from(users).where(eq(users.id, id)).get(),
    userByName: (username: string) => db.select().from(users).where(eq(users.username, username)).get(),
    listUsers: () => db.select().from(users).orderBy(users.createdAt).all(),
    insertUser: (u: typeof users.$inferInsert) => db.insert(users).values(u).returning().get(),
    updateUser: (id: string, patch: Partial<typeof users.$inferInsert>) => {
      invalidate();
      return db.update(users).set(patch).where(eq(users.id, id)).run();
    },
  };
}

function passkeyQueries(db: Db) {
  return {
    passkeysOf: (userId: string) => db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(passkeys.createdAt).all(),
    passkeyById: (id: string) => db.select().from(passkeys).where(eq(passkeys.id, id)).get(),
    insertPasskey: (p: typeof passkeys.$inferInsert) => db.insert(passkeys).values(p).run(),
    touchPasskey: (id: string, counter: number, at: Date) => db.update(passkeys).set({ counter, lastUsedAt: at }).where(eq(passkeys.id, id)).run(),
    renamePasskey: (userId: string, id: string, name: string) =>
      db
        .update(passkeys)
        .set({ name })
        .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
        .returning()
        .all().length,
    deletePasskey: (userId: string, id: string) =>
      db
        .delete(passkeys)
        .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
        .returning()
        .all().length,
    deletePasskeysOf: (userId: string) => db.delete(passkeys).where(eq(passkeys.userId, userId)).run(),
  };
}

/** App tokens for scripts and clients: stored hashed, revocable. */
function tokenQueries(db: Db) {
  return {
    insertToken: (t: typeof appTokens.$inferInsert) => db.insert(appTokens).values(t).run(),
    tokenWithUser: (tokenHash: string) =>
      db
        .select({ token: appTokens, user: users })
        .from(appTokens)
        .innerJoin(users, eq(users.id, appTokens.userId))
        .where(and(eq(appTokens.tokenHash, tokenHash), isNull(appTokens.revokedAt)))
        .get(),
    touchToken: (id: string, at: Date) => db.update(appTokens).set({ lastUsedAt: at }).where(eq(appTokens.id, id)).run(),
    tokensOf: (userId: string) =>
      db
        .select()
        .from(appTokens)
        .where(and(eq(appTokens.userId, userId), isNull(appTokens.revokedAt)))
        .orderBy(appTokens.createdAt)
        .all(),
    revokeToken: (userId: string, id: string, at: Date) =>
      db
        .update(appTokens)
        .set({ revokedAt: at })
        .where(and(eq(appTokens.id, id), eq(appTokens.userId, userId), isNull(appTokens.revokedAt)))
        .returning()
        .all().length,
    revokeTokenById: (id: string, at: Date) =>
      db
        .update(appTokens)
        .set({ revokedAt: at })
        .where(and(eq(appTokens.id, id), isNull(appTokens.revokedAt)))
        .returning()
        .all().length,
  };
}

function recoveryQueries(db: Db) {
  return {
    replaceRecoveryCodes: (userId: string, hashes: string[], at: Date) =>
      writeTransaction(db, () => {
        db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
        for (const codeHash of hashes) db.insert(recoveryCodes).values({ codeHash, userId, createdAt: at }).run();
      }),
    /** Marks the code used and returns its owner, atomically: a code works once. */
    consumeRecoveryCode: (userId: string, codeHash: string, at: Date) =>
      db
        .update(recoveryCodes)
        .set({ usedAt: at })
        .where(and(eq(recoveryCodes.codeHash, codeHash), eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
        .returning()
        .all().length === 1,
    unusedRecoveryCodes: (userId: string) =>
      db
        .select({ n: sql<number>`count(*)` })
        .from(recoveryCodes)
        .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
        .get()?.n ?? 0,
    deleteRecoveryCodesOf: (userId: string) => db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run(),
  };
}

function inviteQueries(db: Db) {
  return {
    insertInvite: (i: typeof invites.$inferInsert) => db.insert(invites).values(i).run(),
    validInvite: (tokenHash: string, now: Date) =>
      db
        .select()
        .from(invites)
        .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt), gt(invites.expiresAt, now)))
        .get(),
    useInvite: (tokenHash: string, userId: string, at: Date) =>
      db
        .update(invites)
        .set({ usedAt: at, usedBy: userId })
        .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt)))
        .returning()
        .all().length === 1,
    openInvites: (now: Date) =>
      db
        .select()
        .from(invites)
        .where(and(isNull(invites.usedAt), gt(invites.expiresAt, now)))
        .orderBy(invites.createdAt)
        .all(),
  };
}

/** WebAuthn challenges waiting for the browser's answer. */
function challengeQueries(db: Db) {
  return {
    insertChallenge: (c: typeof challenges.$inferInsert) => db.insert(challenges).values(c).run(),
    /** Deletes and returns the challenge: it is gone whether verification then succeeds or not. */
    takeChallenge: (id: string) => db.delete(challenges).where(eq(challenges.id, id)).returning().get(),
    deleteExpiredChallenges: (now: Date) => db.delete(challenges).where(lt(challenges.expiresAt, now)).run(),
  };
}

/** Every query on the account tables, one group per capability. */
export function createAuthRepo(db: Db) {
  const { invalidate, ...sessions } = sessionQueries(db);
  return {
    db,
    ...userQueries(db, invalidate),
    ...passkeyQueries(db),
    ...sessions,
    ...tokenQueries(db),
    ...recoveryQueries(db),
    ...inviteQueries(db),
    ...challengeQueries(db),
  };
}

export type AuthRepo = ReturnType<typeof createAuthRepo>;
export type { User };
